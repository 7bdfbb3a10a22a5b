"""Every operation that writes declares 507 (the database has no room left: nothing was
written) in the OpenAPI document, as the problem+json the other error responses are; and the
bundle route, the largest writer, really answers it."""

import json
import sqlite3

from fastapi.testclient import TestClient
from sqlalchemy import event

from app import migrate
from app.db import unit_of_work
from app.main import create_app
from app.services.write import keys
from app.settings import Settings
from tests.helpers import dump

WRITES = ("post", "put", "patch", "delete")
DISK_FULL = "The database has no room left for the change (disk full); nothing was written."


def test_every_write_operation_declares_507_as_problem_json(client):
    schema = client.get("/openapi.json").json()
    writes = {
        (method.upper(), path): operation["responses"]
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in WRITES
    }
    # The walk sees the writes known today (a new one is checked below without listing it).
    assert set(writes) >= set(
        [("POST", "/v1/bundles")]
        + [
            (method, f"/v1/{plural}{suffix}")
            for plural in ("events", "figures", "sources")
            for method, suffix in (("POST", ""), ("PATCH", "/{slug}"), ("DELETE", "/{slug}"))
        ]
    )
    missing = [
        f"{method} {path}"
        for (method, path), responses in writes.items()
        if responses.get("507")
        != {
            "description": DISK_FULL,
            "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            },
        }
    ]
    assert missing == []


def test_a_bundle_on_a_full_disk_is_507_and_writes_nothing(tmp_path):
    path = tmp_path / "full.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    settings = Settings(database_url=url, _env_file=None, response_cache_recheck_seconds=0)  # type: ignore[call-arg]
    app = create_app(settings)
    engine = app.state.engine
    with unit_of_work(engine) as session:
        secret = keys.create(session, "Desk", "editor").secret
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]

    @event.listens_for(engine, "connect")
    def _cap(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages + 2}")

    engine.dispose()  # new connections take the cap
    before = dump(engine)
    bundle = {
        "sources": [
            {
                "slug": "long-document",
                "name": "A long document",
                "kind": "document",
                "full_text": "word " * 200_000,
            }
        ],
    }
    with TestClient(app) as client:
        full = client.post(
            "/v1/bundles",
            content=json.dumps(bundle),
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        )
        assert full.status_code == 507, full.text
        assert full.headers["content-type"] == "application/problem+json"
        assert full.json() == {
            "type": "about:blank",
            "title": "Insufficient storage",
            "status": 507,
            "detail": "the database has no room left for this change; nothing was written",
            "instance": "/v1/bundles",
        }
    assert dump(engine) == before
    engine.dispose()
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
