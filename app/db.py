"""Engine construction and the unit of work: the one place that commits."""

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

from sqlalchemy import event, make_url
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from app.settings import Settings, normalise_database_url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def build_engine(
    settings: Settings, database_url: str | None = None, *, statement_timeout: bool = True
) -> Engine:
    """An engine for ``database_url`` (by default the primary, ``settings.database_url``).

    With ``statement_timeout`` (the serving app's engines) every statement is bounded by
    ``settings.statement_timeout_ms``; the command line passes False, so that a long seed,
    import or rebuild runs to its end instead of being stopped at a request's bound."""
    url = normalise_database_url(database_url or settings.database_url)
    timeout_ms = settings.statement_timeout_ms if statement_timeout else 0
    if url.startswith("sqlite"):
        connect_args: dict[str, Any] = {
            "check_same_thread": False,
            "timeout": settings.sqlite_busy_timeout_ms / 1000,
        }
        if timeout_ms > 0:
            connect_args["factory"] = _bounded_connection(timeout_ms / 1000)
        engine = create_engine(
            url,
            echo=settings.echo_sql,
            connect_args=connect_args,
            # An in-memory database lives in one connection (SQLAlchemy's singleton pool).
            **({} if _in_memory(url) else _pool(settings)),
        )
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    connect_args = {}
    if settings.connect_timeout_seconds > 0:
        # A server that takes the connection and never answers would hold the request for
        # the driver's default (over two minutes); bounded, it is a 503 within seconds.
        connect_args["connect_timeout"] = settings.connect_timeout_seconds
    if timeout_ms > 0:
        # Set per connection at startup, so no request can forget it: a runaway query is
        # cancelled by the server (answered as a 503) instead of holding a worker and a lock.
        connect_args["options"] = f"-c statement_timeout={int(timeout_ms)}"
    return create_engine(
        url,
        echo=settings.echo_sql,
        pool_pre_ping=True,
        connect_args=connect_args,
        **_pool(settings),
    )


def _pool(settings: Settings) -> dict[str, int]:
    return {"pool_size": settings.pool_size, "max_overflow": settings.pool_overflow}


def _in_memory(url: str) -> bool:
    database = make_url(url).database
    return database in (None, "", ":memory:") or "mode=memory" in url


# SQLite has no statement timeout of its own. Its progress handler runs every so many VM
# instructions of the statement in progress, and a true answer stops the statement with
# "interrupted". A few thousand instructions take well under a millisecond, so the bound is
# kept to within that, for one monotonic clock read per call.
_PROGRESS_INSTRUCTIONS = 4000

# What PostgreSQL reports for a statement it cancelled (query_canceled): an interrupted SQLite
# statement is marked with it, so that both engines are answered alike (a 503, app/api/problems.py).
QUERY_CANCELED = "57014"


# A tighter bound than the deadline for the statements of one read run on the event loop
# (``budget``): a read that would hold the loop longer stops, to be read again in a thread.
_BUDGET: ContextVar[float | None] = ContextVar("sqlite_budget", default=None)


class OverBudgetError(Exception):
    """A read stopped at its ``budget``: it may take longer where it holds no event loop."""


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Statements started here on a bounded SQLite connection stop after ``seconds`` (or at
    their deadline, if that is sooner), and raise ``OverBudgetError``."""
    token = _BUDGET.set(seconds)
    try:
        yield
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", "") == QUERY_CANCELED:
            raise OverBudgetError(str(exc.orig)) from exc
        raise
    finally:
        _BUDGET.reset(token)


class _Deadline:
    __slots__ = ("at",)

    def __init__(self) -> None:
        self.at = float("inf")


def _bounded_connection(limit_seconds: float) -> type[sqlite3.Connection]:
    """A sqlite3 connection class whose statements stop ``limit_seconds`` after they start.

    The clock starts at every execute (whichever path runs it: a Session, ``exec_driver_sql``
    or ``driver_reader``) and runs while the statement's rows are read, which in this app is
    at once: a streamed export reads a batch per statement. COMMIT and ROLLBACK run a handful
    of instructions, never enough to reach the handler."""
    clock = time.monotonic

    def until() -> float:
        within = _BUDGET.get()
        return clock() + (limit_seconds if within is None else min(within, limit_seconds))

    class BoundedCursor(sqlite3.Cursor):
        def execute(self, sql: str, parameters: Any = (), /) -> "BoundedCursor":
            cast(BoundedConnection, self.connection).deadline.at = until()
            return super().execute(sql, parameters)

        def executemany(self, sql: str, parameters: Any, /) -> "BoundedCursor":
            cast(BoundedConnection, self.connection).deadline.at = until()
            return super().executemany(sql, parameters)

        def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
            cast(BoundedConnection, self.connection).deadline.at = until()
            return super().executescript(sql_script)

    class BoundedConnection(sqlite3.Connection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # The handler holds the deadline, not the connection: no reference cycle.
            deadline = self.deadline = _Deadline()
            self.set_progress_handler(lambda: clock() > deadline.at, _PROGRESS_INSTRUCTIONS)

        def cursor(self, factory: Any = BoundedCursor) -> sqlite3.Cursor:  # type: ignore[override]  # the stub's overloads name each factory type
            return cast(sqlite3.Cursor, super().cursor(factory))

        # The connection's shortcuts run their statement without the cursor's execute.
        def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
            self.deadline.at = until()
            return super().execute(sql, parameters)

        def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
            self.deadline.at = until()
            return super().executemany(sql, parameters)

        def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
            self.deadline.at = until()
            return super().executescript(sql_script)

    return BoundedConnection


def _mark_interrupted(exc: BaseException) -> None:
    """An SQLite statement stopped by its deadline carries PostgreSQL's query_canceled."""
    if isinstance(exc, sqlite3.OperationalError) and str(exc) == "interrupted":
        exc.sqlstate = QUERY_CANCELED  # type: ignore[attr-defined]


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    # SQLite enforces foreign keys only when asked, per connection. WAL lets readers run
    # beside one writer; the busy timeout makes a writer wait instead of failing at once.
    # The driver's own transaction handling is switched off so that BEGIN is ours
    # (SQLAlchemy's documented recipe), which makes SAVEPOINTs behave.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A write takes the lock when it starts, not when it first writes: otherwise two
        # writers that both read first end in a snapshot conflict SQLite cannot wait out.
        # Straight on the driver (through exec_driver_sql it cost a detail read more than its
        # query), its errors wrapped as SQLAlchemy's, as exec_driver_sql did: a
        # write that waited out the busy timeout is still an OperationalError (a 503).
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        statement = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        try:
            cast(sqlite3.Connection, conn.connection.driver_connection).execute(statement)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(statement, (), exc, sqlite3.Error) from exc

    @event.listens_for(engine, "handle_error")
    def _on_error(context):  # type: ignore[no-untyped-def]
        # Raised by execute or by a later fetch of the rows: both come through here.
        _mark_interrupted(context.original_exception)


