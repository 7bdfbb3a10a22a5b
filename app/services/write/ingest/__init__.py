"""Ingesting: seed files, bundles, CSV imports and editors' writes into the database, all or
nothing, with revisions. One path for all of them, in four steps:

- ``reading``: find the files, parse YAML or JSON, validate every record;
- ``checking``: references, cycles and verbatim quotes across files and the database;
- ``merge`` (with ``forms``): the three-way merge that keeps editors' corrections and each
  document's own records;
- ``writing``: each record created or updated with its revision, then the derived texts.

Everything is read and checked before anything is written; every problem is reported with its
file, record and field, in one run: the cross-record checks run on every record that is valid
on its own, even when others in the file are not. A second run over unchanged files writes
nothing. ``apply`` is the one write step every caller shares.

A single large JSON file is the exception to "read, then write": it is read as a stream
(``streaming``), and the same four steps run a page of records at a time in the one
transaction, writing until the first problem and checking to the end, so that its memory is
bounded by a page rather than by the file and every problem is still reported at once.
"""

import gc
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.db import unit_of_work, writer
from app.models import Figure
from app.models.vocab import Entity
from app.services.common import batching
from app.services.derived import after_write
from app.services.write.ingest import forms, merge
from app.services.write.ingest.checking import Checker, Known, check, cycle_members
from app.services.write.ingest.forms import SEED_ACTOR, SeedInput
from app.services.write.ingest.reading import (
    discover,
    inline_texts,
    parse,
    read_file,
    read_texts,
)
from app.services.write.ingest.records import (
    SECTIONS,
    UPDATE_REASON,
    Change,
    LoadedFile,
    SeedError,
    SeedProblem,
)
from app.services.write.ingest.streaming import STREAMED, Streaming, outline, pages
from app.services.write.ingest.writing import Progress, Writer

__all__ = [
    "SECTIONS",
    "SEED_ACTOR",
    "UPDATE_REASON",
    "Change",
    "LoadedFile",
    "Progress",
    "SeedError",
    "SeedProblem",
    "Seeded",
    "Streaming",
    "apply",
    "check",
    "discover",
    "inline_texts",
    "load",
    "parse",
    "read_file",
    "run",
]


# A single JSON file of a megabyte or more is read as a stream, 5,000 records a page.
STREAMING = Streaming()


class Seeded(list[Change]):
    """The changes a seed run wrote (each one, when kept), and beside them the records it left
    alone because they were edited since the file last changed them (``conflicts``);
    ``counts`` holds how many changes of each (entity, action) there were, kept or not, and
    ``read`` how many records of each kind the files hold."""

    def __init__(
        self,
        changes: Iterable[Change] = (),
        conflicts: Iterable[Any] = (),
        counts: Counter[tuple[str, str]] | None = None,
        read: Counter[str] | None = None,
    ):
        super().__init__(changes)
        self.conflicts: list[merge.Conflict] = list(conflicts)
        self.counts: Counter[tuple[str, str]] = (
            Counter((c.entity.value, c.action) for c in self) if counts is None else counts
        )
        self.read: Counter[str] = read if read is not None else Counter()

    @property
    def total(self) -> int:
        """How many records were written (each change once)."""
        return sum(self.counts.values())


def load(
    session: Session,
    paths: Iterable[Path],
    *,
    take_file_reason: str | None = None,
    keep_changes: bool = True,
    progress: Progress | None = None,
    streaming: Streaming = STREAMING,
) -> Seeded:
    """Check every file, then merge them into the database (``seed_merge``); on any problem
    raise ``SeedError`` and write nothing. With ``take_file_reason``, a record edited since
    the file last changed it is written from the file all the same, with that reason.
    Without ``keep_changes`` the changes are only counted; ``progress`` hears of long steps.
    A single large JSON file is read as a stream (``streaming``), the same steps a page at a
    time (``_load_stream``)."""
    files: list[LoadedFile] = []
    problems: list[SeedProblem] = []
    found = discover(paths)
    if not found:
        raise SeedError([SeedProblem("(arguments)", "paths", "(paths)", "no seed files found")])
    if len(found) == 1 and _streams(found[0], streaming):
        streamed = _load_stream(
            session,
            found[0],
            take_file_reason=take_file_reason,
            keep_changes=keep_changes,
            progress=progress,
            page=streaming.page,
        )
        if streamed is not None:
            return streamed
    for path in found:
        loaded, file_problems = read_file(path)
        problems.extend(file_problems)
        if loaded is not None:
            files.append(loaded)
    # The cross-record checks run even after schema problems, on the records that passed.
    problems.extend(check(session, files))
    plan = merge.plan(session, files, take_file=take_file_reason is not None)
    problems.extend(SeedProblem(p.file, p.record, p.field, p.message) for p in plan.problems)
    if problems:
        raise SeedError(problems)
    read: Counter[str] = Counter()
    for loaded in files:
        for section in SECTIONS:
            read[section] += len(getattr(loaded.data, section))
    del files  # the plan holds the records it writes; the rest may go
    seeded = Seeded(conflicts=plan.conflicts, counts=Counter(), read=read)
    _write_plan(session, plan, take_file_reason, seeded, keep_changes, progress)
    return seeded


