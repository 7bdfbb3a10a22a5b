"""The ``sourced`` command: migrate, seed and serve."""

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app import migrate
from app.errors import DomainError
from app.settings import Settings

cli = typer.Typer(
    help="Sourced: a sourced event dataset over HTTP.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_cli = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
keys_cli = typer.Typer(help="API keys for editors and admins.", no_args_is_help=True)
cli.add_typer(keys_cli, name="keys")
search_cli = typer.Typer(help="The full-text search index.", no_args_is_help=True)
cli.add_typer(search_cli, name="search")
docs_cli = typer.Typer(help="Figures' stored public texts (JSON and CSV).", no_args_is_help=True)
cli.add_typer(docs_cli, name="docs")

DEFAULT_SEED = Path("seed")


def _missing_sqlite_file(url: str) -> bool:
    """Whether ``url`` names an SQLite file that is not there (SQLite would create it empty)."""
    if not url.startswith("sqlite"):
        return False
    database = make_url(url).database
    if database in (None, "", ":memory:") or database.startswith("file:") or "mode=memory" in url:
        return False
    return not Path(database).exists()


def _database_settings() -> Settings:
    """The settings, once their database is known to exist: run from another folder, a
    relative SQLite path would otherwise create an empty file there and fail on a missing
    table. Every command but `sourced db upgrade` (which creates it) starts here."""
    settings = Settings()
    if _missing_sqlite_file(settings.database_url):
        typer.echo(
            f"no database at {settings.database_url} (run `sourced db upgrade` first, "
            "or set SOURCED_DATABASE_URL)",
            err=True,
        )
        raise typer.Exit(code=1)
    return settings


@contextmanager
def _unit_of_work() -> Iterator[Session]:
    """One transaction against the configured database; domain errors exit with status 1."""
    from app.db import build_engine, unit_of_work

    engine = build_engine(_database_settings(), statement_timeout=False)
    try:
        with unit_of_work(engine) as session:
            yield session
    except DomainError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database up to REVISION (default: the latest)."""
    settings = Settings()
    migrate.upgrade(settings.database_url, revision)
    typer.echo(f"database at {revision}")
    if revision == "head":
        # A database from before stored texts existed reads correctly without them, slowly.
        written = _write_docs(only_missing=True)
        if written:
            typer.echo(f"wrote {written} figure text(s) that were missing")


@db_cli.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()]) -> None:
    """Migrate the database down to REVISION (`base` empties it)."""
    settings = _database_settings()
    migrate.downgrade(settings.database_url, revision)
    typer.echo(f"database at {revision}")


# `sourced seed` exits with this when it wrote what it could but left conflicts: a script
# notices; `make run` and the container start report them and serve.
EXIT_CONFLICTS = 3


@cli.command()
def seed(
    paths: Annotated[list[Path] | None, typer.Argument(help="Seed files or folders.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change.")] = False,
    take_file: Annotated[
        bool,
        typer.Option(
            "--take-file",
            help="Apply the files' records even where they were edited since the files last "
            "changed them (needs --reason; each such write says so in its revision).",
        ),
    ] = False,
    remote: Annotated[
        str | None, typer.Option(help="Send the files as bundles to this Sourced server instead.")
    ] = None,
    key: Annotated[
        str | None, typer.Option(envvar="SOURCED_KEY", help="Editor key for --remote.")
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option(
            help="Why: for --take-file, and for --remote (the server refuses a bundle that "
            "changes stored records without one). Other local writes record 'seed update'."
        ),
    ] = None,
) -> None:
    """Load seed files (default: everything in seed/), all or nothing, as a three-way merge.

    A record the file did not change since it was last applied is left as it is, so editors'
    corrections stand; a record the file changed is updated unless it was edited since, which
    is a conflict: reported, not written, and the command exits with 3.
    """
    from app.db import build_engine
    from app.services import seeding

    if remote is not None:
        _seed_remote(remote, key, paths or [DEFAULT_SEED], reason, take_file)
        return
    if take_file and (reason is None or not reason.strip()):
        typer.echo('--take-file needs --reason "why the file wins over the edits"', err=True)
        raise typer.Exit(code=2)
    if reason is not None and not take_file:
        typer.echo(
            f"note: --reason is for --take-file and --remote; local seeding records "
            f"{seeding.UPDATE_REASON!r}",
            err=True,
        )

    engine = build_engine(_database_settings(), statement_timeout=False)
    try:
        changes = seeding.run(
            engine,
            paths or [DEFAULT_SEED],
            dry_run=dry_run,
            take_file_reason=reason.strip() if take_file and reason else None,
        )
    except seeding.SeedError as exc:
        typer.echo(f"seed refused: {len(exc.problems)} problem(s), nothing written", err=True)
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
    prefix = "would " if dry_run else ""
    for change in changes:
        typer.echo(f"{prefix}{change}")
    typer.echo(f"{prefix}{'change' if dry_run else 'changed'} {len(changes)} record(s)")
    if changes.conflicts:
        for conflict in changes.conflicts:
            typer.echo(str(conflict), err=True)
        typer.echo(
            f"{len(changes.conflicts)} conflict(s): {'would leave' if dry_run else 'left'} "
            "those records as they are",
            err=True,
        )
        raise typer.Exit(code=EXIT_CONFLICTS)


def _seed_remote(
    url: str, key: str | None, paths: list[Path], reason: str | None, take_file: bool = False
) -> None:
    """Each file becomes one bundle, vocabulary files (no `document`) first."""
    import httpx

    from app.services import bundles, seeding

    if not key:
        typer.echo("--remote needs --key (or SOURCED_KEY)", err=True)
        raise typer.Exit(code=2)
    loaded = []
    for path in seeding.discover(paths):
        file, problems = seeding.read_file(path)
        if problems or file is None:
            for problem in problems:
                typer.echo(f"  {problem}", err=True)
            raise typer.Exit(code=1)
        loaded.append(file)
    loaded.sort(key=lambda f: (f.data.document is not None, str(f.path)))
    with httpx.Client(
        base_url=url.rstrip("/"), headers={"Authorization": f"Bearer {key}"}, timeout=60
    ) as client:
        for file in loaded:
            bundle = bundles.from_file(file)
            if reason is not None:
                # In the body, not the header: a header cannot carry every character.
                bundle["reason"] = reason
            if take_file:
                bundle["take_file"] = True
            try:
                response = client.post("/v1/bundles", json=bundle)
            except httpx.TransportError as exc:
                typer.echo(f"cannot reach {url}: {_transport_error(exc)}", err=True)
                raise typer.Exit(code=1) from None
            if response.status_code != 200:
                _refused(file.path, response)
            result = response.json()
            for change in result["changes"]:
                typer.echo(change)
            typer.echo(f"{file.path}: changed {result['changed']} record(s)")


def _transport_error(exc: Exception) -> str:
    """'[Errno 111] Connection refused' as 'connection refused'."""
    words = re.sub(r"^\[Errno -?\d+\]\s*", "", str(exc)).strip()
    return (words[:1].lower() + words[1:]) if words else type(exc).__name__


def _refused(path: Path, response: Any) -> None:
    """Say why the server refused a bundle (each problem once, else its detail) and exit 1."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        typer.echo(f"{path}: refused ({response.status_code}): {response.text[:2000]}", err=True)
        raise typer.Exit(code=1)
    errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
    # The detail joins the records' problems (the first 20): list them instead, one a line.
    problems = [e for e in errors if "record" in e]
    if problems:
        typer.echo(
            f"{path}: refused ({response.status_code}): {len(problems)} problem(s)", err=True
        )
        for error in problems:
            typer.echo(
                f"  {error['record']}: {error.get('field')}: {error.get('message')}", err=True
            )
    else:
        typer.echo(f"{path}: refused ({response.status_code}): {body.get('detail')}", err=True)
    if any(e.get("field") == "reason" for e in errors):
        typer.echo("  (give the reason with --reason TEXT)", err=True)
    raise typer.Exit(code=1)


@cli.command("export")
def export_cmd(
    out: Annotated[Path, typer.Option(help="Folder to write the files into.")],
    format: Annotated[
        str, typer.Option(help="csv, ndjson, or datapackage (the CSV files and datapackage.json).")
    ] = "datapackage",
    base_url: Annotated[
        str, typer.Option(help="Public address of the API, for the records' links.")
    ] = "http://127.0.0.1:8000/",
) -> None:
    """Write the sources, events and figures tables, as the API serves them."""
    from rich.progress import MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from app.db import build_engine
    from app.services import exporting

    if format not in exporting.FORMATS:
        typer.echo(f"format: must be one of {', '.join(exporting.FORMATS)}", err=True)
        raise typer.Exit(code=2)
    settings = _database_settings()
    engine = build_engine(settings, statement_timeout=False)
    columns = (
        TextColumn("{task.description}"),
        MofNCompleteColumn(),
        TextColumn("{task.speed} rows/s"),
        TimeElapsedColumn(),
    )
    # A progress bar on a terminal; nothing but the summary when the output is piped or logged.
    with Progress(*columns, disable=not sys.stderr.isatty(), transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(table: str, rows: int) -> None:
            if table not in tasks:
                tasks[table] = bar.add_task(table, total=None)
            bar.advance(tasks[table], rows)

        try:
            with Session(engine) as session:
                counts = exporting.export(
                    session,
                    out,
                    format,
                    base_url=base_url if base_url.endswith("/") else base_url + "/",
                    licence=settings.dataset_licence,
                    progress=progress,
                )
        finally:
            engine.dispose()
    for table, rows in counts.items():
        typer.echo(f"{table}: {rows} row(s)")
    typer.echo(f"wrote {format} to {out}")


@cli.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="A CSV of figures (the columns of the export).")],
    reason: Annotated[
        str, typer.Option(help="Why the figures are loaded; kept in every revision.")
    ] = "csv import",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and show, write nothing.")
    ] = False,
) -> None:
    """Load figures from a CSV file, all or nothing; every bad row is reported with its line."""
    from app.db import build_engine, unit_of_work, writer
    from app.services import importing

    engine = build_engine(_database_settings(), statement_timeout=False)
    try:
        with unit_of_work(writer(engine)) as session:
            changes = importing.run(session, file, actor=f"import {file.name}", reason=reason)
            if dry_run:
                session.rollback()
    except importing.CsvImportError as exc:
        typer.echo(f"import refused: {len(exc.problems)} problem(s), nothing written", err=True)
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
    prefix = "would " if dry_run else ""
    for change in changes:
        typer.echo(f"{prefix}{change}")
    typer.echo(f"{prefix}{'change' if dry_run else 'changed'} {len(changes)} record(s)")


