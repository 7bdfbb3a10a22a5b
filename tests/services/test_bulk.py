"""The set-based create path writes exactly what the per-record path writes.

Seeding the article creates most events, figures and links a page at a time (``bulk``); the
figure derived from another new figure goes through the per-record path (``revisions.save``).
Both must leave the same trail: a create revision whose snapshot is the row as stored.
"""

import copy
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic_core import to_jsonable_python
from sqlmodel import Session, func, select

from app.models import Attribution, Event, Figure, Revision, SearchEntry, Source
from app.models.vocab import Entity, Status
from app.services.common.batching import json_text
from app.services.derived import search_index
from app.services.write import bulk, ingest, revisions
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


def _reference_texts(values: dict) -> tuple[str, str]:
    """A create revision's texts as the per-record path builds them: JSON-ready copies
    (``to_jsonable_python``), a diff against nothing, both through ``json_text``."""
    after = to_jsonable_python(values)
    return json_text(after), json_text(revisions.diff(None, after))


_EDGE_VALUES = {
    "id": 7,
    "slug": "edge",
    "value": Decimal("1E+3"),
    "lower_bound": Decimal("-0"),
    "upper_bound": Decimal("123.4500"),
    "tiny": Decimal("1E-7"),
    "long": Decimal("1234567890123456789012345678.9"),
    "micro": Decimal("0.000001"),
    "period_earliest": date(1, 1, 1),
    "period_latest": date(2024, 2, 29),
    "created_at": datetime(2024, 1, 1, tzinfo=UTC),
    "updated_at": datetime(2024, 1, 1, 1, 2, 3, 120000, tzinfo=UTC),
    "at": datetime(2024, 1, 1, 1, 2, 3, 1, tzinfo=UTC),
    "naive": datetime(2024, 1, 1, 1, 2, 3, 5),
    "offset": datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=2))),
    "status": Status.published,
    "tags": ["a", "ä\u2028b"],
    "aliases": [],
    "note": None,
    "quote_unverified": False,
    "share": 1.5,
    "version": 1,
    "text": 'quote "and" \\ back\nline',
}


def test_create_texts_are_the_per_record_paths_texts():
    snapshot, changes, changed = bulk.create_texts(_EDGE_VALUES)
    assert (snapshot, changes) == _reference_texts(_EDGE_VALUES)
    assert changed == tuple(sorted(revisions.diff(None, to_jsonable_python(_EDGE_VALUES))))
    assert snapshot.startswith('{"id":7,"slug":"edge","value":"1E+3","lower_bound":"-0",')
    assert '"created_at":"2024-01-01T00:00:00Z"' in snapshot
    assert changed == (
        "aliases", "at", "id", "long", "lower_bound", "micro", "naive", "offset",
        "period_earliest", "period_latest", "quote_unverified", "share", "slug", "status",
        "tags", "text", "tiny", "upper_bound", "value",
    )  # fmt: skip


def test_create_texts_refuse_what_the_per_record_path_refuses():
    for bad in ({"x": {1, 2}}, {"x": "\ud800"}, {"x": 10**20}):
        with pytest.raises(TypeError):
            bulk.create_texts(bad)


def test_stored_create_revisions_are_byte_equal_to_the_per_record_texts(
    engine, tmp_path: Path, monkeypatch
):
    """On the engine under test: what a seed stores for its new records (figures with edge
    decimals and periods, their links, an event) is, byte for byte, what the per-record
    path's JSON-ready copies and diff would have stored."""
    seen: dict[str, dict] = {}
    create_texts = bulk.create_texts

    def recording(values: dict) -> tuple[str, str, tuple[str, ...]]:
        texts = create_texts(values)
        seen[texts[0]] = values
        return texts

    monkeypatch.setattr(bulk, "create_texts", recording)
    data = copy.deepcopy(MINIMAL)
    base = data["figures"][0]
    data["figures"] = [
        base | {"slug": "tens", "value": "1E+3", "lower_bound": "1000.000", "period": "2024-02-29"},
        base | {"slug": "tiny", "value": "0.000001", "lower_bound": "-0", "period": "0001/2024"},
        base | {"slug": "long", "value": "123456789.012345", "lower_bound": None},
    ]
    ingest.run(engine, [write_seed(tmp_path, data)])
    with engine.connect() as connection:
        stored = connection.exec_driver_sql(
            "SELECT entity, CAST(snapshot AS TEXT), CAST(changes AS TEXT) FROM revision"
            " WHERE action = 'create'"
        ).all()
    bulk_made = [(entity, s, c) for entity, s, c in stored if s in seen]
    assert {entity for entity, _, _ in bulk_made} == {"event", "figure", "attribution"}
    assert len([1 for entity, _, _ in bulk_made if entity == "figure"]) == 3
    for _, snapshot, changes in bulk_made:
        assert (snapshot, changes) == _reference_texts(seen[snapshot])
