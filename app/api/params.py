"""Query parameters shared by the lists, and the rule that unknown parameters are a 400."""

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import Header, Query, Request
from pydantic import BeforeValidator, WithJsonSchema

from app.errors import InvalidParameterError
from app.models.vocab import VISIBLE, Status
from app.schemas.common import IsoTimestamp
from app.services.common.pagination import DEFAULT_LIMIT, MAX_CURSOR_LENGTH, MAX_LIMIT

MAX_Q = 500

Limit = Annotated[
    int,
    Query(
        ge=1,
        le=MAX_LIMIT,
        description=f"Items per page (1 to {MAX_LIMIT}).",
        examples=[DEFAULT_LIMIT],
    ),
]
PageLimit = Annotated[
    int | None,
    Query(
        ge=1,
        le=MAX_LIMIT,
        description=f"Items per page (1 to {MAX_LIMIT}; JSON default {DEFAULT_LIMIT}). "
        "CSV and NDJSON without a limit stream every matching row.",
        examples=[DEFAULT_LIMIT],
    ),
]
Cursor = Annotated[
    str | None,
    Query(
        max_length=MAX_CURSOR_LENGTH,
        description="Opaque position from the previous page's `next` link; do not build it.",
        examples=[None],
    ),
]
Count = Annotated[
    bool,
    Query(description="Also return `total`, the number of matching records.", examples=[False]),
]
SearchText = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=MAX_Q,
        description="Full-text search: every word must match (the last also as a prefix). "
        "Not with `as_of` (a 400): the search index holds today's texts only.",
        examples=["deserted"],
    ),
]
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# A moment or a day; the schema states both (it replaces the date-time one, examples included).
_MOMENT_SCHEMA = WithJsonSchema(
    {
        "anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}],
        "examples": ["2026-12-01", "2026-12-01T08:00:00Z"],
    }
)


def _day_as_moment(end: bool) -> Any:
    """A plain day (``2026-12-01``) as the moment the filter compares with, in UTC.

    ``since`` keeps changes *after* its moment and ``as_of`` those *at or before* it, and
    stored times carry microseconds (on both engines): so a day for ``since`` is the last
    microsecond before it (its first instant is then kept), and for ``as_of`` its last one."""

    def parse(value: Any) -> Any:
        if not isinstance(value, str) or not _DAY.fullmatch(value):
            return value
        try:
            start = datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
            return (start + timedelta(days=1) if end else start) - timedelta(microseconds=1)
        except ValueError:
            raise ValueError(f"{value!r} is not a day of the calendar") from None
        except OverflowError:  # 0001-01-01 has no microsecond before it, 9999-12-31 no after
            raise ValueError(f"{value!r} is at the very edge of the calendar") from None

    return BeforeValidator(parse)


AsOf = Annotated[
    IsoTimestamp | None,
    _day_as_moment(end=True),
    _MOMENT_SCHEMA,
    Query(
        description="Answer as the dataset stood at this moment: ISO 8601 with a time zone "
        "(`2026-12-01T08:00:00Z`), or a plain date (`2026-12-01`), which means at the end of "
        "that day (UTC), after its last change. A record that did not exist yet is a 404. "
        "On a list, `as_of` is ordered by id and excludes `q` and any other `sort` (a 400).",
    ),
]
Since = Annotated[
    IsoTimestamp | None,
    _day_as_moment(end=False),
    _MOMENT_SCHEMA,
    Query(
        description="Only changes after this moment: ISO 8601 with a time zone "
        "(`2026-12-01T08:00:00Z`), or a plain date (`2026-12-01`), which means from the start "
        "of that day (UTC), its first change included.",
    ),
]
IncludeRetracted = Annotated[
    bool,
    Query(
        description="Also list retracted records (they stay readable with their reason).",
        examples=[False],
    ),
]

_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
# What the parser below accepts, exactly, for the schema: a year from 0001, a month 01-12, a day
# the month has (29 February in leap years only: every fourth year, but not a century year
# unless it divides by 400).
_YEAR = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_DAY_OF_MONTH = (
    "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    "|(?:0[13-9]|1[0-2])-(?:29|30)"
    "|(?:0[13578]|1[02])-31)"
)
PARTIAL_DATE_PATTERN = f"^(?:{_YEAR}(?:-(?:0[1-9]|1[0-2])|-{_DAY_OF_MONTH})?|{_LEAP_YEAR}-02-29)$"