@keys_cli.command("create")
def keys_create(
    name: Annotated[
        str, typer.Option(help="Who holds the key; shown in every revision they make.")
    ],
    scope: Annotated[str, typer.Option(help="editor or admin.")] = "editor",
) -> None:
    """Create a key and print it once; only its SHA-256 is stored."""
    from app.services import keys

    with _unit_of_work() as session:
        created = keys.create(session, name, scope)
    typer.echo(created.secret)
    typer.echo(
        f"key {created.key.prefix} for {name!r} ({scope}); it will not be shown again", err=True
    )


@keys_cli.command("list")
def keys_list() -> None:
    """List keys: prefix, name, scope, created, revoked."""
    from app.db import build_engine, unit_of_work
    from app.services import keys

    engine = build_engine(_database_settings(), statement_timeout=False)
    try:
        with unit_of_work(engine) as session:
            rows = keys.list_keys(session)
            for key in rows:
                revoked = key.revoked_at.isoformat() if key.revoked_at else "-"
                typer.echo(
                    f"{key.prefix}\t{key.name}\t{key.scope}\t{key.created_at.isoformat()}\t{revoked}"
                )
    finally:
        engine.dispose()


@keys_cli.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="The key's name or prefix.")]) -> None:
    """Revoke a key: it stops working at once and stays listed."""
    from app.services import keys

    with _unit_of_work() as session:
        key = keys.revoke(session, name)
        typer.echo(f"revoked {key.prefix} ({key.name})")


