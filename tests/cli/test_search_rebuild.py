"""`sourced search rebuild`: stale or missing searchable texts are rewritten, once."""

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from app.cli import cli
from tests import builders

runner = CliRunner()


@pytest.fixture
def sourced(engine, database_url, monkeypatch, tmp_path):
    builders.load(engine, tmp_path / "seed", builders.dataset(2))
    monkeypatch.setenv("SOURCED_DATABASE_URL", database_url)

    def run(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return run


def entries(engine) -> list[tuple[str, str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT entity, slug, title, body FROM search_entry ORDER BY entity, slug")
        )
        return [tuple(row) for row in rows]


def test_a_stale_and_a_missing_text_are_rewritten_and_a_second_run_rewrites_none(sourced, engine):
    fresh = entries(engine)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE search_entry SET body = 'stale' WHERE entity = 'figure' AND slug = :s"),
            {"s": "fig-0000"},
        )
        conn.execute(
            text("DELETE FROM search_entry WHERE entity = 'source' AND slug = :s"),
            {"s": "observers"},
        )
    assert entries(engine) != fresh

    first = sourced("search", "rebuild")
    assert (first.exit_code, first.output) == (0, "rewrote 2 search text(s)\n")
    assert entries(engine) == fresh

    again = sourced("search", "rebuild")
    assert (again.exit_code, again.output) == (0, "rewrote 0 search text(s)\n")
    assert entries(engine) == fresh
