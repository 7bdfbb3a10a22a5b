"""The `Accept` header read as HTTP says: media ranges with their q-values, and which range
covers a media type most specifically."""

import math
from collections.abc import Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")

# What java.net.HttpURLConnection sends when its caller names no type (Processing's
# loadJSONObject, Clojure's slurp, Groovy's URL.text and other scripts): it names text/html
# first, yet no person reads its answer. Read as `*/*`, so such a client keeps its JSON.
JAVA_DEFAULT = "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"


def media_ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values, in the order given.

    A malformed range or q-value is skipped, as if it were not there; Java's default header
    is `*/*`."""
    if " ".join(accept.split()) == JAVA_DEFAULT:
        return [("*/*", 1.0)]
    ranges = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        media = media.lower()
        kind, _, subtype = media.partition("/")
        if not kind or not subtype:
            continue
        q: float | None = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = None
        if q is None or math.isnan(q) or not 0 <= q <= 1:
            continue
        ranges.append((media, q))
    return ranges


def best_match(ranges: list[tuple[str, float]], media: str) -> tuple[int, float, int] | None:
    """(specificity, q, position) of the most specific range that covers ``media``."""
    kind = media.split("/")[0]
    best = None
    for position, (candidate, q) in enumerate(ranges):
        if candidate == media:
            specificity = 2
        elif candidate == f"{kind}/*":
            specificity = 1
        elif candidate == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q, position)
    return best


def choose(ranges: list[tuple[str, float]], offered: Iterable[tuple[T, Sequence[str]]]) -> T | None:
    """Which of ``offered`` (a name and the media types that ask for it, in the order a tie
    prefers them) the ranges rank highest: by q, then by the position of the range that
    names it, then by the order offered. A type is matched by its most specific range, so
    `text/csv;q=0, */*` refuses CSV. None when no type is acceptable."""
    scored = []
    for preference, (name, types) in enumerate(offered):
        matches = [m for m in (best_match(ranges, media) for media in types) if m is not None]
        if not matches:
            continue
        _, q, position = max(matches, key=lambda m: (m[0], m[1], -m[2]))
        if q > 0:
            scored.append((q, -position, -preference, name))
    return max(scored, key=lambda s: s[:3])[3] if scored else None
