"""Whether the database answers, and at which schema revision."""

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError


@dataclass(frozen=True)
class DatabaseHealth:
    ok: bool
    engine: str
    schema_revision: str | None
    error: str | None = None


def check(engine: Engine) -> DatabaseHealth:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as exc:
        return DatabaseHealth(False, engine.dialect.name, None, exc.__class__.__name__)
    return DatabaseHealth(True, engine.dialect.name, revision)
