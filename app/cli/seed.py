"""`sourced seed`: load seed files locally (a three-way merge) or into a remote server."""

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from time import perf_counter
from typing import Annotated, Any

import typer

from app.cli.apps import cli
from app.cli.common import (
    DEFAULT_SEED,
    ProgressReport,
    database_settings,
    refused,
    summary_lines,
    timing_line,
)

EXIT_CONFLICTS = 3
# Files holding at least this many records are a long load: its time and rate are printed
# (on stderr) without --verbose; a small seed's output stays just what it wrote.
LONG_LOAD = 1_000


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
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="List every record written, a line each, before the summary."
        ),
    ] = False,
) -> None:
    """Load seed files (default: everything in seed/), all or nothing, as a three-way merge.

    A record the file did not change since it was last applied is left as it is, so editors'
    corrections stand; a record the file changed is updated unless it was edited since, which
    is a conflict: reported, not written, and the command exits with 3.

    Prints what was created, updated and deleted by kind of record (every record with
    --verbose); on stderr a long load's progress, then the time taken, the rate and what
    was left unchanged (a small load's with --verbose).
    """
    from app.db import build_engine
    from app.services.write import ingest

    if remote is not None:
        _seed_remote(remote, key, paths or [DEFAULT_SEED], reason, take_file)
        return
    if take_file and (reason is None or not reason.strip()):
        typer.echo('--take-file needs --reason "why the file wins over the edits"', err=True)
        raise typer.Exit(code=2)
    if reason is not None and not take_file:
        typer.echo(
            f"note: --reason is for --take-file and --remote; local seeding records "
            f"{ingest.UPDATE_REASON!r}",
            err=True,
        )

    engine = build_engine(database_settings(), statement_timeout=False)
    progress = ProgressReport()
    started = perf_counter()
    try:
        with without_cycle_collector():
            changes = ingest.run(
                engine,
                paths or [DEFAULT_SEED],
                dry_run=dry_run,
                take_file_reason=reason.strip() if take_file and reason else None,
                keep_changes=verbose,
                progress=progress,
            )
    except ingest.SeedError as exc:
        progress.close()
        refused("seed", exc.problems)
    finally:
        progress.close()
        engine.dispose()
    seconds = perf_counter() - started
    if verbose:
        prefix = "would " if dry_run else ""
        for change in changes:
            typer.echo(f"{prefix}{change}")
    for line in summary_lines(changes.counts, dry_run):
        typer.echo(line)
    if verbose or sum(changes.read.values()) >= LONG_LOAD:
        typer.echo(timing_line(seconds, changes.read, changes.counts), err=True)
    if changes.conflicts:
        for conflict in changes.conflicts:
            typer.echo(str(conflict), err=True)
        typer.echo(
            f"{len(changes.conflicts)} conflict(s): {'would leave' if dry_run else 'left'} "
            "those records as they are",
            err=True,
        )
        raise typer.Exit(code=EXIT_CONFLICTS)


@contextmanager
def without_cycle_collector() -> Iterator[None]:
    """Python's cyclic garbage collector off for a load, on again after it (and after a
    failed one), with one collection then.

    A load holds every record of its files as objects while it writes them, and the collector
    scans all of them on each full collection, which the many objects a load allocates set off
    again and again: most of a large load's CPU went there (bench/README.md, "Seeding one
    file"). What a load frees it frees by reference counting; it leaves next to no cycles,
    and a file read as a stream has the youngest generation collected after each page."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()


def _seed_remote(
    url: str, key: str | None, paths: list[Path], reason: str | None, take_file: bool = False
) -> None:
    """Each file becomes one bundle, vocabulary files (no `document`) first."""
    import httpx

    from app.services.write import bundles, ingest

    if not key:
        typer.echo("--remote needs --key (or SOURCED_KEY)", err=True)
        raise typer.Exit(code=2)
    loaded = []
    for path in ingest.discover(paths):
        file, problems = ingest.read_file(path)
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
