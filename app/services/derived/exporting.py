"""`sourced export`: the CSV or NDJSON tables, or a whole Data Package, written to a folder.

The files are byte for byte what the API answers for `/v1/{table}?format=...` (same encoder,
same columns, same order), read a keyset batch at a time so memory stays flat. A data package
holds every record, retracted ones included with their status (`?include_retracted=true`),
as the live package does: published figures may name a retracted event or source.
"""

import json
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

from app.models.vocab import Status
from app.schemas.event import EventPublic
from app.schemas.figure_json import StoredFigure
from app.schemas.source import SourcePublic
from app.services.derived import figure_docs
from app.services.present import datapackage, tables
from app.services.read import events, sources
from app.services.read.events import EventQuery
from app.services.read.figures import FigureQuery
from app.services.read.sources import SourceQuery

FORMATS = ("csv", "ndjson", "datapackage")
TABLE_ORDER = ("sources", "events", "figures")
Progress = Callable[[str, int], None]  # (table, rows just written)


def _fetch_and_present(
    table: str, base_url: str, status: list[str]
) -> tuple[tables.Fetch, tables.Present, tables.Rows]:
    """How a table's records are read, made public and written (figures: their stored rows)."""
    if table == "figures":
        return (
            lambda s, c, n: figure_docs.list_stored(
                s, FigureQuery(status=status), limit=n, cursor=c
            ),
            lambda v: StoredFigure.of(v, base_url),
            tables.ENCODED,
        )
    if table == "events":
        return (
            lambda s, c, n: events.list_events(s, EventQuery(status=status), limit=n, cursor=c),
            lambda v: EventPublic.of(v, base_url),
            tables.DUMPED,
        )
    return (
        lambda s, c, n: sources.list_sources(s, SourceQuery(status=status), limit=n, cursor=c),
        lambda v: SourcePublic.of(v, base_url),
        tables.DUMPED,
    )


def export(
    session: Session,
    out: Path,
    fmt: str,
    *,
    base_url: str,
    licence: str,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write every visible record (every record, for a data package); returns the row counts."""
    if fmt not in FORMATS:
        raise ValueError(f"format: must be one of {', '.join(FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    file_format = "ndjson" if fmt == "ndjson" else "csv"
    counts: dict[str, int] = {}
    # An empty list is the lists' default: the visible records.
    status = [s.value for s in Status] if fmt == "datapackage" else []
    for table in TABLE_ORDER:
        fetch, present, rows = _fetch_and_present(table, base_url, status)
        encoder = tables.Encoder(table, file_format, rows=rows)
        counts[table] = 0
        with (out / f"{table}.{file_format}").open("wb") as handle:
            handle.write(encoder.header())
            for items in tables.batches(session, fetch, present):
                handle.write(encoder.encode(items))
                counts[table] += len(items)
                if progress is not None:
                    progress(table, len(items))
    if fmt == "datapackage":
        paths = {table: f"{table}.csv" for table in TABLE_ORDER}
        descriptor = datapackage.package(paths, licence, f"{base_url}v1")
        (out / "datapackage.json").write_text(
            json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    return counts
