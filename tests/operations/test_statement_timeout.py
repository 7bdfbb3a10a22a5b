"""Every statement of the serving app is bounded by the statement timeout, on both engines:
PostgreSQL's own ``statement_timeout`` and, on SQLite, a progress handler that interrupts the
statement. A query that runs past it is answered as a 503 with Retry-After, not a 500, and the
next request on the same app succeeds. The command line's engines are not bounded."""

import sqlite3
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from app import db
from app.cli import cli
from app.db import build_engine
from app.main import create_app
from app.services.read import measures
from tests import builders


def _slow(engine, seconds: float) -> str:
    """A statement that keeps the database busy for about ``seconds`` (SQLite: a recursive
    count, sized from a measured rate so that it does not depend on the machine)."""
    if engine.dialect.name == "postgresql":
        return f"SELECT pg_sleep({seconds})"
    return _counting(int(seconds * _counts_per_second()))


def _counting(upto: int) -> str:
    return (
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
        f"WHERE x < {upto}) SELECT count(*) FROM n"
    )


_RATE: list[float] = []


def _counts_per_second() -> float:
    if not _RATE:
        connection = sqlite3.connect(":memory:")
        started = time.monotonic()
        connection.execute(_counting(300_000)).fetchone()
        _RATE.append(300_000 / (time.monotonic() - started))
        connection.close()
    return _RATE[0]


def _run(engine, statement: str) -> float:
    """How long ``statement`` ran before it ended or was stopped (its error is raised)."""
    with engine.connect() as conn:
        started = time.monotonic()
        try:
            conn.execute(text(statement)).fetchall()
        finally:
            elapsed = time.monotonic() - started
            conn.rollback()
        return elapsed


def test_a_statement_past_the_timeout_is_stopped_and_the_connection_stays_usable(settings):
    engine = build_engine(settings.model_copy(update={"statement_timeout_ms": 200}))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1  # connected: not timed
            started = time.monotonic()
            with pytest.raises(OperationalError) as stopped:
                conn.execute(text(_slow(engine, 5))).fetchall()
            elapsed = time.monotonic() - started
            conn.rollback()
            # The same connection answers the next statement.
            assert conn.execute(text("SELECT 2")).scalar_one() == 2
        assert stopped.value.orig.sqlstate == "57014"
        assert 0.2 <= elapsed < 1.5
    finally:
        engine.dispose()


@pytest.mark.parametrize("timeout_ms", [0, 5000])
def test_a_zero_or_long_timeout_lets_a_slow_statement_finish(settings, timeout_ms):
    engine = build_engine(settings.model_copy(update={"statement_timeout_ms": timeout_ms}))
    try:
        with engine.connect() as conn:
            # It runs to its end (a stopped one raises): one row, the count or pg_sleep's.
            assert len(conn.execute(text(_slow(engine, 0.5))).fetchall()) == 1
    finally:
        engine.dispose()


def test_the_bound_is_per_statement_not_per_connection(settings):
    # Three statements of 0.4 s on one connection under a 1 s bound: 1.2 s in all (margins
    # wide enough for a loaded machine, where each statement may run slower than measured).
    engine = build_engine(settings.model_copy(update={"statement_timeout_ms": 1000}))
    try:
        with engine.connect() as conn:
            for _ in range(3):
                conn.execute(text(_slow(engine, 0.4))).fetchall()
    finally:
        engine.dispose()


