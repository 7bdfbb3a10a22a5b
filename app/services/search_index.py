"""Keeps ``search_entry`` in step with the records it describes (one text per record)."""

from sqlmodel import Session, select

from app.models import Attribution, Event, Figure, Measure, SearchEntry, Source


def _quotes(session: Session, column, owner_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    rows = session.exec(
        select(Attribution.quote, Source.name)
        .join(Source, Source.id == Attribution.source_id)
        .where(column == owner_id)
        .order_by(Attribution.position)
    ).all()
    return [part for quote, name in rows for part in (name, quote) if part]


def _texts(session: Session, entity: str, row_id: int) -> tuple[str, str, str] | None:
    if entity == "figure":
        figure = session.get(Figure, row_id)
        if figure is None:
            return None
        measure = session.get(Measure, figure.measure_id)
        title = " ".join(p for p in (figure.stated_as, figure.subject) if p)
        body = [measure.label if measure else "", figure.note or ""]
        body += _quotes(session, Attribution.figure_id, row_id)
        return figure.slug, title, "\n".join(p for p in body if p)
    if entity == "event":
        event = session.get(Event, row_id)
        if event is None:
            return None
        body = [event.summary or "", event.place or "", " ".join(event.tags), event.note or ""]
        body += _quotes(session, Attribution.event_id, row_id)
        return event.slug, event.title, "\n".join(p for p in body if p)
    if entity == "source":
        source = session.get(Source, row_id)
        if source is None:
            return None
        body = [source.description or "", source.note or ""]
        return source.slug, source.name, "\n".join(p for p in body if p)
    return None


def refresh(session: Session, entity: str, row_id: int) -> None:
    """Rewrite the searchable text of one record (after it or its chain changed)."""
    texts = _texts(session, entity, row_id)
    entry = session.exec(
        select(SearchEntry).where(SearchEntry.entity == entity, SearchEntry.entity_id == row_id)
    ).first()
    if texts is None:
        if entry is not None:
            session.delete(entry)
        return
    slug, title, body = texts
    if entry is None:
        session.add(SearchEntry(entity=entity, entity_id=row_id, slug=slug, title=title, body=body))
    elif (entry.slug, entry.title, entry.body) != (slug, title, body):
        entry.slug, entry.title, entry.body = slug, title, body
        session.add(entry)
    session.flush()
