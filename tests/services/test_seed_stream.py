"""A large JSON seed file read as a stream, a page at a time: held equal to the same file read
whole, on what it writes, what it reports and what it refuses."""

import copy
import gc
import json
import re
import weakref
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.models import metadata
from app.services.write import ingest
from app.services.write.ingest.checking import parents_first
from tests.builders import DOCUMENT_TEXT, dataset
from tests.conftest import empty_tables
from tests.helpers import counts
from tests.services.test_seed_merge import correct

# Two records a page, so that every section but the head spans several pages.
STREAMED = ingest.Streaming(from_bytes=0, page=2)
WHOLE = ingest.Streaming(from_bytes=1 << 62)


def _data() -> dict[str, Any]:
    """Seven figures (one with a decimal value, one derived from a figure four pages on)
    and five events."""
    data = dataset(7)
    data["figures"][1]["value"] = 12.5
    data["figures"][1]["stated_as"] = "12.5 soldiers"
    data["figures"][0]["derived_from"] = data["figures"][6]["slug"]
    data["events"] += [
        {"slug": f"event-{i}", "title": f"Event {i}", "type": "war", "date": "2020"}
        for i in range(3)
    ]
    return data


def _write(folder: Path, data: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "doc.txt").write_text(DOCUMENT_TEXT, encoding="utf-8")
    path = folder / "doc.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")


