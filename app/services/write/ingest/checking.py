"""Checking read files against each other and the database: references, cycles, verbatim
quotes; every problem at once."""

from collections.abc import Callable, Iterator
from typing import Any

from sqlmodel import Session, col, select

from app.models import Event, Figure, Measure, Source
from app.models.vocab import Entity
from app.schemas.attribution import AttributionIn
from app.schemas.event import EventIn
from app.schemas.figure import FigureIn
from app.services.common import batching
from app.services.write import verbatim
from app.services.write.ingest.forms import ENTITIES, SHARED, differences, file_record
from app.services.write.ingest.records import LoadedFile, SeedProblem

# --- checking ------------------------------------------------------------------------------


_MODELS: dict[Entity, Any] = {
    Entity.measure: Measure,
    Entity.source: Source,
    Entity.event: Event,
    Entity.figure: Figure,
}


class _Known:
    """Slugs that a reference may point at: those in the files plus those already stored.

    Stored slugs are looked up once per file set, a page at a time, not once per reference.
    """

    def __init__(self, session: Session, files: list[LoadedFile]):
        self.session = session
        # Records refused by their own schema still exist as far as references go: a pointer
        # to one is not a second problem.
        self.batch = {
            Entity.measure: {m.slug for f in files for m in f.data.measures},
            Entity.source: {s.slug for f in files for s in f.data.sources},
            Entity.event: {e.slug for f in files for e in f.data.events},
            Entity.figure: {g.slug for f in files for g in f.data.figures},
        }
        for f in files:
            for kind, slugs in f.invalid.items():
                self.batch[kind] |= slugs
        self.texts: dict[str, str | None] = {
            slug: text for f in files for slug, text in f.texts.items()
        }
        self.stored: dict[Entity, set[str]] = {}
        for kind, slugs in _references(files).items():
            model = _MODELS[kind]
            wanted = sorted(slugs - self.batch[kind])
            self.stored[kind] = {
                slug
                for page in batching.chunks(wanted)
                for slug in session.exec(select(model.slug).where(col(model.slug).in_(page)))
            }

    def exists(self, kind: Entity, slug: str) -> bool:
        return slug in self.batch[kind] or slug in self.stored[kind]

    def text_of(self, source_slug: str) -> str | None:
        if source_slug not in self.texts:
            self.texts[source_slug] = self.session.exec(
                select(Source.full_text).where(Source.slug == source_slug)
            ).first()
        return self.texts[source_slug]


def _references(files: list[LoadedFile]) -> dict[Entity, set[str]]:
    """Every slug the files point at, by kind."""
    refs: dict[Entity, set[str]] = {kind: set() for kind in _MODELS}
    for loaded in files:
        data = loaded.data
        if data.document is not None:
            refs[Entity.source].add(data.document)
        refs[Entity.source].update(s.parent for s in data.sources if s.parent is not None)
        records: list[EventIn | FigureIn] = [*data.events, *data.figures]
        for record in records:
            refs[Entity.source].update(link.source for link in record.attributions)
        refs[Entity.event].update(g.event for g in data.figures)
        refs[Entity.measure].update(g.measure for g in data.figures)
        refs[Entity.figure].update(
            g.derived_from for g in data.figures if g.derived_from is not None
        )
    return refs


