"""Helpers shared by test modules, so that no test module imports another."""

import base64
import json

import fastapi.routing
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, func, select

from app.models import Attribution, Event, Figure, Measure, Revision, Source, metadata


def dump(engine) -> list:
    """Every row of every table, in a stable order: equal dumps mean an unchanged database."""
    with engine.connect() as conn:
        return [
            (
                table.name,
                [
                    tuple(map(str, row))
                    for row in conn.execute(
                        text(
                            f"SELECT * FROM {table.name} ORDER BY {table.primary_key.columns.keys()[0]}"
                        )
                    )
                ],
            )
            for table in metadata.sorted_tables
        ]


def counts(engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            model.__tablename__: session.exec(select(func.count()).select_from(model)).one()
            for model in (Measure, Source, Event, Figure, Attribution, Revision)
        }


def cursor(sort: str, values: list) -> str:
    """A forged cursor: the shape the lists hand out, with values they never would."""
    raw = json.dumps({"s": sort, "v": values}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def route_contexts(app: FastAPI) -> list:
    """Every route with its full path and dependencies. Newer FastAPI keeps an included router
    whole in ``app.routes`` and resolves its routes through ``iter_route_contexts``."""
    contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    return list(contexts(app.routes)) if contexts else list(app.routes)


# A write without the required If-Match is a 428 (RFC 6585), which the check does not expect.
MISSING_HEADER_STATUSES = [400, 401, 403, 406, 415, 422, 428]


def answers(client: TestClient, method: str, url: str, headers: dict[str, str]) -> tuple:
    """A response as two paths are held equal on: its status, every header and the bytes."""
    response = client.request(method, url, headers=headers)
    return response.status_code, response.headers.multi_items(), response.content
