"""A record page reads its record and everything around it in one transaction, with a
bounded number of SQL statements: the repeated reads (acts, persons, retractions once
per helper, each in its own transaction) must not come back. Counted with SQLAlchemy
engine events around one real request; ``benchmarks/page_statements.py`` prints the
figures."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

#: Statements of the seeded witness's page (BEGINs included; the login session's lookup
#: is one BEGIN and one SELECT): 12 measured; 16 before the retraction preview's reads
#: of the person's acts, memberships and provenance (retracted ones too) were shared
#: with the page's sections (in force: the same rows less the retracted ones), its
#: retraction status read once and no retractions looked up for no list records;
#: 22 in 6 transactions before the page read in one transaction and remembered the rows
#: its helpers ask for again; 14 before the retract form showed what retracting changes
#: (``retractions.impact`` reads the person's list records and their retractions).
PERSON_PAGE_STATEMENTS = 12


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


def test_person_page_statements_bounded(
    client: Any, seeded: dict[str, Any], counter: Counter
) -> None:
    client.login("admin")
    url = f"/persons/{seeded['person']}"
    first = client.get(url)
    assert first.status_code == 200
    counter.statements.clear()
    r = client.get(url)
    assert r.status_code == 200
    assert "W-1" in r.text  # the same page, pseudonym shown
    assert len(counter.statements) <= PERSON_PAGE_STATEMENTS, "\n".join(counter.statements)
