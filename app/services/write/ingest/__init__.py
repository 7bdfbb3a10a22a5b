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
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import unit_of_work, writer
from app.services.common import batching
from app.services.derived import after_write
from app.services.write.ingest import forms, merge
from app.services.write.ingest.checking import check
from app.services.write.ingest.forms import SEED_ACTOR, SeedInput
from app.services.write.ingest.reading import discover, inline_texts, parse, read_file
from app.services.write.ingest.records import (
    SECTIONS,
    UPDATE_REASON,
    Change,
    LoadedFile,
    SeedError,
    SeedProblem,
)
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
    "apply",
    "check",
    "discover",
    "inline_texts",
    "load",
    "parse",
    "read_file",
    "run",
]


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
) -> Seeded:
    """Check every file, then merge them into the database (``seed_merge``); on any problem
    raise ``SeedError`` and write nothing. With ``take_file_reason``, a record edited since
    the file last changed it is written from the file all the same, with that reason.
    Without ``keep_changes`` the changes are only counted; ``progress`` hears of long steps."""
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
    return seeded


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
) -> Seeded:
    """Seed in one transaction; a dry run computes the same changes and rolls them back."""
    options: dict[str, Any] = {
        "take_file_reason": take_file_reason,
        "keep_changes": keep_changes,
        "progress": progress,
    }
    if dry_run:
        with Session(engine) as session:
            try:
                return load(session, paths, **options)
            finally:
                session.rollback()
    with unit_of_work(writer(engine)) as session:
        return load(session, paths, **options)
