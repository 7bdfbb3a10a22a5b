"""The benchmark reuses a dataset file across runs (a million figures take an hour to
generate): one written before a migration is brought to the current schema, not failed on."""

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from app import migrate
from bench import run

# The revision before the search's change log (search_change, search_index_token).
BEFORE_SEARCH_LOG = "4b7c2e9d1f3a"


def test_a_dataset_from_before_a_migration_is_upgraded_and_indexed(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'bench-3.db'}"
    migrate.upgrade(url, BEFORE_SEARCH_LOG)

    run.dataset_ready(url)

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(
                conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars()
            )
            head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()
    assert {"search_change", "search_index_token"} <= tables
    assert head == ScriptDirectory.from_config(migrate.config(url)).get_current_head()
    assert capsys.readouterr().out.startswith("search index: 0 entries, ")
