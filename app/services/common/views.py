"""The read model's typed views: what the read services load and the presenters (citations,
ETags, JSON, CSV) take."""

from dataclasses import dataclass
from datetime import date


# Slotted and frozen: a page of figures makes hundreds of these per request.
@dataclass(frozen=True, slots=True)
class SourceRef:
    slug: str
    name: str
    kind: str
    party_to_conflict: str | None
    website: str | None
    parent_slug: str | None
    parent_name: str | None
    version: int = 1
    parent_version: int | None = None
    short_name: str | None = None
    aliases: tuple[str, ...] = ()
    published: str | None = None  # EDTF, for documents


@dataclass(frozen=True, slots=True)
class Link:
    position: int
    role: str
    quote: str | None
    quote_unverified: bool
    locator: str | None
    accessed: date | None
    source: SourceRef
    version: int = 1
