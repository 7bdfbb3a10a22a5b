"""The ``sourced`` command and its groups; each command module adds its commands."""

import typer

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
