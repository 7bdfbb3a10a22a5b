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


class Known:
    """Slugs that a reference may point at: those in the files plus those already stored.

    Stored slugs are looked up once per file set (or page of a file read as a stream), a page
    of slugs at a time, not once per reference.
    """

    def __init__(
        self, session: Session, batch: dict[Entity, set[str]], texts: dict[str, str | None]
    ):
        self.session = session
        self.batch = batch
        self.texts = texts
        self.stored: dict[Entity, set[str]] = {kind: set() for kind in _MODELS}
        self.asked: dict[Entity, set[str]] = {kind: set() for kind in _MODELS}

    @classmethod
    def of_files(cls, session: Session, files: list[LoadedFile]) -> "Known":
        # Records refused by their own schema still exist as far as references go: a pointer
        # to one is not a second problem.
        batch = {
            Entity.measure: {m.slug for f in files for m in f.data.measures},
            Entity.source: {s.slug for f in files for s in f.data.sources},
            Entity.event: {e.slug for f in files for e in f.data.events},
            Entity.figure: {g.slug for f in files for g in f.data.figures},
        }
        for f in files:
            for kind, slugs in f.invalid.items():
                batch[kind] |= slugs
        texts: dict[str, str | None] = {slug: text for f in files for slug, text in f.texts.items()}
        known = cls(session, batch, texts)
        known.look_up(files)
        return known

    def look_up(self, files: list[LoadedFile]) -> None:
        """The stored records among those the files point at and the run does not hold."""
        for kind, slugs in _references(files).items():
            model = _MODELS[kind]
            wanted = sorted(slugs - self.batch[kind] - self.asked[kind])
            self.asked[kind].update(wanted)
            self.stored[kind].update(
                slug
                for page in batching.chunks(wanted)
                for slug in self.session.exec(select(model.slug).where(col(model.slug).in_(page)))
            )

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
    checker = Checker(Known.of_files(session, files))
    for loaded in files:
        checker.file(loaded)
    checker.cycles(
        {s.slug: s.parent for f in files for s in f.data.sources},
        {g.slug: g.derived_from for f in files for g in f.data.figures},
    )
    return checker.problems


class Checker:
    """The checks, told one file at a time (or one page of a file read as a stream).

    ``repeated``, for a file read as a stream, holds the slugs that occur more than once in
    it, by section: only those need remembering to find duplicates, not every slug seen."""

    def __init__(self, known: Known, repeated: dict[str, set[str]] | None = None):
        self.known = known
        self.repeated = repeated
        self.problems: list[SeedProblem] = []
        self.seen: dict[tuple[str, str], tuple[str, dict[str, Any] | None]] = {}

    def file(self, loaded: LoadedFile, *, whole: bool = True) -> None:
        """A file's checks; without ``whole`` (a page of a file) its ``amends`` and
        ``document`` are left to ``amends`` and ``document``."""
        name = str(loaded.path)
        data = loaded.data
        known = self.known

        def problem(record: str, field_name: str, message: str, _name: str = name) -> None:
            self.problems.append(SeedProblem(_name, record, field_name, message))

        for entity, (section, _, _) in ENTITIES.items():
            self._duplicates(loaded, entity, section)
            if whole:
                self.amends(loaded, section, {item.slug for item in getattr(data, section)})
        if whole:
            self.document(loaded)
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

    def _duplicates(self, loaded: LoadedFile, entity: Entity, section: str) -> None:
        name = str(loaded.path)
        repeated = self.repeated.get(section) if self.repeated is not None else None
        for index, item in enumerate(getattr(loaded.data, section)):
            if repeated is not None and item.slug not in repeated:
                continue
            key = (section, item.slug)
            # Only a shared record's form is compared, so only its form is kept.
            record = file_record(entity, item, loaded.texts) if entity in SHARED else None
            if key not in self.seen:
                self.seen[key] = (name, record)
                continue
            first, first_record = self.seen[key]
            if entity not in SHARED or first == name:
                message = f"duplicate: also in {first}"
            elif first_record != record:
                lines = differences(first_record or {}, record or {})
                message = f"declared differently in {first}: " + "; ".join(
                    line.replace("database ", "there ").replace("file ", "here ") for line in lines
                )
            else:
                continue  # a shared source or measure, declared identically
            self.problems.append(
                SeedProblem(name, loaded.label(section, index, item.slug), "slug", message)
            )

    def amends(self, loaded: LoadedFile, section: str, declared: set[str]) -> None:
        """Every slug the file ``amends`` is among its own records (``declared``)."""
        for slug in getattr(loaded.data.amends, section):
            if slug not in declared:
                self.problems.append(
                    SeedProblem(
                        str(loaded.path),
                        "file",
                        f"amends.{section}",
                        f"{slug!r} is not among this file's {section}: list only records "
                        "the file changes",
                    )
                )

    def document(self, loaded: LoadedFile) -> None:
        document = loaded.data.document
        if document is not None and not self.known.exists(Entity.source, document):
            self.problems.append(
                SeedProblem(str(loaded.path), "file", "document", f"unknown source {document!r}")
            )

    def cycles(self, parents: dict[str, str | None], derived: dict[str, str | None]) -> None:
        """Sources whose parents, and figures whose derivations, go round in a circle."""
        for slug in cycle_members(parents):
            self.problems.append(
                SeedProblem("(all files)", f"source {slug}", "parent", "parents form a cycle")
            )
        for slug in cycle_members(derived):
            self.problems.append(
                SeedProblem(
                    "(all files)", f"figure {slug}", "derived_from", "derivations form a cycle"
                )
            )


def _check_chain(
    known: Known,
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


def cycle_members(parents: dict[str, str | None]) -> list[str]:
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
    """The items, each after its parent among them. A loop, not a recursive closure: a
    closure that calls itself is a reference cycle, which would keep every item alive while
    the cyclic collector is off (``sourced seed``)."""
    by_slug = {item.slug: item for item in items}
    done: set[str] = set()
    for item in items:
        line: list[Any] = []
        node = item
        while node is not None and node.slug not in done:
            done.add(node.slug)
            line.append(node)
            parent = getattr(node, parent_of)
            node = by_slug.get(parent) if parent is not None else None
        yield from reversed(line)