def check(session: Session, files: list[LoadedFile]) -> list[SeedProblem]:
    """Every cross-record problem: duplicates, dangling references, cycles, unquoted quotes."""
    problems: list[SeedProblem] = []
    known = _Known(session, files)
    seen: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for loaded in files:
        name = str(loaded.path)
        data = loaded.data

        def problem(record: str, field_name: str, message: str, _name: str = name) -> None:
            problems.append(SeedProblem(_name, record, field_name, message))

        for entity, (section, _, _) in ENTITIES.items():
            for index, item in enumerate(getattr(data, section)):
                key = (section, item.slug)
                record = file_record(entity, item, loaded.texts)
                if key not in seen:
                    seen[key] = (name, record)
                    continue
                first, first_record = seen[key]
                if entity not in SHARED or first == name:
                    message = f"duplicate: also in {first}"
                elif first_record != record:
                    lines = differences(first_record, record)
                    message = f"declared differently in {first}: " + "; ".join(
                        line.replace("database ", "there ").replace("file ", "here ")
                        for line in lines
                    )
                else:
                    continue  # a shared source or measure, declared identically
                problem(loaded.label(section, index, item.slug), "slug", message)
            declared = {item.slug for item in getattr(data, section)}
            for slug in getattr(data.amends, section):
                if slug not in declared:
                    problem(
                        "file",
                        f"amends.{section}",
                        f"{slug!r} is not among this file's {section}: list only records "
                        "the file changes",
                    )
        if data.document is not None and not known.exists(Entity.source, data.document):
            problem("file", "document", f"unknown source {data.document!r}")
        document_text = known.text_of(data.document) if data.document else None

        for index, source in enumerate(data.sources):
            label = loaded.label("sources", index, source.slug)
            if source.parent is not None:
                if source.parent == source.slug:
                    problem(label, "parent", "a source cannot be its own parent")
                elif not known.exists(Entity.source, source.parent):
                    problem(label, "parent", f"unknown source {source.parent!r}")
        for index, event in enumerate(data.events):
            label = loaded.label("events", index, event.slug)
            _check_chain(known, event.attributions, document_text, label, problem)
        for index, figure in enumerate(data.figures):
            label = loaded.label("figures", index, figure.slug)
            if not known.exists(Entity.event, figure.event):
                problem(label, "event", f"unknown event {figure.event!r}")
            if not known.exists(Entity.measure, figure.measure):
                problem(label, "measure", f"unknown measure {figure.measure!r}")
            if figure.derived_from is not None:
                if figure.derived_from == figure.slug:
                    problem(label, "derived_from", "a figure cannot be derived from itself")
                elif not known.exists(Entity.figure, figure.derived_from):
                    problem(label, "derived_from", f"unknown figure {figure.derived_from!r}")
            _check_chain(known, figure.attributions, document_text, label, problem)
    for slug in _cycle_members({s.slug: s.parent for f in files for s in f.data.sources}):
        problems.append(
            SeedProblem("(all files)", f"source {slug}", "parent", "parents form a cycle")
        )
    for slug in _cycle_members({g.slug: g.derived_from for f in files for g in f.data.figures}):
        problems.append(
            SeedProblem("(all files)", f"figure {slug}", "derived_from", "derivations form a cycle")
        )
    return problems


def _check_chain(
    known: _Known,
    links: list[AttributionIn],
    document_text: str | None,
    label: str,
    problem: Callable[[str, str, str], None],
) -> None:
    for position, link in enumerate(links):
        where = f"attributions[{position}]"
        if not known.exists(Entity.source, link.source):
            problem(label, f"{where}.source", f"unknown source {link.source!r}")
            continue
        if link.quote is None or link.quote_unverified:
            continue
        own_text = known.text_of(link.source)
        for text, whose in (
            (own_text, f"source {link.source!r}"),
            (document_text, "the file's document"),
        ):
            if text is not None and link.quote not in text:
                problem(
                    label,
                    f"{where}.quote",
                    f"not found verbatim in the stored text of {whose}; "
                    + verbatim.closest(text, link.quote),
                )
                break


def _cycle_members(parents: dict[str, str | None]) -> list[str]:
    members = []
    for start in parents:
        seen: set[str] = set()
        node: str | None = start
        while node is not None and node in parents and node not in seen:
            seen.add(node)
            node = parents[node]
        if node == start:
            members.append(start)
    return sorted(members)


def parents_first(items: list[Any], parent_of: str) -> Iterator[Any]:
    by_slug = {item.slug: item for item in items}
    done: set[str] = set()

    def visit(item: Any) -> Iterator[Any]:
        if item.slug in done:
            return
        done.add(item.slug)
        parent = getattr(item, parent_of)
        if parent in by_slug:
            yield from visit(by_slug[parent])
        yield item

    for item in items:
        yield from visit(item)