def _write_plan(
    session: Session,
    plan: merge.Plan,
    take_file_reason: str | None,
    seeded: Seeded,
    keep_changes: bool,
    progress: Progress | None,
) -> None:
    """Write what the plan says, group by group, then its seed records."""
    groups: list[tuple[list[SeedInput], str | None]] = []
    if plan.normal:
        groups.append((plan.normal, None))
    if plan.taken:
        reason = f"seed: the file applied over later edits (--take-file): {take_file_reason}"
        groups.append((plan.taken, reason))
    for amended in plan.amending:
        reason = f"seed: amended by {amended.path} ({forms.document_key(amended)})"
        groups.append(([amended], reason))
    for group, why in groups:
        writer = _write(
            session, group, SEED_ACTOR, why, keep_changes=keep_changes, progress=progress
        )
        seeded.extend(writer.changes)
        seeded.counts.update(writer.counts)
    merge.record(session, plan.marks)


def _streams(path: Path, streaming: Streaming) -> bool:
    return path.suffix == ".json" and path.is_file() and path.stat().st_size >= streaming.from_bytes


def _load_stream(
    session: Session,
    path: Path,
    *,
    take_file_reason: str | None,
    keep_changes: bool,
    progress: Progress | None,
    page: int,
) -> Seeded | None:
    """``load`` of one JSON file read twice as a stream (``streaming``), never whole: the
    first pass keeps the file's head and the events' and figures' slugs, the second
    validates, checks, plans and writes a page of records at a time, in the one transaction.
    After the first problem, pages are still checked (every problem is reported in one run)
    but no longer written, and the error rolls back those that were. A page of figures
    derived from one in a later page waits for it, joined to the pages after it.

    None when the file is better read whole: a draft, a syntax error (reported as
    ``read_file`` reports it), a file that is not an object of sections."""
    try:
        shape = outline(path)
    except (OSError, ValueError):  # ijson's errors are ValueErrors; read_file says which
        return None
    raw = shape.head
    if (
        not isinstance(raw, dict)
        or "draft" in raw
        or shape.reviews
        or any(not isinstance(raw.get(section, []), list) for section in STREAMED)
    ):
        return None
    name = str(path)
    head, problems = parse(name, raw)
    assert head is not None  # the head is an object
    head.path = path
    problems.extend(read_texts(head))
    batch = {
        Entity.measure: {m.slug for m in head.data.measures},
        Entity.source: {s.slug for s in head.data.sources},
        Entity.event: shape.slugs["events"],
        Entity.figure: shape.slugs["figures"],
    }
    for kind, slugs in head.invalid.items():
        batch[kind] |= slugs
    known = Known(session, batch, dict(head.texts))
    known.look_up([head])
    checker = Checker(known, {s: shape.repeated[s] for s in STREAMED})
    checker.problems.extend(problems)
    checker.file(head, whole=False)
    checker.document(head)
    checker.cycles({s.slug: s.parent for s in head.data.sources}, {})
    # A derivation cycle is a problem of its figures, or of one of them refused by its schema:
    # either way nothing is written, so pages are not held waiting for an origin never written.
    cyclic = bool(cycle_members(dict(shape.derived)))
    del shape.derived
    take_file = take_file_reason is not None
    seeded = Seeded(counts=Counter(), read=Counter())
    for section in ("measures", "sources"):
        seeded.read[section] = len(getattr(head.data, section))

    def failed() -> bool:
        return cyclic or bool(checker.problems)

    def settle(loaded: LoadedFile) -> None:
        plan = merge.plan(session, [loaded], take_file=take_file)
        checker.problems.extend(
            SeedProblem(p.file, p.record, p.field, p.message) for p in plan.problems
        )
        seeded.conflicts.extend(plan.conflicts)
        if not failed():
            _write_plan(session, plan, take_file_reason, seeded, keep_changes, None)

    settle(head)
    refused: dict[str, set[str]] = {}
    derived: dict[str, str | None] = {}
    for section in STREAMED:
        held: LoadedFile | None = None
        done = 0
        analyzed = page // 2
        for loaded, record_problems in pages(path, section, page, head.data):
            checker.problems.extend(record_problems)
            known.look_up([loaded])
            checker.file(loaded, whole=False)
            for slugs in loaded.invalid.values():
                refused.setdefault(section, set()).update(slugs)
            records = getattr(loaded.data, section)
            seeded.read[section] += len(records)
            derived.update((g.slug, g.derived_from) for g in loaded.data.figures if g.derived_from)
            held = loaded if held is None else _joined(held, loaded, section)
            done += len(records)
            if not failed() and _waits(session, held):
                continue
            settle(held)
            held = None
            if done >= analyzed * 2:
                # Plans made on the statistics of the tables' first rows stop using the
                # right indexes as they grow: analysed again each time they double.
                batching.analyze_grown(session.connection())
                analyzed = done
            # What a page leaves in reference cycles (a thousand or so objects, in the SQL
            # statements it built) goes with it, even while ``sourced seed`` has the cyclic
            # collector off: the youngest generation holds only what was allocated since the
            # last page, so this costs in proportion to a page, not to the run.
            gc.collect(0)
            if progress is not None:
                progress(section, done, shape.counts[section])
        if section == "figures":
            checker.cycles({}, derived)
        if held is not None:
            settle(held)
    for section, (_, kind) in SECTIONS.items():
        if section in STREAMED:
            named = getattr(head.data.amends, section)
            declared = {s for s in named if s in batch[kind] and s not in refused.get(section, ())}
        else:
            declared = {item.slug for item in getattr(head.data, section)}
        checker.amends(head, section, declared)
    if checker.problems:
        raise SeedError(checker.problems)
    assert not cyclic  # a cycle is always a problem of some record: nothing would be written
    return seeded


