"""Records as documents in the seed shape: what an editor's merge patch applies to, and what
a bundle or an export holds. References are slugs, never ids."""

from typing import Any

from sqlmodel import Session, col, select

from app.models import Attribution, Event, Figure, Measure, Source


def _chain(session: Session, column: Any, owner_id: int | None) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Attribution, Source.slug)
        .join(Source, col(Source.id) == Attribution.source_id)
        .where(column == owner_id)
        .order_by(col(Attribution.position))
    ).all()
    return [
        {
            "source": slug,
            "role": link.role,
            "quote": link.quote,
            "quote_unverified": link.quote_unverified,
            "locator": link.locator,
            "accessed": link.accessed,
        }
        for link, slug in rows
    ]


def source_document(session: Session, source: Source) -> dict[str, Any]:
    parent = (
        session.exec(select(Source.slug).where(Source.id == source.parent_id)).first()
        if source.parent_id
        else None
    )
    return {
        "slug": source.slug,
        "name": source.name,
        "short_name": source.short_name,
        "aliases": list(source.aliases or []),
        "kind": source.kind,
        "parent": parent,
        "website": source.website,
        "country": source.country,
        "language": source.language,
        "party_to_conflict": source.party_to_conflict,
        "description": source.description,
        "published": source.published,
        "note": source.note,
    }


def event_document(session: Session, event: Event) -> dict[str, Any]:
    return {
        "slug": event.slug,
        "title": event.title,
        "summary": event.summary,
        "type": event.type,
        "date": event.date,
        "place": event.place,
        "country": event.country,
        "tags": list(event.tags),
        "note": event.note,
        "attributions": _chain(session, Attribution.event_id, event.id),
    }


def figure_document(session: Session, figure: Figure) -> dict[str, Any]:
    event_slug = session.exec(select(Event.slug).where(Event.id == figure.event_id)).one()
    measure = session.exec(select(Measure.slug).where(Measure.id == figure.measure_id)).one()
    origin = (
        session.exec(select(Figure.slug).where(Figure.id == figure.derived_from_id)).one()
        if figure.derived_from_id
        else None
    )
    return {
        "slug": figure.slug,
        "event": event_slug,
        "measure": measure,
        "value": figure.value,
        "lower_bound": figure.lower_bound,
        "upper_bound": figure.upper_bound,
        "qualifier": figure.qualifier,
        "stated_as": figure.stated_as,
        "unit": figure.unit,
        "subject": figure.subject,
        "period": figure.period,
        "derived_from": origin,
        "note": figure.note,
        "attributions": _chain(session, Attribution.figure_id, figure.id),
    }
