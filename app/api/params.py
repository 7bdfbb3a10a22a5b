"""Query parameters shared by the lists, and the rule that unknown parameters are a 400."""

from typing import Annotated, Any

from fastapi import Query, Request

from app.errors import InvalidParameterError
from app.schemas.common import IsoTimestamp
from app.services.pagination import DEFAULT_LIMIT, MAX_CURSOR_LENGTH, MAX_LIMIT

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
        description="Full-text search: every word must match (the last also as a prefix).",
        examples=["deserted"],
    ),
]
AsOf = Annotated[
    IsoTimestamp | None,
    Query(
        description="Answer as the dataset stood at this moment (ISO 8601 with a time zone); "
        "a record that did not exist yet is a 404.",
        examples=["2026-01-01T00:00:00Z"],
    ),
]
IncludeRetracted = Annotated[
    bool,
    Query(
        description="Also list retracted records (they stay readable with their reason).",
        examples=[False],
    ),
]

_VISIBLE = ["published", "corrected"]


def statuses(status: list[Any], include_retracted: bool) -> list[str]:
    """The statuses a list shows: those asked for, else the visible ones (plus retracted)."""
    if status:
        return [s.value if hasattr(s, "value") else str(s) for s in status]
    return [*_VISIBLE, "retracted"] if include_retracted else list(_VISIBLE)


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


def forbid_unknown_query_params(request: Request) -> None:
    """A misspelt filter must not silently return everything: unknown parameters are a 400."""
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