@search_cli.command("rebuild")
def search_rebuild() -> None:
    """Rewrite every searchable text that is out of date (e.g. after the rules for what is
    searchable changed); texts that already match are left alone."""
    from app.db import build_engine, unit_of_work, writer
    from app.services import search_index

    engine = build_engine(_database_settings(), statement_timeout=False)
    try:
        with unit_of_work(writer(engine)) as session:
            changed = search_index.rebuild(session)
    finally:
        engine.dispose()
    typer.echo(f"rewrote {changed} search text(s)")


def _write_docs(*, only_missing: bool) -> int:
    """Write figures' stored texts a page at a time, each page its own transaction: they
    are derived data, so a stop half-way loses nothing (the rest render on the fly)."""
    from app.db import build_engine, unit_of_work, writer
    from app.services import figure_docs
    from app.services.bulk import chunks

    engine = build_engine(_database_settings(), statement_timeout=False)
    written = 0
    try:
        with unit_of_work(engine) as session:
            ids = figure_docs.to_write(session, only_missing=only_missing)
        for page in chunks(ids, 5000):
            with unit_of_work(writer(engine)) as session:
                written += figure_docs.refresh(session, page)
            if len(ids) > 5000:
                typer.echo(f"  {written:,} / {len(ids):,} figure texts", err=True)
    finally:
        engine.dispose()
    return written


@docs_cli.command("rebuild")
def docs_rebuild(
    missing: Annotated[
        bool, typer.Option("--missing", help="Only write figures that have no stored text.")
    ] = False,
) -> None:
    """Rewrite every figure's stored JSON and CSV text from the records (e.g. after the
    rules for a figure's representation changed)."""
    typer.echo(f"wrote {_write_docs(only_missing=missing)} figure text(s)")


@docs_cli.command("check")
def docs_check() -> None:
    """Compare every stored text with a fresh rendering; exit 1 if any differs."""
    from app.db import build_engine, unit_of_work
    from app.services import figure_docs

    engine = build_engine(_database_settings(), statement_timeout=False)
    try:
        with unit_of_work(engine) as session:
            stale, missing = figure_docs.stale(session), figure_docs.missing(session)
    finally:
        engine.dispose()
    typer.echo(f"{len(stale)} stale, {missing} missing figure text(s)")
    if stale:
        typer.echo("stale: " + ", ".join(map(str, stale[:20])), err=True)
        raise typer.Exit(code=1)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    settings = _database_settings()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # h11 with a bounded request head, answered 431 (app/serving.py); docker/start.sh too.
        http="app.serving:BoundedHeadProtocol",
        h11_max_incomplete_event_size=settings.max_header_bytes,
    )


def main() -> None:
    cli()
