"""Attribution chains, loaded for many figures or events in one query."""

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Mapped, aliased
from sqlalchemy.sql.base import Executable
from sqlmodel import Session, col

from app.models import Attribution, Source
from app.services.common.views import Link, SourceRef
from app.services.read import history

# A source's parent organisation; one alias for every query (building one costs a join's worth).
Parent = aliased(Source)


# A source's columns as a SourceRef takes them, in its fields' order (``_ref``).
REF_COLUMNS = (
    col(Source.slug),
    col(Source.name),
    col(Source.kind),
    col(Source.party_to_conflict),
    col(Source.website),
    col(Parent.slug),
    col(Parent.name),
    col(Source.version),
    col(Parent.version),
    col(Source.short_name),
    col(Source.aliases),
    col(Source.published),
)


def _ref(columns: Any) -> SourceRef:
    """A SourceRef of ``REF_COLUMNS`` (aliases come as a JSON list)."""
    *head, aliases, published = columns
    return SourceRef(*head, tuple(aliases or ()), published)  # type: ignore[call-arg]  # head: the ten fields before these two


def _chain_query(owner_column: Mapped[int | None]) -> Executable:
    parent = Parent
    return (
        sa_select(
            owner_column,
            col(Attribution.position),
            col(Attribution.role),
            col(Attribution.quote),
            col(Attribution.quote_unverified),
            col(Attribution.locator),
            col(Attribution.accessed),
            *REF_COLUMNS,
            col(Attribution.version),
        )
        .join(Source, col(Source.id) == col(Attribution.source_id))
        .outerjoin(parent, col(parent.id) == col(Source.parent_id))
        # One expanding parameter: the ids are bound as a list, not coerced one by one.
        .where(col(owner_column).in_(bindparam("ids", expanding=True)))
        .order_by(owner_column, col(Attribution.position))
    )


# Built once: the statement is the same for every page, only the ids differ.
_QUERIES = {
    "figure": _chain_query(col(Attribution.figure_id)),
    "event": _chain_query(col(Attribution.event_id)),
}


def load(session: Session, owner: str, ids: list[int]) -> dict[int, list[Link]]:
    """``owner`` is ``figure`` or ``event``; returns each id's chain in position order."""
    if not ids:
        return {}
    # Plain rows through the session's connection: no ORM entities are loaded here.
    rows = session.connection().execute(_QUERIES[owner], {"ids": list(ids)}).all()
    chains: dict[int, list[Link]] = defaultdict(list)
    for row in rows:
        chains[row[0]].append(
            Link(
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                row[6],
                _ref(row[7 : 7 + len(REF_COLUMNS)]),
                row[19],
            )
        )
    return chains


def source_refs(session: Session, ids: list[int]) -> dict[int, SourceRef]:
    """Today's description of each source, by id."""
    parent = Parent
    rows = session.execute(
        sa_select(
            col(Source.id),
            *REF_COLUMNS,
        )
        .outerjoin(parent, col(parent.id) == col(Source.parent_id))
        .where(col(Source.id).in_(ids))
    ).all()
    return {row[0]: _ref(row[1:]) for row in rows}


def load_at(session: Session, owner: str, row_id: int, as_of: datetime) -> list[Link]:
    """``owner``'s chain as it stood at ``as_of``, rebuilt from the revisions.

    Source names are today's: what changes a chain's meaning (who, in which role, with which
    words) is what the revisions keep."""
    links = history.chain_at(session, owner, row_id, as_of)
    refs = source_refs(session, [link["source_id"] for link in links])
    return [
        Link(
            position=link["position"],
            role=link["role"],
            quote=link["quote"],
            quote_unverified=link["quote_unverified"],
            locator=link["locator"],
            accessed=date.fromisoformat(link["accessed"]) if link["accessed"] else None,
            source=refs[link["source_id"]],
            version=link["version"],
        )
        for link in links
    ]
