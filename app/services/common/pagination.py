"""Sorting from a whitelist and opaque keyset cursors, shared by every list.

A cursor holds the sort values of the last row served plus the sort it was made for, so the
next page starts exactly after that row: walking every page returns every record once, also
when many rows share a sort value (the primary key always ends the order).
"""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, SmallInteger, and_, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import select

from app.errors import InvalidParameterError
from app.models.types import MAX_SIGNIFICANT_DIGITS

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_CURSOR_LENGTH = 1000
# A forged cursor may hold any JSON number; both engines store 64-bit integers only.
INT_RANGE = range(-(2**63), 2**63)


def _int_range(column_type: Any) -> range:
    """What the column holds on PostgreSQL (INTEGER is 4 bytes there): a forged cursor
    beyond it is 'integer out of range' from the server. SQLite shares the same schema."""
    if isinstance(column_type, SmallInteger):
        return range(-(2**15), 2**15)
    if isinstance(column_type, BigInteger):
        return INT_RANGE
    return range(-(2**31), 2**31)


@dataclass(frozen=True)
class SortKey:
    name: str
    column: Any
    descending: bool = False
    nullable: bool = False


def parse_sort(
    sort: str | None, allowed: dict[str, tuple[Any, bool]], default: str, id_column: Any
) -> list[SortKey]:
    """``sort=-value,slug`` into keys; unknown fields are a 400 naming the allowed ones."""
    keys: list[SortKey] = []
    spec = sort if sort else default
    for part in spec.split(","):
        descending = part.startswith("-")
        name = part[1:] if descending else part
        if name not in allowed:
            choices = ", ".join(sorted(allowed))
            raise InvalidParameterError(f"sort: unknown field {name!r}; choose from {choices}")
        if any(k.name == name for k in keys):
            raise InvalidParameterError(f"sort: field {name!r} is given twice")
        column, nullable = allowed[name]
        keys.append(SortKey(name, column, descending, nullable))
    if keys[-1].name != "id":
        keys.append(SortKey("id", id_column, keys[-1].descending if len(keys) == 1 else False))
    return keys


def signature(keys: list[SortKey]) -> str:
    return ",".join(("-" if k.descending else "") + k.name for k in keys)


def order_by(keys: list[SortKey]) -> list[Any]:
    clauses: list[Any] = []
    for key in keys:
        if key.nullable:
            clauses.append(key.column.is_(None))  # rows without a value come last
        clauses.append(key.column.desc() if key.descending else key.column.asc())
    return clauses


def after(keys: list[SortKey], values: list[Any]) -> ColumnElement[bool]:
    """The rows that sort strictly after the row whose sort values are ``values``."""
    terms = []
    equal: list[Any] = []
    for key, value in zip(keys, values, strict=True):
        column = key.column
        if key.nullable and value is None:
            equal.append(column.is_(None))
            continue
        beyond = column < value if key.descending else column > value
        if key.nullable:
            terms.append(and_(*equal, column.is_(None)))
            beyond = and_(column.is_not(None), beyond)
        terms.append(and_(*equal, beyond))
        equal.append(column == value)
    return or_(*terms)


def _encode_value(value: Any) -> list[Any]:
    if value is None:
        return ["n"]
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, Decimal):
        return ["D", str(value)]
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    return ["s", str(value)]


def _decode_decimal(raw: str) -> Decimal:
    value = Decimal(raw)
    # Only what a stored number can be: a forged 400-digit one would overflow the drivers.
    if not value.is_finite():
        raise ValueError("not finite")
    if (
        len(value.as_tuple().digits) > 2 * MAX_SIGNIFICANT_DIGITS
        or abs(value.adjusted()) > MAX_SIGNIFICANT_DIGITS
    ):
        raise ValueError("out of range")
    return value


def _decode_text(raw: str) -> str:
    # Neither engine stores NUL, and a lone surrogate cannot be encoded for the driver.
    if "\x00" in raw:
        raise ValueError("NUL")
    raw.encode("utf-8")
    return raw


def _decode_timestamp(raw: str) -> datetime:
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        raise ValueError("naive timestamp")
    return value.astimezone(UTC)  # OverflowError past year 9999


