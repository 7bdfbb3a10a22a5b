"""Figures on the hot read paths, built as plain dictionaries and written by orjson.

``FigurePublic`` (app/schemas/figure.py) is the documented shape; building and serialising
it through pydantic for a page of 50 figures with their chains cost more than the page's
SQL. Here the same record is built as a dictionary in the same key order and written by
orjson: the bytes are identical to pydantic's (tests/services/test_figure_json.py compares them for
every seeded figure), at a fraction of the time.

A ``FigureRecord`` also answers ``model_dump()`` and ``model_dump_json()``, so the CSV and
NDJSON encoders (app/services/present/tables.py) take it where they take a pydantic model.
"""

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

import orjson
from fastapi import Response

if TYPE_CHECKING:
    from app.services.read.figures import FigureView

_OPTIONS = orjson.OPT_UTC_Z


def _number(value: Decimal | None) -> int | float | None:
    # As ExactNumber's serializer (app/schemas/common.py): at most 15 significant digits, so
    # the float's shortest text is the decimal's own digits.
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _number(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def dumps(data: Any) -> bytes:
    return orjson.dumps(data, default=_json_default, option=_OPTIONS)


def _link(link: Any) -> dict[str, Any]:
    source = link.source
    return {
        "position": link.position,
        "role": link.role,
        "quote": link.quote,
        "quote_unverified": link.quote_unverified,
        "locator": link.locator,
        "accessed": link.accessed,
        "source": {
            "slug": source.slug,
            "name": source.name,
            "kind": source.kind,
            "party_to_conflict": source.party_to_conflict,
            "website": source.website,
            "parent": source.parent_name,
            "parent_slug": source.parent_slug,
            "short_name": source.short_name,
            "aliases": list(source.aliases),
        },
    }


class FigureRecord:
    """One figure as ``FigurePublic`` would present it; values stay Python (Decimal, date)."""

    __slots__ = ("data",)

    def __init__(self, data: dict[str, Any]):
        self.data = data

    @classmethod
    def of(cls, view: "FigureView", base_url: str) -> "FigureRecord":
        f = view.figure
        return cls(
            {
                "slug": f.slug,
                "url": f"{base_url}v1/figures/{f.slug}",
                "event": {
                    "slug": view.event_slug,
                    "title": view.event_title,
                    "date": view.event_date,
                },
                "measure": view.measure,
                "value": f.value,
                "lower_bound": f.lower_bound,
                "upper_bound": f.upper_bound,
                "qualifier": f.qualifier,
                "stated_as": f.stated_as,
                "unit": f.unit,
                "subject": f.subject,
                "period": f.period,
                "period_earliest": f.period_earliest,
                "period_latest": f.period_latest,
                "derived_from": view.derived_from,
                "note": f.note,
                "status": f.status,
                "status_reason": f.status_reason,
                "version": f.version,
                "updated_at": f.updated_at,
                "attributions": [_link(link) for link in view.chain],
                "citation": view.citation(),
            }
        )

    def model_dump(self) -> dict[str, Any]:
        return self.data

    def model_dump_json(self) -> str:
        return dumps(self.data).decode()


class Texts(Protocol):
    """A figure's stored texts as ``figure_docs.Stored`` holds them, named here by what this
    module reads of them (the stored-text service imports this module, not the reverse)."""

    def json(self, base_url: str) -> bytes: ...

    def csv_row(self, base_url: str) -> bytes: ...


class StoredFigure:
    """A figure's stored texts (app/services/derived/figure_docs.py) with this request's base URL:
    the CSV and NDJSON encoders take ``raw(fmt)`` as the record's row as it is. Each text is
    made only when asked for (an export asks for one of the two)."""

    __slots__ = ("base_url", "stored")

    def __init__(self, stored: Texts, base_url: str):
        self.stored = stored
        self.base_url = base_url

    @classmethod
    def of(cls, stored: Texts, base_url: str) -> "StoredFigure":
        return cls(stored, base_url)

    @property
    def json(self) -> bytes:
        return self.stored.json(self.base_url)

    def raw(self, fmt: str) -> bytes:
        if fmt == "ndjson":
            return self.stored.json(self.base_url) + b"\n"
        return self.stored.csv_row(self.base_url)


def response(data: Any, headers_from: Response | None = None) -> Response:
    """``data`` (records, or a page envelope holding them) as a JSON response."""
    return raw_response(dumps(data), headers_from)


def raw_response(body: bytes, headers_from: Response | None = None) -> Response:
    headers = dict(headers_from.headers) if headers_from is not None else None
    return Response(body, media_type="application/json", headers=headers)


def stored_page(items: list[bytes], next_url: str | None, total: int | None) -> bytes:
    """The list envelope around figures' JSON texts: ``page()``'s bytes, without parsing
    them back (orjson writes ``{"items":[…],"next":…,"total":…}`` with no spaces)."""
    return (
        b'{"items":['
        + b",".join(items)
        + b'],"next":'
        + dumps(next_url)
        + b',"total":'
        + dumps(total)
        + b"}"
    )


def page(records: list[FigureRecord], next_url: str | None, total: int | None) -> dict[str, Any]:
    """The list envelope, as ``Page[FigurePublic]`` orders it."""
    return {"items": [r.data for r in records], "next": next_url, "total": total}