def _joined(first: LoadedFile, then: LoadedFile, section: str) -> LoadedFile:
    """Two pages of a section as one (a page waiting for a later one)."""
    joined = LoadedFile(
        path=first.path,
        data=first.data.model_copy(
            update={section: getattr(first.data, section) + getattr(then.data, section)}
        ),
        positions={section: first.positions[section] + then.positions[section]},
    )
    for kind, slugs in (*first.invalid.items(), *then.invalid.items()):
        joined.invalid.setdefault(kind, set()).update(slugs)
    return joined


def _waits(session: Session, loaded: LoadedFile) -> bool:
    """Whether a page holds a figure derived from one neither in it nor written yet."""
    slugs = {g.slug for g in loaded.data.figures}
    origins = sorted(
        {g.derived_from for g in loaded.data.figures if g.derived_from is not None} - slugs
    )
    written = {
        slug
        for page in batching.chunks(origins)
        for slug in session.exec(select(Figure.slug).where(col(Figure.slug).in_(page)))
    }
    return len(written) < len(origins)


def apply(
    session: Session,
    files: Sequence[SeedInput],
    actor: str = SEED_ACTOR,
    reason: str | None = None,
) -> list[Change]:
    """Write checked files: the one apply step of seeding, bundles and editors' writes."""
    return _write(session, files, actor, reason).changes


def _write(
    session: Session,
    files: Sequence[SeedInput],
    actor: str,
    reason: str | None,
    *,
    keep_changes: bool = True,
    progress: Progress | None = None,
) -> Writer:
    batching.refresh_statistics(session.connection())
    writer = Writer(session, actor, reason, keep_changes=keep_changes, progress=progress)
    # Vocabulary and sources of every file first, so files may point at each other.
    for step in (writer.measures, writer.sources, writer.events, writer.figures):
        for loaded in files:
            step(loaded)
    after_write.refresh(session, writer.touched, progress=progress, rendered=writer.rendered)
    return writer


def run(
    engine: Engine,
    paths: Iterable[Path],
    *,
    dry_run: bool = False,
    take_file_reason: str | None = None,
    keep_changes: bool = True,
    progress: Progress | None = None,
    streaming: Streaming = STREAMING,
) -> Seeded:
    """Seed in one transaction; a dry run computes the same changes and rolls them back."""
    options: dict[str, Any] = {
        "take_file_reason": take_file_reason,
        "keep_changes": keep_changes,
        "progress": progress,
        "streaming": streaming,
    }
    if dry_run:
        with Session(engine) as session:
            try:
                return load(session, paths, **options)
            finally:
                session.rollback()
    with unit_of_work(writer(engine)) as session:
        return load(session, paths, **options)
