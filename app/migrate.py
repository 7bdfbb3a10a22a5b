"""Run the Alembic migrations programmatically (used by the CLI and the tests)."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from app.settings import normalise_database_url


def _alembic_ini() -> Path:
    # The migrations live beside the package in a checkout and in the image's working folder.
    for folder in (Path(__file__).resolve().parent.parent, Path.cwd()):
        candidate = folder / "alembic.ini"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("alembic.ini not found beside the app package or in the working folder")


def config(database_url: str) -> Config:
    cfg = Config(str(_alembic_ini()))
    cfg.attributes["database_url"] = normalise_database_url(database_url)
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(config(database_url), revision)
