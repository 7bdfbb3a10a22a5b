"""Flat, stable tables of figures, events and sources: the columns of the CSV exports.

One row per record. Column order is part of the public contract (documented in the README and
the data package): new columns are only ever appended. A figure's attribution chain is
flattened into readable columns (claimant, relays, publisher, quote, citation) plus slugs for
joins, and kept whole in the `chain` column (compact JSON, every link with its role, quote,
locator and access date), so that an export imports back without loss; values are exact
decimals written without exponent or float rounding.
"""

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

import orjson
from sqlmodel import Session

# Several names in one cell (relays, tags) are joined with this; it never occurs in a slug.
JOIN = "; "

FIGURE_COLUMNS = (
    "slug",
    "url",
    "event",
    "event_title",
    "event_date",
    "measure",
    "value",
    "lower_bound",
    "upper_bound",
    "qualifier",
    "stated_as",
    "unit",
    "subject",
    "period",
    "period_earliest",
    "period_latest",
    "derived_from",
    "claimant",
    "claimant_name",
    "claimant_party",
    "relays",
    "relay_names",
    "publisher",
    "publisher_name",
    "quote",
    "citation",
    "note",
    "status",
    "status_reason",
    "version",
    "updated_at",
    "chain",
    "quote_unverified",
)
EVENT_COLUMNS = (
    "slug",
    "url",
    "title",
    "summary",
    "type",
    "date",
    "date_earliest",
    "date_latest",
    "place",
    "country",
    "tags",
    "claimant",
    "claimant_name",
    "claimant_party",
    "publisher",
    "publisher_name",
    "note",
    "status",
    "status_reason",
    "version",
    "updated_at",
    "chain",
)
SOURCE_COLUMNS = (
    "slug",
    "url",
    "name",
    "kind",
    "parent",
    "parent_name",
    "website",
    "country",
    "language",
    "party_to_conflict",
    "description",
    "published",
    "has_text",
    "note",
    "status",
    "status_reason",
    "version",
    "updated_at",
    "short_name",
    "aliases",
)


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV
# Injection"): a text cell that does is written with a `'` in front, which spreadsheets show
# as "text, as typed". A text that starts with `'` gets one too, so that removing the first
# `'` of any cell that has one (``unescape_text``, what `sourced import` does) gives back
# exactly what was written, whatever the text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")

# Columns of numbers, dates, times and booleans: written as they are (`-5` stays `-5`).
# Every other column is text, escaped by ``escape_text``.
NOT_TEXT = frozenset(
    {
        "value",
        "lower_bound",
        "upper_bound",
        "period_earliest",
        "period_latest",
        "date_earliest",
        "date_latest",
        "version",
        "updated_at",
        "quote_unverified",
        "has_text",
    }
)


def escape_text(text: str) -> str:
    """A text cell a spreadsheet shows as text: `'` in front of one that starts like a formula
    (or with `'`)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unescape_text(text: str) -> str:
    """The text ``escape_text`` was given: without the first `'`, if the cell starts with one."""
    return text[1:] if text.startswith("'") else text


def cell(value: Any) -> str:
    """One CSV cell: empty for null, exact decimals, ISO 8601 dates, `true`/`false`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return str(int(value))
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        # Always with microseconds, so that the column has one format (the data package's).
        utc = value.astimezone(UTC) if value.tzinfo else value
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return JOIN.join(cell(v) for v in value)
    return str(value)


# The keys of one link in the `chain` column, in order: those an editor writes for a link.
CHAIN_KEYS = ("source", "role", "quote", "quote_unverified", "locator", "accessed")


def chain_cell(links: list[dict[str, Any]]) -> str:
    """The whole chain as compact JSON: one object per link, claimant first, every key."""
    chain = [
        {
            "source": link["source"]["slug"],
            "role": link["role"],
            "quote": link["quote"],
            "quote_unverified": link["quote_unverified"],
            "locator": link["locator"],
            "accessed": cell(link["accessed"]) or None,
        }
        for link in links
    ]
    try:
        # orjson writes these values (texts, booleans, nulls) as the json module does with
        # ensure_ascii=False and no spaces, in a fraction of the time; it refuses a lone
        # surrogate, which the json module writes as it is.
        return orjson.dumps(chain).decode()
    except TypeError:
        return json.dumps(chain, ensure_ascii=False, separators=(",", ":"))


def flatten(links: list[dict[str, Any]]) -> dict[str, Any]:
    """The readable columns of a chain; each link's ``source`` is a dict with at least a slug."""
    claimant = links[0]["source"] if links else None
    relays = [link["source"] for link in links[1:] if link["role"] in ("relay", "quoted")]
    publishers = [link for link in links[1:] if link["role"] == "publisher"]
    publisher = publishers[-1] if publishers else None
    # The quote a reader checks: the publisher's words, else the first quote in the chain.
    quoted = [link for link in ([publisher] if publisher else []) if link.get("quote")]
    quoted += [link for link in links if link.get("quote")]
    return {
        "claimant": claimant["slug"] if claimant else None,
        "claimant_name": claimant.get("name") if claimant else None,
        "claimant_party": claimant.get("party_to_conflict") if claimant else None,
        "relays": [s["slug"] for s in relays],
        "relay_names": [s.get("name") for s in relays],
        "publisher": publisher["source"]["slug"] if publisher else None,
        "publisher_name": publisher["source"].get("name") if publisher else None,
        "quote": quoted[0]["quote"] if quoted else None,
        "quote_unverified": bool(quoted and quoted[0].get("quote_unverified")),
    }


