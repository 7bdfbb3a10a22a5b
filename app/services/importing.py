"""`sourced import FILE.csv`: figures from a spreadsheet, through the seeding path's checks.

The columns are those of the figures CSV export (extra columns are ignored), so an export
can be edited in a spreadsheet and loaded back. Each row becomes one figure with its chain:
`claimant`, then each of `relays` (`; `-separated slugs), then `publisher`; `quote` goes on
the publisher's link (on the claimant's when there is no publisher). Every problem is
reported with its line number; nothing is written unless every row is good.
"""

import csv
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from app.schemas.seed import SeedFile
from app.services import seeding
from app.services.tables import JOIN

REQUIRED = ("slug", "event", "measure", "qualifier", "stated_as", "unit", "claimant")
NUMBERS = ("value", "lower_bound", "upper_bound")
OPTIONAL = ("subject", "period", "derived_from", "note")
_RECORD = re.compile(r"^figures\[(\d+)\]")


@dataclass(frozen=True)
class ImportProblem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


class CsvImportError(Exception):
    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:20]))


def _number(text: str) -> Decimal | None:
    if text.strip() == "":
        return None
    return Decimal(text.strip())


def _figure(row: dict[str, str], line: int, problems: list[ImportProblem]) -> dict[str, Any]:
    figure: dict[str, Any] = {name: row[name] for name in REQUIRED if name != "claimant"}
    for name in NUMBERS:
        try:
            figure[name] = _number(row.get(name) or "")
        except InvalidOperation:
            problems.append(ImportProblem(line, name, f"not a number: {row[name]!r}"))
    for name in OPTIONAL:
        figure[name] = row.get(name) or None
    quote = row.get("quote") or None
    relays = [
        slug.strip() for slug in (row.get("relays") or "").split(JOIN.strip()) if slug.strip()
    ]
    publisher = row.get("publisher") or None
    chain: list[dict[str, Any]] = [{"source": row["claimant"], "role": "claimant"}]
    chain += [{"source": slug, "role": "relay"} for slug in relays]
    if publisher:
        chain.append({"source": publisher, "role": "publisher"})
    if quote:
        chain[-1 if publisher else 0]["quote"] = quote
    figure["attributions"] = chain
    return figure


def read(path: Path) -> tuple[list[dict[str, Any]], list[int], list[ImportProblem]]:
    """The figures of a CSV file, the line each starts on, and every problem found."""
    problems: list[ImportProblem] = []
    figures: list[dict[str, Any]] = []
    lines: list[int] = []
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        return [], [], [ImportProblem(0, "file", f"cannot be read: {exc.strerror}")]
    with handle:
        try:
            reader = csv.DictReader(handle)
            missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
            if missing:
                return [], [], [ImportProblem(1, name, "column missing") for name in missing]
            previous = reader.line_num
            for row in reader:
                line = previous + 1
                previous = reader.line_num
                if None in row:
                    problems.append(ImportProblem(line, "row", "more cells than columns"))
                    continue
                empty = [name for name in REQUIRED if not (row.get(name) or "").strip()]
                for name in empty:
                    problems.append(ImportProblem(line, name, "must not be empty"))
                if empty:
                    continue
                figures.append(_figure(row, line, problems))
                lines.append(line)
        except (csv.Error, UnicodeDecodeError) as exc:
            problems.append(ImportProblem(previous + 1, "file", f"not readable CSV: {exc}"))
    return figures, lines, problems


def _at_line(problem: seeding.SeedProblem, lines: list[int]) -> ImportProblem:
    match = _RECORD.match(problem.record)
    line = lines[int(match.group(1))] if match and int(match.group(1)) < len(lines) else 0
    return ImportProblem(line, problem.field, problem.message)


def run(session: Session, path: Path, actor: str, reason: str | None) -> list[seeding.Change]:
    """Check every row, then load them all in the caller's transaction, or raise and write nothing."""
    figures, lines, problems = read(path)
    raw = {"figures": [{k: v for k, v in f.items() if v is not None} for f in figures]}
    if problems:
        raise CsvImportError(problems)
    try:
        data = SeedFile.model_validate(raw)
    except ValidationError as exc:
        found = seeding.validation_problems(str(path), raw, exc)
        raise CsvImportError([_at_line(p, lines) for p in found]) from None
    loaded = seeding.LoadedFile(path=path, data=data, texts={})
    found = seeding.check(session, [loaded])
    if found:
        raise CsvImportError([_at_line(p, lines) for p in found])
    return seeding.apply(session, [loaded], actor, reason)
