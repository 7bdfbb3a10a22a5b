"""`sourced export` and `sourced import`: the dataset out as files, figures in from a CSV."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session

from app.cli.apps import cli
from app.cli.common import database_settings, print_changes, refused


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
    from app.services.derived import exporting

    if format not in exporting.FORMATS:
        typer.echo(f"format: must be one of {', '.join(exporting.FORMATS)}", err=True)
        raise typer.Exit(code=2)
    settings = database_settings()
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
    from app.services.write import importing

    engine = build_engine(database_settings(), statement_timeout=False)
    try:
        with unit_of_work(writer(engine)) as session:
            changes = importing.run(session, file, actor=f"import {file.name}", reason=reason)
            if dry_run:
                session.rollback()
    except importing.CsvImportError as exc:
        refused("import", exc.problems)
    finally:
        engine.dispose()
    print_changes(changes, dry_run)
