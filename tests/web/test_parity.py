"""One door, tested: every operation offered by both the command line and the web (pages
or REST API) is run both ways on identical cases — copies of one fictional case — and
must leave the same stored result and the same audit entries (action, objects and
detail; actor name and time aside), refusals included.

All people, places and organisations here are fictional.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.core.audit import AuditEntry
from dalil.core.case import Case
from dalil.services import jobs
from dalil.testing import TEST_PASSPHRASE, DalilRunner
from dalil.web import create_app
from dalil.web.auth import LoginThrottle

from .conftest import DERIVED_TEXT, EVIDENCE_TEXT, LIST_A, LIST_B, Client

ADMIN = "coordinator"
PEOPLE = {"analyst": "ana", "viewer": "vic", "investigator": "ivy"}
THIRD_LIST = (
    "record_id,full_name,sex,age,date_of_death,place_of_death\n"
    "1,Fictional Alpha One,male,30,2025-03-07,Qarya\n"
    "2,Fictional Epsilon Five,female,19,2025-03-08,Tal\n"
    "3,Fictional Delta Four,male,55,2025-03-08,Tal\n"
)


def _password(name: str) -> str:
    return f"pw-{name}-fictional-parity"


def _build_template(root: Path) -> dict[str, Any]:
    from dalil.services import evidence, lists, records, users

    case = Case.init(root, TEST_PASSPHRASE, admin=ADMIN)
    ids: dict[str, Any] = {}
    try:
        with case.act(ADMIN) as ctx:
            users.update_user(ctx, ADMIN, password=_password(ADMIN))
            for role, name in PEOPLE.items():
                users.add_user(ctx, name, role, _password(name))
            first = records.add(
                ctx,
                "source",
                kind="report",
                title="Fictional NGO report",
                publisher="Fictional Watch",
                published="2025-03-12",
                language="en",
            )
            second = records.add(
                ctx,
                "source",
                kind="article",
                title="Fictional daily article",
                published="2025-03-14",
                language="en",
            )
            ids.update(source=first.id, source2=second.id)
        admin = case.actor(ADMIN)
        evidence.add_bytes(case, admin, EVIDENCE_TEXT, name="report.txt", source_id=first.id)
        evidence.add_bytes(case, admin, DERIVED_TEXT, name="article.txt", source_id=second.id)
        for name, text in (("Fictional list A", LIST_A), ("Fictional list B", LIST_B)):
            path = root.parent / f"{name.replace(' ', '-')}.csv"
            path.write_text(text, encoding="utf-8")
            lists.import_list(case, ADMIN, path, list_name=name)
            path.unlink()
        with case.act(ADMIN) as ctx:
            lists.link(ctx)
        tokens: dict[str, str] = {}
        with case.act(ADMIN) as ctx:
            for name in (ADMIN, *PEOPLE.values()):
                tokens[name], _ = users.issue_token(ctx, name, label="parity")
        ids["tokens"] = tokens
    finally:
        case.close()
    return ids


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("parity") / "template"
    return root, _build_template(root)


class Twins:
    """Two byte-identical copies of the template case: one for the CLI, one for the web."""

    def __init__(self, template: Path, base: Path, ids: dict[str, Any]) -> None:
        self.ids = ids
        self.cli_root = base / "cli-case"
        self.web_root = base / "web-case"
        shutil.copytree(template, self.cli_root)
        shutil.copytree(template, self.web_root)
        self.app = create_app(
            self.web_root, TEST_PASSPHRASE, throttle=LoginThrottle(free_attempts=1000)
        )
        self.client = Client(self.app)
        self.signed_in: set[str] = set()
        self.mark = {"cli": self._last_seq(self.cli_root), "web": self._last_seq(self.web_root)}

    def dalil(self, user: str) -> DalilRunner:
        return DalilRunner(
            {
                "DALIL_CASE": str(self.cli_root),
                "DALIL_PASSPHRASE": TEST_PASSPHRASE,
                "DALIL_USER": user,
            }
        )

    def api(self, user: str) -> dict[str, str]:
        """Bearer headers of *user*, signed in (a token's first use is audited as
        ``user.login``: the sign-in is not the operation compared)."""
        headers = {"Authorization": f"Bearer {self.ids['tokens'][user]}"}
        if user not in self.signed_in:
            assert self.client.get("/api/v1/me", headers=headers).status_code == 200
            self.signed_in.add(user)
            self.mark["web"] = self._last_seq(self.web_root)
        return headers

    def login(self, user: str) -> None:
        token = self.client.csrf("/login")
        r = self.client.post(
            "/login",
            data={
                "username": user,
                "password": _password(user),
                "csrf_token": token,
                "next": "/",
            },
        )
        assert r.status_code == 303, r.text
        self.mark["web"] = self._last_seq(self.web_root)  # the sign-in is not the operation

    @staticmethod
    def _last_seq(root: Path) -> int:
        return max(e["seq"] for e in _entries(root, 0)) if _entries(root, 0) else 0

    def audit(self, which: str) -> list[tuple[str, list[str], dict[str, Any]]]:
        root = self.cli_root if which == "cli" else self.web_root
        return [
            (e["action"], e["object_ids"], e["detail"]) for e in _entries(root, self.mark[which])
        ]

    def close(self) -> None:
        self.client.close()
        self.app.state.case.close()


def _entries(root: Path, after: int) -> list[dict[str, Any]]:
    case = Case.open(root, None)
    try:
        with Session(case.engine) as s:
            rows = s.scalars(
                select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq)
            )
            return [
                {
                    "seq": r.seq,
                    "action": r.action,
                    "object_ids": json.loads(r.object_ids),
                    "detail": json.loads(r.detail),
                }
                for r in rows
            ]
    finally:
        case.close()


def _stored(root: Path, read: Callable[[Any], Any]) -> Any:
    case = Case.open(root, TEST_PASSPHRASE)
    try:
        with case.act(ADMIN, write=False) as ctx:
            return read(ctx)
    finally:
        case.close()


@pytest.fixture
def twins(template: tuple[Path, dict[str, Any]], tmp_path: Path) -> Iterator[Twins]:
    t = Twins(template[0], tmp_path, template[1])
    yield t
    t.close()


def _without(d: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in keys}


# --- the operations ------------------------------------------------------------------


def test_comparing_two_stored_sources(twins: Twins) -> None:
    a, b = twins.ids["source"], twins.ids["source2"]
    cli = twins.dalil("ana").json("source", "compare", str(a), str(b))
    r = twins.client.get(f"/api/v1/compare?a={a}&b={b}", headers=twins.api("ana"))
    assert r.status_code == 200, r.text
    web = _without(r.json(), "source_segments", "derivative_segments")
    assert web == cli
    assert [x[0] for x in twins.audit("cli")] == [
        "evidence.read",
        "evidence.read",
        "sources.compare",
    ]
    assert twins.audit("web") == twins.audit("cli")


def test_adding_a_source_record(twins: Twins) -> None:
    fields = {"title": "Fictional press release", "kind": "statement", "language": "ar"}
    cli = twins.dalil("ivy").json(
        "source", "add", "--title", fields["title"], "--kind", fields["kind"], "--language", "ar"
    )
    r = twins.client.post("/api/v1/sources", json=fields, headers=twins.api("ivy"))
    assert r.status_code == 201, r.text
    volatile = ("created_at", "updated_at")
    assert _without(r.json(), *volatile) == _without(cli["source"], *volatile)
    assert [x[0] for x in twins.audit("cli")] == ["source.add"]
    assert twins.audit("web") == twins.audit("cli")


def test_adding_evidence(twins: Twins, tmp_path: Path) -> None:
    data = b"Fictional witness note, typed up by the team.\n"
    path = tmp_path / "note.txt"
    path.write_bytes(data)
    source = twins.ids["source"]
    cli = twins.dalil("ivy").json("evidence", "add", str(path), "--source", str(source))
    r = twins.client.post(
        f"/api/v1/evidence?name=note.txt&source={source}",
        content=data,
        headers={**twins.api("ivy"), "content-type": "text/plain"},
    )
    assert r.status_code == 201, r.text

    def item(ctx: Any) -> dict[str, Any]:
        from dalil.display.jsonout import jsonable
        from dalil.services import evidence

        return dict(jsonable(evidence.item_dict(ctx, evidence.get_item(ctx, cli[0]["sha256"]))))

    volatile = ("created_at", "updated_at", "captured_at", "capture")
    assert _without(_stored(twins.web_root, item), *volatile) == _without(
        _stored(twins.cli_root, item), *volatile
    )
    assert [x[0] for x in twins.audit("cli")] == ["evidence.add"]
    assert twins.audit("web") == twins.audit("cli")


def _web_import(twins: Twins, name: str, text: str) -> Any:
    c = twins.client
    r = c.post(
        "/lists/import",
        data={"name": name, "csrf_token": c.csrf("/lists/import")},
        files={"file": ("third.csv", text.encode(), "text/csv")},
    )
    if r.status_code == 403:  # refused at the upload already: nothing more to send
        return r
    assert r.status_code == 200, r.text
    cols = re.findall(r'<select[^>]*name="(map_\d+)"[^>]*>(.*?)</select>', r.text, re.S)
    mapping = {}
    for field, options in cols:
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        if chosen and chosen.group(1):
            mapping[field] = chosen.group(1)
    r = c.post("/lists/import/confirm", data={**mapping, "csrf_token": c.csrf("/lists/import")})
    if r.status_code != 303:
        return r
    jid = int(r.headers["location"].rsplit("/", 1)[1])  # the import runs as a job
    assert jobs.wait(twins.app.state.case, jid, timeout=120) == "done"
    return c.get(f"/lists/import?job={jid}")


def _list_state(ctx: Any) -> Any:
    from dalil.display.jsonout import jsonable
    from dalil.services import lists

    return [
        _without(dict(jsonable(x)), "created_at", "imported_at", "evidence")
        for x in lists.list_lists(ctx)
    ]


def test_importing_a_victim_list(twins: Twins, tmp_path: Path) -> None:
    path = tmp_path / "third.csv"
    path.write_text(THIRD_LIST, encoding="utf-8")
    r = twins.dalil("ana")("list", "import", str(path), "--list", "Fictional list C")
    assert r.exit_code == 0, r.stderr
    twins.login("ana")
    r = _web_import(twins, "Fictional list C", THIRD_LIST)
    assert r.status_code == 200 and 'id="import-done"' in r.text, r.text[-1500:]
    cli_lists = _stored(twins.cli_root, _list_state)
    assert "Fictional list C" in json.dumps(cli_lists)
    assert _stored(twins.web_root, _list_state) == cli_lists
    # the web's import is a job: its submission, then the same entries as the CLI's
    web = twins.audit("web")
    assert web[0][0] == "job.submit" and web[0][2] == {"kind": "list_import"}
    assert [x[0] for x in web[1:]] == [x[0] for x in twins.audit("cli")]
    assert "list.import" in [x[0] for x in twins.audit("cli")]
    assert web[1:] == twins.audit("cli")


def test_a_viewers_refused_list_import(twins: Twins, tmp_path: Path) -> None:
    path = tmp_path / "third.csv"
    path.write_text(THIRD_LIST, encoding="utf-8")
    r = twins.dalil("vic")("list", "import", str(path), "--list", "Fictional list C")
    assert r.exit_code != 0 and "may not" in r.stderr
    twins.login("vic")
    # The web refuses at the upload step, before the file is read or kept.
    c = twins.client
    r = c.post(
        "/lists/import",
        data={"name": "Fictional list C", "csrf_token": c.csrf("/lists")},
        files={"file": ("third.csv", THIRD_LIST.encode(), "text/csv")},
    )
    assert r.status_code == 403
    assert [x[0] for x in twins.audit("cli")] == ["access.denied"]
    assert twins.audit("web") == twins.audit("cli")
    assert _stored(twins.web_root, _list_state) == _stored(twins.cli_root, _list_state)


@pytest.mark.parametrize("strata", [None, "sex"])
def test_estimating_from_the_case_lists(twins: Twins, strata: str | None) -> None:
    """The web's quick estimate is a job (202); once finished, its result is what the
    command line computes inside its own process with the same seed."""
    body: dict[str, Any] = {"method": "loglinear", **({"strata": strata} if strata else {})}
    r = twins.client.post("/api/v1/estimate", json=body, headers=twins.api("ana"))
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    end = time.monotonic() + 120
    while (job := twins.client.get(f"/api/v1/jobs/{job_id}", headers=twins.api("ana")).json())[
        "state"
    ] in ("queued", "running"):
        assert time.monotonic() < end, "the estimate job did not finish"
        time.sleep(0.2)
    assert job["state"] == "done", job.get("error")
    seed = job["result"]["settings"]["seed"]
    by = ["--strata", strata] if strata else []
    cli = twins.dalil("ana").json("estimate", "--method", "loglinear", "--seed", str(seed), *by)
    web = _without(job["result"], "settings")
    assert web == cli
    assert ("strata" in json.dumps(cli)) == bool(strata)
    # the CLI reads without a trace; the web's only entry is its job's submission
    assert twins.audit("cli") == []
    assert [x[0] for x in twins.audit("web")] == ["job.submit"]


def test_adding_graphic_evidence_and_clearing_the_flag(twins: Twins, tmp_path: Path) -> None:
    data = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41 fictional clip"
    path = tmp_path / "clip.mp4"
    path.write_bytes(data)
    cli = twins.dalil("ivy").json("evidence", "add", str(path), "--graphic", "--no-ocr")
    r = twins.client.post(
        "/api/v1/evidence?name=clip.mp4&graphic=true",
        content=data,
        headers={**twins.api("ivy"), "content-type": "video/mp4"},
    )
    assert r.status_code == 201, r.text
    assert cli[0]["graphic"] is True and r.json()["graphic"] is True
    sha = cli[0]["sha256"]
    twins.dalil("ivy").json("evidence", "update", sha, "--not-graphic")
    r = twins.client.request(
        "PATCH", f"/api/v1/evidence/{sha}", json={"graphic": False}, headers=twins.api("ivy")
    )
    assert r.status_code == 200 and r.json()["graphic"] is False, r.text
    actions = [x[0] for x in twins.audit("cli")]
    assert actions[0] == "evidence.add" and actions[-1] == "evidence.update"
    # (the web's media job may log evidence.media after the edit: compare the edits)
    cli_upd = [x for x in twins.audit("cli") if x[0] == "evidence.update"][-1]
    web_upd = [x for x in twins.audit("web") if x[0] == "evidence.update"][-1]
    assert web_upd == cli_upd
    assert cli_upd[2]["before"] == {"graphic": True} and cli_upd[2]["after"] == {"graphic": False}
    assert twins.audit("web")[0] == twins.audit("cli")[0]


def test_adding_and_editing_an_incident_record(twins: Twins) -> None:
    cli = twins.dalil("ivy").json(
        "incident", "add", "--title", "Fictional raid on Example Hill", "--date-start", "2025-03"
    )
    r = twins.client.post(
        "/api/v1/incidents",
        json={"title": "Fictional raid on Example Hill", "date_start": "2025-03"},
        headers=twins.api("ivy"),
    )
    assert r.status_code == 201, r.text
    volatile = ("created_at", "updated_at")
    cli_rec = cli.get("incident", cli)
    assert _without(r.json(), *volatile) == _without(cli_rec, *volatile)
    iid = str(r.json()["id"])
    twins.dalil("ivy").json("incident", "update", iid, "--fatalities-best", "4")
    r = twins.client.request(
        "PATCH", f"/api/v1/incidents/{iid}", json={"fatalities_best": 4}, headers=twins.api("ivy")
    )
    assert r.status_code == 200, r.text
    assert [x[0] for x in twins.audit("cli")] == ["incident.add", "incident.update"]
    assert twins.audit("web") == twins.audit("cli")
    upd = twins.audit("web")[1][2]
    assert upd["before"] == {"fatalities_best": None} and upd["after"] == {"fatalities_best": 4}


def test_a_viewers_refused_record_edit(twins: Twins) -> None:
    src = str(twins.ids["source"])
    r = twins.dalil("vic")("source", "update", src, "--title", "Fictional")
    assert r.exit_code == 2
    r = twins.client.request(
        "PATCH", f"/api/v1/sources/{src}", json={"title": "Fictional"}, headers=twins.api("vic")
    )
    assert r.status_code == 403
    assert [x[0] for x in twins.audit("cli")] == ["access.denied"]
    assert twins.audit("web") == twins.audit("cli")


def test_retracting_and_restoring_a_record(twins: Twins) -> None:
    """The CLI and the web form leave the same audit trail for a retraction and a
    restore, and the record leaves (and rejoins) the list the same way."""
    iid = str(twins.ids["source2"])
    reason, back = "Fictional: recorded twice", "Fictional: not a duplicate"
    out = twins.dalil("ivy").json("source", "retract", iid, "--reason", reason)
    assert out["reason"] == reason and out["by"] == "ivy"
    twins.login("ivy")
    bearer = twins.api("ivy")  # signed in before the operation compared
    token = twins.client.csrf("/users")  # the source page would log a reading
    r = twins.client.post(f"/sources/{iid}/retract", data={"reason": reason, "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"].endswith("?retract=retracted")
    listed = twins.dalil("ivy").json("source", "list")
    assert iid not in {str(i["id"]) for i in listed}
    r = twins.client.get("/api/v1/sources", headers=bearer)
    assert iid not in {str(i["id"]) for i in r.json()["items"]}
    twins.dalil("ivy").json("source", "restore", iid, "--reason", back)
    r = twins.client.post(
        f"/sources/{iid}/restore",
        data={"reason": back, "csrf_token": twins.client.csrf("/users")},
    )
    assert r.status_code == 303
    assert [x[0] for x in twins.audit("cli")] == ["source.retract", "source.restore"]
    assert twins.audit("web") == twins.audit("cli")


def test_reviewing_a_pair_with_names_deciding_and_undoing(twins: Twins) -> None:
    """A review session, a pair's names, a decision and its undo leave the same audit
    trail from the command line and from the API."""
    reason = "Fictional: checking the two lists"
    run = twins.dalil("ana")
    sess = run.json("lists", "review-session", "--reason", reason)
    cli = run.json("lists", "pair", "1-2", "--session", str(sess["id"]))
    run.json("lists", "decide", "1-2", "reject")
    run.json("lists", "undo", "1-2")
    h = twins.api("ana")
    r = twins.client.post("/api/v1/lists/review-sessions", json={"reason": reason}, headers=h)
    assert r.status_code == 200, r.text
    web = twins.client.post(
        "/api/v1/lists/pairs/1-2/names", json={"review_session": r.json()["id"]}, headers=h
    ).json()
    assert web["a"]["names"] == cli["a"]["names"] and web["fields"] == cli["fields"]
    r = twins.client.post("/api/v1/lists/decide", json={"pair": "1-2", "verdict": "reject"},
                          headers=h)  # fmt: skip
    assert r.status_code == 200, r.text
    assert twins.client.post("/api/v1/lists/pairs/1-2/undo", json={}, headers=h).status_code == 200
    assert [x[0] for x in twins.audit("cli")] == [
        "linkage.review_start", "linkage.reveal", "linkage.decide", "linkage.undo",
    ]  # fmt: skip
    assert twins.audit("web") == twins.audit("cli")


def test_checking_for_possible_duplicates(twins: Twins) -> None:
    probe = {"name": "Fictionel Alpha One", "sex": "male", "age": 31}  # a typo
    cli = twins.dalil("ivy").json(
        "person", "duplicates", "--name-file", "-", "--sex", "male", "--age", "31",
        input="Fictionel Alpha One\n",
    )  # fmt: skip
    r = twins.client.post("/api/v1/persons/duplicates", json=probe, headers=twins.api("ivy"))
    assert r.status_code == 200, r.text
    assert r.json() == cli and cli["matches"]
    assert "list_record" in {m["kind"] for m in cli["matches"]} and cli["matches"][0]["likely"]
    assert [x[0] for x in twins.audit("cli")] == ["person.search_duplicates"]
    assert twins.audit("web") == twins.audit("cli")


def test_a_cascade_retraction_and_its_restore(twins: Twins) -> None:
    """Retracting a source with its dependants (its evidence item) and restoring it leave
    the same audit trail from the command line and from the record page's form."""
    sid = str(twins.ids["source2"])
    reason, back = "Fictional: fabricated article", "Fictional: genuine after all"
    run = twins.dalil("ivy")
    [dep] = run.json("source", "dependants", sid)
    assert (dep["kind"], dep["retractable"], dep["retracted"]) == ("evidence", True, False)
    r = run("source", "retract", sid, "--reason", reason, "--with-dependants")
    assert r.exit_code == 0, r.stderr
    assert "evidence" in r.stdout and "retracted with it" in r.stdout
    twins.login("ivy")
    r = twins.client.post(
        f"/sources/{sid}/retract",
        data={"reason": reason, "with_dependants": "1", "csrf_token": twins.client.csrf("/users")},
    )
    assert r.status_code == 303, r.text
    run.json("source", "restore", sid, "--reason", back)
    r = twins.client.post(
        f"/sources/{sid}/restore", data={"reason": back, "csrf_token": twins.client.csrf("/users")}
    )
    assert r.status_code == 303
    cli = twins.audit("cli")
    assert [x[0] for x in cli] == ["source.retract", "source.restore"]
    assert cli[0][1][0] == f"source:{sid}" and cli[0][1][1].startswith("evidence:")
    assert cli[0][2]["dependants"] == cli[0][1][1:] == cli[1][2]["dependants"]
    assert twins.audit("web") == cli


