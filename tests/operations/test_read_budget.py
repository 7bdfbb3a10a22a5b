"""A read run on the event loop within a budget (``deps.in_read_loop(..., within=...)``, the
figures list by measure): on SQLite it stops at the budget and is read again in the read
threads, so the loop is never held longer than the budget and the answer is the same. On
PostgreSQL, or when statements are not bounded at all, it is read in the threads."""

import asyncio
import itertools
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request

from app import db
from app.api import figure_pages
from app.api.deps import in_read_loop
from app.main import create_app
from app.settings import Settings
from tests.helpers import answers
from tests.operations.test_statement_timeout import _counting, _counts_per_second


def _request(tmp_path, **update) -> Request:
    settings = Settings(  # type: ignore[call-arg]
        database_url=f"sqlite:///{tmp_path / 'budget.db'}", _env_file=None, **update
    )
    return Request({"type": "http", "app": create_app(settings), "headers": []})


def _count(request: Request, upto: int, threads: list[int]) -> int:
    """Counts to ``upto`` in SQLite, noting the thread it ran on."""
    threads.append(threading.get_ident())
    engine = request.app.state.read_engine
    with db.driver_reader(engine) as connection:
        return int(db.driver_rows(engine, connection, _counting(upto), ())[0][0])


def test_a_read_past_its_budget_stops_and_is_read_again_in_a_thread(tmp_path):
    request = _request(tmp_path)
    upto = int(1.0 * _counts_per_second())  # about a second of work
    threads: list[int] = []
    ticks: list[float] = []

    async def run() -> int:
        async def tick() -> None:
            while True:
                ticks.append(time.monotonic())
                await asyncio.sleep(0.01)

        ticker = asyncio.create_task(tick())
        await asyncio.sleep(0)
        try:
            return await in_read_loop(request, _count, request, upto, threads, within=0.02)
        finally:
            ticker.cancel()

    assert asyncio.run(run()) == upto
    loop_thread = threading.get_ident()  # asyncio.run runs the loop on this thread
    assert threads[0] == loop_thread
    assert len(threads) == 2
    assert threads[1] != loop_thread
    # The loop went on while the count ran in the thread: never held near the second.
    assert max(b - a for a, b in itertools.pairwise(ticks)) < 0.5


def test_a_read_within_its_budget_runs_on_the_loop(tmp_path):
    request = _request(tmp_path)
    threads: list[int] = []
    got = asyncio.run(in_read_loop(request, _count, request, 1000, threads, within=5.0))
    assert got == 1000
    assert threads == [threading.get_ident()]


def test_with_statements_unbounded_a_budgeted_read_goes_to_the_threads(tmp_path):
    request = _request(tmp_path, statement_timeout_ms=0)
    threads: list[int] = []
    got = asyncio.run(in_read_loop(request, _count, request, 1000, threads, within=5.0))
    assert got == 1000
    assert len(threads) == 1
    assert threads[0] != threading.get_ident()


def test_the_budget_stops_only_its_own_statements(tmp_path):
    request = _request(tmp_path)
    engine = request.app.state.read_engine
    upto = int(1.0 * _counts_per_second())
    with db.driver_reader(engine) as connection:
        with pytest.raises(db.OverBudgetError), db.budget(0.02):
            db.driver_rows(engine, connection, _counting(upto), ())
        # Past the budget, the same connection runs to the statement deadline (15 s).
        assert db.driver_rows(engine, connection, _counting(upto), ()) == [(upto,)]
        # Any other error inside a budget is what it was.
        with pytest.raises(DBAPIError) as failed, db.budget(1.0):
            db.driver_rows(engine, connection, "SELECT * FROM no_such_table", ())
        assert not isinstance(failed.value, db.OverBudgetError)
        assert "no such table: no_such_table" in str(failed.value.orig)


def test_the_list_read_again_in_a_thread_answers_as_on_the_loop(seeded, settings, monkeypatch):
    url = "/v1/figures?measure=deserters&limit=2"
    with TestClient(create_app(settings)) as client:
        expected = answers(client, "GET", url, {})
    assert expected[0] == 200

    # Every statement past its first instruction is over a budget of nothing.
    monkeypatch.setattr(figure_pages, "ON_LOOP_SECONDS", 0.0)
    monkeypatch.setattr(db, "_PROGRESS_INSTRUCTIONS", 1)
    pages: list[int] = []
    page = figure_pages.page

    def noted(*args, **kwargs):  # type: ignore[no-untyped-def]
        pages.append(threading.get_ident())
        return page(*args, **kwargs)

    monkeypatch.setattr(figure_pages, "page", noted)
    with TestClient(create_app(settings)) as client:
        assert answers(client, "GET", url, {}) == expected
    # SQLite: once on the loop, stopped, then in a thread; PostgreSQL: in a thread only.
    assert len(pages) == (2 if settings.database_url.startswith("sqlite") else 1)
    assert len(set(pages)) == len(pages)
