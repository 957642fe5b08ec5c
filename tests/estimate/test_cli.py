"""``dalil estimate`` through the CLI: JSON shape, bad input (exit 2, one line naming the row)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dalil.cli.app import cli
from dalil.cli.support import run_cli

DATA = Path(__file__).parent / "data"
KEYS = {
    "observed",
    "method",
    "model",
    "estimate",
    "ci",
    "ci_level",
    "se",
    "lists",
    "diagnostics",
    "models",
    "selection",
    "publication",
    "ci_without_linkage",
    "linkage",
    "allocated",
}
MODEL_KEYS = {"model", "estimate", "ci", "aic", "bic", "deviance", "df", "weight"}
# a deliberately short fixed run: its chains need not agree, so the pooled figure is asked for
FAST = [
    "--burnin",
    "300",
    "--samples",
    "100",
    "--thinning",
    "3",
    "--allow-unconverged",
    "--seed",
    "7",
]


def run(args: list[str]) -> tuple[int, str, str]:
    """Run the real entry point (run_cli), as the installed `dalil` does."""
    r = CliRunner().invoke(_Main(), args)  # type: ignore[arg-type]
    return r.exit_code, r.stdout, r.stderr


class _Main:
    """A click-compatible callable that runs the CLI with dalil's error handling."""

    name = "dalil"

    def main(self, args: list[str], prog_name: str | None = None, **kw: object) -> None:
        run_cli(cli, list(args))


