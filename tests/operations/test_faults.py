"""Faults on SQLite: a locked database is a 503 that heals by itself, a full disk is a 507
that writes nothing, and keys never reach a log or the database in the clear."""

import json
import logging
import sqlite3

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from app import migrate
from app.db import unit_of_work
from app.main import create_app
from app.services.write import keys
from app.settings import Settings
from tests.helpers import dump

SOURCE = {"slug": "agency", "name": "The agency", "kind": "news_service", "reason": "test"}


@pytest.fixture
def app_on_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'faults.db'}"
    migrate.upgrade(url)
    settings = Settings(  # type: ignore[call-arg]
        database_url=url,
        _env_file=None,
        sqlite_busy_timeout_ms=200,
        response_cache_recheck_seconds=0,
    )
    app = create_app(settings)
    with unit_of_work(app.state.engine) as session:
        secret = keys.create(session, "Desk", "editor").secret
    with TestClient(app) as client:
        yield app, client, {"Authorization": f"Bearer {secret}"}, tmp_path / "faults.db"


def test_a_locked_database_is_503_and_the_next_request_after_it_succeeds(app_on_file):
    _, client, editor, path = app_on_file
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        locked = client.post("/v1/sources", json=SOURCE, headers=editor)
        assert locked.status_code == 503
        assert locked.headers["retry-after"] == "5"
        assert locked.json()["detail"] == "the database cannot be reached; try again shortly"
    finally:
        holder.rollback()
        holder.close()
    # No restart: the same app answers as soon as the lock is gone.
    assert client.post("/v1/sources", json=SOURCE, headers=editor).status_code == 201
    assert client.get("/v1/sources/agency").json()["name"] == "The agency"


def test_a_full_disk_is_507_and_earlier_data_stays(app_on_file):
    app, client, editor, path = app_on_file
    assert client.post("/v1/sources", json=SOURCE, headers=editor).status_code == 201
    engine = app.state.engine
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]

    @event.listens_for(engine, "connect")
    def _cap(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages + 2}")

    engine.dispose()  # new connections take the cap
    before = dump(engine)
    document = {
        "slug": "long-document",
        "name": "A long document",
        "kind": "document",
        "full_text": "word " * 200_000,
        "reason": "test",
    }
    full = client.post(
        "/v1/sources",
        content=json.dumps(document),
        headers={**editor, "Content-Type": "application/json"},
    )
    assert full.status_code == 507
    assert full.headers["content-type"] == "application/problem+json"
    assert (
        full.json()["detail"]
        == "the database has no room left for this change; nothing was written"
    )
    assert dump(engine) == before
    assert client.get("/v1/sources/agency").status_code == 200
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert check.execute("PRAGMA foreign_key_check").fetchall() == []


def test_keys_never_reach_a_log_or_the_database(app_on_file, caplog):
    _, client, editor, path = app_on_file
    secret = editor["Authorization"].removeprefix("Bearer ")
    caplog.set_level(logging.DEBUG)
    client.post("/v1/sources", json=SOURCE, headers=editor)
    client.post("/v1/sources", json=SOURCE, headers={"Authorization": f"Bearer {secret}x"})
    wrong = client.post(
        "/v1/sources", json=SOURCE, headers={"Authorization": "Bearer src_0000_guess"}
    )
    assert secret not in caplog.text
    assert "src_0000_guess" not in caplog.text
    assert "src_0000_guess" not in wrong.text
    with open(path, "rb") as handle:
        assert secret.encode() not in handle.read()
    stored = sqlite3.connect(path).execute("SELECT prefix, secret_hash FROM api_key").fetchall()
    prefix = "_".join(secret.split("_")[:2])  # the random part may itself hold "_"
    assert [(p, len(h)) for p, h in stored] == [(prefix, 64)]
