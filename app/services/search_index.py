"""Keeps ``search_entry`` in step with the records it describes (one text per record).

Texts are read and written a page of records at a time, so an import of a million figures
costs a few queries per page rather than a few per figure.
"""

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session

from app.models import Attribution, Event, Figure, Measure, SearchEntry, Source
from app.services.bulk import chunks, insert_rows

Texts = dict[int, tuple[str, str, str]]


def _joined(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def _quotes(session: Session, column, ids: Iterable[int]) -> dict[int, list[str]]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(column, Attribution.quote, Source.name)
        .join(Source, Source.id == Attribution.source_id)
        .where(column.in_(ids))
        .order_by(column, Attribution.position)
    ).all()
    quotes: dict[int, list[str]] = defaultdict(list)
    for owner, quote, name in rows:
        quotes[owner].extend(part for part in (name, quote) if part)
    return quotes


def _texts(session: Session, entity: str, ids: list[int]) -> Texts:
    if entity == "figure":
        quotes = _quotes(session, Attribution.figure_id, ids)
        figures = session.execute(
            select(Figure.id, Figure.slug, Figure.stated_as, Figure.subject, Figure.note)
            .add_columns(Measure.label)
            .outerjoin(Measure, Measure.id == Figure.measure_id)
            .where(Figure.id.in_(ids))  # type: ignore[union-attr]
        ).all()
        return {
            row_id: (
                slug,
                " ".join(p for p in (stated_as, subject) if p),
                _joined(label or "", note or "", *quotes[row_id]),
            )
            for row_id, slug, stated_as, subject, note, label in figures
        }
    if entity == "event":
        quotes = _quotes(session, Attribution.event_id, ids)
        events = session.execute(
            select(
                Event.id,
                Event.slug,
                Event.title,
                Event.summary,
                Event.place,
                Event.tags,
                Event.note,
            ).where(Event.id.in_(ids))  # type: ignore[union-attr]
        ).all()
        return {
            row_id: (slug, title, _joined(summary, place, " ".join(tags), note, *quotes[row_id]))
            for row_id, slug, title, summary, place, tags, note in events
        }
    if entity == "source":
        sources = session.execute(
            select(Source.id, Source.slug, Source.name, Source.description, Source.note).where(
                Source.id.in_(ids)  # type: ignore[union-attr]
            )
        ).all()
        return {
            row_id: (slug, name, _joined(description, note))
            for row_id, slug, name, description, note in sources
        }
    return {}


def refresh_many(session: Session, entity: str, ids: Iterable[int]) -> None:
    """Rewrite the searchable texts of these records (after they or their chains changed)."""
    for page in chunks(sorted(set(ids))):
        texts = _texts(session, entity, list(page))
        entries = {
            entry.entity_id: entry
            for entry in session.execute(
                select(SearchEntry).where(
                    SearchEntry.entity == entity,
                    SearchEntry.entity_id.in_(page),  # type: ignore[attr-defined]
                )
            ).scalars()
        }
        new = []
        for row_id in page:
            entry, found = entries.get(row_id), texts.get(row_id)
            if found is None:
                if entry is not None:
                    session.delete(entry)
            elif entry is None:
                slug, title, body = found
                new.append(
                    {
                        "entity": entity,
                        "entity_id": row_id,
                        "slug": slug,
                        "title": title,
                        "body": body,
                    }
                )
            elif (entry.slug, entry.title, entry.body) != found:
                entry.slug, entry.title, entry.body = found
                session.add(entry)
        session.flush()
        if new:
            insert_rows(session.connection(), SearchEntry.__table__, new)  # type: ignore[attr-defined]


def refresh(session: Session, entity: str, row_id: int) -> None:
    """Rewrite the searchable text of one record."""
    refresh_many(session, entity, [row_id])