def _chain_columns(links: list[dict[str, Any]]) -> dict[str, Any]:
    return {**flatten(links), "chain": chain_cell(links)}


def _cells(columns: tuple[str, ...], flat: dict[str, Any]) -> list[str]:
    """The row's cells, text cells escaped (``escape_text``), the others as ``cell`` writes them.

    ``escape_text(cell(value))`` written out for the common cells (a null, a plain text), which
    are most of a row: this runs once per figure a seed writes (tests/services/test_csv_formulas.py
    holds it equal to the two calls)."""
    out = []
    for column in columns:
        value = flat.get(column)
        if value is None:
            out.append("")
            continue
        text = value if type(value) is str else cell(value)
        if column not in NOT_TEXT and text.startswith(FORMULA_STARTS):
            text = "'" + text
        out.append(text)
    return out


def figure_row(item: dict[str, Any]) -> list[str]:
    flat = {
        **item,
        **_chain_columns(item["attributions"]),
        "event": item["event"]["slug"],
        "event_title": item["event"]["title"],
        "event_date": item["event"]["date"],
    }
    return _cells(FIGURE_COLUMNS, flat)


def event_row(item: dict[str, Any]) -> list[str]:
    flat = {**item, **_chain_columns(item["attributions"])}
    return _cells(EVENT_COLUMNS, flat)


def source_row(item: dict[str, Any]) -> list[str]:
    return _cells(SOURCE_COLUMNS, item)


TABLES: dict[str, tuple[tuple[str, ...], Callable[[dict[str, Any]], list[str]]]] = {
    "figures": (FIGURE_COLUMNS, figure_row),
    "events": (EVENT_COLUMNS, event_row),
    "sources": (SOURCE_COLUMNS, source_row),
}


FORMATS = ("csv", "ndjson")
BOM = "\ufeff"
BATCH = 500  # rows per query while exporting (the lists' largest page)

Fetch = Callable[[Session, str | None, int], Any]  # (session, cursor, limit) -> a service Page
# A service view -> its public record: a model the encoder dumps, or a figure's stored texts.
Present = Callable[[Any], Any]


class Dumped(Protocol):
    """A public record the encoder flattens itself: a pydantic model, or anything that dumps
    the same way (``FigureRecord``)."""

    def model_dump(self) -> dict[str, Any]: ...

    def model_dump_json(self) -> str: ...


class Encoded(Protocol):
    """A record that holds its own CSV row and NDJSON line, already encoded (``StoredFigure``)."""

    def raw(self, fmt: str) -> bytes: ...


class Rows(Protocol):
    """How a batch of one kind of record becomes CSV rows or NDJSON lines. Whoever makes the
    records names their ``Rows`` when making the ``Encoder``; the encoder asks it once a
    batch and never looks at the records themselves."""

    def encode(self, encoder: "Encoder", items: Sequence[Any]) -> bytes: ...


class DumpedRows:
    """Records the encoder dumps and flattens into the table's columns (``Dumped``)."""

    def encode(self, encoder: "Encoder", items: Sequence[Dumped]) -> bytes:
        if encoder.fmt == "ndjson":
            return b"".join(item.model_dump_json().encode() + b"\n" for item in items)
        for item in items:
            encoder.writer.writerow(encoder.row(item.model_dump()))
        return encoder.drain()


class EncodedRows:
    """Records whose rows are already written (``Encoded``): joined as they are."""

    def encode(self, encoder: "Encoder", items: Sequence[Encoded]) -> bytes:
        fmt = encoder.fmt
        return b"".join(item.raw(fmt) for item in items)


DUMPED = DumpedRows()
ENCODED = EncodedRows()


class Encoder:
    """Public records in, bytes of CSV (header first) or NDJSON out, a batch at a time; ``rows``
    says how the records are written (default: models, dumped)."""

    def __init__(self, table: str, fmt: str, bom: bool = False, rows: Rows = DUMPED):
        self.fmt = fmt
        self.columns, self.row = TABLES[table]
        self.rows = rows
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")
        self.prefix = BOM if bom and fmt == "csv" else ""

    def header(self) -> bytes:
        if self.fmt != "csv":
            return b""
        self.writer.writerow(self.columns)
        return self.drain(self.prefix)

    def encode(self, items: Sequence[Any]) -> bytes:  # what a Present gives
        return self.rows.encode(self, items)

    def drain(self, prefix: str = "") -> bytes:
        """What the CSV writer has written since the last drain, as UTF-8."""
        text = prefix + self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text.encode("utf-8")


def batches(
    session: Session, fetch: Fetch, present: Present, cursor: str | None = None
) -> Iterator[list[Any]]:
    """Every matching record, a keyset batch at a time; the session forgets each batch."""
    while True:
        page = fetch(session, cursor, BATCH)
        yield [present(v) for v in page.items]
        session.expunge_all()
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
