"""Records named in a list filter: a name that matches nothing is a 400 naming the parameter
and the value, never an empty list (a misspelt `claimant=ru-mdo` must not read as "no
figures"). A source may be named by its slug, its short name or any of its aliases."""

from sqlalchemy import String, bindparam, cast, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from app.errors import InvalidParameterError
from app.models import Event, Source


def _unknown(param: str, value: str, what: str) -> InvalidParameterError:
    return InvalidParameterError(f"{param}: unknown value {value[:100]!r}; {what}")


def source_ids(session: Session, param: str, names: list[str]) -> list[int]:
    """Ids of the sources these names stand for: a slug as it is, else a short name or an
    alias in any case (`rfe/rl` is RFE/RL)."""
    wanted = sorted(set(names))
    if not wanted:
        return []
    connection = session.connection()
    by_slug = dict(
        connection.execute(
            sa_select(col(Source.slug), col(Source.id)).where(
                col(Source.slug).in_(bindparam("names", expanding=True))
            ),
            {"names": wanted},
        ).all()
    )
    ids = set(by_slug.values())
    rest = {name.casefold(): name for name in wanted if name not in by_slug}
    if rest:
        found: set[str] = set()
        short_names = connection.execute(
            sa_select(col(Source.id), col(Source.short_name)).where(
                func.lower(col(Source.short_name)).in_(bindparam("lowered", expanding=True))
            ),
            {"lowered": sorted({name.lower() for name in rest.values()})},
        ).all()
        # Sources with aliases are few; their lists are compared here, in any case, on
        # both engines alike (SQLite's lower() only folds ASCII).
        aliased = connection.execute(
            sa_select(col(Source.id), col(Source.aliases)).where(
                cast(col(Source.aliases), String) != "[]"
            )
        ).all()
        for source_id, short_name in short_names:
            if short_name is not None and short_name.casefold() in rest:
                ids.add(source_id)
                found.add(short_name.casefold())
        for source_id, aliases in aliased:
            for alias in aliases or []:
                if alias.casefold() in rest:
                    ids.add(source_id)
                    found.add(alias.casefold())
        missing = sorted(rest[key] for key in rest if key not in found)
        if missing:
            raise _unknown(param, missing[0], "no source has that slug, short name or alias")
    return sorted(i for i in ids if i is not None)  # ids are never NULL


def event_ids(session: Session, param: str, slugs: list[str]) -> list[int]:
    """Ids of the events with these slugs."""
    wanted = sorted(set(slugs))
    if not wanted:
        return []
    found = dict(
        session.connection()
        .execute(
            sa_select(col(Event.slug), col(Event.id)).where(
                col(Event.slug).in_(bindparam("slugs", expanding=True))
            ),
            {"slugs": wanted},
        )
        .all()
    )
    missing = [slug for slug in wanted if slug not in found]
    if missing:
        raise _unknown(param, missing[0], "no event has that slug")
    return sorted(i for i in found.values() if i is not None)  # ids are never NULL
