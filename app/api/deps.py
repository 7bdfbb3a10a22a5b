"""Dependencies shared by the routes, declared once as ``Annotated`` aliases."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import unit_of_work, writer
from app.settings import Settings


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_read_engine(request: Request) -> Engine:
    return request.app.state.read_engine


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """A read-only request's unit of work, on the read replica when there is one (it may lag
    the primary by its replay delay). Nothing that writes may use it."""
    with unit_of_work(request.app.state.read_engine) as session:
        yield session


def get_write_session(request: Request) -> Iterator[Session]:
    """A unit of work that will write: on SQLite it takes the write lock when it begins."""
    with unit_of_work(writer(request.app.state.engine)) as session:
        yield session


EngineDep = Annotated[Engine, Depends(get_engine)]
ReadEngineDep = Annotated[Engine, Depends(get_read_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
# Scope "function": the write commits when the route returns, before the response is sent,
# so a 2xx always means committed (a crash just after it cannot lose an acknowledged write).
WriteSessionDep = Annotated[Session, Depends(get_write_session, scope="function")]