def _partial_date(last: bool) -> Any:
    """``2023`` and ``1941-11`` as well as ``1941-11-30``: the first day, or the last, they mean."""

    def parse(value: Any) -> Any:
        if isinstance(value, date):
            return value
        match = _PARTIAL_DATE.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise ValueError(
                "give a date as YYYY, YYYY-MM or YYYY-MM-DD (1941, 1941-11, 1941-11-30)"
            )
        year = int(match[1])  # the pattern always has the year
        month, day = (int(g) if g else None for g in match.groups()[1:])
        try:
            if month is not None and day is not None:
                return date(year, month, day)
            if month is not None:
                return date(year, month, calendar.monthrange(year, month)[1] if last else 1)
            return date(year, 12, 31) if last else date(year, 1, 1)
        except (ValueError, calendar.IllegalMonthError):
            raise ValueError(f"{value!r} is not a day of the calendar") from None

    return BeforeValidator(parse)


_PARTIAL_DATE_SCHEMA = WithJsonSchema({"type": "string", "pattern": PARTIAL_DATE_PATTERN})
# A year, a month or a day; `date_from` takes its first day, `date_to` its last.
StartDate = Annotated[date, _partial_date(last=False), _PARTIAL_DATE_SCHEMA]
EndDate = Annotated[date, _partial_date(last=True), _PARTIAL_DATE_SCHEMA]


def date_from_param(what: str) -> Any:
    return Query(
        description=f"{what} certainly overlaps this day or later. A year (`1941`, from 1 "
        "January), a month (`1941-11`, from its first day) or a day (`1941-11-30`). An open "
        "end (`..`) reaches any day; an unknown one (`2022/`) only its known start. Records "
        "without a date never match.",
        examples=["1941-06"],
    )


def date_to_param(what: str) -> Any:
    return Query(
        description=f"{what} certainly overlaps this day or earlier. A year (`1941`, up to 31 "
        "December), a month (`1941-11`, up to its last day) or a day (`1941-11-30`). An open "
        "start (`../1941-12`) reaches any day; an unknown one (`/1941-12`) only its known end. "
        "Records without a date never match.",
        examples=["1941-12"],
    )


def _country(value: Any) -> Any:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2}", value):
        raise ValueError("give an ISO 3166-1 alpha-2 country code (RU, UA, SU)")
    return value.upper()


# Codes are stored upper-case; `ru` means RU rather than silently matching nothing.
CountryCode = Annotated[
    str,
    BeforeValidator(_country),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z]{2}$"}),
]


def country_param(what: str) -> Any:
    return repeatable(
        f"ISO 3166-1 alpha-2 code of the country {what}, in any case (`ru` is `RU`).", "RU"
    )


def statuses(status: list[Any], include_retracted: bool) -> list[str]:
    """The statuses a list shows: those asked for, else the visible ones (plus retracted)."""
    if status:
        return [s.value if hasattr(s, "value") else str(s) for s in status]
    return [*VISIBLE, Status.retracted.value] if include_retracted else list(VISIBLE)


def repeatable(description: str, example: str) -> Any:
    """A filter that takes several values by repeating the parameter (`?measure=a&measure=b`)."""
    return Query(
        description=f"{description} Repeat the parameter for several values.", examples=[[example]]
    )


def _query_names(dependant: Any) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def forbid_unknown_query_params(request: Request) -> None:
    """A misspelt filter must not silently return everything: unknown parameters are a 400.

    ``async``: it only reads the request, so it runs on the event loop instead of costing
    every read a round trip to the thread pool."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = _query_names(dependant)
    unknown = sorted(set(request.query_params.keys()) - known)
    if unknown:
        allowed = ", ".join(sorted(known)) or "none"
        raise InvalidParameterError(
            f"{unknown[0][:100]}: unknown query parameter; this endpoint accepts: {allowed}"
        )


# Every POST takes one: the same key and body replay the first answer.
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Repeat a POST safely: the same key and body replay the first answer.",
        examples=["2026-11-25-deserters-figure"],
    ),
]
