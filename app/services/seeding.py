"""Seeding: load the files in ``seed/`` into the database, all or nothing, with revisions.

Everything is read and checked before anything is written; every problem is reported with its
file, record and field, in one run: the cross-record checks (references, verbatim quotes) run
on every record that is valid on its own, even when others in the file are not. A second run
over unchanged files writes nothing.
"""

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import yaml
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from app import edtf
from app.db import unit_of_work, writer
from app.models import Attribution, Event, Figure, Measure, Source
from app.models.records import Record, Versioned
from app.models.vocab import Action, Entity
from app.schemas.attribution import AttributionIn
from app.schemas.event import EventIn
from app.schemas.figure import FigureIn
from app.schemas.measure import MeasureIn
from app.schemas.seed import SeedFile, SeedSource
from app.services import bulk, figure_docs, revisions, search_index, seed_merge, verbatim
from app.services.seed_merge import SeedInput

R = TypeVar("R", bound=Record)

# The C loader when libyaml is there: the same safe subset of YAML, several times faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SEED_ACTOR = seed_merge.SEED_ACTOR
UPDATE_REASON = "seed update"
SEED_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class SeedProblem:
    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.record}: {self.field}: {self.message}"


class SeedError(Exception):
    def __init__(self, problems: list[SeedProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Change:
    entity: str
    key: str
    action: str
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        detail = f" ({', '.join(self.fields)})" if self.fields and self.action == "update" else ""
        return f"{self.action} {self.entity} {self.key}{detail}"


# Each section of a seed file, the schema of one of its records and the kind of slug it holds.
SECTIONS: dict[str, tuple[type[Any], str]] = {
    "measures": (MeasureIn, "measure"),
    "sources": (SeedSource, "source"),
    "events": (EventIn, "event"),
    "figures": (FigureIn, "figure"),
}


@dataclass
class LoadedFile:
    """A read file. When some of its records were invalid, ``data`` holds the valid ones only
    (to be checked, never written): ``positions`` gives each kept record's index in the file,
    and ``invalid`` the slugs of the records left out, which references may still name."""

    path: Path
    data: SeedFile
    texts: dict[str, str] = field(default_factory=dict)
    positions: dict[str, list[int]] = field(default_factory=dict)
    invalid: dict[str, set[str]] = field(default_factory=dict)

    def label(self, section: str, index: int, slug: str) -> str:
        """``figures[4] slug``, numbered as in the file."""
        kept = self.positions.get(section)
        return f"{section}[{kept[index] if kept is not None else index}] {slug}"


# --- reading -------------------------------------------------------------------------------


def discover(paths: Iterable[Path]) -> list[Path]:
    """Seed files named by ``paths``: files as given, folders searched for YAML and JSON."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in SEED_SUFFIXES))
        else:
            found.append(path)
    return found


def _record_label(raw: Any, loc: tuple[Any, ...]) -> tuple[str, str]:
    """Split a pydantic error location into the record ('figures[2] deserters') and its field."""
    if len(loc) < 2 or not isinstance(loc[1], int):
        return "file", ".".join(str(p) for p in loc) or "(top level)"
    section, index, rest = loc[0], loc[1], loc[2:]
    slug = None
    with contextlib.suppress(KeyError, IndexError, TypeError, AttributeError):
        slug = raw[section][index].get("slug")
    record = f"{section}[{index}]" + (f" {slug}" if isinstance(slug, str) else "")
    field_name = ""
    for part in rest:
        field_name += (
            f"[{part}]" if isinstance(part, int) else (f".{part}" if field_name else str(part))
        )
    return record, field_name or "(record)"


def validation_problems(name: str, raw: Any, error: ValidationError) -> list[SeedProblem]:
    problems = []
    for item in error.errors(include_url=False):
        record, field_name = _record_label(raw, tuple(item["loc"]))
        message = item["msg"].removeprefix("Value error, ")
        # Whole-record rules name their field at the start of the message ("value: ...").
        if field_name == "(record)" and ": " in message:
            field_name, message = message.split(": ", 1)
        problems.append(SeedProblem(name, record, field_name, message))
    return problems


def parse(name: str, raw: Any) -> tuple[LoadedFile | None, list[SeedProblem]]:
    """Validate a file's records; with problems, keep the records that are valid on their own.

    The file is validated whole first, so problems read as they always have; only when that
    fails is each record validated alone, so that the cross-record checks can still run on the
    good ones in the same pass."""
    path = Path(name)
    try:
        return LoadedFile(path=path, data=SeedFile.model_validate(raw)), []
    except ValidationError as exc:
        problems = validation_problems(name, raw, exc)
    if not isinstance(raw, dict):
        return None, problems
    kept: dict[str, list[Any]] = {}
    loaded = LoadedFile(path=path, data=SeedFile())
    for section, (model, kind) in SECTIONS.items():
        items = raw.get(section)
        if not isinstance(items, list):
            continue
        kept[section], loaded.positions[section] = [], []
        for index, item in enumerate(items):
            try:
                kept[section].append(model.model_validate(item))
                loaded.positions[section].append(index)
            except ValidationError:
                slug = item.get("slug") if isinstance(item, dict) else None
                if isinstance(slug, str):
                    loaded.invalid.setdefault(kind, set()).add(slug)
    document = raw.get("document")
    with contextlib.suppress(ValidationError):
        loaded.data = SeedFile.model_validate({"document": document} if document else {})
    loaded.data = loaded.data.model_copy(update=kept)
    return loaded, problems


def read_file(path: Path) -> tuple[LoadedFile | None, list[SeedProblem]]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [SeedProblem(name, "file", "(file)", f"cannot be read: {exc}")]
    try:
        raw = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_YAML_LOADER)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        return None, [SeedProblem(name, "file", "(syntax)", " ".join(str(exc).split()))]
    loaded, problems = parse(name, raw if raw is not None else {})
    if loaded is None:
        return None, problems
    loaded.path = path
    data = loaded.data
    loaded.texts.update(inline_texts(data))
    for index, source in enumerate(data.sources):
        if source.text_file is None:
            continue
        text_path = path.parent / source.text_file
        try:
            loaded.texts[source.slug] = text_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(
                SeedProblem(
                    name,
                    loaded.label("sources", index, source.slug),
                    "text_file",
                    f"cannot be read: {exc}",
                )
            )
    return loaded, problems


def inline_texts(data: SeedFile) -> dict[str, str]:
    """Full texts given inline (bundles sent over HTTP carry no files)."""
    return {s.slug: s.full_text for s in data.sources if s.full_text is not None}


# --- checking ------------------------------------------------------------------------------


_MODELS: dict[str, Any] = {"measure": Measure, "source": Source, "event": Event, "figure": Figure}


class _Known:
    """Slugs that a reference may point at: those in the files plus those already stored.

    Stored slugs are looked up once per file set, a page at a time, not once per reference.
    """

    def __init__(self, session: Session, files: list[LoadedFile]):
        self.session = session
        # Records refused by their own schema still exist as far as references go: a pointer
        # to one is not a second problem.
        self.batch = {
            "measure": {m.slug for f in files for m in f.data.measures},
            "source": {s.slug for f in files for s in f.data.sources},
            "event": {e.slug for f in files for e in f.data.events},
            "figure": {g.slug for f in files for g in f.data.figures},
        }
        for f in files:
            for kind, slugs in f.invalid.items():
                self.batch[kind] |= slugs
        self.texts: dict[str, str | None] = {
            slug: text for f in files for slug, text in f.texts.items()
        }
        self.stored: dict[str, set[str]] = {}
        for kind, slugs in _references(files).items():
            model = _MODELS[kind]
            wanted = sorted(slugs - self.batch[kind])
            self.stored[kind] = {
                slug
                for page in bulk.chunks(wanted)
                for slug in session.exec(select(model.slug).where(col(model.slug).in_(page)))
            }

    def exists(self, kind: str, slug: str) -> bool:
        return slug in self.batch[kind] or slug in self.stored[kind]

    def text_of(self, source_slug: str) -> str | None:
        if source_slug not in self.texts:
            self.texts[source_slug] = self.session.exec(
                select(Source.full_text).where(Source.slug == source_slug)
            ).first()
        return self.texts[source_slug]


def _references(files: list[LoadedFile]) -> dict[str, set[str]]:
    """Every slug the files point at, by kind."""
    refs: dict[str, set[str]] = {"measure": set(), "source": set(), "event": set(), "figure": set()}
    for loaded in files:
        data = loaded.data
        if data.document is not None:
            refs["source"].add(data.document)
        refs["source"].update(s.parent for s in data.sources if s.parent is not None)
        records: list[EventIn | FigureIn] = [*data.events, *data.figures]
        for record in records:
            refs["source"].update(link.source for link in record.attributions)
        refs["event"].update(g.event for g in data.figures)
        refs["measure"].update(g.measure for g in data.figures)
        refs["figure"].update(g.derived_from for g in data.figures if g.derived_from is not None)
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

        for entity, (section, _, _) in seed_merge.ENTITIES.items():
            for index, item in enumerate(getattr(data, section)):
                key = (section, item.slug)
                record = seed_merge.file_record(entity, item, loaded.texts)
                if key not in seen:
                    seen[key] = (name, record)
                    continue
                first, first_record = seen[key]
                if entity not in seed_merge.SHARED or first == name:
                    message = f"duplicate: also in {first}"
                elif first_record != record:
                    lines = seed_merge.differences(first_record, record)
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
        if data.document is not None and not known.exists("source", data.document):
            problem("file", "document", f"unknown source {data.document!r}")
        document_text = known.text_of(data.document) if data.document else None

        for index, source in enumerate(data.sources):
            label = loaded.label("sources", index, source.slug)
            if source.parent is not None:
                if source.parent == source.slug:
                    problem(label, "parent", "a source cannot be its own parent")
                elif not known.exists("source", source.parent):
                    problem(label, "parent", f"unknown source {source.parent!r}")
        for index, event in enumerate(data.events):
            label = loaded.label("events", index, event.slug)
            _check_chain(known, event.attributions, document_text, label, problem)
        for index, figure in enumerate(data.figures):
            label = loaded.label("figures", index, figure.slug)
            if not known.exists("event", figure.event):
                problem(label, "event", f"unknown event {figure.event!r}")
            if not known.exists("measure", figure.measure):
                problem(label, "measure", f"unknown measure {figure.measure!r}")
            if figure.derived_from is not None:
                if figure.derived_from == figure.slug:
                    problem(label, "derived_from", "a figure cannot be derived from itself")
                elif not known.exists("figure", figure.derived_from):
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
        if not known.exists("source", link.source):
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


def _parents_first(items: list[Any], parent_of: str) -> Iterator[Any]:
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


# --- writing -------------------------------------------------------------------------------


class Writer:
    """Writes checked records; ``reason`` (an editor's) replaces the seed's default reasons."""

    def __init__(self, session: Session, actor: str = SEED_ACTOR, reason: str | None = None):
        self.session = session
        self.actor = actor
        self.reason = reason
        self.changes: list[Change] = []
        self.touched: set[tuple[str, int]] = set()
        # slug -> id of records already looked up: a chain names the same few sources again
        # and again, and ids never change (records are retracted, never deleted).
        self.ids: dict[tuple[str, str], int] = {}

    def _one(self, model: type[Record], slug: str) -> Any:
        return self.session.exec(select(model).where(col(model.slug) == slug)).first()

    def _id(self, model: type[Record], slug: str | None) -> int | None:
        if slug is None:
            return None
        key = (model.__name__, slug)
        if key not in self.ids:
            row_id = self.session.exec(select(model.id).where(col(model.slug) == slug)).one()
            assert row_id is not None  # ids are never NULL
            self.ids[key] = row_id
        return self.ids[key]

    def _save(
        self,
        entity: Entity,
        model: type[Versioned],
        key: str,
        existing: Any,
        values: dict[str, Any],
        source_file: str,
    ) -> Any:
        row, changed = revisions.save(
            self.session,
            entity=entity,
            model=model,
            existing=existing,
            values=values,
            actor=self.actor,
            create_reason=self.reason or f"seed: loaded from {source_file}",
            update_reason=self.reason or UPDATE_REASON,
        )
        if changed is not None:
            action = "create" if existing is None else "update"
            self.changes.append(Change(entity.value, key, action, tuple(sorted(changed))))
            self._touch(entity, row)
        return row

    def _touch(self, entity: Entity, row: Any) -> None:
        if entity is Entity.attribution:
            owner = ("figure", row.figure_id) if row.figure_id else ("event", row.event_id)
            self.touched.add(owner)
        elif entity is not Entity.measure:
            self.touched.add((entity.value, row.id))
        if entity is Entity.source:
            # Chains name their sources, so their searchable text changes with the name.
            for figure_id, event_id in self.session.exec(
                select(Attribution.figure_id, Attribution.event_id).where(
                    Attribution.source_id == row.id
                )
            ).all():
                # A link without a figure has an event (a check constraint).
                self.touched.add(
                    ("figure", figure_id) if figure_id else ("event", cast(int, event_id))
                )

    def refresh_search(self) -> None:
        """Bring the derived data up to date: searchable texts and figures' stored texts.

        The figures shown are locked first, in id order as ``figure_docs.refresh`` locks
        them: an editor holds a figure's row from the start of its write (``editing.find``),
        so writing the figure's search entry before taking its row would deadlock."""
        touched: dict[str, list[int]] = {}
        for entity, row_id in sorted(self.touched):
            touched.setdefault(entity, []).append(row_id)
        shown: set[int] = set()
        for entity, ids in touched.items():
            shown |= figure_docs.affected(self.session, entity, ids)
        for page in bulk.chunks(sorted(shown)):
            self.session.exec(
                select(Figure.id)
                .where(col(Figure.id).in_(page))
                .order_by(col(Figure.id))
                .with_for_update()
            )
        for entity, ids in touched.items():
            search_index.refresh_many(self.session, entity, ids)
        figure_docs.refresh(self.session, shown)

    def _stored(self, model: type[R], slugs: Iterable[str]) -> dict[str, R]:
        """Stored records with these slugs (the ones to update), a page of slugs at a time."""
        rows = {
            row.slug: row
            for page in bulk.chunks(sorted(set(slugs)))
            for row in self.session.exec(select(model).where(col(model.slug).in_(page)))
        }
        self.ids.update(((model.__name__, slug), cast(int, row.id)) for slug, row in rows.items())
        return rows

    def _prefetch(self, model: type[Record], slugs: Iterable[str | None]) -> None:
        """Ids of the stored records these slugs name, a page of slugs at a time."""
        name = model.__name__
        wanted = sorted({s for s in slugs if s is not None and (name, s) not in self.ids})
        for page in bulk.chunks(wanted):
            for slug, row_id in self.session.exec(
                select(model.slug, model.id).where(col(model.slug).in_(page))
            ):
                assert row_id is not None  # ids are never NULL
                self.ids[(name, slug)] = row_id

    def _in_order(self, start: int, items: list[Any]) -> None:
        """Report changes in the order of the records, a record's chain right after it."""
        order = {item.slug: index for index, item in enumerate(items)}
        self.changes[start:] = sorted(
            self.changes[start:], key=lambda c: order.get(c.key.split("#")[0], len(order))
        )

    def _create(
        self,
        entity: Entity,
        model: type[Record],
        owner: str,
        records: list[tuple[Any, dict[str, Any]]],
        source_file: str,
    ) -> None:
        """New events or figures and their chains, written a page at a time (``bulk``)."""
        reason = self.reason or f"seed: loaded from {source_file}"
        created = bulk.create(
            self.session,
            entity=entity,
            model=model,
            records=[values for _, values in records],
            key=("slug",),
            actor=self.actor,
            reason=reason,
        )
        links = []
        for (item, _), (row_id, changed) in zip(records, created, strict=True):
            self.ids[(model.__name__, item.slug)] = row_id
            self.touched.add((entity.value, row_id))
            self.changes.append(Change(entity.value, item.slug, "create", tuple(sorted(changed))))
            for position, link in enumerate(item.attributions):
                values = link.model_dump(exclude={"source"})
                values.update(
                    {
                        owner: row_id,
                        "position": position,
                        "source_id": self._id(Source, link.source),
                    }
                )
                links.append((f"{item.slug}#{position}", values))
        created = bulk.create(
            self.session,
            entity=Entity.attribution,
            model=Attribution,
            records=[values for _, values in links],
            key=(owner, "position"),
            actor=self.actor,
            reason=reason,
        )
        for (key, _), (_, changed) in zip(links, created, strict=True):
            self.changes.append(
                Change(Entity.attribution.value, key, "create", tuple(sorted(changed)))
            )

    def measures(self, loaded: SeedInput) -> None:
        for item in loaded.data.measures:
            values = item.model_dump()
            self._save(
                Entity.measure,
                Measure,
                item.slug,
                self._one(Measure, item.slug),
                values,
                loaded.path.name,
            )

    def sources(self, loaded: SeedInput) -> None:
        for item in _parents_first(loaded.data.sources, "parent"):
            self._source(item, loaded)

    def _source(self, item: SeedSource, loaded: SeedInput) -> None:
        values = item.model_dump(exclude={"parent", "text_file", "full_text"})
        values["parent_id"] = self._id(Source, item.parent)
        values["published_earliest"], values["published_latest"] = _bounds(item.published)
        existing = self._one(Source, item.slug)
        if item.slug in loaded.texts:
            values["full_text"] = loaded.texts[item.slug]
        elif existing is not None:
            values["full_text"] = existing.full_text
        self._save(Entity.source, Source, item.slug, existing, values, loaded.path.name)

    def events(self, loaded: SeedInput) -> None:
        """New events go in a page at a time; stored ones are compared and updated one by one."""
        items, start = loaded.data.events, len(self.changes)
        stored = self._stored(Event, (item.slug for item in items))
        self._prefetch(Source, (link.source for item in items for link in item.attributions))
        fresh = []
        for item in items:
            values = item.model_dump(exclude={"attributions"})
            values["date_earliest"], values["date_latest"] = _bounds(item.date)
            if item.slug not in stored:
                fresh.append((item, values))
                continue
            row = self._save(
                Entity.event, Event, item.slug, stored[item.slug], values, loaded.path.name
            )
            self._chain("event_id", row, item.attributions, loaded.path.name)
        self._create(Entity.event, Event, "event_id", fresh, loaded.path.name)
        self._in_order(start, items)

    def figures(self, loaded: SeedInput) -> None:
        """As events; a new figure derived from another new one waits for its origin's id."""
        items = list(_parents_first(loaded.data.figures, "derived_from"))
        start = len(self.changes)
        stored = self._stored(Figure, (item.slug for item in items))
        self._prefetch(Event, (item.event for item in items))
        self._prefetch(Measure, (item.measure for item in items))
        self._prefetch(Figure, (item.derived_from for item in items))
        self._prefetch(Source, (link.source for item in items for link in item.attributions))
        fresh, rest = [], []
        for item in items:
            ready = item.derived_from is None or ("Figure", item.derived_from) in self.ids
            if item.slug not in stored and ready:
                fresh.append((item, self._figure_values(item)))
            else:
                rest.append(item)
        self._create(Entity.figure, Figure, "figure_id", fresh, loaded.path.name)
        for item in rest:
            row = self._save(
                Entity.figure,
                Figure,
                item.slug,
                stored.get(item.slug),
                self._figure_values(item),
                loaded.path.name,
            )
            self._chain("figure_id", row, item.attributions, loaded.path.name)
        self._in_order(start, items)

    def _figure_values(self, item: FigureIn) -> dict[str, Any]:
        values = item.model_dump(exclude={"attributions", "event", "measure", "derived_from"})
        values["event_id"] = self._id(Event, item.event)
        values["measure_id"] = self._id(Measure, item.measure)
        values["derived_from_id"] = self._id(Figure, item.derived_from)
        values["period_earliest"], values["period_latest"] = _bounds(item.period)
        return values

    def _chain(self, owner: str, row: Any, links: list[AttributionIn], source_file: str) -> None:
        # The record's row first, as an editor's write does (editing.find): the links are read
        # under it, and every writer locks record, links, stored texts in one order.
        model = type(row)
        self.session.exec(
            select(model.id).where(col(model.id) == row.id).with_for_update(key_share=True)
        )
        owner_column = getattr(Attribution, owner)
        existing = {
            a.position: a
            for a in self.session.exec(select(Attribution).where(owner_column == row.id)).all()
        }
        for position, link in enumerate(links):
            values = link.model_dump(exclude={"source"})
            values.update(
                {owner: row.id, "position": position, "source_id": self._id(Source, link.source)}
            )
            self._save(
                Entity.attribution,
                Attribution,
                f"{row.slug}#{position}",
                existing.get(position),
                values,
                source_file,
            )
        for position in sorted(p for p in existing if p >= len(links)):
            self._drop_link(existing[position], f"{row.slug}#{position}")

    def _drop_link(self, link: Attribution, key: str) -> None:
        before = revisions.snapshot(link)
        link.version += 1
        revisions.record(
            self.session,
            entity=Entity.attribution,
            row=link,
            action=Action.delete,
            actor=self.actor,
            reason=self.reason or UPDATE_REASON,
            before=before,
        )
        self._touch(Entity.attribution, link)
        self.session.exec(delete(Attribution).where(col(Attribution.id) == link.id))
        self.changes.append(Change(Entity.attribution.value, key, "delete"))


def _bounds(text: str | None) -> tuple[Any, Any]:
    return (None, None) if text is None else edtf.bounds(text)


class Seeded(list[Change]):
    """The changes a seed run wrote, and beside them the records it left alone because they
    were edited since the file last changed them (``conflicts``)."""

    def __init__(self, changes: Iterable[Change] = (), conflicts: Iterable[Any] = ()):
        super().__init__(changes)
        self.conflicts: list[seed_merge.Conflict] = list(conflicts)


def load(session: Session, paths: Iterable[Path], *, take_file_reason: str | None = None) -> Seeded:
    """Check every file, then merge them into the database (``seed_merge``); on any problem
    raise ``SeedError`` and write nothing. With ``take_file_reason``, a record edited since
    the file last changed it is written from the file all the same, with that reason."""
    files: list[LoadedFile] = []
    problems: list[SeedProblem] = []
    found = discover(paths)
    if not found:
        raise SeedError([SeedProblem("(arguments)", "paths", "(paths)", "no seed files found")])
    for path in found:
        loaded, file_problems = read_file(path)
        problems.extend(file_problems)
        if loaded is not None:
            files.append(loaded)
    # The cross-record checks run even after schema problems, on the records that passed.
    problems.extend(check(session, files))
    plan = seed_merge.plan(session, files, take_file=take_file_reason is not None)
    problems.extend(SeedProblem(p.file, p.record, p.field, p.message) for p in plan.problems)
    if problems:
        raise SeedError(problems)
    changes = apply(session, plan.normal) if plan.normal else []
    if plan.taken:
        reason = f"seed: the file applied over later edits (--take-file): {take_file_reason}"
        changes += apply(session, plan.taken, reason=reason)
    for amended in plan.amending:
        reason = f"seed: amended by {amended.path} ({seed_merge.document_key(amended)})"
        changes += apply(session, [amended], reason=reason)
    seed_merge.record(session, plan.marks)
    return Seeded(changes, plan.conflicts)


def apply(
    session: Session,
    files: Sequence[SeedInput],
    actor: str = SEED_ACTOR,
    reason: str | None = None,
) -> list[Change]:
    """Write checked files: the one apply step of seeding, bundles and editors' writes."""
    bulk.refresh_statistics(session.connection())
    writer = Writer(session, actor, reason)
    # Vocabulary and sources of every file first, so files may point at each other.
    for step in (writer.measures, writer.sources, writer.events, writer.figures):
        for loaded in files:
            step(loaded)
    writer.refresh_search()
    return writer.changes


def run(
    engine: Engine,
    paths: Iterable[Path],
    *,
    dry_run: bool = False,
    take_file_reason: str | None = None,
) -> Seeded:
    """Seed in one transaction; a dry run computes the same changes and rolls them back."""
    if dry_run:
        with Session(engine) as session:
            try:
                return load(session, paths, take_file_reason=take_file_reason)
            finally:
                session.rollback()
    with unit_of_work(writer(engine)) as session:
        return load(session, paths, take_file_reason=take_file_reason)