def write(tmp_path: Path, text: str, name: str = "lists.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_json_has_exactly_the_design_shape_for_loglinear():
    code, out, err = run(["estimate", str(DATA / "darroch1993.csv"), "--json"])
    assert code == 0, err
    d = json.loads(out)
    assert set(d) == KEYS
    assert d["method"] == "loglinear" and d["model"] == "[12,23]"
    assert d["estimate"] == pytest.approx(850.1, abs=0.1)
    assert d["se"] == pytest.approx(186.3, abs=0.1)
    assert d["ci_level"] == 0.95 and len(d["ci"]) == 2 and d["ci"][0] < 850 < d["ci"][1]
    assert d["lists"] == ["A", "B", "C"] and d["observed"] == 414
    assert d["models"] and all(set(m) == MODEL_KEYS for m in d["models"])


def test_json_shape_for_lcmcr_bma_and_all():
    for method in ("lcmcr", "bma", "all"):
        code, out, err = run(
            ["estimate", str(DATA / "darroch1993.csv"), "--method", method, "--json", *FAST]
        )
        assert code == 0, (method, err)
        d = json.loads(out)
        assert set(d) == KEYS, method
        assert d["method"] == method
        assert d["ci"][0] <= d["estimate"] <= d["ci"][1]
        assert all(set(m) >= MODEL_KEYS for m in d["models"])
    assert {r["method"] for r in d["diagnostics"]["sensitivity"]} == {"loglinear", "lcmcr", "bma"}


def test_model_given_with_list_names_on_the_command_line():
    code, out, err = run(
        ["estimate", str(DATA / "darroch1993.csv"), "--model", "[A*B,B*C]", "--json"]
    )
    assert code == 0, err
    assert json.loads(out)["model"] == "[12,23]"


def test_human_output_names_the_estimate_and_the_interval():
    code, out, _ = run(["estimate", str(DATA / "darroch1993.csv")])
    assert code == 0
    assert "estimate: 850" in out and "95% interval: 604–1,456" in out


def test_one_row_per_victim_input_gives_the_same_answer_as_counts(tmp_path):
    rows = ["record_id,A,B,C"]
    k = 0
    for line in (DATA / "darroch1993.csv").read_text().splitlines()[1:]:
        a, b, c, n = line.split(",")
        for _ in range(int(n)):
            k += 1
            rows.append(f"r{k},{a},{b},{c}")
    p = write(tmp_path, "\n".join(rows) + "\n", "victims.csv")
    code, out, err = run(["estimate", str(p), "--lists", "A,B,C", "--json"])
    assert code == 0, err
    assert json.loads(out)["estimate"] == pytest.approx(850.1, abs=0.1)


@pytest.mark.parametrize(
    "text, needle",
    [
        ("A,B,C,count\n1,1,1,72\n1,2,0,5\n", "line 3: list column 'B' must be 0 or 1, got '2'"),
        ("A,B,C,count\n1,1,1,72\n1,yes,0,5\n", "line 3: list column 'B' must be 0 or 1"),
        ("A,B,C,count\n1,1,1,72\n1,0,0,-5\n", "line 3: count must not be negative"),
        ("A,B,C,count\n1,1,1,72\n1,0,0,2.5\n", "line 3: count must be a whole number"),
        ("A,B,C,count\n1,1,1,72\n0,0,0,9\n", "line 3: the all-zero pattern"),
        ("A,count\n1,72\n", "estimation needs at least two lists"),
        ("A,B,count\n1,1,7\n1,0,3\n1,1,2\n", "line 4: pattern 11 repeats line 2"),
        ("A,B,C,count\n1,1,1,72\n1,0,0\n", "line 3: 3 fields, the header has 4"),
        ("A,B,C,count\n", "no data rows"),
        ("", "empty file"),
        ("A,B,C\n1,0,0\n0,0,0\n", "line 3: this person is on no list"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_row(tmp_path, text, needle):
    p = write(tmp_path, text)
    code, out, err = run(["estimate", str(p), "--json"])
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert needle in lines[0]
    assert str(p) in lines[0] or "lists" in lines[0]


def test_missing_file_and_unknown_stratum_column_exit_2(tmp_path):
    code, _, err = run(["estimate", str(tmp_path / "nope.csv")])
    assert code == 2 and "no such file" in err
    code, _, err = run(["estimate", str(DATA / "darroch1993.csv"), "--strata", "region"])
    assert code == 2 and "stratum column 'region' not in the header" in err


def test_model_that_cannot_be_estimated_exits_2_with_the_reason():
    code, _, err = run(["estimate", str(DATA / "darroch1993.csv"), "--model", "[123]"])
    assert code == 2 and "not identifiable" in err
    code, _, err = run(["estimate", str(DATA / "darroch1993.csv"), "--model", "[12,34]"])
    assert code == 2 and "position 4" in err


def test_bma_refuses_two_lists_and_model_is_loglinear_only(tmp_path):
    p = write(tmp_path, "A,B,count\n1,1,5\n1,0,7\n0,1,9\n")
    code, _, err = run(["estimate", str(p), "--method", "bma"])
    assert code == 2 and "3 to 5 lists" in err
    code, _, err = run(["estimate", str(p), "--method", "bma", "--model", "[1,2]"])
    assert code == 2 and "loglinear only" in err


def test_plots_are_written_as_svg_and_png(tmp_path):
    svg, png = tmp_path / "post.svg", tmp_path / "models.png"
    code, _, err = run(
        ["estimate", str(DATA / "darroch1993.csv"), "--plot", str(svg), "--plot-models", str(png)]
    )
    assert code == 0, err
    assert svg.read_text().lstrip().startswith("<?xml") and "<svg" in svg.read_text()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, err = run(
        ["estimate", str(DATA / "darroch1993.csv"), "--plot", str(tmp_path / "x.jpg")]
    )
    assert code == 2 and ".svg or .png" in err


def test_svg_plot_is_byte_identical_on_rerun(tmp_path):
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    for p in (a, b):
        assert (
            run(["estimate", str(DATA / "darroch1993.csv"), "--method", "bma", "--plot", str(p)])[0]
            == 0
        )
    assert a.read_bytes() == b.read_bytes()


def test_same_seed_same_json_for_lcmcr():
    args = ["estimate", str(DATA / "darroch1993.csv"), "--method", "lcmcr", "--json", *FAST]
    a, b = run(args), run(args)
    assert a[0] == 0 and a[1] == b[1]
    other = run([*args[:-1], "8"])
    assert json.loads(other[1])["diagnostics"]["settings"]["seed"] == 8


def test_lists_without_any_overlap_are_refused_by_every_method(tmp_path):
    p = write(tmp_path, "A,B,C,count\n1,0,0,10\n0,1,0,5\n0,0,1,7\n")
    for method in ("loglinear", "lcmcr", "bma", "all"):
        code, out, err = run(["estimate", str(p), "--method", method, *FAST])
        assert code == 2 and out == ""
        assert "nobody appears on more than one list" in err


def test_thin_overlap_and_an_empty_list_are_warned_about(tmp_path):
    p = write(tmp_path, "A,B,C,count\n1,0,0,10\n1,1,0,5\n0,1,0,3\n")
    code, out, err = run(["estimate", str(p), "--method", "bma", "--json"])
    assert code == 0, err
    warnings = json.loads(out)["diagnostics"]["warnings"]
    assert any("only 5 people appear on two or more lists" in w for w in warnings)
    assert any("list “C” records nobody" in w for w in warnings)


def test_drawn_seed_is_reported_for_all_methods_and_reproduces_the_table():
    args = ["estimate", str(DATA / "darroch1993.csv"), "--method", "all", "--json",
            "--burnin", "200", "--samples", "50", "--thinning", "2"]  # fmt: skip
    code, out, err = run(args)
    assert code == 0, err
    d = json.loads(out)
    seed = d["diagnostics"]["seed"]
    assert isinstance(seed, int)
    code, out2, _ = run([*args, "--seed", str(seed)])
    assert json.loads(out2)["diagnostics"]["sensitivity"] == d["diagnostics"]["sensitivity"]


def test_dash_reads_the_table_from_standard_input():
    r = CliRunner().invoke(
        _Main(),
        ["estimate", "-", "--json"],  # type: ignore[arg-type]
        input=(DATA / "darroch1993.csv").read_text(),
    )
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["estimate"] == pytest.approx(850.1, abs=0.1)