def test_the_command_line_s_engines_are_not_bounded(engine, database_url, monkeypatch):
    # `sourced keys list` builds its engine as every command does; here it is kept and a
    # statement four times the configured bound runs on it to the end.
    built = []

    def keep(*args, **kwargs):  # type: ignore[no-untyped-def]
        engine = build_engine(*args, **kwargs)
        built.append(engine)
        return engine

    monkeypatch.setattr(db, "build_engine", keep)
    monkeypatch.setenv("SOURCED_DATABASE_URL", database_url)
    monkeypatch.setenv("SOURCED_STATEMENT_TIMEOUT_MS", "100")
    result = CliRunner().invoke(cli, ["keys", "list"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert len(built) == 1
    try:
        # Ten times the bound, measured: well past it even if the machine runs it faster.
        assert _run(built[0], _slow(built[0], 1.0)) >= 0.1
    finally:
        built[0].dispose()


@pytest.mark.postgres_only
@pytest.mark.parametrize(("timeout_ms", "shown"), [(1234, "1234ms"), (0, "0")])
def test_every_postgresql_connection_carries_the_statement_timeout(
    engine, settings, timeout_ms, shown
):
    app = create_app(settings.model_copy(update={"statement_timeout_ms": timeout_ms}))
    with app.state.engine.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar_one() == shown
    app.state.engine.dispose()


def test_a_query_past_the_timeout_is_503_with_retry_after_and_the_next_one_succeeds(
    engine, settings, monkeypatch
):
    app = create_app(settings.model_copy(update={"statement_timeout_ms": 200}))
    slow_statement = text(_slow(app.state.engine, 5))

    def slow(session):  # type: ignore[no-untyped-def]
        session.execute(slow_statement).fetchall()
        return []

    with TestClient(app) as client:
        with monkeypatch.context() as patch:
            patch.setattr(measures, "list_measures", slow)
            started = time.monotonic()
            response = client.get("/v1/measures")
            elapsed = time.monotonic() - started
        assert response.status_code == 503
        assert elapsed < 2
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "5"
        assert response.json() == {
            "type": "about:blank",
            "title": "Service unavailable",
            "status": 503,
            "detail": "the database took longer than 0.2 s over this request and stopped it; "
            "nothing was changed. Try again shortly, or ask for less (a smaller limit, a "
            "narrower filter)",
            "instance": "/v1/measures",
        }
        assert client.get("/v1/measures").status_code == 200
        assert client.get("/v1/measures").json()["items"] == []
    app.state.engine.dispose()


@pytest.mark.postgres_only
def test_a_table_locked_by_another_session_is_a_503_within_the_timeout_on_every_read_path(
    settings, engine, tmp_path
):
    builders.load(engine, tmp_path / "seed", builders.dataset(2))
    app = create_app(
        settings.model_copy(update={"statement_timeout_ms": 300, "response_cache_entries": 0})
    )
    with TestClient(app) as client:
        # Warm: every path's connections are open, so what is timed is the wait on the lock.
        paths = [
            "/v1/figures",
            "/v1/figures/fig-0001",
            "/v1/search?q=deserted",
            # The list by measure on the driver (app/api/figure_pages.py).
            "/v1/figures?measure=deserters&limit=1",
        ]
        assert [client.get(path).status_code for path in paths] == [200] * len(paths)
        with engine.connect() as holder:
            holder.execute(text("LOCK TABLE figure, search_entry IN ACCESS EXCLUSIVE MODE"))
            for path in paths:
                started = time.monotonic()
                response = client.get(path)
                assert time.monotonic() - started < 3, path
                assert response.status_code == 503, (path, response.text)
                assert response.headers["retry-after"] == "5"
                assert response.json()["detail"].startswith(
                    "the database took longer than 0.3 s over this request and stopped it"
                )
            holder.rollback()
        assert [client.get(path).status_code for path in paths] == [200] * len(paths)
    app.state.engine.dispose()


def test_a_statement_on_the_driver_path_is_stopped_as_well(settings):
    # The hottest reads skip the Session (app.db.driver_fetchone); they are bounded too.
    engine = build_engine(settings.model_copy(update={"statement_timeout_ms": 200}))
    try:
        with pytest.raises(OperationalError) as stopped:
            db.driver_fetchone(engine, _slow(engine, 5), ())
        assert stopped.value.orig.sqlstate == "57014"
        assert db.driver_fetchone(engine, "SELECT 3", ()) == (3,)
    finally:
        engine.dispose()
