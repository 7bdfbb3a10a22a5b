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

This module decides; ``seeding`` reads, checks and writes.
"""

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from app.models import Event, Figure, Measure, Revision, SeedRecord, Source
from app.models.records import Record
from app.schemas.event import EventIn
from app.schemas.figure import FigureIn
from app.schemas.measure import MeasureIn
from app.schemas.seed import SeedFile, SeedSource
from app.services import bulk, documents

SEED_ACTOR = "seed"
# Entities in the order a file is written, with their section, table and write schema.
ENTITIES: dict[str, tuple[str, type[Record], type[BaseModel]]] = {
    "measure": ("measures", Measure, MeasureIn),
    "source": ("sources", Source, SeedSource),
    "event": ("events", Event, EventIn),
    "figure": ("figures", Figure, FigureIn),
}
# Records many documents may declare: identical declarations are one record.
SHARED = frozenset({"measure", "source"})


class SeedInput(Protocol):
    """What the merge needs of a read seed file (``seeding.LoadedFile``)."""

    path: Path
    data: SeedFile
    texts: dict[str, str]


def document_key(loaded: SeedInput) -> str:
    """The document a file speaks for: its ``document`` slug, else its file name."""
    return loaded.data.document or f"file:{loaded.path.name}"


def canonical(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(record: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(record).encode("utf-8")).hexdigest()


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_record(entity: str, item: BaseModel, texts: dict[str, str]) -> dict[str, Any]:
    """A file's record in the form that is hashed and compared: defaults left out (a field added
    to the format later does not change the hash), a document's text by its digest."""
    record = item.model_dump(mode="json", exclude_defaults=True)
    if entity == "source":
        record.pop("text_file", None)
        record.pop("full_text", None)
        slug = record["slug"]
        if slug in texts:
            record["full_text_sha256"] = _text_digest(texts[slug])
    return record


def stored_record(session: Session, entity: str, row: Any) -> dict[str, Any]:
    """The record as the database holds it, in the same form as ``file_record``."""
    _, _, schema = ENTITIES[entity]
    if entity == "measure":
        document: dict[str, Any] = {
            "slug": row.slug,
            "label": row.label,
            "description": row.description,
            "unit": row.unit,
        }
    elif entity == "source":
        document = documents.source_document(session, row)
    elif entity == "event":
        document = documents.event_document(session, row)
    else:
        document = documents.figure_document(session, row)
    record = schema.model_validate(document).model_dump(mode="json", exclude_defaults=True)
    if entity == "source" and row.full_text is not None:
        record["full_text_sha256"] = _text_digest(row.full_text)
    return record


def _shorten(value: Any, limit: int = 120) -> str:
    text = canonical(value) if not isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def differences(stored: dict[str, Any], incoming: dict[str, Any]) -> list[str]:
    """``field: stored X, file Y`` for every field where the two versions differ."""
    lines = []
    for key in sorted(set(stored) | set(incoming)):
        if key == "slug" or stored.get(key) == incoming.get(key):
            continue
        name = "text (digest)" if key == "full_text_sha256" else key
        lines.append(
            f"{name}: database {_shorten(stored.get(key))}, file {_shorten(incoming.get(key))}"
        )
    return lines


@dataclass(frozen=True)
class Edit:
    revision_id: int
    at: str
    actor: str
    reason: str

    def __str__(self) -> str:
        return f"revision {self.revision_id} by {self.actor} at {self.at}: {self.reason!r}"


@dataclass(frozen=True)
class Conflict:
    """A record the file changed and someone else changed too: nothing was written for it."""

    file: str
    entity: str
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

    entity: str
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


@dataclass
class _Stored:
    """What the database holds for the slugs the files name: ids, seed records, edits."""

    ids: dict[tuple[str, str], int] = field(default_factory=dict)
    seeds: dict[tuple[str, str], list[SeedRecord]] = field(default_factory=dict)
    latest: dict[str, int] = field(default_factory=dict)
    edited: set[str] = field(default_factory=set)


# A file record's compared form and its hash, by the id of the parsed record.
_Forms = dict[int, tuple[dict[str, Any], str]]


