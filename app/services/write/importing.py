"""`sourced import FILE.csv`: figures from a spreadsheet, through the seeding path's checks.

The columns are those of the figures CSV export (extra columns are ignored), so an export
can be edited in a spreadsheet and loaded back. Each row becomes one figure with its chain.
When the `chain` column is there and filled (an export always fills it), it is the chain:
every link with its role, quote, `quote_unverified`, locator and access date, so an export
imports back without loss; the readable columns (`claimant`, `relays`, `publisher`, `quote`,
`quote_unverified`) must then agree with it, so that an edit made to one of them alone is
refused rather than silently dropped. Without it, the chain is built from the readable
columns: `claimant`, then each of `relays` (`; `-separated slugs), then `publisher`; `quote`
(and `quote_unverified`) go on the publisher's link (on the claimant's when there is no
publisher). A text cell's leading `'` (which the export puts before a text a spreadsheet
would run as a formula, or that starts with `'`) is removed. Every problem of every row is
reported, with its line number, in one run; nothing is written unless every row is good.
"""

import csv
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app.models.vocab import Entity
from app.services.present.tables import JOIN, NOT_TEXT, cell, flatten, unescape_text
from app.services.write import ingest

REQUIRED = ("slug", "event", "measure", "qualifier", "stated_as", "unit", "claimant")
NUMBERS = ("value", "lower_bound", "upper_bound")
OPTIONAL = ("subject", "period", "derived_from", "note")
# The readable columns that the `chain` column, when given, must agree with.
FLAT_CHAIN_COLUMNS = ("claimant", "relays", "publisher", "quote", "quote_unverified")
BOOLEANS = {"": False, "false": False, "true": True}
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


def _chain_from_columns(row: dict[str, str], unverified: bool) -> list[dict[str, Any]]:
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
        chain[-1 if publisher else 0].update(quote=quote, quote_unverified=unverified)
    return chain


def _chain_from_json(text: str, line: int, problems: list[ImportProblem]) -> Any:
    try:
        chain = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(ImportProblem(line, "chain", f"not valid JSON: {exc.msg}"))
        return None
    if not isinstance(chain, list) or not all(isinstance(link, dict) for link in chain):
        problems.append(ImportProblem(line, "chain", "must be a JSON list of links (objects)"))
        return None
    return chain


def _disagreements(row: dict[str, str], chain: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The readable columns whose cell is not what the chain says, with the chain's value."""
    if not all(isinstance(link.get("source"), str) for link in chain):
        return []  # the schema check names the broken link
    flat = flatten([{**link, "source": {"slug": link["source"]}} for link in chain])
    found = []
    for name in FLAT_CHAIN_COLUMNS:
        if name not in row:
            continue
        given, expected = row[name] or "", cell(flat[name])
        if name == "relays":
            given = JOIN.join(s.strip() for s in given.split(JOIN.strip()) if s.strip())
        elif name == "quote_unverified":
            given = "true" if BOOLEANS.get(given.strip().lower()) else given or "false"
        if given != expected:
            found.append((name, expected))
    return found


def _figure(row: dict[str, str], line: int, problems: list[ImportProblem]) -> dict[str, Any]:
    figure: dict[str, Any] = {name: row[name] for name in REQUIRED if name != "claimant"}
    for name in NUMBERS:
        try:
            figure[name] = _number(row.get(name) or "")
        except InvalidOperation:
            problems.append(ImportProblem(line, name, f"not a number: {row[name]!r}"))
    for name in OPTIONAL:
        figure[name] = row.get(name) or None
    unverified = BOOLEANS.get((row.get("quote_unverified") or "").strip().lower())
    if unverified is None:
        problems.append(ImportProblem(line, "quote_unverified", "must be true, false or empty"))
    chain_text = (row.get("chain") or "").strip()
    if chain_text:
        chain = _chain_from_json(chain_text, line, problems)
        for name, expected in _disagreements(row, chain or []):
            problems.append(
                ImportProblem(
                    line,
                    name,
                    f"differs from the chain column, which says {expected!r}: edit both, "
                    "or empty the chain cell to build the chain from the readable columns",
                )
            )
        figure["attributions"] = chain
    else:
        figure["attributions"] = _chain_from_columns(row, bool(unverified))
    return figure


@dataclass
class _Rows:
    figures: list[dict[str, Any]]
    lines: list[int]
    problems: list[ImportProblem]
    refused: set[str]  # slugs of rows refused before validation: they still exist for references


def _read(path: Path) -> _Rows:
    rows = _Rows([], [], [], set())
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        rows.problems.append(ImportProblem(0, "file", f"cannot be read: {exc.strerror}"))
        return rows
    with handle:
        previous = 0
        try:
            reader = csv.DictReader(handle)
            missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
            if missing:
                rows.problems += [ImportProblem(1, name, "column missing") for name in missing]
                return rows
            previous = reader.line_num
            for row in reader:
                line = previous + 1
                previous = reader.line_num
                if None in row:
                    rows.problems.append(ImportProblem(line, "row", "more cells than columns"))
                    continue
                # The export puts `'` before a text that a spreadsheet would run as a formula.
                row = {
                    name: value if name in NOT_TEXT or value is None else unescape_text(value)
                    for name, value in row.items()
                }
                empty = [name for name in REQUIRED if not (row.get(name) or "").strip()]
                for name in empty:
                    rows.problems.append(ImportProblem(line, name, "must not be empty"))
                if empty:
                    if (row.get("slug") or "").strip():
                        rows.refused.add(row["slug"])
                    continue
                found = len(rows.problems)
                figure = _figure(row, line, rows.problems)
                if len(rows.problems) > found:
                    rows.refused.add(row["slug"])
                    continue
                rows.figures.append(figure)
                rows.lines.append(line)
        except (csv.Error, UnicodeDecodeError) as exc:
            rows.problems.append(ImportProblem(previous + 1, "file", f"not readable CSV: {exc}"))
    return rows


def read(path: Path) -> tuple[list[dict[str, Any]], list[int], list[ImportProblem]]:
    """The figures of a CSV file, the line each starts on, and every problem found in cells."""
    rows = _read(path)
    return rows.figures, rows.lines, rows.problems


def _at_line(problem: ingest.SeedProblem, lines: list[int]) -> ImportProblem:
    match = _RECORD.match(problem.record)
    line = lines[int(match.group(1))] if match and int(match.group(1)) < len(lines) else 0
    return ImportProblem(line, problem.field, problem.message)


def run(session: Session, path: Path, actor: str, reason: str | None) -> list[ingest.Change]:
    """Check every row, then load them all in the caller's transaction, or raise and write nothing.

    Rows whose cells are bad are left out of the later checks; the rows that read well are
    still validated and checked against the database in the same run."""
    rows = _read(path)
    raw = {"figures": [{k: v for k, v in f.items() if v is not None} for f in rows.figures]}
    problems = list(rows.problems)
    loaded, found = ingest.parse(str(path), raw)
    if loaded is not None:
        loaded.path = path
        loaded.invalid.setdefault(Entity.figure, set()).update(rows.refused)
        found += ingest.check(session, [loaded])
    problems += [_at_line(p, rows.lines) for p in found]
    if problems:
        raise CsvImportError(sorted(problems, key=lambda p: p.line))
    assert loaded is not None
    return ingest.apply(session, [loaded], actor, reason)
