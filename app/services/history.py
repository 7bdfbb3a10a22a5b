"""Every version of a record, the change feed, and records as they stood at a moment."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.errors import NotFoundError
from app.models import Revision
from app.services.pagination import clamp_limit

HIDDEN = frozenset({"full_text"})  # a document's text is too long to repeat in every change


def public_changes(changes: dict[str, Any]) -> dict[str, Any]:
    return {
        key: ({"old": "(text)", "new": "(text)"} if key in HIDDEN else value)
        for key, value in changes.items()
    }


def of_record(session: Session, kind: str, row_id: int) -> list[Revision]:
    """The record's revisions and its chain's, oldest first."""
    return list(
        session.exec(
            select(Revision)
            .where(Revision.subject == f"{kind}:{row_id}")
            .order_by(Revision.at, Revision.id)
        ).all()
    )


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
    rows = list(session.exec(statement.order_by(Revision.id).limit(limit + 1)).all())
    next_after = rows[limit - 1].id if len(rows) > limit else None
    return ChangePage(rows[:limit], next_after)


def latest(session: Session, limit: int = 100) -> list[Revision]:
    return list(session.exec(select(Revision).order_by(col(Revision.id).desc()).limit(limit)).all())


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
            .group_by(Revision.entity_id)
            .order_by(Revision.entity_id)
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
        .group_by(Revision.entity_id)
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