def _subject(entity: str, row_id: int) -> str:
    return f"{entity}:{row_id}"


def latest_revisions(session: Session, subjects: Iterable[str]) -> dict[str, int]:
    """Each subject's latest revision id (its history includes its chain's)."""
    latest: dict[str, int] = {}
    for page in bulk.chunks(sorted(set(subjects))):
        for subject, newest in session.exec(
            select(Revision.subject, func.max(Revision.id))
            .where(col(Revision.subject).in_(page))
            .group_by(col(Revision.subject))
        ):
            assert newest is not None  # the max of the subject's revisions
            latest[subject] = newest
    return latest


def _edited_by_others(session: Session, subjects: Iterable[str]) -> set[str]:
    """Subjects with a revision not written by a seed file: made or edited over HTTP."""
    edited: set[str] = set()
    for page in bulk.chunks(sorted(set(subjects))):
        edited.update(
            session.exec(
                select(Revision.subject)
                .where(col(Revision.subject).in_(page), Revision.actor != SEED_ACTOR)
                .distinct()
            )
        )
    return edited


def _edits_since(session: Session, subject: str, after: int) -> tuple[Edit, ...]:
    rows = session.exec(
        select(Revision.id, Revision.at, Revision.actor, Revision.reason)
        .where(Revision.subject == subject, col(Revision.id) > after)
        .order_by(col(Revision.id))
        .limit(5)
    ).all()
    return tuple(
        Edit(row_id or 0, at.isoformat().replace("+00:00", "Z"), actor, reason)
        for row_id, at, actor, reason in rows
    )


def _lock_changing(
    session: Session, files: Sequence[SeedInput], stored: _Stored, forms: _Forms
) -> None:
    """Lock the stored rows this run may write, in id order, before asking who wrote them.

    Without the lock, an editor's PATCH committing between the question "edited since?" and
    the write would be overwritten though the merge promises a conflict. Only records whose
    file version differs from what this document last applied are locked: a re-seed of
    unchanged files holds no lock over what editors are correcting. The lock is the one an
    editor's write takes (``FOR NO KEY UPDATE``); SQLite runs one writer at a time anyway."""
    wanted: dict[str, set[int]] = {}
    for loaded in files:
        document = document_key(loaded)
        for entity, (section, _, _) in ENTITIES.items():
            for item in getattr(loaded.data, section):
                row_id = stored.ids.get((entity, item.slug))
                if row_id is None:
                    continue
                mine = next(
                    (
                        s
                        for s in stored.seeds.get((entity, item.slug), [])
                        if s.document == document
                    ),
                    None,
                )
                if mine is None or mine.hash != forms[id(item)][1]:
                    wanted.setdefault(entity, set()).add(row_id)
    for entity, ids in wanted.items():
        model = ENTITIES[entity][1]
        for page in bulk.chunks(sorted(ids)):
            session.exec(
                select(model.id)
                .where(col(model.id).in_(page))
                .order_by(col(model.id))
                .with_for_update(key_share=True)
            ).all()


def _load_stored(session: Session, files: Sequence[SeedInput], forms: _Forms) -> _Stored:
    stored = _Stored()
    for entity, (section, model, _) in ENTITIES.items():
        slugs = sorted({item.slug for f in files for item in getattr(f.data, section)})
        for page in bulk.chunks(slugs):
            for slug, row_id in session.exec(
                select(model.slug, model.id).where(col(model.slug).in_(page))
            ):
                assert row_id is not None  # ids are never NULL
                stored.ids[(entity, slug)] = row_id
            for seed in session.exec(
                select(SeedRecord).where(
                    SeedRecord.entity == entity, col(SeedRecord.slug).in_(page)
                )
            ):
                stored.seeds.setdefault((entity, seed.slug), []).append(seed)
    _lock_changing(session, files, stored, forms)
    subjects = [_subject(entity, row_id) for (entity, _), row_id in stored.ids.items()]
    stored.latest = latest_revisions(session, subjects)
    # Stored records no seed file has claimed yet: made before seed records existed, or over
    # HTTP. Only those need to know whether anyone but a seed file ever wrote them.
    unclaimed = [
        _subject(entity, row_id)
        for (entity, slug), row_id in stored.ids.items()
        if not any(s.owner for s in stored.seeds.get((entity, slug), []))
    ]
    stored.edited = _edited_by_others(session, unclaimed)
    return stored


