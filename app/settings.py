"""Settings read from the environment (prefix ``SOURCED_``)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOURCED_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///sourced.db"
    """SQLAlchemy URL. SQLite by default; ``postgresql+psycopg://...`` for PostgreSQL."""

    max_body_bytes: int = 5 * 1024 * 1024
    """Largest request body accepted (a bundle with a long document fits); larger is a 413."""

    max_query_bytes: int = 8 * 1024
    """Longest query string accepted (the longest filter list fits many times); longer is a
    400."""

    max_header_bytes: int = 64 * 1024
    """Largest request head (request line and headers) the server reads; larger is a 431 and
    the connection closes (app/serving.py). A reason in RFC 8187 form fits many times."""

    max_concurrent_requests: int = 64
    """Requests one worker handles at once (/health aside); beyond it an immediate 503 with
    Retry-After rather than an unbounded queue. 0 turns the cap off."""

    response_cache_entries: int = 512
    """Whole GET responses kept in memory per worker; 0 turns the cache off."""

    response_cache_bytes: int = 32 * 1024 * 1024
    """At most so many bytes of cached responses per worker; the oldest go first."""

    response_cache_recheck_seconds: float = 0.25
    """How often the dataset's version is read from the database, to notice other processes'
    writes."""

    writes_per_minute: float = 600
    """Writes per key per minute; beyond them (and the burst) a 429 with Retry-After. 0 turns
    the limit off."""

    writes_burst: int = 120
    """Writes a key may send at once above its per-minute rate."""

    failed_auth_per_minute: float = 10
    """Failed authentications per client address per minute; beyond them (and the burst) a 429
    with Retry-After. 0 turns the limit off."""

    failed_auth_burst: int = 20
    """Failed authentications a client may send at once above its per-minute rate."""

    sqlite_busy_timeout_ms: int = 5000
    """How long an SQLite connection waits for a lock before giving up."""

    read_database_url: str | None = None
    """A read replica (e.g. a PostgreSQL hot standby) for read-only requests; None: the primary."""

    pool_size: int = 20
    """Database connections each worker keeps open. Requests beyond it open (and close) extra
    ones, up to ``pool_overflow`` more: on SQLite a new connection re-reads the whole schema,
    so a pool smaller than the usual concurrency costs more than the queries."""

    pool_overflow: int = 20
    """Extra connections allowed beyond ``pool_size`` under a burst (closed when returned)."""

    read_threads: int = Field(default=2, ge=1, le=64)
    """Threads per worker that run the hot read routes' database work (lists, details,
    search). The work is mostly Python, so more threads than cores only contend for the GIL:
    the figures list served fewer requests from eight threads than from one
    (bench/README.md). Two keep one slow query from holding up every other read."""

    statement_timeout_ms: int = 15000
    """A statement of the serving app running longer than this is stopped (a 503 with
    Retry-After), on both engines: PostgreSQL's own ``statement_timeout``, and on SQLite a
    progress handler that interrupts it; 0: never. The command line (seed, import, export,
    rebuilds) and migrations are not bounded."""

    connect_timeout_seconds: int = Field(default=5, ge=0)
    """How long opening a PostgreSQL connection may take (2 s at least) before the request is a
    503: a server that accepts and never answers holds no request longer; 0: the driver's own
    limit (over two minutes)."""

    dataset_name: str = "Sourced"
    """The dataset's name, as the API root (`/`) gives it."""

    dataset_licence: str = "CC-BY-4.0"
    """The data's licence, as an SPDX identifier (the code is Apache-2.0)."""

    search_index_dir: str | None = None
    """The folder of the search's ranking index (a tantivy index derived from the database's
    search entries, app/services/common/search_engine.py). None: beside an SQLite file (its
    name plus ``.search``), or for PostgreSQL a folder per database under the user's cache
    folder. Every process serving one database must be given the same folder."""

    echo_sql: bool = False
    """Log every SQL statement (for debugging)."""


def normalise_database_url(url: str) -> str:
    """Accept the plain ``postgresql://`` spelling and route it through psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
