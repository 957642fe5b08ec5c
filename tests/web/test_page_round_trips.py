"""A record page reads its record and everything around it in one transaction, with a
bounded number of SQL statements: the repeated reads (acts, persons, retractions once
per helper, each in its own transaction) must not come back. Counted with SQLAlchemy
engine events around one real request; ``benchmarks/page_statements.py`` prints the
figures."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from .conftest import USERS

#: Statements of a person page with every section filled (acts as victim and as
#: perpetrator, a membership, a provenance link; BEGINs included; the login session's
#: lookup is one BEGIN and one SELECT): 18 measured, whatever the number of rows. The
#: seeded witness's page (no acts as perpetrator, no provenance of its own: six reads
#: fewer) went from 22 statements in 6 transactions, to 16 once the page read in one
#: transaction, to 12 once the retraction preview shared its reads with the sections.
PERSON_PAGE_STATEMENTS = 18


class Counter:
    """The statements and transactions of the request's threads: the app's inline job
    runner (a thread polling the queue for a few seconds after a job an earlier test
    submitted) is not the page's and is left out."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.transactions = 0

    @staticmethod
    def _ours() -> bool:
        return threading.current_thread().name != "dalil-inline-jobs"

    def statement(self, _conn: Any, _cursor: Any, sql: str, *_rest: Any) -> None:
        if self._ours():
            self.statements.append(sql)

    def begin(self, *_rest: Any) -> None:
        if self._ours():
            self.transactions += 1


@pytest.fixture
def counter(app: Any) -> Iterator[Counter]:
    engine = app.state.case.engine
    c = Counter()
    event.listen(engine, "before_cursor_execute", c.statement)
    event.listen(engine, "begin", c.begin)
    yield c
    event.remove(engine, "before_cursor_execute", c.statement)
    event.remove(engine, "begin", c.begin)


@pytest.mark.parametrize("kind", ["person", "incident", "act"])
def test_record_page_reads_in_one_transaction(
    client: Any, seeded: dict[str, Any], counter: Counter, kind: str
) -> None:
    client.login("admin")
    url = f"/{kind}s/{seeded[kind]}"
    assert client.get(url).status_code == 200  # warm
    counter.statements.clear()
    counter.transactions = 0
    r = client.get(url)
    assert r.status_code == 200
    # the login session's read, then the page's: nothing else opens a transaction
    assert counter.transactions == 2, counter.statements


@pytest.mark.parametrize("kind", ["person", "incident", "source"])
def test_api_record_reads_in_one_transaction(
    client: Any, app: Any, seeded: dict[str, Any], counter: Counter, kind: str
) -> None:
    """``GET /api/v1/{kind}s/{id}``: the record and the version of its ETag are read in
    one transaction (they were two), and the ETag is still the record's version."""
    from dalil.services import persons, records

    headers = {"Authorization": f"Bearer {seeded['tokens']['admin']}"}
    url = f"/api/v1/{kind}s/{seeded[kind]}"
    assert client.get(url, headers=headers).status_code == 200  # warm (token remembered)
    counter.statements.clear()
    counter.transactions = 0
    r = client.get(url, headers=headers)
    assert r.status_code == 200
    assert r.json()["id"] == seeded[kind]
    assert counter.transactions == 1, counter.statements
    with app.state.case.act(USERS["admin"], write=False) as sc:
        row = (
            persons.get_person(sc, seeded[kind])
            if kind == "person"
            else records.get(sc, kind, seeded[kind])
        )
        assert r.headers["etag"] == f'"{records.version_of(row)}"'


_SERIAL = itertools.count(1)


def _add_related(app: Any, ids: dict[str, Any], person: int, n: int) -> None:
    """*n* more of each row a person page lists: acts with *person* as victim, acts with
    *person* among the perpetrators (each of another victim), memberships, provenance."""
    from dalil.services import persons, records

    with app.state.case.act(USERS["admin"]) as ctx:
        for _ in range(n):
            other = persons.add_person(ctx, pseudonym=f"V-count-{next(_SERIAL)}", roles=["victim"])
            records.add(
                ctx,
                "act",
                incident_id=ids["incident"],
                victim_id=person,
                act_type="killing",
                status="likely",
            )
            records.add(
                ctx,
                "act",
                incident_id=ids["incident"],
                victim_id=other.id,
                act_type="killing",
                status="likely",
                perpetrator_ids=[person],
            )
            records.add(ctx, "membership", person_id=person, organization_id=ids["unit"])
            records.add(
                ctx,
                "provenance",
                subject_kind="person",
                subject_id=person,
                source_id=ids["source"],
                role="supports",
            )


def _page_statements(client: Any, counter: Counter, url: str, text: str) -> list[str]:
    assert client.get(url).status_code == 200  # warm
    counter.statements.clear()
    r = client.get(url)
    assert r.status_code == 200
    assert text in r.text  # the same page, pseudonym shown
    return list(counter.statements)


def test_person_page_statements_bounded(
    app: Any, client: Any, seeded: dict[str, Any], counter: Counter
) -> None:
    """A person of this test's own (other tests change the seeded ones): its page reads
    a bounded number of statements with every section filled, and no more when each
    section holds three times as many rows (no read per row)."""
    from dalil.services import persons

    with app.state.case.act(USERS["admin"]) as ctx:
        person = persons.add_person(ctx, pseudonym="P-count", roles=["victim", "witness"]).id
    _add_related(app, seeded, person, 1)
    client.login("admin")
    url = f"/persons/{person}"
    one = _page_statements(client, counter, url, "P-count")
    assert len(one) <= PERSON_PAGE_STATEMENTS, "\n".join(one)
    _add_related(app, seeded, person, 2)
    three = _page_statements(client, counter, url, "P-count")
    assert len(three) == len(one), "\n".join(three)
