"""The ``sourced`` command: migrate, seed, import and export, keys, and serve.

Commands import the services they use when they run, not at start-up: `sourced --help` and
`sourced db upgrade` need none of them.
"""

from app.cli import admin, data, draft, seed
from app.cli.apps import cli
from app.cli.common import missing_sqlite_file

__all__ = ["admin", "cli", "data", "draft", "main", "missing_sqlite_file", "seed"]


def main() -> None:
    cli()