def _first_list_record(twins: Twins) -> str:
    from dalil.model.lists import ListRecord

    def first(ctx: Any) -> int:
        return int(ctx.session.scalar(select(ListRecord.id).order_by(ListRecord.id).limit(1)))

    rid = _stored(twins.cli_root, first)
    assert rid == _stored(twins.web_root, first)
    return str(rid)


def test_retracting_and_restoring_a_list_record(twins: Twins) -> None:
    """``dalil list retract-record`` and the list-record page's form leave the same audit
    trail for a retraction and a restore, and the record leaves (and rejoins) the list
    page as it leaves (and rejoins) the linkage input."""
    rid = _first_list_record(twins)
    reason, back = "Fictional: entered twice on this list", "Fictional: two people after all"
    run = twins.dalil("ivy")
    out = run.json("list", "retract-record", rid, "--reason", reason)
    assert out["reason"] == reason and out["by"] == "ivy"
    twins.login("ivy")
    r = twins.client.post(
        f"/lists/records/{rid}/retract",
        data={"reason": reason, "csrf_token": twins.client.csrf("/lists")},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("?done=retracted")
    page = twins.client.get("/lists/1").text
    assert f'id="list-record-{rid}"' not in page
    run.json("list", "restore-record", rid, "--reason", back)
    r = twins.client.post(
        f"/lists/records/{rid}/restore",
        data={"reason": back, "csrf_token": twins.client.csrf("/lists")},
    )
    assert r.status_code == 303
    assert f'id="list-record-{rid}"' in twins.client.get("/lists/1").text
    cli = twins.audit("cli")
    assert [(x[0], x[1]) for x in cli] == [
        ("list_record.retract", [f"list_record:{rid}"]),
        ("list_record.restore", [f"list_record:{rid}"]),
    ]
    assert twins.audit("web") == cli


def test_a_viewers_refused_list_record_retraction(twins: Twins) -> None:
    """Refused the same way (``record.write``), logged the same way, nothing changed."""
    rid = _first_list_record(twins)
    r = twins.dalil("vic")("list", "retract-record", rid, "--reason", "Fictional: vic tries")
    assert r.exit_code != 0
    twins.login("vic")
    r = twins.client.post(
        f"/lists/records/{rid}/retract",
        data={"reason": "Fictional: vic tries", "csrf_token": twins.client.csrf("/lists")},
    )
    assert r.status_code == 403
    assert [x[0] for x in twins.audit("cli")] == ["access.denied"]
    assert twins.audit("web") == twins.audit("cli")
