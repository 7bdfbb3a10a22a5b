"""Dependencies shared by the routes, declared once as ``Annotated`` aliases."""

import asyncio
import contextvars
import functools
from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool
from sqlmodel import Session

from app.db import OverBudgetError, budget, unit_of_work, writer
from app.settings import Settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def read_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.read_engine
    return engine


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """A read-only request's unit of work, on the read replica when there is one (it may lag
    the primary by its replay delay). Nothing that writes may use it."""
    with unit_of_work(request.app.state.read_engine) as session:
        yield session


T = TypeVar("T")


async def in_read_session(request: Request, work: Callable[[Session], T]) -> T:
    """``work(session)`` in a read-only unit of work, all of it in one worker thread.

    A sync route with a ``SessionDep`` crosses between the event loop and the thread pool
    several times per request (the dependency's enter and exit, the route itself), and each
    crossing is a wake-up and a handover of the GIL. The hot read routes are ``async`` and
    cross once (bench/README.md has the figure-detail measurement).
    They cross into their own small pool (``read_threads``), not the 40 threads of the
    default one: the work is mostly Python, and 8 threads contending for the GIL served the
    figures list at 131 req/s where one served 235. The database work stays off the event
    loop, so a slow query never stalls the server (``in_read_loop`` reads there only what is
    short by its nature or stops at a budget of milliseconds)."""

    def run() -> T:
        with unit_of_work(request.app.state.read_engine) as session:
            return work(session)

    return await in_read_pool(request, run)


async def in_read_session_unless(
    request: Request, first: Callable[[], T | None], work: Callable[[Session], T]
) -> T:
    """``first()`` in the read threads; where it answers None, ``work(session)`` in a read-only
    unit of work in the same thread: one crossing either way (``in_read_session``). For a
    read that has a path without a Session (the search while its index is up to date)."""

    def run() -> T:
        answered = first()
        if answered is not None:
            return answered
        with unit_of_work(request.app.state.read_engine) as session:
            return work(session)

    return await in_read_pool(request, run)


async def in_read_pool(request: Request, work: Callable[..., T], *args: object) -> T:
    """``work(*args)`` in the read threads (see ``in_read_session``)."""
    loop = asyncio.get_running_loop()
    call = functools.partial(contextvars.copy_context().run, work, *args)
    return await loop.run_in_executor(request.app.state.read_pool, call)


async def in_read_loop(
    request: Request, work: Callable[..., T], *args: object, within: float | None = None
) -> T:
    """``work(*args)`` here, on the event loop, when the read database is an SQLite file and
    a pooled connection is free without waiting; else in the read threads (``in_read_pool``).

    It takes less than the hop into a thread and back (bench/README.md, "Hot reads"), for
    reads that are short by their nature: one statement on a unique index (a figure by its
    slug), bounded by SQLite's statement deadline; or, ``within`` seconds given, a read that
    is short as a rule but may scan (a page by measure whose statuses are rare in it), which
    stops at that budget and is read again in the threads, so the loop is never held longer.
    Every read on PostgreSQL, which goes over the network, stays in the threads."""
    engine = read_engine(request)
    if engine.dialect.name == "sqlite" and isinstance(engine.pool, QueuePool):
        settings = get_settings(request)
        if engine.pool.checkedout() < settings.pool_size + settings.pool_overflow:
            if within is None:
                return work(*args)
            if settings.statement_timeout_ms > 0:  # else nothing would stop it at its budget
                try:
                    with budget(within):
                        return work(*args)
                except OverBudgetError:
                    pass
    return await in_read_pool(request, work, *args)


def get_write_session(request: Request) -> Iterator[Session]:
    """A unit of work that will write: on SQLite it takes the write lock when it begins."""
    with unit_of_work(writer(request.app.state.engine)) as session:
        yield session


EngineDep = Annotated[Engine, Depends(get_engine)]
ReadEngineDep = Annotated[Engine, Depends(read_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
# Scope "function": the write commits when the route returns, before the response is sent,
# so a 2xx always means committed (a crash just after it cannot lose an acknowledged write).
WriteSessionDep = Annotated[Session, Depends(get_write_session, scope="function")]
