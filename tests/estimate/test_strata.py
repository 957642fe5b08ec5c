"""People of unknown stratum are allocated by a stated method, never estimated as a stratum."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from dalil.cli.app import cli
from dalil.errors import InputError
from dalil.estimate import estimate, read_capture_csv
from dalil.estimate import strata as strata_mod

# Hand-made, fictional: the east committee records people in the east only, so a
# person of unknown governorate recorded by it is almost surely from the east.
REGIONAL = """gov,morgue,ngo,east_committee,count
west,1,0,0,120
west,0,1,0,90
west,1,1,0,40
west,0,0,1,2
west,1,0,1,3
west,0,1,1,2
west,1,1,1,1
east,1,0,0,30
east,0,1,0,50
east,0,0,1,70
east,1,1,0,10
east,0,1,1,25
east,1,0,1,8
,0,0,1,12
unknown,0,1,1,3
,1,0,0,15
"""


def test_blank_and_unknown_are_allocated_not_a_stratum():
    d = read_capture_csv("regional.csv", text=REGIONAL, strata="gov")
    assert set(d.strata) == {"west", "east"}
    assert d.unknown_people == 30
    r = estimate(d, model="[12,13]")
    rows = {s["stratum"]: s["observed"] for s in r.diagnostics["strata"]}
    assert set(rows) == {"west", "east"}
    assert sum(rows.values()) == d.table.observed == r.observed
    a = r.allocated
    assert a["method"] == "proportional" and a["people"] == 30
    assert sum(a["to_strata"].values()) == 30


def test_proportional_allocation_follows_people_with_the_same_pattern():
    d = read_capture_csv("regional.csv", text=REGIONAL, strata="gov")
    (done,), report = strata_mod.allocate(d)
    east, west = done.strata["east"], done.strata["west"]
    # "east committee only" (cell 0b100): 70 known in the east, 2 in the west → the 12
    # unknown go east (11.7 and 0.3, largest remainder); "ngo + east" (0b110): 25 vs 2 →
    # all 3 east; "morgue only": 120 west vs 30 east → 12 + 3
    assert east.counts[0b100] == 70 + 12 and west.counts[0b100] == 2
    assert east.counts[0b110] == 25 + 3
    assert west.counts[0b001] == 120 + 12 and east.counts[0b001] == 30 + 3
    assert report["to_strata"] == {"east": 18, "west": 12}


def test_a_partly_known_stratum_goes_only_to_the_matching_strata():
    text = (
        "gov,sex,A,B,count\n"
        "north,f,1,0,10\nnorth,m,1,0,30\nsouth,f,1,0,50\nsouth,m,1,1,5\n"
        "north,f,1,1,4\nnorth,m,0,1,6\nsouth,f,0,1,7\n"
        "north,,1,0,8\n"
    )
    d = read_capture_csv("x.csv", text=text, strata="gov,sex")
    (done,), report = strata_mod.allocate(d)
    assert report["to_strata"] == {"north / f": 2, "north / m": 6}
    assert done.strata["south / f"].counts[0b01] == 50


def test_everyone_unknown_cannot_be_allocated():
    d = read_capture_csv("x.csv", text="gov,A,B,count\n,1,0,5\n,0,1,4\n,1,1,2\n", strata="gov")
    with pytest.raises(InputError, match="stratum of all 11 people is unknown"):
        estimate(d)


def test_multiple_imputation_is_combined_and_repeatable():
    d = read_capture_csv("regional.csv", text=REGIONAL, strata="gov")
    a = estimate(d, model="[12,13]", allocate="impute", imputations=6, seed=4)
    b = estimate(d, model="[12,13]", allocate="impute", imputations=6, seed=4)
    assert a.to_dict()["estimate"] == b.to_dict()["estimate"]
    al = a.allocated
    assert al["method"] == "impute" and al["imputations"] == 6 and al["imputations_used"] == 6
    assert al["combined"] == "Rubin's rules on log N"
    assert pytest.approx(sum(al["to_strata"].values()), abs=0.6) == 30
    p = estimate(d, model="[12,13]")
    # imputations add the allocation's uncertainty: not narrower than the proportional one
    assert a.ci[1] / a.ci[0] >= p.ci[1] / p.ci[0] * 0.98
    sets, _ = strata_mod.allocate(d, method="impute", imputations=5, seed=1)
    assert len({tuple(s.strata["east"].counts) for s in sets}) > 1
    for s in sets:
        assert sum(t.observed for t in s.strata.values()) == d.table.observed


def test_cli_says_how_many_were_allocated(tmp_path):
    p = tmp_path / "regional.csv"
    p.write_text(REGIONAL)
    r = CliRunner().invoke(cli, ["estimate", str(p), "--strata", "gov", "--model", "[12,13]"])
    assert r.exit_code == 0, r.output
    assert "allocated: 30 people of unknown stratum (6%) by proportional: east 18, west 12" in (
        r.output
    )
    bad = CliRunner().invoke(cli, ["estimate", str(p), "--strata", "gov", "--allocate", "guess"])
    assert bad.exit_code == 2


def test_without_unknowns_nothing_is_allocated():
    d = read_capture_csv(
        "x.csv",
        text="gov,A,B,count\nn,1,0,5\nn,1,1,3\nn,0,1,4\ns,1,1,2\ns,1,0,3\ns,0,1,5\n",
        strata="gov",
    )
    r = estimate(d, model="[1,2]")
    assert r.allocated is None and r.to_dict()["allocated"] is None
    assert np.isfinite(r.estimate)
