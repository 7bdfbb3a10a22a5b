"""Every version of a record, the change feed, and records as they stood at a moment."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, func, literal, or_
from sqlmodel import Session, col, select

from app.errors import InvalidParameterError, NotFoundError
from app.models import Event, Figure, Measure, Revision, Source
from app.models.records import Record
from app.schemas.revision import REFERENCES, Slugs
from app.services.common import batching
from app.services.common.pagination import clamp_limit

MODELS: dict[str, type[Record]] = {
    "figure": Figure,
    "event": Event,
    "source": Source,
    "measure": Measure,
}


def _subject_id(subject: str) -> tuple[str, int] | None:
    kind, _, row_id = subject.partition(":")
    return (kind, int(row_id)) if kind in MODELS and row_id.isdigit() else None


def slugs_for(session: Session, revisions: Iterable[Revision]) -> Slugs:
    """One query per kind for every record these revisions belong to or refer to."""
    wanted: dict[str, set[int]] = {kind: set() for kind in MODELS}
    for revision in revisions:
        owner = _subject_id(revision.subject)
        if owner is not None:
            wanted[owner[0]].add(owner[1])
        if revision.entity == "attribution":  # a feed entry names the link's source
            source_id = (revision.snapshot or {}).get("source_id")
            if isinstance(source_id, int) and not isinstance(source_id, bool):
                wanted["source"].add(source_id)
        for key, (_, kind) in REFERENCES.items():
            for value in (revision.changes.get(key) or {}).values():
                if isinstance(value, int) and not isinstance(value, bool):
                    wanted[kind].add(value)
    slugs = Slugs()
    for kind, ids in wanted.items():
        model = MODELS[kind]
        for page in batching.chunks(sorted(ids)):
            for row_id, slug in session.exec(
                select(model.id, model.slug).where(col(model.id).in_(page))
            ):
                assert row_id is not None  # ids are never NULL
                slugs.by_id[(kind, row_id)] = slug
    return slugs


def of_record(session: Session, kind: str, row_id: int) -> list[Revision]:
    """The record's revisions and its chain's, oldest first."""
    return list(
        session.exec(
            select(Revision)
            .where(Revision.subject == f"{kind}:{row_id}")
            .order_by(col(Revision.at), col(Revision.id))
        ).all()
    )


@dataclass(frozen=True)
class RecordHistoryPage:
    items: list[Revision]
    next_after: int | None
    total: int | None


def record_page(
    session: Session, kind: str, row_id: int, after_id: int | None, limit: int, count: bool
) -> RecordHistoryPage:
    """A page of the record's history, oldest first (by time, then id), after the revision
    ``after_id`` (the last of the previous page); ``total`` counts the whole history."""
    limit = clamp_limit(limit)
    subject = Revision.subject == f"{kind}:{row_id}"
    statement = select(Revision).where(subject)
    if after_id is not None:
        last = session.exec(select(Revision.at).where(subject, Revision.id == after_id)).first()
        if last is None:
            raise InvalidParameterError(
                "cursor: not a cursor this history handed out; use the `next` link"
            )
        statement = statement.where(
            or_(
                col(Revision.at) > last, and_(col(Revision.at) == last, col(Revision.id) > after_id)
            )
        )
    rows = list(
        session.exec(statement.order_by(col(Revision.at), col(Revision.id)).limit(limit + 1)).all()
    )
    total = (
        session.exec(select(func.count()).select_from(Revision).where(subject)).one()
        if count
        else None
    )
    more = len(rows) > limit
    items = rows[:limit]
    return RecordHistoryPage(items, items[-1].id if more else None, total)


@dataclass(frozen=True)
class ChangePage:
    items: list[Revision]
    next_after: int | None


def changes(
    session: Session, since: datetime | None, after_id: int | None, limit: int
) -> ChangePage:
    limit = clamp_limit(limit)
    statement = select(Revision)
    if since is not None:
        statement = statement.where(Revision.at > since)
    if after_id is not None:
        statement = statement.where(col(Revision.id) > after_id)
    rows = list(session.exec(statement.order_by(col(Revision.id)).limit(limit + 1)).all())
    next_after = rows[limit - 1].id if len(rows) > limit else None
    return ChangePage(rows[:limit], next_after)


def latest(
    session: Session,
    limit: int = 100,
    since: datetime | None = None,
    subjects: ColumnElement[bool] | None = None,
) -> list[Revision]:
    """The newest revisions first, only those after ``since`` and of ``subjects`` when given."""
    statement = select(Revision)
    if since is not None:
        statement = statement.where(Revision.at > since)
    if subjects is not None:
        statement = statement.where(subjects)
    return list(session.exec(statement.order_by(col(Revision.id).desc()).limit(limit)).all())


def id_of(session: Session, kind: str, slug: str) -> int:
    """The id of the figure, event, source or measure with that slug; else a 404 naming the
    path parameter."""
    model: Any = MODELS[kind]
    row_id = session.exec(select(model.id).where(col(model.slug) == slug)).first()
    if row_id is None:
        raise NotFoundError(f"{'measure' if kind == 'measure' else 'slug'}: no {kind} {slug!r}")
    return int(row_id)


def latest_of_record(
    session: Session, kind: str, slug: str, limit: int, since: datetime | None
) -> list[Revision]:
    """The newest revisions of one record and of its chain (404 for an unknown slug)."""
    subject = f"{kind}:{id_of(session, kind, slug)}"
    return latest(session, limit, since, col(Revision.subject) == subject)


def latest_of_measure(
    session: Session, slug: str, limit: int, since: datetime | None
) -> list[Revision]:
    """The newest revisions of the figures of a measure and of their chains.

    The figures the measure has now: a figure moved to another measure takes its whole
    history there."""
    of_measure = Figure.measure_id == id_of(session, "measure", slug)
    subjects = select(literal("figure:") + cast(col(Figure.id), String)).where(of_measure)
    return latest(session, limit, since, col(Revision.subject).in_(subjects))


def snapshot_at(session: Session, kind: str, row_id: int, as_of: datetime) -> dict[str, Any]:
    revision = session.exec(
        select(Revision)
        .where(Revision.entity == kind, Revision.entity_id == row_id, Revision.at <= as_of)
        .order_by(col(Revision.version).desc())
    ).first()
    if revision is None:
        raise NotFoundError(f"as_of: the {kind} did not exist yet at {as_of.isoformat()}")
    return revision.snapshot


def ids_at(session: Session, kind: str, as_of: datetime) -> list[int]:
    """Ids of the records of ``kind`` that existed at ``as_of``."""
    return list(
        session.exec(
            select(Revision.entity_id)
            .where(Revision.entity == kind, Revision.at <= as_of)
            .group_by(col(Revision.entity_id))
            .order_by(col(Revision.entity_id))
        ).all()
    )


def chain_at(session: Session, kind: str, row_id: int, as_of: datetime) -> list[dict[str, Any]]:
    """The links of a chain as they stood: the latest revision of each, deleted ones left out."""
    newest = (
        select(Revision.entity_id, func.max(Revision.version).label("version"))
        .where(
            Revision.subject == f"{kind}:{row_id}",
            Revision.entity == "attribution",
            Revision.at <= as_of,
        )
        .group_by(col(Revision.entity_id))
        .subquery()
    )
    rows = session.exec(
        select(Revision).join(
            newest,
            (col(Revision.entity_id) == newest.c.entity_id)
            & (col(Revision.version) == newest.c.version)
            & (Revision.entity == "attribution"),
        )
    ).all()
    links = [r.snapshot for r in rows if r.action != "delete"]
    return sorted(links, key=lambda link: link["position"])
