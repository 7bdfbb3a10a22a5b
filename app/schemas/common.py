"""Field types shared by every schema: slugs, codes, EDTF dates and exact numbers."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from app import edtf
from app.models.base import SLUG_MAX, SLUG_PATTERN
from app.models.types import MAX_SIGNIFICANT_DIGITS, normalise_decimal

STRICT = ConfigDict(extra="forbid", str_strip_whitespace=False)

Slug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=SLUG_MAX,
        pattern=SLUG_PATTERN,
        description="Stable public id: lowercase letters, digits and single hyphens.",
        examples=["deserters-since-invasion"],
    ),
]
MeasureSlug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="A measure of the controlled vocabulary, in snake_case.",
        examples=["deserters"],
    ),
]
CountryCode = Annotated[
    str,
    Field(
        pattern=r"^[A-Z]{2}$",
        description="ISO 3166-1 alpha-2 country code.",
        examples=["RU"],
    ),
]
LanguageCode = Annotated[
    str,
    Field(
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        max_length=35,
        description="BCP 47 language tag.",
        examples=["en"],
    ),
]
HttpUrl = Annotated[
    str,
    Field(max_length=2000, pattern=r"^https?://[^\s]+$", examples=["https://www.rferl.org/"]),
]


def _check_edtf(value: str) -> str:
    try:
        return edtf.validate(value)
    except edtf.EDTFError as exc:
        raise ValueError(str(exc)) from None


EDTFString = Annotated[
    str,
    Field(
        min_length=1,
        max_length=edtf.MAX_LENGTH,
        description="A date or interval in EDTF: `1941-10`, `1918`, `1941-06-22/1941-12`, "
        "`2024?` (uncertain), `../2024` (open start), `1941/` (unknown end).",
        examples=["1941-06-22/1941-12"],
    ),
    AfterValidator(_check_edtf),
]


def _to_decimal(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a number is required, not a boolean")
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, int | str):
        try:
            value = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError("not a decimal number") from None
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("NaN and Infinity are not numbers a source can report")
        # Checked on the digits themselves: rounding first would hide an over-long number.
        digits = list(value.as_tuple().digits)
        while len(digits) > 1 and digits[-1] == 0:
            digits.pop()
        if len(digits) > MAX_SIGNIFICANT_DIGITS or abs(value.adjusted()) > MAX_SIGNIFICANT_DIGITS:
            raise ValueError(
                f"at most {MAX_SIGNIFICANT_DIGITS} significant digits and magnitudes below 1e15"
            )
        value = normalise_decimal(value)
    return value


def _decimal_to_json(value: Decimal) -> int | float:
    # Every stored decimal has at most 15 significant digits, so the float's shortest
    # representation is the decimal's own digits: 1.5 is written 1.5, 10201 is 10201.
    if value == value.to_integral_value():
        return int(value)
    return float(value)


ExactNumber = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    PlainSerializer(_decimal_to_json, return_type=int | float, when_used="json"),
    Field(description="An exact decimal number (up to 15 significant digits).", examples=[50000]),
]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """The one list envelope: a page of items and the full URL of the next page."""

    items: list[T]
    next: str | None = Field(
        description='Full URL of the next page (also sent as a `Link: rel="next"` header); '
        "null on the last page."
    )
    total: int | None = Field(
        default=None, description="Number of matching records; only when asked with `count=true`."
    )


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso_text_only(value: Any) -> Any:
    # Pydantic would read "0.5" as a Unix timestamp; the API documents ISO 8601 text only.
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    if isinstance(value, datetime | date):
        return value
    raise ValueError("give an ISO 8601 date (2026-01-31), with a time and zone where asked")


def _within_utc_calendar(value: datetime) -> datetime:
    # Stored times are UTC: 9999-12-31T23:59:59-12:00 is past the last moment Python (and
    # so the drivers) can hold in UTC, and would fail as it is bound to the query.
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            f"{value.isoformat()} is outside the calendar once taken to UTC "
            "(0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z)"
        ) from None
    return value


IsoTimestamp = Annotated[
    AwareDatetime, BeforeValidator(_iso_text_only), AfterValidator(_within_utc_calendar)
]
IsoDate = Annotated[date, BeforeValidator(_iso_text_only)]
# Stored numbers are below 10^16 in magnitude (ExactNumber caps the exponent at 15), so a
# filter beyond that would match all or nothing; refusing it also keeps 1e309 away from the
# drivers' float and integer conversions, which cannot hold it.
QUERY_NUMBER_LIMIT = 10 ** (MAX_SIGNIFICANT_DIGITS + 1)


def _bounded_query_number(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("NaN and Infinity are not numbers a figure can have")
    if value.is_zero():
        # 0e-999999999 is zero, but PostgreSQL's numeric cannot read an exponent that size.
        return Decimal(0)
    # By its exponent: abs() rounds to the context and raises decimal.Overflow past 1e999999.
    if value.adjusted() > MAX_SIGNIFICANT_DIGITS:
        raise ValueError(
            f"must be above -1e{MAX_SIGNIFICANT_DIGITS + 1} and below 1e{MAX_SIGNIFICANT_DIGITS + 1}"
        )
    if value.adjusted() < -MAX_SIGNIFICANT_DIGITS:
        raise ValueError(f"must be 0 or at least 1e-{MAX_SIGNIFICANT_DIGITS} in magnitude")
    return value


# A decimal in a query string: documented as a number (pydantic would also allow any string).
QueryNumber = Annotated[
    Decimal,
    AfterValidator(_bounded_query_number),
    WithJsonSchema(
        {
            "type": "number",
            "exclusiveMinimum": -QUERY_NUMBER_LIMIT,
            "exclusiveMaximum": QUERY_NUMBER_LIMIT,
        }
    ),
]
