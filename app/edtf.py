"""EDTF (Library of Congress Extended Date/Time Format) strings and the day range they cover.

Parsing is the ``edtf`` library's; this module adds what it lacks for range queries: open
(``..``) and unknown (empty) interval ends become ``None``, and an interval whose start lies
after its end is refused.
"""

import calendar
import re
import time
from datetime import date
from functools import lru_cache

from edtf import parse_edtf
from edtf.parser.edtf_exceptions import EDTFParseException

MAX_LENGTH = 100


class EDTFError(ValueError):
    """The text is not a valid EDTF date or interval."""


# Plain calendar dates are by far the most common; the library's full grammar is slow
# (pyparsing), so they are handled here and everything else is handed over.
_PLAIN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _plain_bounds(match: re.Match[str]) -> tuple[date, date]:
    year = int(match[1])  # the pattern always has the year
    month, day = (int(g) if g else None for g in match.groups()[1:])
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1), date(year, month, last)
        return date(year, month, day), date(year, month, day)
    except ValueError as exc:
        raise EDTFError(f"{match.string!r} is not a valid EDTF date") from exc


def _bounds_of_date(text: str) -> tuple[date, date]:
    plain = _PLAIN.match(text)
    if plain is not None:
        return _plain_bounds(plain)
    try:
        parsed = parse_edtf(text)
        earliest, latest = parsed.lower_strict(), parsed.upper_strict()
    except (EDTFParseException, TypeError, ValueError, OverflowError) as exc:
        raise EDTFError(f"{text!r} is not a valid EDTF date") from exc
    if "/" in text or parsed.__class__.__name__.endswith("Interval"):
        raise EDTFError(f"{text!r} is not a single EDTF date")
    return _as_date(earliest), _as_date(latest)


def _as_date(value: time.struct_time) -> date:
    return date(value.tm_year, value.tm_mon, value.tm_mday)


def bounds(text: str) -> tuple[date | None, date | None]:
    """The first and last day ``text`` can mean; ``None`` for an open or unknown end."""
    if not isinstance(text, str):
        raise EDTFError("an EDTF date must be a string")
    return _cached_bounds(text)


@lru_cache(maxsize=4096)
def _cached_bounds(text: str) -> tuple[date | None, date | None]:
    if not text or len(text) > MAX_LENGTH:
        raise EDTFError("an EDTF date must be a non-empty string of at most 100 characters")
    if text != text.strip():
        raise EDTFError(f"{text!r} has surrounding whitespace")
    if "/" not in text:
        return _bounds_of_date(text)
    start, _, end = text.partition("/")
    if "/" in end:
        raise EDTFError(f"{text!r} has more than one '/'")
    if start in ("", "..") and end in ("", ".."):
        raise EDTFError(f"{text!r} has neither a start nor an end")
    earliest = None if start in ("", "..") else _bounds_of_date(start)[0]
    latest = None if end in ("", "..") else _bounds_of_date(end)[1]
    if earliest is not None and latest is not None and earliest > latest:
        raise EDTFError(f"{text!r} ends before it starts")
    return earliest, latest


def validate(text: str) -> str:
    bounds(text)
    return text


def open_start(text: str) -> bool:
    """``../2024``: the interval reaches back without limit (unlike ``/2024``, start unknown)."""
    return text.startswith("../")


def open_end(text: str) -> bool:
    """``2022/..``: the interval goes on without limit (unlike ``2022/``, end unknown)."""
    return text.endswith("/..")


def certainly_overlaps(text: str | None, date_from: date | None, date_to: date | None) -> bool:
    """Whether the period ``text`` certainly overlaps ``date_from``..``date_to``.

    An open end is unbounded, so it reaches any day; an unknown end may lie anywhere between
    the known end and itself (start <= end), so only the known end is certain. Without a date
    nothing is certain: an undated record matches no date filter.
    """
    if date_from is None and date_to is None:
        return True
    if text is None:
        return False
    earliest, latest = bounds(text)
    first = earliest if earliest is not None else latest
    last = latest if latest is not None else earliest
    if date_to is not None and not open_start(text) and first is not None and first > date_to:
        return False
    return not (
        date_from is not None and not open_end(text) and last is not None and last < date_from
    )
