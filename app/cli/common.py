"""What every command shares: the configured database (refused when it is missing), one
transaction whose domain errors exit with status 1, and how a long load reports."""

import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NoReturn

import typer
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.errors import DomainError
from app.settings import Settings

DEFAULT_SEED = Path("seed")


def missing_sqlite_file(url: str) -> bool:
    """Whether ``url`` names an SQLite file that is not there (SQLite would create it empty)."""
    if not url.startswith("sqlite"):
        return False
    database = make_url(url).database
    if database in (None, "", ":memory:") or database.startswith("file:") or "mode=memory" in url:
        return False
    return not Path(database).exists()


def database_settings() -> Settings:
    """The settings, once their database is known to exist: run from another folder, a
    relative SQLite path would otherwise create an empty file there and fail on a missing
    table. Every command but `sourced db upgrade` (which creates it) starts here."""
    settings = Settings()
    if missing_sqlite_file(settings.database_url):
        typer.echo(
            f"no database at {settings.database_url} (run `sourced db upgrade` first, "
            "or set SOURCED_DATABASE_URL)",
            err=True,
        )
        raise typer.Exit(code=1)
    return settings


@contextmanager
def cli_unit_of_work() -> Iterator[Session]:
    """One transaction against the configured database; domain errors exit with status 1."""
    from app.db import build_engine, unit_of_work

    engine = build_engine(database_settings(), statement_timeout=False)
    try:
        with unit_of_work(engine) as session:
            yield session
    except DomainError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()


def refused(what: str, problems: Sequence[object]) -> NoReturn:
    """Every problem of a refused seed or import, one a line, and exit with status 1."""
    typer.echo(f"{what} refused: {len(problems)} problem(s), nothing written", err=True)
    for problem in problems:
        typer.echo(f"  {problem}", err=True)
    raise typer.Exit(code=1)


def print_changes(changes: Sequence[object], dry_run: bool) -> None:
    """Each change a line, then the count (``would`` on a dry run)."""
    prefix = "would " if dry_run else ""
    for change in changes:
        typer.echo(f"{prefix}{change}")
    typer.echo(f"{prefix}{'change' if dry_run else 'changed'} {len(changes)} record(s)")


# The order a summary names kinds of records in: vocabulary first, chains last.
KINDS = ("measure", "source", "event", "figure", "attribution")


def _records(count: int, kind: str) -> str:
    return f"{count:,} {kind}{'' if count == 1 else 's'}"


def summary_lines(counts: Mapping[tuple[str, str], int], dry_run: bool) -> list[str]:
    """What a load wrote, a line per action: ``created: 2 sources, 10 figures, ...`` (kinds
    with none left out), then the count, which is the only line when nothing changed."""
    prefix = "would " if dry_run else ""
    lines = []
    for action, past in (("create", "created"), ("update", "updated"), ("delete", "deleted")):
        parts = [_records(counts[(k, action)], k) for k in KINDS if counts.get((k, action))]
        parts += [
            _records(n, k)
            for (k, a), n in sorted(counts.items())
            if a == action and k not in KINDS and n
        ]
        if parts:
            lines.append(f"{prefix}{action if dry_run else past}: {', '.join(parts)}")
    total = sum(counts.values())
    lines.append(f"{prefix}{'change' if dry_run else 'changed'} {total} record(s)")
    return lines


def timing_line(
    seconds: float, read: Mapping[str, int], counts: Mapping[tuple[str, str], int]
) -> str:
    """How long a load took and its rate (figures/s when it read figures), and how many
    records of each kind it read and left as they were."""
    figures = read.get("figures", 0)
    amount, unit = (figures, "figures") if figures else (sum(read.values()), "records")
    rate = f", {amount / seconds:,.0f} {unit}/s" if seconds > 0 and amount else ""
    written: Counter[str] = Counter()
    for (kind, action), n in counts.items():
        if action != "delete":
            written[kind] += n
    kept = [
        _records(read.get(f"{k}s", 0) - written[k], k)
        for k in KINDS[:-1]
        if read.get(f"{k}s", 0) - written[k] > 0
    ]
    left = f"; unchanged: {', '.join(kept)}" if kept else ""
    return f"took {seconds:,.1f} s{rate}{left}"


class ProgressReport:
    """Long steps' progress on stderr, told ``(step, done, total)``: on a terminal a bar per
    step with its rate and time left (rich); elsewhere (CI, a log) a plain line each time a
    step passes another tenth, at least every ``every`` seconds, and when it ends. Steps of
    fewer than ``least`` records are not shown."""

    def __init__(
        self,
        stream: IO[str] | None = None,
        *,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        every: float = 10.0,
        least: int = 10_000,
    ):
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.clock = clock
        self.every = every
        self.least = least
        self.last = clock()  # when the step before the next one ended
        self.steps: dict[str, dict[str, Any]] = {}
        self.bars: Any = None

    def __call__(self, step: str, done: int, total: int) -> None:
        now = self.clock()
        state = self.steps.get(step)
        if state is None:
            state = self.steps[step] = {"start": self.last, "tenth": 0, "said": self.last}
        self.last = now
        if total < self.least:
            return
        if self.tty:
            self._bar(step, done, total, state)
            return
        tenth = done * 10 // total
        if tenth > state["tenth"] or now - state["said"] >= self.every or done >= total:
            state["tenth"], state["said"] = tenth, now
            print(self.line(step, done, total, now - state["start"]), file=self.stream, flush=True)

    @staticmethod
    def line(step: str, done: int, total: int, seconds: float) -> str:
        """``new figures: 10,000/100,000 (10 %), 2,000/s, about 45 s left``."""
        text = f"{step}: {done:,}/{total:,} ({done * 100 // total} %)"
        if seconds <= 0 or done <= 0:
            return text
        rate = done / seconds
        text += f", {rate:,.0f}/s"
        if done < total:
            text += f", about {(total - done) / rate:,.0f} s left"
        return text

    def _bar(self, step: str, done: int, total: int, state: dict[str, Any]) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        if self.bars is None:
            self.bars = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=False,
            )
            self.bars.start()
        if "task" not in state:
            state["task"] = self.bars.add_task(step, total=total, rate="")
        seconds = self.last - state["start"]
        rate = f"{done / seconds:,.0f}/s" if seconds > 0 else ""
        self.bars.update(state["task"], completed=done, total=total, rate=rate)

    def close(self) -> None:
        if self.bars is not None:
            self.bars.stop()
            self.bars = None
