"""Reading a large JSON seed file as a stream: twice, never whole.

The first pass (``outline``) keeps the file's head (every top-level value but the events' and
figures' records: its document, ``amends``, measures and sources, which are few and which
every figure's checks need) and, of the events and figures, only their slugs: what references
and duplicates are checked against. The second pass (``pages``) hands out the events, then the
figures, a page of validated records at a time, numbered as in the file. Memory is bounded by
the head, the slugs and one page, not by the file.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ijson  # type: ignore[import-untyped]  # no type hints shipped

from app.models.vocab import Entity
from app.schemas.seed import SeedFile
from app.services.write.ingest.reading import validate_record
from app.services.write.ingest.records import SECTIONS, LoadedFile, SeedProblem
from app.services.write.ingest.writing import PAGE

# The sections read a page at a time; the others are read whole with the file's head.
STREAMED = ("events", "figures")


@dataclass(frozen=True)
class Streaming:
    """When a seed file is read as a stream: a single JSON file of at least ``from_bytes``,
    handed out ``page`` records at a time."""

    from_bytes: int = 1 << 20
    page: int = PAGE


@dataclass
class Outline:
    """What the first pass keeps: ``head`` is the file without its events' and figures'
    records; ``slugs`` every slug those records give (the invalid ones' too, as a reference
    to one is not a second problem), ``repeated`` those given more than once; ``counts``
    how many records each streamed section holds; ``reviews`` whether any carries review
    notes (a draft's mark)."""

    head: Any = None
    slugs: dict[str, set[str]] = field(default_factory=lambda: {s: set() for s in STREAMED})
    repeated: dict[str, set[str]] = field(default_factory=lambda: {s: set() for s in STREAMED})
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STREAMED, 0))
    reviews: bool = False
    derived: dict[str, str] = field(default_factory=dict)


def outline(path: Path) -> Outline:
    """The first pass over the file (raises ``ijson.JSONError`` on a syntax error)."""
    result = Outline()
    builder = ijson.ObjectBuilder()
    items = {f"{section}.item": section for section in STREAMED}
    slug_keys = {f"{section}.item.slug": section for section in STREAMED}
    # The figure being read: its slug and what it is derived from, kept when it ends.
    slug: Any = None
    derived_from: Any = None
    with path.open("rb") as stream:
        for prefix, event, value in ijson.parse(stream, use_float=True):
            section = items.get(prefix)
            if section is not None:
                if event == "map_key":
                    result.reviews = result.reviews or value == "review"
                elif event not in ("end_map", "end_array"):
                    result.counts[section] += 1
                    slug = derived_from = None
                elif isinstance(slug, str) and isinstance(derived_from, str):
                    result.derived[slug] = derived_from
                continue
            section = slug_keys.get(prefix)
            if section is not None:
                if event == "string":
                    slugs = result.slugs[section]
                    if value in slugs:
                        result.repeated[section].add(value)
                    slugs.add(value)
                    slug = value
                continue
            if prefix == "figures.item.derived_from":
                derived_from = value
                continue
            if prefix.startswith(("events.item.", "figures.item.")):
                continue
            builder.event(event, value)
    result.head = getattr(builder, "value", None)
    return result


def pages(
    path: Path, section: str, size: int, head: SeedFile
) -> Iterator[tuple[LoadedFile, list[SeedProblem]]]:
    """The second pass over one section: its records ``size`` at a time, each page a file of
    its valid records (``positions`` numbering them as in the file, ``invalid`` the slugs of
    those refused) and the problems of the refused ones. Each page speaks for the file's
    document and carries its ``amends`` (``head``)."""
    name = str(path)
    kind: Entity = SECTIONS[section][1]
    with path.open("rb") as stream:
        records = ijson.items(stream, f"{section}.item", use_float=True)
        index = 0
        while True:
            page = LoadedFile(path=path, data=SeedFile(), positions={section: []})
            kept: list[Any] = []
            problems: list[SeedProblem] = []
            for item in records:
                record, refused = validate_record(name, section, index, item)
                if record is not None:
                    kept.append(record)
                    page.positions[section].append(index)
                else:
                    problems.extend(refused)
                    slug = item.get("slug") if isinstance(item, dict) else None
                    if isinstance(slug, str):
                        page.invalid.setdefault(kind, set()).add(slug)
                index += 1
                if index % size == 0:
                    break
            if not kept and not problems:
                return
            page.data = head.model_copy(
                update={"measures": [], "sources": [], "events": [], "figures": [], section: kept}
            )
            yield page, problems
