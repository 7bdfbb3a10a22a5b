"""Column types that keep numbers exact and times in UTC on both engines."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

# SQLite stores NUMERIC as an integer or an IEEE double. Any decimal of up to 15 significant
# digits survives that trip unchanged (repr() gives the shortest round-tripping text), so the
# API refuses more digits than that and both engines return the very number that was stored.
MAX_SIGNIFICANT_DIGITS = 15


class ExactDecimal(TypeDecorator[Decimal]):
    """A decimal that reads back as exactly what was written: 10201 stays 10201, 1.5 stays 1.5."""

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            # Keep SQLAlchemy's float conversion (and its warning) out: we bind text and
            # let SQLite's NUMERIC affinity store an integer or a double.
            return dialect.type_descriptor(Numeric(asdecimal=False))
        return dialect.type_descriptor(Numeric())

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Decimal | float | None:
        if value is None:
            return None
        value = Decimal(value)
        if dialect.name == "sqlite":
            return int(value) if value == value.to_integral_value() else float(value)
        return value

    def process_result_value(self, value: object, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, Decimal):
            result = value
        elif isinstance(value, float):
            result = Decimal(repr(value))
        else:
            result = Decimal(str(value))
        return normalise_decimal(result)


def normalise_decimal(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (1.50 -> 1.5, 1E+4 -> 10000)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps; SQLite forgets the zone, so it is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: timestamps must carry a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)
