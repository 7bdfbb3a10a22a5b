"""PostgreSQL: an import keeps the planner's statistics fresh itself (app/services/write/bulk.py),
so plans stay right where autovacuum is off or behind."""

import time

import pytest
from sqlalchemy import text

from app.services.common import batching
from tests import builders


def _last_analyze(engine, table: str):
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = :t"), {"t": table}
        ).scalar()


@pytest.mark.postgres_only
def test_tables_an_import_grew_are_analyzed_once(engine, tmp_path):
    builders.load(engine, tmp_path / "seed", builders.dataset(400))
    # The server publishes a transaction's counts within about a second of its commit.
    deadline = time.monotonic() + 10
    analyzed: list[str] = []
    while "attribution" not in analyzed and time.monotonic() < deadline:
        with engine.begin() as conn:
            analyzed += batching.refresh_statistics(conn)
        time.sleep(0.2)
    assert {"attribution", "revision"} <= set(analyzed)
    assert "source" not in analyzed  # two sources: nowhere near 1,000 changes
    assert _last_analyze(engine, "attribution") is not None
    time.sleep(1.5)
    with engine.begin() as conn:
        assert "attribution" not in batching.refresh_statistics(conn)


@pytest.mark.sqlite_only(reason="PostgreSQL's case is above")
def test_sqlite_needs_nothing(engine):
    with engine.begin() as conn:
        assert batching.refresh_statistics(conn) == []
