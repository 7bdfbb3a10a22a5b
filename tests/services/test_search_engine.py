"""The search's ranking index stays consistent with the database (app/services/common/
search_engine.py): every write is found on the next search, by every process sharing the
index's folder, after a stop between the database's commit and the index's, and on
PostgreSQL when transactions commit out of order. Ties are broken by id, and both engines
give the same ranking."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session
from typer.testing import CliRunner

from app import migrate
from app.cli import cli
from app.db import build_engine
from app.services.common import fulltext, search_engine
from app.services.write import ingest
from app.settings import Settings
from tests import search_reference
from tests.conftest import ROOT, SEED_DIR


def add(engine, entity_id: int, title: str, body: str = "", entity: str = "figure") -> int:
    with engine.begin() as conn:
        return int(
            conn.execute(
                text(
                    "INSERT INTO search_entry (entity, entity_id, slug, title, body)"
                    " VALUES (:entity, :entity_id, :slug, :title, :body) RETURNING id"
                ),
                {
                    "entity": entity,
                    "entity_id": entity_id,
                    "slug": f"{entity}-{entity_id}",
                    "title": title,
                    "body": body,
                },
            ).scalar_one()
        )


def found(engine, q: str, limit: int = 50, offset: int = 0) -> list[str]:
    with Session(engine) as session:
        return [h.slug for h in fulltext.search(session, q, limit=limit, offset=offset)]


def test_equal_scores_are_ordered_by_id_on_every_page(engine):
    ids = [add(engine, n, "Barrier troops", "the same text") for n in range(1, 8)]
    add(engine, 99, "Barrier troops barrier", "a higher score")
    assert found(engine, "barrier troops") == ["figure-99"] + [f"figure-{n}" for n in range(1, 8)]
    assert found(engine, "barrier", limit=3, offset=2) == ["figure-2", "figure-3", "figure-4"]
    # "troo" is scored on the prefix fields, where figure-99's longer title counts against it.
    assert found(engine, "troo", limit=2, offset=6) == ["figure-7", "figure-99"]
    with Session(engine) as session:
        hits = fulltext.search(session, "barrier", limit=50)
    assert len({h.rank for h in hits[1:]}) == 1
    assert sorted(ids) == ids


def test_the_last_word_is_a_prefix_of_a_stem_and_every_word_is_required(engine):
    add(engine, 1, "Deserted villages", "")
    add(engine, 2, "Deserters returned", "troops")
    add(engine, 3, "A desert", "barrier")
    add(engine, 4, "Dessert", "")
    assert sorted(found(engine, "deser")) == ["figure-1", "figure-2", "figure-3"]
    assert sorted(found(engine, "deserted")) == ["figure-1", "figure-2", "figure-3"]
    assert found(engine, "desert troo") == ["figure-2"]
    assert found(engine, "troops desert") == ["figure-2"]
    assert found(engine, "troo desert") == []  # only the last word is a prefix
    assert found(engine, "dess") == ["figure-4"]
    with Session(engine) as session:
        for q in ["deser", "deserted", "desert troo", "d", "villages"]:
            ranked = search_reference.ranking(session, q)
            page = fulltext.search(session, q)
            assert [(h.entity_id, h.rank) for h in page] == [
                (entity_id_of(session, i), score) for i, score in ranked
            ]


def entity_id_of(session: Session, entry_id: int) -> int:
    return int(
        session.connection()
        .execute(text("SELECT entity_id FROM search_entry WHERE id = :i"), {"i": entry_id})
        .scalar_one()
    )


def test_a_title_word_weighs_four_times_a_text_word(engine):
    add(engine, 1, "Other words here", "barrier")
    add(engine, 2, "Barrier", "other words here")
    with Session(engine) as session:
        hits = fulltext.search(session, "barrier")
    assert [h.slug for h in hits] == ["figure-2", "figure-1"]


def test_an_update_and_a_delete_are_found_on_the_next_search(engine):
    entry = add(engine, 1, "Zanzibar count", "first")
    assert found(engine, "zanzibar") == ["figure-1"]
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE search_entry SET title = 'Recounted', body = 'Pemba' WHERE id = :i"),
            {"i": entry},
        )
    assert found(engine, "zanzibar") == []
    assert found(engine, "pemba") == ["figure-1"]
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM search_entry WHERE id = :i"), {"i": entry})
    assert found(engine, "pemba") == []
    assert found(engine, "recounted") == []


def test_a_stop_between_the_database_commit_and_the_index_commit_is_caught_up(engine, monkeypatch):
    add(engine, 1, "Before the halt", "")
    assert found(engine, "halt") == ["figure-1"]
    add(engine, 2, "Written while the index was down", "")

    def stopped(writer):
        raise KeyboardInterrupt("stopped before the index's commit")

    monkeypatch.setattr(search_engine, "_commit", stopped)
    with pytest.raises(KeyboardInterrupt):
        found(engine, "halt")
    monkeypatch.undo()
    search_engine.forget()  # a new process: nothing of the stopped one is in memory
    assert found(engine, "while") == ["figure-2"]
    assert found(engine, "halt") == ["figure-1"]


SEARCH_SCRIPT = textwrap.dedent(
    """
    import sys
    from sqlalchemy import text
    from sqlmodel import Session
    from app.db import build_engine
    from app.services.common import fulltext
    from app.settings import Settings

    engine = build_engine(Settings(database_url=sys.argv[1], _env_file=None))
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO search_entry (entity, entity_id, slug, title, body)"
            " VALUES ('event', 7, 'event-7', 'Written by the other process', '')"))
    with Session(engine) as session:
        print(",".join(h.slug for h in fulltext.search(session, sys.argv[2])))
    """
)


def test_two_processes_sharing_the_folder_stay_consistent(engine, database_url, tmp_path):
    folder = tmp_path / "index"
    search_engine.set_folder(engine, folder)
    add(engine, 1, "Written by this process", "")
    assert found(engine, "written") == ["figure-1"]
    env = {**os.environ, "SOURCED_SEARCH_INDEX_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    other = subprocess.run(
        [sys.executable, "-c", SEARCH_SCRIPT, database_url, "written"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    # The other process applied this one's entry and its own, and committed the index.
    assert sorted(other.stdout.strip().split(",")) == ["event-7", "figure-1"]
    assert sorted(found(engine, "written")) == ["event-7", "figure-1"]
    assert found(engine, "other process") == ["event-7"]
    # A second index of the same folder in this process (another app instance) agrees.
    search_engine.forget()
    add(engine, 2, "Written after", "")
    assert sorted(found(engine, "written")) == ["event-7", "figure-1", "figure-2"]


@pytest.mark.postgres_only
def test_an_older_transaction_committing_after_a_newer_one_is_found(engine):
    add(engine, 1, "Baseline", "")
    assert found(engine, "baseline") == ["figure-1"]
    with engine.connect() as older:
        older.execute(
            text(
                "INSERT INTO search_entry (entity, entity_id, slug, title, body)"
                " VALUES ('figure', 2, 'figure-2', 'Slow writer', '')"
            )
        )
        add(engine, 3, "Quick writer", "")
        assert found(engine, "writer") == ["figure-3"]
        older.commit()
    assert sorted(found(engine, "writer")) == ["figure-2", "figure-3"]
    assert found(engine, "slow") == ["figure-2"]


@pytest.mark.postgres_only
def test_a_truncation_empties_the_index(engine):
    add(engine, 1, "Gone soon", "")
    assert found(engine, "gone") == ["figure-1"]
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE search_entry"))
    assert found(engine, "gone") == []


def test_an_index_built_for_another_database_is_rebuilt(engine, tmp_path):
    folder = tmp_path / "index"
    search_engine.set_folder(engine, folder)
    add(engine, 1, "Kept", "")
    assert found(engine, "kept") == ["figure-1"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE search_index_token SET token = 'another database'"))
    with engine.begin() as conn:
        # Not through the log: only the token tells the index it is stale.
        conn.execute(text("UPDATE search_entry SET title = 'Changed'"))
        conn.execute(text("DELETE FROM search_change"))
    assert found(engine, "kept") == []
    assert found(engine, "changed") == ["figure-1"]


runner = CliRunner()


def test_reindex_builds_the_index_and_prunes_the_log(engine, database_url, tmp_path, monkeypatch):
    folder = tmp_path / "index"
    monkeypatch.setenv("SOURCED_DATABASE_URL", database_url)
    monkeypatch.setenv("SOURCED_SEARCH_INDEX_DIR", str(folder))
    monkeypatch.setattr(search_engine, "_PAGE", 2)  # the entries are read in pages by id
    for n in range(1, 4):
        add(engine, n, f"Entry {n}", "reindexed")
    result = runner.invoke(cli, ["search", "reindex"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "the search index holds 3 entries" in result.stdout
    assert "indexed 3 of 3 search entries" in result.stderr
    search_engine.set_folder(engine, folder)
    mark = search_engine._index(engine).meta["mark"]
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("SELECT count(*) FROM search_change")).scalar_one() == 0
        else:
            # Rows of transactions running anywhere on the server when it read the log stay.
            left = "SELECT count(*) FROM search_change WHERE xid < CAST(:m AS text)::xid8"
            assert conn.execute(text(left), {"m": str(mark)}).scalar_one() == 0
    assert found(engine, "reindexed") == ["figure-1", "figure-2", "figure-3"]
    assert (folder / f"v{search_engine.VERSION}").is_dir()


@pytest.mark.postgres_only
@pytest.mark.slow
def test_both_engines_give_the_same_ranking(seeded, tmp_path):
    sqlite_url = f"sqlite:///{tmp_path / 'same.db'}"
    migrate.upgrade(sqlite_url)
    lite = build_engine(Settings(database_url=sqlite_url, _env_file=None))  # type: ignore[call-arg]
    try:
        ingest.run(lite, [SEED_DIR])
        search_engine.set_folder(seeded, tmp_path / "pg-index")
        pages = {}
        for name, db in (("postgresql", seeded), ("sqlite", lite)):
            with Session(db) as session:
                search_engine.reindex(session)
                session.commit()
                pages[name] = [
                    [
                        (h.entity, h.slug, h.title, h.rank)
                        for h in fulltext.search(session, q, kinds, limit=50)
                    ]
                    for q in ["deserted", "barrier troops", "Stalin", "troops", "k", "desert"]
                    for kinds in (None, ["figure"], ["event", "source"])
                ]
        assert pages["postgresql"] == pages["sqlite"]
        assert sum(len(p) for p in pages["sqlite"]) > 50
    finally:
        lite.dispose()


def test_default_folders(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCED_SEARCH_INDEX_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    lite = create_engine(f"sqlite:///{tmp_path / 'data.db'}")
    pg = create_engine("postgresql+psycopg://u@db.example:5433/sourced")
    try:
        assert search_engine.folder(lite) == tmp_path / "data.db.search"
        assert search_engine.folder(pg) == Path(
            tmp_path / "cache" / "sourced" / "search" / "db.example-5433-sourced"
        )
    finally:
        lite.dispose()
        pg.dispose()


def test_a_missing_index_is_built_by_the_first_search(engine, tmp_path):
    folder = tmp_path / "new-index"
    search_engine.set_folder(engine, folder)
    add(engine, 1, "Built on first use", "")
    add(engine, 2, "Also built", "")
    assert not folder.exists()
    # The shorter title holds "built" in fewer prefixes: it scores higher.
    assert found(engine, "built") == ["figure-2", "figure-1"]
    with Session(engine) as session:
        assert search_engine.ready(session) == 2
    assert search_engine._index(engine).meta is not None


def test_the_search_without_a_session_leaves_a_change_to_the_full_search(engine):
    add(engine, 1, "Zanzibar count", "first")
    assert found(engine, "zanzibar") == ["figure-1"]
    assert [h.slug for h in fulltext.search_fresh(engine, "zanzibar") or []] == ["figure-1"]
    add(engine, 2, "Zanzibar recount", "second")
    # The log is ahead of the index: the search in a Session catches up, then both agree.
    assert fulltext.search_fresh(engine, "zanzibar") is None
    assert found(engine, "zanzibar") == ["figure-1", "figure-2"]
    assert [h.slug for h in fulltext.search_fresh(engine, "zanzibar") or []] == [
        "figure-1",
        "figure-2",
    ]
