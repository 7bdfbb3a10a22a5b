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
from app.services.write.ingest.writing import Writer

__all__ = [
    "SECTIONS",
    "SEED_ACTOR",
    "UPDATE_REASON",
    "Change",
    "LoadedFile",
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
    """The changes a seed run wrote, and beside them the records it left alone because they
    were edited since the file last changed them (``conflicts``)."""

    def __init__(self, changes: Iterable[Change] = (), conflicts: Iterable[Any] = ()):
        super().__init__(changes)
        self.conflicts: list[merge.Conflict] = list(conflicts)


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
    plan = merge.plan(session, files, take_file=take_file_reason is not None)
    problems.extend(SeedProblem(p.file, p.record, p.field, p.message) for p in plan.problems)
    if problems:
        raise SeedError(problems)
    changes = apply(session, plan.normal) if plan.normal else []
    if plan.taken:
        reason = f"seed: the file applied over later edits (--take-file): {take_file_reason}"
        changes += apply(session, plan.taken, reason=reason)
    for amended in plan.amending:
        reason = f"seed: amended by {amended.path} ({forms.document_key(amended)})"
        changes += apply(session, [amended], reason=reason)
    merge.record(session, plan.marks)
    return Seeded(changes, plan.conflicts)


def apply(
    session: Session,
    files: Sequence[SeedInput],
    actor: str = SEED_ACTOR,
    reason: str | None = None,
) -> list[Change]:
    """Write checked files: the one apply step of seeding, bundles and editors' writes."""
    batching.refresh_statistics(session.connection())
    writer = Writer(session, actor, reason)
    # Vocabulary and sources of every file first, so files may point at each other.
    for step in (writer.measures, writer.sources, writer.events, writer.figures):
        for loaded in files:
            step(loaded)
    after_write.refresh(session, writer.touched)
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