def _timeless(value: Any) -> Any:
    """A value with the times in it (a row's, a snapshot's, a stored text's) left out: they
    differ from run to run."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    if isinstance(value, str):
        return _TIME.sub("(time)", value)
    return None if isinstance(value, datetime) else value


def _rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows in key order, times left out. The search entries are written as each
    page's records are, so their own ids follow the pages: compared by what they index."""
    with engine.connect() as conn:
        tables = {
            table.name: [
                _timeless(dict(row._mapping))
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in metadata.sorted_tables
        }
    tables["search_entry"] = sorted(
        ({k: v for k, v in row.items() if k != "id"} for row in tables["search_entry"]),
        key=lambda row: (row["entity"], row["slug"]),
    )
    return tables


def _problems(engine: Engine, path: Path, streaming: ingest.Streaming) -> list[str]:
    try:
        ingest.run(engine, [path], streaming=streaming)
    except ingest.SeedError as exc:
        return sorted(str(p) for p in exc.problems)
    raise AssertionError("the file was not refused")


class TestAStreamedSeed:
    def test_writes_the_rows_revisions_texts_and_seed_records_a_whole_read_writes(
        self, engine, tmp_path
    ):
        path = _write(tmp_path, _data())
        whole = ingest.run(engine, [path], streaming=WHOLE)
        expected = _rows(engine)
        empty_tables(engine)

        streamed = ingest.run(engine, [path], streaming=STREAMED)

        assert _rows(engine) == expected
        assert sorted(map(str, streamed)) == sorted(map(str, whole))
        assert (streamed.counts, streamed.read) == (whole.counts, whole.read)
        assert streamed.read == {"measures": 2, "sources": 5, "events": 5, "figures": 7}
        written = ("seed_record", "revision", "figure_doc", "search_entry")
        assert {name: len(expected[name]) for name in written} == {
            "seed_record": 19,
            "revision": 40,
            "figure_doc": 7,
            "search_entry": 17,
        }

    def test_a_second_run_over_the_unchanged_file_writes_nothing(self, engine, tmp_path):
        path = _write(tmp_path, _data())
        ingest.run(engine, [path], streaming=STREAMED)
        before = _rows(engine)

        again = ingest.run(engine, [path], streaming=STREAMED)

        assert (list(again), sum(again.counts.values())) == ([], 0)
        assert _rows(engine) == before

    def test_a_changed_record_is_updated_and_an_edited_one_is_a_conflict(
        self, engine, client, editor, tmp_path
    ):
        data = _data()
        path = _write(tmp_path, data)
        ingest.run(engine, [path], streaming=STREAMED)
        correct(client, editor, "/v1/figures/fig-0005", {"note": "Corrected by the desk."})
        changed = copy.deepcopy(data)
        changed["figures"][3]["stated_as"] = "changed in the file"
        changed["figures"][5]["stated_as"] = "changed in the file too"

        seeded = ingest.run(engine, [_write(tmp_path, changed)], streaming=STREAMED)

        assert seeded.counts == {("figure", "update"): 1}
        assert [(c.entity.value, c.slug) for c in seeded.conflicts] == [("figure", "fig-0005")]
        assert client.get("/v1/figures/fig-0005").json()["note"] == "Corrected by the desk."

    def test_refuses_a_file_with_the_problems_a_whole_read_reports_and_writes_nothing(
        self, engine, tmp_path
    ):
        data = _data()
        data["figures"][2]["value"] = "many"  # refused by its schema
        data["figures"][3]["event"] = "no-such-event"
        data["figures"][5]["slug"] = data["figures"][4]["slug"]  # a duplicate, a page on
        data["events"][4]["attributions"] = [{"source": "nobody", "role": "claimant"}]
        path = _write(tmp_path, data)

        whole = _problems(engine, path, WHOLE)
        streamed = _problems(engine, path, STREAMED)

        assert streamed == whole
        assert [line.split(": ", 1)[1] for line in whole] == [
            "events[4] event-2: attributions[0].source: unknown source 'nobody'",
            "figures[2] fig-0002: value: not a decimal number",
            "figures[3] fig-0003: event: unknown event 'no-such-event'",
            "figures[5] fig-0004: slug: duplicate: also in " + str(path),
        ]
        assert counts(engine)["revision"] == 0

    def test_refuses_a_derivation_cycle_across_pages_and_a_stray_amends_as_a_whole_read_does(
        self, engine, tmp_path
    ):
        data = _data()
        data["figures"][6]["derived_from"] = data["figures"][0]["slug"]
        data["amends"] = {"figures": ["fig-9999"]}
        path = _write(tmp_path, data)

        whole = _problems(engine, path, WHOLE)

        assert _problems(engine, path, STREAMED) == whole
        assert whole == [
            "(all files): figure fig-0000: derived_from: derivations form a cycle",
            "(all files): figure fig-0006: derived_from: derivations form a cycle",
            f"{path}: file: amends.figures: 'fig-9999' is not among this file's figures: list "
            "only records the file changes",
        ]
        assert counts(engine)["revision"] == 0


class _Item:
    def __init__(self, slug: str, parent: str | None):
        self.slug, self.parent = slug, parent


class TestParentsFirst:
    def test_leaves_no_reference_cycle_holding_the_records_while_the_collector_is_off(self):
        items = [_Item("child", "parent"), _Item("parent", None)]
        child = weakref.ref(items[0])
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            assert [item.slug for item in parents_first(items, "parent")] == ["parent", "child"]
            del items
            assert child() is None
        finally:
            if was_enabled:
                gc.enable()


def test_the_tables_are_analysed_each_time_a_streamed_section_doubles(
    engine, tmp_path, monkeypatch
):
    analysed: list[int] = []
    monkeypatch.setattr(ingest.batching, "analyze_grown", lambda connection: analysed.append(1))
    ingest.run(engine, [_write(tmp_path, _data())], streaming=STREAMED)
    # Events, two a page: after 2 and 4 of the 5. Figures: the first page waits for the
    # figure it is derived from, on the last page, so all 7 are written at once: after 7.
    assert len(analysed) == 3


def test_the_analysis_counts_the_rows_the_seed_s_own_transaction_wrote(engine, tmp_path):
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite plans without statistics")
    with Session(engine) as session:
        ingest.load(session, [_write(tmp_path, _data())], streaming=STREAMED)
        # Not committed yet: the statistics view knows nothing of these rows, ANALYZE does.
        tuples = dict(
            session.execute(
                text(
                    "SELECT relname, reltuples FROM pg_class"
                    " WHERE relname IN ('event', 'figure', 'attribution')"
                )
            ).all()
        )
        session.rollback()
    # Last analysed once all seven figures were written (three links each).
    assert tuples == {"event": 5, "figure": 7, "attribution": 21}
