"""Running the database and the server: migrations, API keys, the derived search index and
stored texts, and `sourced serve`."""

from typing import Annotated

import typer

from app import migrate
from app.cli.apps import cli, db_cli, docs_cli, keys_cli, search_cli
from app.cli.common import cli_unit_of_work, database_settings
from app.settings import Settings


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
    settings = database_settings()
    migrate.downgrade(settings.database_url, revision)
    typer.echo(f"database at {revision}")


# `sourced seed` exits with this when it wrote what it could but left conflicts: a script
# notices; `make run` and the container start report them and serve.


@keys_cli.command("create")
def keys_create(
    name: Annotated[
        str, typer.Option(help="Who holds the key; shown in every revision they make.")
    ],
    scope: Annotated[str, typer.Option(help="editor or admin.")] = "editor",
) -> None:
    """Create a key and print it once; only its SHA-256 is stored."""
    from app.services.write import keys

    with cli_unit_of_work() as session:
        created = keys.create(session, name, scope)
    typer.echo(created.secret)
    typer.echo(
        f"key {created.key.prefix} for {name!r} ({scope}); it will not be shown again", err=True
    )


@keys_cli.command("list")
def keys_list() -> None:
    """List keys: prefix, name, scope, created, revoked."""
    from app.db import build_engine, unit_of_work
    from app.services.write import keys

    engine = build_engine(database_settings(), statement_timeout=False)
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
    from app.services.write import keys

    with cli_unit_of_work() as session:
        key = keys.revoke(session, name)
        typer.echo(f"revoked {key.prefix} ({key.name})")


@search_cli.command("rebuild")
def search_rebuild() -> None:
    """Rewrite every searchable text that is out of date (e.g. after the rules for what is
    searchable changed); texts that already match are left alone."""
    from app.db import build_engine, unit_of_work, writer
    from app.services.derived import search_index

    engine = build_engine(database_settings(), statement_timeout=False)
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
    from app.services.common.batching import chunks
    from app.services.derived import figure_docs

    engine = build_engine(database_settings(), statement_timeout=False)
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
    from app.services.derived import figure_docs

    engine = build_engine(database_settings(), statement_timeout=False)
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

    settings = database_settings()
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


@search_cli.command("reindex")
def search_reindex() -> None:
    """Build the search's ranking index afresh from every search entry. Searches keep it up
    to date and the first one builds a missing index; run this after a bulk load or after
    restoring a backup, so that no search waits for the build."""
    from app.db import build_engine, unit_of_work, writer
    from app.services.common import search_engine

    engine = build_engine(database_settings(), statement_timeout=False)

    def progress(done: int, total: int) -> None:
        if done % 50_000 == 0 or done == total:
            typer.echo(f"indexed {done:,} of {total:,} search entries", err=True)

    try:
        with unit_of_work(writer(engine)) as session:
            held = search_engine.reindex(session, progress)
            where = search_engine.folder(session.connection().engine)
    finally:
        engine.dispose()
    typer.echo(f"the search index holds {held:,} entries ({where})")
