"""What every command shares: the configured database (refused when it is missing) and one
transaction whose domain errors exit with status 1."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

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
