"""Keeps ``search_entry`` in step with the records it describes (one text per record).

Texts are read and written a page of records at a time, so an import of a million figures
costs a few queries per page rather than a few per figure.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col

from app.models import Attribution, Event, Figure, Measure, SearchEntry, Source
from app.services.common.batching import chunks, insert_rows

Texts = dict[int, tuple[str, str, str]]


def _joined(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def _quotes(
    session: Session, column: Mapped[int | None], ids: Iterable[int]
) -> dict[int, list[str]]:
    """The words a record's chain adds to it: every quote, and who said or relayed it.

    A publisher's name is left out, and so is the name of any source whose text is stored
    (the article the quotes are copied from): that is a headline, the same for every record
    the article carries, so its words ("50,000 deserters", "Stalin") would match them all.
    The quotes stand for that source instead.
    """
    rows = session.execute(
        # Whether the source has stored text, not the text: it is a whole document per link.
        select(
            column,
            col(Attribution.quote),
            col(Attribution.role),
            col(Source.name),
            col(Source.full_text).is_not(None),
        )
        .join(Source, col(Source.id) == col(Attribution.source_id))
        .where(column.in_(ids))
        .order_by(column, col(Attribution.position))
    ).all()
    quotes: dict[int, list[str]] = defaultdict(list)
    for owner, quote, role, name, has_text in rows:
        if role != "publisher" and not has_text:
            quotes[owner].append(name)
        if quote:
            quotes[owner].append(quote)
    return quotes


def _texts(session: Session, entity: str, ids: list[int]) -> Texts:
    if entity == "figure":
        quotes = _quotes(session, col(Attribution.figure_id), ids)
        figures = session.execute(
            select(
                col(Figure.id),
                col(Figure.slug),
                col(Figure.stated_as),
                col(Figure.subject),
                col(Figure.note),
            )
            .add_columns(col(Measure.label))
            .outerjoin(Measure, col(Measure.id) == col(Figure.measure_id))
            .where(col(Figure.id).in_(ids))
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
        quotes = _quotes(session, col(Attribution.event_id), ids)
        events = session.execute(
            select(
                col(Event.id),
                col(Event.slug),
                col(Event.title),
                col(Event.summary),
                col(Event.place),
                col(Event.tags),
                col(Event.note),
            ).where(col(Event.id).in_(ids))
        ).all()
        return {
            row_id: (slug, title, _joined(summary, place, " ".join(tags), note, *quotes[row_id]))
            for row_id, slug, title, summary, place, tags, note in events
        }
    if entity == "source":
        sources = session.execute(
            select(
                col(Source.id),
                col(Source.slug),
                col(Source.name),
                col(Source.short_name),
                col(Source.aliases),
                col(Source.description),
                col(Source.note),
            ).where(col(Source.id).in_(ids))
        ).all()
        # Every name the source goes by is searchable: "RFE/RL" finds RadioFreeEurope.
        return {
            row_id: (slug, name, _joined(short_name, *(aliases or []), description, note))
            for row_id, slug, name, short_name, aliases, description, note in sources
        }
    return {}


def refresh_many(
    session: Session,
    entity: str,
    ids: Iterable[int],
    progress: Callable[[str, int, int], None] | None = None,
) -> int:
    """Rewrite the searchable texts of these records (after they or their chains changed).

    Only texts that differ are written; returns how many entries were written or removed.
    ``progress`` hears how many records are done after each page."""
    changed = done = 0
    wanted = sorted(set(ids))
    for page in chunks(wanted):
        texts = _texts(session, entity, list(page))
        entries = {
            entry.entity_id: entry
            for entry in session.execute(
                select(SearchEntry).where(
                    col(SearchEntry.entity) == entity,
                    col(SearchEntry.entity_id).in_(page),
                )
            ).scalars()
        }
        new = []
        for row_id in page:
            entry, found = entries.get(row_id), texts.get(row_id)
            if found is None:
                if entry is not None:
                    session.delete(entry)
                    changed += 1
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
                changed += 1
        session.flush()
        if new:
            insert_rows(session.connection(), SearchEntry.__table__, new)  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
            changed += len(new)
        done += len(page)
        if progress is not None:
            progress(f"{entity} search entries", done, len(wanted))
    return changed


_MODELS: dict[str, type[Source | Event | Figure]] = {
    "source": Source,
    "event": Event,
    "figure": Figure,
}


def rebuild(session: Session) -> int:
    """Bring every searchable text up to date, e.g. after the rules for what is searchable
    changed: stored texts that already match are left alone. Returns how many changed."""
    changed = 0
    for entity, model in _MODELS.items():
        ids = set(session.execute(select(col(model.id))).scalars())
        ids |= set(
            session.execute(
                select(col(SearchEntry.entity_id)).where(col(SearchEntry.entity) == entity)
            ).scalars()
        )
        changed += refresh_many(session, entity, ids)
    return changed


def refresh(session: Session, entity: str, row_id: int) -> None:
    """Rewrite the searchable text of one record."""
    refresh_many(session, entity, [row_id])
