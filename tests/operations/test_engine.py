import os

import pytest
from sqlalchemy.exc import DBAPIError

from app.db import build_engine, driver_fetchone, placeholder
from app.settings import Settings


def test_suite_runs_on_the_expected_engine(engine):
    # CI sets SOURCED_EXPECT_ENGINE so that a run meant for PostgreSQL cannot quietly use SQLite.
    expected = os.environ.get("SOURCED_EXPECT_ENGINE", "sqlite")
    assert engine.dialect.name == expected


def test_workers_keep_a_pool_as_large_as_the_setting(engine):
    # Beyond the pool every request opened and closed its own connection (on SQLite that
    # re-reads the schema): the pool must be the configured size on both engines.
    assert engine.pool.size() == 20
    assert engine.pool._max_overflow == 20


def test_an_in_memory_sqlite_database_still_builds():
    # Its singleton pool takes no size: passing one was a TypeError at start-up.
    engine = build_engine(Settings(database_url="sqlite://", _env_file=None))  # type: ignore[call-arg]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    engine.dispose()


def test_a_driver_read_raises_sqlalchemys_errors_and_returns_its_connection(engine):
    # The detail's one-statement read bypasses the Session; a failing statement must still
    # come out as SQLAlchemy's error (what the 503 and 500 handlers know), and the
    # connection must go back to the pool.
    checked_out = engine.pool.checkedout()
    with pytest.raises(DBAPIError) as raised:
        driver_fetchone(engine, "SELECT missing_column FROM figure", ())
    assert not isinstance(raised.value.orig, DBAPIError)
    assert raised.value.statement == "SELECT missing_column FROM figure"
    assert engine.pool.checkedout() == checked_out
    mark = placeholder(engine)
    assert driver_fetchone(engine, f"SELECT {mark} + 1", (41,)) == (42,)