def _decode_value(item: Any) -> Any:
    tag, *rest = item
    if tag == "n" and not rest:
        return None
    (raw,) = rest
    if tag == "i" and isinstance(raw, int) and not isinstance(raw, bool) and raw in INT_RANGE:
        return raw
    if tag == "b" and isinstance(raw, bool):
        return raw
    if tag == "s" and isinstance(raw, str):
        return _decode_text(raw)
    if tag == "D" and isinstance(raw, str):
        return _decode_decimal(raw)
    if tag == "d" and isinstance(raw, str):
        return date.fromisoformat(raw)
    if tag == "t" and isinstance(raw, str):
        return _decode_timestamp(raw)
    raise ValueError("unknown tag")


def pack(payload: dict[str, Any]) -> str:
    """A cursor's text: its JSON payload in URL-safe base64 without padding."""
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unpack(cursor: str) -> Any:
    """A cursor's payload (raises ``binascii.Error``, ``ValueError`` or ``UnicodeError`` when
    it is not one this API made)."""
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def revision_cursor(cursor: str | None, what: str) -> int | None:
    """The history and change-feed cursor: the id of the last revision of the previous page."""
    if cursor is None:
        return None
    # A revision id is an INTEGER: a larger one is 'integer out of range' on PostgreSQL.
    if not cursor.isascii() or not cursor.isdigit() or int(cursor) >= 2**31:
        raise InvalidParameterError(
            f"cursor: not a cursor this {what} handed out; use the `next` link"
        )
    return int(cursor)


def encode_cursor(keys: list[SortKey], values: list[Any]) -> str:
    return pack({"s": signature(keys), "v": [_encode_value(v) for v in values]})


def decode_cursor(cursor: str, keys: list[SortKey]) -> list[Any]:
    invalid = InvalidParameterError(
        "cursor: not a cursor this list handed out; use the `next` link of the previous page"
    )
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid
    try:
        payload = unpack(cursor)
        if not isinstance(payload, dict) or not isinstance(payload.get("v"), list):
            raise invalid
        values = [_decode_value(item) for item in payload["v"]]
    except (
        binascii.Error,
        ValueError,
        TypeError,
        OverflowError,
        InvalidOperation,
        UnicodeError,
        RecursionError,
    ):
        raise invalid from None
    if payload.get("s") != signature(keys):
        raise InvalidParameterError(
            f"cursor: it was made for sort={payload.get('s')!s:.100}, not sort={signature(keys)}"
        )
    if len(values) != len(keys):
        raise invalid
    for key, value in zip(keys, values, strict=True):
        if value is None:
            if not key.nullable:
                raise invalid
            continue
        expected = key.column.type.python_type
        if not isinstance(value, expected) or (expected is date and isinstance(value, datetime)):
            raise invalid
        if expected is int and value not in _int_range(key.column.type):
            raise invalid
    return values


def clamp_limit(limit: int) -> int:
    return max(1, min(limit, MAX_LIMIT))


def keyset_page(
    session: Any,
    statement: Any,
    keys: list[SortKey],
    *,
    limit: int,
    cursor: str | None,
    count: bool,
    value_of: Callable[[Any, SortKey], Any],
    page: Any = None,
    rows_of: Callable[[Any], list[Any]] | None = None,
) -> tuple[list[Any], str | None, int | None]:
    """One page of a filtered ``statement`` in ``keys`` order: its rows, the next page's
    cursor (None on the last page) and, with ``count``, how many rows match in all.

    ``page`` is the statement the rows are read from when it carries more than the count needs
    (a figure's stored texts); ``rows_of`` runs it (the session's own ``exec`` by default);
    ``value_of(row, key)`` is what the cursor keeps of the page's last row."""
    limit = clamp_limit(limit)
    total = None
    if count:
        total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    if page is not None:
        statement = page
    if cursor:
        statement = statement.where(after(keys, decode_cursor(cursor, keys)))
    statement = statement.order_by(*order_by(keys)).limit(limit + 1)
    rows = rows_of(statement) if rows_of is not None else list(session.exec(statement).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(keys, [value_of(rows[-1], key) for key in keys])
    return rows, next_cursor, total
