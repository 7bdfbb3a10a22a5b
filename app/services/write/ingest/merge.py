"""Seeding as a three-way merge: the file as last applied, the file now, the database now.

A seed file is applied again on every ``make run`` and container start. Overwriting the
database with it would undo every editor's correction, so each record a file writes leaves a
``seed_record`` row: the hash of what the file said and the record's latest revision then.

On the next run, per record:
- the file's version did not change: the record is left alone, whatever the database holds;
- it changed and nobody wrote the record since: the record is updated;
- it changed and someone did (an editor over HTTP, another file): a **conflict**; nothing is
  written for it, and the report shows both versions. ``--take-file`` applies the file anyway.

A record also belongs to the document that made it. Another document may declare a shared
source or measure identically, and may point at any stored record; it may change one only when
it lists it under ``amends``. A figure or event of another document under the same slug is a
problem that names both files, and nothing is written.

This module decides; the rest of ``ingest`` reads, checks and writes.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from app.models import SeedRecord
from app.models.vocab import Entity
from app.services.common import batching
from app.services.write.ingest.forms import (
    ENTITIES,
    SHARED,
    SeedInput,
    differences,
    digest,
    document_key,
    file_record,
    stored_record,
)
from app.services.write.ingest.stored import (
    Edit,
    Forms,
    Stored,
    edits_since,
    latest_revisions,
    load_stored,
    row,
    subject,
)


@dataclass(frozen=True)
class Conflict:
    """A record the file changed and someone else changed too: nothing was written for it."""

    file: str
    entity: Entity
    slug: str
    differences: tuple[str, ...]
    edits: tuple[Edit, ...]

    def __str__(self) -> str:
        lines = [
            f"conflict: {self.entity} {self.slug} ({self.file}): the file changed it since it "
            "was last applied, and it was edited since; nothing written for it"
        ]
        lines += [f"  edited: {edit}" for edit in self.edits]
        lines += [f"  {line}" for line in self.differences]
        lines.append(
            "  resolve: make the file say what the database says (its edits stand), or apply "
            'the file over them with `sourced seed --take-file --reason "why"`'
        )
        return "\n".join(lines)


@dataclass(frozen=True)
class Problem:
    file: str
    record: str
    field: str
    message: str


@dataclass(frozen=True)
class Mark:
    """A seed record to write once the records are: what this document now says of it."""

    entity: Entity
    slug: str
    document: str
    file: str
    owner: bool
    hash: str


@dataclass
class Plan:
    """What to write, file by file: ``normal`` as the seed always does, ``taken`` over later
    edits (``--take-file``), ``amending`` records another document made."""

    normal: list[SeedInput] = field(default_factory=list)
    taken: list[SeedInput] = field(default_factory=list)
    amending: list[SeedInput] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def plan(session: Session, files: Sequence[SeedInput], *, take_file: bool = False) -> Plan:
    """Decide, record by record, what each file may write (see the module's docstring)."""
    result = Plan()
    # Each record's compared form and hash, made once: the lock and the decision both need it.
    forms: Forms = {
        id(item): (record, digest(record))
        for loaded in files
        for entity, (section, _, _) in ENTITIES.items()
        for item in getattr(loaded.data, section)
        for record in (file_record(entity, item, loaded.texts),)
    }
    stored = load_stored(session, files, forms)
    # Records declared earlier in this run: a shared one declared again identically is one
    # record; the rest are refused by the checks as duplicates.
    declared: dict[tuple[Entity, str], tuple[str, str]] = {}
    for loaded in files:
        document = document_key(loaded)
        name = str(loaded.path)
        keep: dict[str, dict[str, list[Any]]] = {"normal": {}, "taken": {}, "amending": {}}
        amends = loaded.data.amends
        for entity, (section, _, _) in ENTITIES.items():
            for group in keep.values():
                group[section] = []
            for index, item in enumerate(getattr(loaded.data, section)):
                key = (entity, item.slug)
                incoming, hashed = forms[id(item)]
                label = loaded.label(section, index, item.slug)
                if key in declared:
                    if entity in SHARED and declared[key][1] == hashed:
                        result.marks.append(Mark(entity, item.slug, document, name, False, hashed))
                    continue  # a duplicate: the checks refuse it
                declared[key] = (name, hashed)
                decision = _decide(
                    session,
                    stored,
                    entity=entity,
                    slug=item.slug,
                    document=document,
                    file=name,
                    label=label,
                    incoming=incoming,
                    hashed=hashed,
                    amended=item.slug in getattr(amends, section),
                    take_file=take_file,
                    result=result,
                )
                if decision is not None:
                    keep[decision][section].append(item)
        for group_name, sections in keep.items():
            if any(sections.values()):
                getattr(result, group_name).append(_with_only(loaded, sections))
    return result


def _decide(
    session: Session,
    stored: Stored,
    *,
    entity: Entity,
    slug: str,
    document: str,
    file: str,
    label: str,
    incoming: dict[str, Any],
    hashed: str,
    amended: bool,
    take_file: bool,
    result: Plan,
) -> str | None:
    """One record: the group it is written in, or None (left alone, a conflict, a problem)."""
    key = (entity, slug)
    seeds = stored.seeds.get(key, [])
    mine = next((s for s in seeds if s.document == document), None)
    owner = next((s for s in seeds if s.owner), None)
    row_id = stored.ids.get(key)

    def mark(is_owner: bool) -> None:
        result.marks.append(Mark(entity, slug, document, file, is_owner, hashed))

    def current() -> dict[str, Any]:
        assert row_id is not None
        return stored_record(session, entity, row(session, entity, row_id))

    if row_id is None:
        mark(True)
        return "normal"
    if mine is not None and mine.hash == hashed:
        if mine.file != file:
            mark(mine.owner)  # the same document, moved: remember where it is now
        return None
    record_subject = subject(entity, row_id)
    if mine is not None and (mine.owner or amended):
        # The file changed its own record: write it unless someone wrote it since.
        if stored.latest.get(record_subject, 0) <= mine.revision_id:
            mark(mine.owner)
            return "normal"
        return _conflict(session, stored, key, document, file, incoming, mine, take_file, result)
    if owner is not None and owner.document != document:
        if amended:
            mark(False)
            return "amending"
        now = current()
        if entity in SHARED and now == incoming:
            mark(False)  # declared identically: the same shared record
            return None
        what = (
            "declares it differently"
            if entity in SHARED
            else "made it; a record belongs to the document that made it"
        )
        lines = "; ".join(differences(now, incoming)) or "no field differs"
        result.problems.append(
            Problem(
                file,
                label,
                "slug",
                f"{owner.file} (document {owner.document}) {what}: {lines}. List it under "
                f"`amends: {ENTITIES[entity][0]}:` to change it from this file, or pick "
                "another slug",
            )
        )
        return None
    # Stored, and no document has claimed it: written before seed records, or over HTTP.
    if record_subject not in stored.edited:
        mark(True)
        return "normal"  # only seed files ever wrote it: as before
    if current() == incoming:
        mark(True)
        return None
    return _conflict(session, stored, key, document, file, incoming, None, take_file, result)


def _conflict(
    session: Session,
    stored: Stored,
    key: tuple[Entity, str],
    document: str,
    file: str,
    incoming: dict[str, Any],
    mine: SeedRecord | None,
    take_file: bool,
    result: Plan,
) -> str | None:
    entity, slug = key
    owner = True if mine is None else mine.owner
    row_id = stored.ids[key]
    now = stored_record(session, entity, row(session, entity, row_id))
    if now == incoming or take_file:
        # Edited to just what the file now says (nothing to merge), or taken over the edits.
        result.marks.append(Mark(entity, slug, document, file, owner, digest(incoming)))
        return "taken" if now != incoming else None
    result.conflicts.append(
        Conflict(
            file=file,
            entity=entity,
            slug=slug,
            differences=tuple(differences(now, incoming)),
            edits=edits_since(session, subject(entity, row_id), mine.revision_id if mine else 0),
        )
    )
    return None


def _with_only(loaded: SeedInput, sections: dict[str, list[Any]]) -> Any:
    """A copy of ``loaded`` holding only these records (the rest are not written)."""
    copy = type(loaded).__new__(type(loaded))
    copy.__dict__.update(loaded.__dict__)
    copy.data = loaded.data.model_copy(update=sections)
    return copy


def record(session: Session, marks: Sequence[Mark]) -> None:
    """Write the seed records of what was applied: the file's hash and the latest revision."""
    if not marks:
        return
    ids: dict[tuple[Entity, str], int] = {}
    for entity, (_, model, _) in ENTITIES.items():
        slugs = sorted({m.slug for m in marks if m.entity == entity})
        for page in batching.chunks(slugs):
            for slug, row_id in session.exec(
                select(model.slug, model.id).where(col(model.slug).in_(page))
            ):
                assert row_id is not None  # ids are never NULL
                ids[(entity, slug)] = row_id
    latest = latest_revisions(session, (subject(e, i) for (e, _), i in ids.items()))
    existing: dict[tuple[str, str, str], SeedRecord] = {}
    for entity in ENTITIES:
        slugs = sorted({m.slug for m in marks if m.entity == entity})
        for page in batching.chunks(slugs):
            for seed in session.exec(
                select(SeedRecord).where(
                    SeedRecord.entity == entity, col(SeedRecord.slug).in_(page)
                )
            ):
                existing[(seed.entity, seed.slug, seed.document)] = seed
    fresh: list[dict[str, Any]] = []
    for mark in marks:
        document = mark.document
        revision_id = latest.get(subject(mark.entity, ids[(mark.entity, mark.slug)]), 0)
        values = {
            "file": mark.file,
            "owner": mark.owner,
            "hash": mark.hash,
            "revision_id": revision_id,
        }
        known = existing.get((mark.entity, mark.slug, document))
        if known is None:
            fresh.append({"entity": mark.entity, "slug": mark.slug, "document": document, **values})
        else:
            session.execute(
                update(SeedRecord).where(col(SeedRecord.id) == known.id).values(**values)
            )
    for rows in batching.chunks(fresh):
        session.execute(insert(SeedRecord), list(rows))
