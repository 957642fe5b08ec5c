"""Fixtures for the workbench tests: one fictional case with a user per role, the app,
and a synchronous wrapper around an in-process httpx client (ASGITransport, CSRF on).

All people and places here are fictional.
"""

from __future__ import annotations

import asyncio
import atexit
import copy
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dalil.core.case import Case
from dalil.testing import TEST_PASSPHRASE
from dalil.web import create_app
from dalil.web.auth import LoginThrottle

ROLES = ("admin", "investigator", "analyst", "legal", "viewer")
USERS = {
    "admin": "coordinator",
    "investigator": "ivy",
    "analyst": "ana",
    "legal": "lee",
    "viewer": "vic",
}
LEGAL_NAME = "Fictional Canary Name"  # a fictional legal name that must never leak
EVIDENCE_TEXT = (
    b"Fictional Watch, 12 March 2025. Fictional Watch documented the killing of 32 civilians "
    b'in Qarya (a fictional town) on 7 March. "Gunmen from the Fictional Brigade went house '
    b'to house and shot the men in front of their families," said a witness, W-1. The group '
    b"called for an independent investigation. Canary phrase: amber-lantern-42.\n"
)
DERIVED_TEXT = (
    b"Fictional Daily, 14 March 2025. Fictional Watch documented the killing of 32 civilians "
    b'in Qarya on 7 March. "Gunmen went house to house and shot the men," said a witness. '
    b"The group called for sanctions.\n"
)


def password_for(role: str) -> str:
    return f"pw-{role}-fictional-1"


_SEEDED: dict[str, Any] = {}  # this process's pristine seeded case: its folder and ids