def _row(session: Session, entity: str, row_id: int) -> Any:
    model = ENTITIES[entity][1]
    return session.get(model, row_id)


def plan(session: Session, files: Sequence[SeedInput], *, take_file: bool = False) -> Plan:
    """Decide, record by record, what each file may write (see the module's docstring)."""
    result = Plan()
    # Each record's compared form and hash, made once: the lock and the decision both need it.
    forms: _Forms = {
        id(item): (record, digest(record))
        for loaded in files
        for entity, (section, _, _) in ENTITIES.items()
        for item in getattr(loaded.data, section)
        for record in (file_record(entity, item, loaded.texts),)
    }
    stored = _load_stored(session, files, forms)
    # Records declared earlier in this run: a shared one declared again identically is one
    # record; the rest are refused by the checks as duplicates.
    declared: dict[tuple[str, str], tuple[str, str]] = {}
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
                label = f"{section}[{index}] {item.slug}"
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
    stored: _Stored,
    *,
    entity: str,
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
        return stored_record(session, entity, _row(session, entity, row_id))

    if row_id is None:
        mark(True)
        return "normal"
    if mine is not None and mine.hash == hashed:
        if mine.file != file:
            mark(mine.owner)  # the same document, moved: remember where it is now
        return None
    subject = _subject(entity, row_id)
    if mine is not None and (mine.owner or amended):
        # The file changed its own record: write it unless someone wrote it since.
        if stored.latest.get(subject, 0) <= mine.revision_id:
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
    if subject not in stored.edited:
        mark(True)
        return "normal"  # only seed files ever wrote it: as before
    if current() == incoming:
        mark(True)
        return None
    return _conflict(session, stored, key, document, file, incoming, None, take_file, result)


def _conflict(
    session: Session,
    stored: _Stored,
    key: tuple[str, str],
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
    now = stored_record(session, entity, _row(session, entity, row_id))
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
            edits=_edits_since(session, _subject(entity, row_id), mine.revision_id if mine else 0),
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
    ids: dict[tuple[str, str], int] = {}
    for entity, (_, model, _) in ENTITIES.items():
        slugs = sorted({m.slug for m in marks if m.entity == entity})
        for page in bulk.chunks(slugs):
            for slug, row_id in session.exec(
                select(model.slug, model.id).where(col(model.slug).in_(page))
            ):
                assert row_id is not None  # ids are never NULL
                ids[(entity, slug)] = row_id
    latest = latest_revisions(session, (_subject(e, i) for (e, _), i in ids.items()))
    existing: dict[tuple[str, str, str], SeedRecord] = {}
    for entity in ENTITIES:
        slugs = sorted({m.slug for m in marks if m.entity == entity})
        for page in bulk.chunks(slugs):
            for row in session.exec(
                select(SeedRecord).where(
                    SeedRecord.entity == entity, col(SeedRecord.slug).in_(page)
                )
            ):
                existing[(row.entity, row.slug, row.document)] = row
    fresh: list[dict[str, Any]] = []
    for mark in marks:
        document = mark.document
        revision_id = latest.get(_subject(mark.entity, ids[(mark.entity, mark.slug)]), 0)
        values = {
            "file": mark.file,
            "owner": mark.owner,
            "hash": mark.hash,
            "revision_id": revision_id,
        }
        seed = existing.get((mark.entity, mark.slug, document))
        if seed is None:
            fresh.append({"entity": mark.entity, "slug": mark.slug, "document": document, **values})
        else:
            session.execute(
                update(SeedRecord).where(col(SeedRecord.id) == seed.id).values(**values)
            )
    for rows in bulk.chunks(fresh):
        session.execute(insert(SeedRecord), list(rows))
