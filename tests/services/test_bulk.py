"""The set-based create path writes exactly what the per-record path writes.

Seeding the article creates most events, figures and links a page at a time (``bulk``); the
figure derived from another new figure goes through the per-record path (``revisions.save``).
Both must leave the same trail: a create revision whose snapshot is the row as stored.
"""

import copy
from pathlib import Path

from sqlmodel import Session, func, select

from app.models import Attribution, Event, Figure, Revision, SearchEntry, Source
from app.models.vocab import Entity
from app.services.derived import search_index
from app.services.write import ingest, revisions
from tests.builders import MINIMAL, write_seed
from tests.conftest import SEED_DIR

_STAMPS = {"id", "slug", "created_at", "updated_at", "event_id", "figure_id"}


def test_every_create_revision_is_the_row_as_stored(seeded):
    with Session(seeded) as session:
        for entity, model in (
            (Entity.event, Event),
            (Entity.figure, Figure),
            (Entity.attribution, Attribution),
        ):
            rows = session.exec(select(model)).all()
            trail = {
                r.entity_id: r
                for r in session.exec(select(Revision).where(Revision.entity == entity.value)).all()
            }
            assert sorted(trail) == sorted(row.id for row in rows)
            for row in rows:
                revision = trail[row.id]
                assert revision.action == "create"
                assert revision.version == 1
                assert revision.actor == "seed"
                assert revision.reason == "seed: loaded from article-50000-deserters.yaml"
                assert revision.snapshot == revisions.snapshot(row)
                assert revision.changes == revisions.diff(None, revision.snapshot)
                assert revision.subject == revisions.subject_of(entity, row)
                assert revision.entity_slug == getattr(row, "slug", None)


def test_bulk_and_per_record_paths_agree_field_for_field(engine):
    ingest.run(engine, [SEED_DIR])
    with Session(engine) as session:
        # The derived figure took the per-record path, its origin the bulk one.
        derived = session.exec(select(Figure).where(Figure.derived_from_id.is_not(None))).one()  # type: ignore[union-attr]
        origin = session.get(Figure, derived.derived_from_id)
        snapshots = {
            row.id: session.exec(
                select(Revision.snapshot).where(
                    Revision.entity == "figure", Revision.entity_id == row.id
                )
            ).one()
            for row in (derived, origin)
        }
    assert set(snapshots[derived.id]) == set(snapshots[origin.id])
    for snapshot in snapshots.values():
        assert snapshot["version"] == 1
        assert snapshot["status"] == "published"
        assert snapshot["created_at"].endswith("Z")
    assert snapshots[derived.id]["derived_from_id"] == origin.id


def test_search_entries_of_bulk_created_records_match_a_rebuild(seeded):
    with Session(seeded) as session:
        before = {
            (e.entity, e.entity_id): (e.slug, e.title, e.body)
            for e in session.exec(select(SearchEntry)).all()
        }
        for entity, model in (("figure", Figure), ("event", Event), ("source", Source)):
            search_index.refresh_many(session, entity, session.exec(select(model.id)).all())
        after = {
            (e.entity, e.entity_id): (e.slug, e.title, e.body)
            for e in session.exec(select(SearchEntry)).all()
        }
        session.rollback()
    assert len(before) == 8 + 12 + 10  # figures, events, sources of the seed
    assert after == before
    slug, title, body = before[("figure", 1)]
    assert (slug, title) == (
        "deserters-since-invasion",
        "at least 50,000 Russian service members who deserted since the invasion began",
    )
    lines = body.split("\n")
    # The measure's label, the editorial note, the claimant's and relay's names, then the
    # publisher's quote (not the publisher's name: the article's headline would match all).
    assert lines[0] == "Deserters"
    assert lines[1].startswith('The headline says "50,000 deserters"')
    assert lines[2:4] == [
        "leaked 2024 reports from Russia’s Ministry of Defence",
        "RadioFreeEurope/RadioLiberty",
    ]
    assert lines[4].startswith("According to the leaked 2024 reports")
    assert len(lines) == 5


def test_changes_are_reported_in_file_order_with_each_chain_after_its_record(
    engine, tmp_path: Path
):
    data = copy.deepcopy(MINIMAL)
    second = copy.deepcopy(data["figures"][0]) | {"slug": "also-fled"}
    data["figures"] = [second, data["figures"][0]]
    changes = ingest.run(engine, [write_seed(tmp_path, data)])
    keys = [(c.entity, c.key) for c in changes if c.entity in ("figure", "attribution")]
    assert keys == [
        ("figure", "also-fled"),
        ("attribution", "also-fled#0"),
        ("attribution", "also-fled#1"),
        ("figure", "fled"),
        ("attribution", "fled#0"),
        ("attribution", "fled#1"),
    ]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Revision)).one() == len(changes)