def seed_case(root: Path) -> dict[str, Any]:
    """Put the fictional test case in *root* (absent); return ids of what it holds.

    The case is built (:func:`build_seeded_case`: users with argon2 passwords, two lists
    imported and linked — tens of seconds on a loaded machine) once per test process, in
    a folder of its own that no test opens; each call copies that folder, database
    included, so every caller still gets a case of its own to change."""
    if not _SEEDED:
        folder = Path(tempfile.mkdtemp(prefix="dalil-web-seed-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = folder / "case"
        _SEEDED["ids"] = build_seeded_case(template)
        _SEEDED["root"] = template
    shutil.copytree(_SEEDED["root"], root)
    return copy.deepcopy(_SEEDED["ids"])


def build_seeded_case(root: Path) -> dict[str, Any]:
    """Create the fictional test case; return ids of what it holds."""
    from dalil.services import evidence, persons, records, users

    case = Case.init(root, TEST_PASSPHRASE, admin=USERS["admin"])
    ids: dict[str, Any] = {}
    try:
        with case.act(USERS["admin"]) as ctx:
            users.update_user(ctx, USERS["admin"], password=password_for("admin"))
            for role, name in USERS.items():
                if role != "admin":
                    users.add_user(ctx, name, role, password_for(role))
            w1 = persons.add_person(
                ctx, pseudonym="W-1", legal_name=LEGAL_NAME, roles=["witness"], sex="female", age=34
            )
            persons.add_person(ctx, pseudonym="شاهد-٢", roles=["witness"], legal_name="اسم متخيل")
            for i in range(3, 8):
                persons.add_person(ctx, pseudonym=f"V-{i}", roles=["victim"])
            ids["person"] = w1.id
            users.add_user(ctx, "tmp-user", "viewer", "pw-tmp-user-fictional")
            src = records.add(
                ctx,
                "source",
                kind="report",
                title="Fictional NGO report",
                publisher="Fictional Watch",
                published="2025-03-12",
                language="en",
            )
            src2 = records.add(
                ctx,
                "source",
                kind="article",
                title="تقرير صحفي متخيل",
                published="2025-03-14",
                language="ar",
            )
            inc = records.add(
                ctx,
                "incident",
                title="Fictional raid on Qarya (fictional town)",
                incident_type="raid",
                date_start="2025-03-07",
                place_name="Qarya (fictional)",
                lat=35.12,
                lon=35.95,
                coord_precision="locality",
                fatalities_best=32,
            )
            records.add(
                ctx,
                "incident",
                title="Second fictional incident",
                date_start="2025-03-08",
                place_name="Tal (fictional)",
                lat=35.30,
                lon=36.10,
            )
            site = records.add(
                ctx,
                "site",
                name="Fictional burial site",
                site_type="mass_grave",
                status="reported",
                lat=35.15,
                lon=35.99,
                incident_id=inc.id,
            )
            unit = records.add(ctx, "unit", name="Fictional Brigade", kind="militia")
            act = records.add(
                ctx,
                "act",
                incident_id=inc.id,
                victim_id=w1.id + 2,
                act_type="killing",
                status="likely",
            )
            membership = records.add(
                ctx, "membership", person_id=w1.id + 3, organization_id=unit.id, rank="Fictional"
            )
            link = records.add(
                ctx,
                "provenance",
                subject_kind="incident",
                subject_id=inc.id,
                source_id=src.id,
                role="supports",
                locator="p. 2",
            )
            ids.update(
                membership=membership.id,
                provenance=link.id,
                source=src.id,
                source2=src2.id,
                incident=inc.id,
                site=site.id,
                unit=unit.id,
                act=act.id,
            )
        admin = case.actor(USERS["admin"])
        res = evidence.add_bytes(
            case, admin, EVIDENCE_TEXT, name="statement-fictional.txt", source_id=ids["source"]
        )
        ids["evidence"] = res.item.sha256
        evidence.add_bytes(
            case, admin, DERIVED_TEXT, name="article-fictional.txt", source_id=ids["source2"]
        )
        # A text that only the authorization matrix corrects (other tests read the
        # seeded source's evidence word for word).
        res = evidence.add_bytes(case, admin, NOTE_TEXT, name="note-fictional.txt")
        ids["note_evidence"] = res.item.sha256
        ids["list_person"] = seed_lists(case, root.parent)
        # two victims of one record each (list B rows 4 and 5): the authorization
        # matrix merges them (no other test counts them)
        ids["list_merge"] = _list_persons(case, ["4", "5"])
        tokens = {}
        for role, name in USERS.items():
            with case.act(USERS["admin"]) as ctx:
                tokens[role], _ = users.issue_token(ctx, name, label="tests")
        ids["tokens"] = tokens
    finally:
        case.close()
    return ids


NOTE_TEXT = b"A fictional field note, kept for transcript corrections in the tests.\n"


LIST_A = (
    "record_id,full_name,sex,age,date_of_death,place_of_death\n"
    "1,Fictional Alpha One,male,30,2025-03-07,Qarya\n"
    "2,Fictional Beta Two,female,41,2025-03-07,Qarya\n"
    "3,Fictional Gamma Three,male,22,2025-03-08,Tal\n"
)
LIST_B = (
    "record_id,full_name,sex,age,date_of_death,place_of_death\n"
    "1,Fictional Alpha One,male,30,2025-03-07,Qarya\n"
    "2,Fictional Delta Four,male,55,2025-03-08,Tal\n"
    "3,Fictional Beta Two,female,41,2025-03-07,Qarya\n"
    "4,Fictional Epsilon Five,male,63,2025-03-10,Wadi\n"
    "5,Fictional Zeta Six,female,17,2025-03-11,Jabal\n"
)


def seed_lists(case: Case, folder: Path) -> int:
    """Two small fictional victim lists, imported and linked; returns the victim (person
    id) of the first record of list A."""
    from dalil.services import lists as lists

    for name, text in (("Fictional list A", LIST_A), ("Fictional list B", LIST_B)):
        path = folder / (name.replace(" ", "-") + ".csv")
        path.write_text(text, encoding="utf-8")
        lists.import_list(case, USERS["admin"], path, list_name=name)
        path.unlink()
    with case.act(USERS["admin"]) as ctx:
        lists.link(ctx)
    from sqlalchemy import select

    from dalil.model.lists import ListRecord

    with case.act(USERS["admin"], write=False) as ctx:
        pid = ctx.session.scalar(select(ListRecord.person_id).order_by(ListRecord.id).limit(1))
    assert pid is not None
    return int(pid)


def _list_persons(case: Case, keys: list[str]) -> list[int]:
    """The victims (person ids) of list B's rows *keys*."""
    from sqlalchemy import select

    from dalil.model.lists import ListRecord, VictimList

    with case.act(USERS["admin"], write=False) as ctx:
        b = ctx.session.scalar(select(VictimList.id).where(VictimList.name == "Fictional list B"))
        out = [
            ctx.session.scalar(
                select(ListRecord.person_id).where(
                    ListRecord.list_id == b, ListRecord.record_key == k
                )
            )
            for k in keys
        ]
    assert all(isinstance(p, int) for p in out) and len(set(out)) == len(out), out
    return [int(p) for p in out if p is not None]


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("webcase") / "case"
    ids = seed_case(root)
    ids["root"] = root
    return ids


@pytest.fixture(scope="module")
def browser_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the seeded case for the browser tests of one module (any module that asks): the other tests of
    the process change the shared one (import lists they leave unlinked, so an estimate
    is refused; disable the user an admin test edits)."""
    root = tmp_path_factory.mktemp("browsercase") / "case"
    seed_case(root)
    return root


@pytest.fixture(scope="session")
def app(seeded: dict[str, Any]) -> Iterator[Any]:
    application = create_app(
        seeded["root"], TEST_PASSPHRASE, throttle=LoginThrottle(free_attempts=1000)
    )
    yield application
    application.state.case.close()


class Client:
    """A synchronous facade over ``httpx.AsyncClient(transport=ASGITransport(app))``."""

    def __init__(self, app: Any, base_url: str = "http://testserver") -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=base_url, follow_redirects=False
        )

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, url, **kw))

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)

    def csrf(self, url: str = "/login") -> str:
        r = self.get(url)
        m = re.search(r'name="csrf_token" value="([^"]+)"', r.text) or re.search(
            r'data-csrf="([^"]+)"', r.text
        )
        assert m, f"no CSRF token on {url}"
        return m.group(1)

    def login(self, role: str) -> httpx.Response:
        token = self.csrf("/login")
        r = self.post(
            "/login",
            data={
                "username": USERS[role],
                "password": password_for(role),
                "csrf_token": token,
                "next": "/",
            },
        )
        assert r.status_code == 303, r.text
        return r

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


@pytest.fixture
def client(app: Any) -> Iterator[Client]:
    c = Client(app)
    yield c
    c.close()


@pytest.fixture
def make_client(app: Any) -> Iterator[Any]:
    made: list[Client] = []

    def make(application: Any = None) -> Client:
        c = Client(application or app)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()