def writer(engine: Engine) -> Engine:
    """The same engine, for transactions that will write (BEGIN IMMEDIATE on SQLite)."""
    return engine.execution_options(sqlite_immediate=True) if is_sqlite(engine) else engine


@contextmanager
def driver_reader(engine: Engine) -> Iterator[Any]:
    """A pooled driver connection for reads of **one statement each**: no Session, no ORM
    and no BEGIN, for the hottest reads (a figure's detail). One statement sees one
    snapshot on both engines; anything that needs two statements to agree uses
    ``unit_of_work`` (or, on SQLite, its own BEGIN). The pool rolls back whatever the driver
    opened when it takes the connection back (bench/README.md has the in-process measurement).

    On PostgreSQL the connection is in autocommit while it is lent: psycopg would otherwise
    open a transaction before the first statement, a BEGIN and a ROLLBACK that are each a
    round trip to the server, and the ROLLBACK empties the connection's prepared statements,
    so that the hot reads were parsed and planned afresh every time."""
    dbapi_error = engine.dialect.loaded_dbapi.Error
    try:
        # The pool hands back the driver's own error when it cannot connect (the server is
        # down): wrapped as a Session's would be, it is a 503 like any other path's.
        connection = engine.raw_connection()
    except dbapi_error as exc:
        raise DBAPIError.instance(None, None, exc, dbapi_error) from exc
    driver: Any = connection.driver_connection
    autocommit = engine.dialect.name == "postgresql"
    try:
        if autocommit:
            driver.autocommit = True
        yield connection
    finally:
        if autocommit:
            try:
                driver.autocommit = False  # the pool's other users expect transactions
            except dbapi_error:
                connection.invalidate()  # a broken connection: never lent again
        connection.close()


def driver_fetchone(
    engine: Engine, statement: str, parameters: tuple[Any, ...]
) -> tuple[Any, ...] | None:
    """One row of one statement through ``driver_reader``."""
    with driver_reader(engine) as connection:
        rows = driver_rows(engine, connection, statement, parameters, many=False)
        return rows[0] if rows else None


def driver_rows(
    engine: Engine, connection: Any, statement: str, parameters: Any, *, many: bool = True
) -> list[tuple[Any, ...]]:
    """The rows of one statement on a ``driver_reader`` connection (only the first without
    ``many``). The driver's errors come out as SQLAlchemy's (``OperationalError`` and the
    rest), as they do from a Session, so that a locked, unreachable or stopped database is
    answered the same way on every path."""
    cursor = connection.cursor()
    try:
        if engine.dialect.name == "postgresql":
            # Rows in the binary format: the stored texts come as bytea, which the text
            # format sends as hex, twice their size, for the driver to decode.
            cursor.execute(statement, parameters, binary=True)
        else:
            cursor.execute(statement, parameters)
        if many:
            rows: list[tuple[Any, ...]] = cursor.fetchall()
            return rows
        row = cursor.fetchone()
        return [] if row is None else [row]
    except engine.dialect.loaded_dbapi.Error as exc:
        _mark_interrupted(exc)
        raise DBAPIError.instance(
            statement, parameters, exc, engine.dialect.loaded_dbapi.Error
        ) from exc
    finally:
        cursor.close()


def placeholder(engine: Engine) -> str:
    """The driver's parameter mark: ``?`` for sqlite3, ``%s`` for psycopg."""
    return "?" if engine.dialect.paramstyle == "qmark" else "%s"


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """Commit on success, roll back on any error. Services only flush."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
