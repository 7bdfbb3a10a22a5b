"""Whether the databases answer, at which schema revision, and how far a replica lags."""

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError


@dataclass(frozen=True)
class DatabaseHealth:
    ok: bool
    engine: str
    schema_revision: str | None
    error: str | None = None


@dataclass(frozen=True)
class ReplicaHealth(DatabaseHealth):
    replay_lag_seconds: float | None = None


# A standby that has replayed everything it received is not behind, however long ago the
# primary's last write was; otherwise the age of the last transaction it replayed.
_REPLAY_LAG = text(
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL"
    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
)


def _revision(conn: Connection) -> str | None:
    conn.execute(text("SELECT 1"))
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check(engine: Engine) -> DatabaseHealth:
    try:
        with engine.connect() as conn:
            revision = _revision(conn)
    except SQLAlchemyError as exc:
        return DatabaseHealth(False, engine.dialect.name, None, exc.__class__.__name__)
    return DatabaseHealth(True, engine.dialect.name, revision)


def check_replica(engine: Engine) -> ReplicaHealth:
    """As ``check``, with the replay lag of a PostgreSQL hot standby (None elsewhere)."""
    try:
        with engine.connect() as conn:
            revision = _revision(conn)
            lag = None
            if engine.dialect.name == "postgresql":
                seconds = conn.execute(_REPLAY_LAG).scalar()
                lag = None if seconds is None else round(max(float(seconds), 0.0), 3)
    except SQLAlchemyError as exc:
        return ReplicaHealth(False, engine.dialect.name, None, exc.__class__.__name__)
    return ReplicaHealth(True, engine.dialect.name, revision, replay_lag_seconds=lag)
