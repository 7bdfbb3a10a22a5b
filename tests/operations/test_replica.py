"""A read replica: read-only requests are answered from it, while writes and the checks that guard
them (the key, If-Match) go to the primary; a write shows in reads once the replica has it, the
response cache included; /health reports both databases.

The first test stands a copy of an SQLite file in for the replica, so it runs everywhere; the
second streams from a real PostgreSQL primary to a hot standby it builds itself.
"""

import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app import migrate
from app.db import unit_of_work
from app.main import create_app
from app.services.write import keys
from app.settings import Settings
from tests import pgcluster

SOURCE = {"slug": "agency", "name": "The agency", "kind": "news_service", "reason": "test"}
RENAME = {"name": "The news agency", "reason": "The outlet's own spelling"}


def _settings(primary: str, replica: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=primary,
        read_database_url=replica,
        _env_file=None,
        response_cache_recheck_seconds=0,
    )


def _editor(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with unit_of_work(app.state.engine) as session:
        secret = keys.create(session, "Desk", "editor").secret
    return {"Authorization": f"Bearer {secret}"}


def _slugs(client: TestClient) -> list[str]:
    return [item["slug"] for item in client.get("/v1/sources").json()["items"]]


def _write_while_the_replica_lags(client: TestClient, editor: dict[str, str]) -> None:
    """Create and correct a source that the replica does not have yet."""
    assert _slugs(client) == []  # and the empty list is now in the response cache
    created = client.post("/v1/sources", json=SOURCE, headers=editor)
    assert created.status_code == 201, created.text  # the key exists on the primary only
    assert client.get("/v1/sources/agency").status_code == 404
    assert _slugs(client) == []
    corrected = client.patch(
        "/v1/sources/agency", json=RENAME, headers={**editor, "If-Match": created.headers["etag"]}
    )
    assert corrected.status_code == 200, corrected.text  # If-Match was checked on the primary
    assert corrected.json()["name"] == "The news agency"
    # Read (and cached) after the dataset's version moved on the primary: it must not outlive
    # the replica's catching up.
    assert _slugs(client) == []


def _eventually(check: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"not true within {seconds} s"
        time.sleep(0.1)


def _copy(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)


def test_reads_use_the_replica_and_see_a_write_once_it_is_copied_there(tmp_path):
    primary, replica = tmp_path / "primary.db", tmp_path / "replica.db"
    migrate.upgrade(f"sqlite:///{primary}")
    _copy(primary, replica)
    app = create_app(_settings(f"sqlite:///{primary}", f"sqlite:///{replica}"))
    editor = _editor(app)
    with TestClient(app) as client:
        _write_while_the_replica_lags(client, editor)
        health = client.get("/health").json()
        assert health["status"] == "ok"
        assert health["replica"] == {
            "ok": True,
            "engine": "sqlite",
            "schema_revision": health["database"]["schema_revision"],
            "error": None,
            "replay_lag_seconds": None,
        }
        _copy(primary, replica)  # what replication does
        assert client.get("/v1/sources/agency").json()["name"] == "The news agency"
        assert _slugs(client) == ["agency"]


def test_health_is_503_when_the_replica_cannot_be_reached(engine, settings):
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    app = create_app(settings.model_copy(update={"read_database_url": unreachable}))
    with TestClient(app) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    body = response.json()
    assert (body["status"], body["database"]["ok"]) == ("unavailable", True)
    assert body["replica"]["ok"] is False
    assert body["replica"]["error"] == "OperationalError"


def test_without_a_replica_health_reports_the_primary_alone(client):
    body = client.get("/health").json()
    assert body["replica"] is None
    assert client.app.state.read_engine is client.app.state.engine


def _sql(engine, statement: str):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(text(statement)).scalar()


@pytest.mark.sqlite_only(
    reason="runs once, in the SQLite pass (`make test`): it builds its own PostgreSQL clusters"
)
def test_a_postgres_hot_standby_serves_reads_once_it_has_replayed_the_primarys_writes():
    reason = pgcluster.unavailable()
    if reason:
        pytest.skip(reason)
    clusters = pgcluster.Clusters()
    try:
        primary = clusters.primary()
        migrate.upgrade(primary)
        standby = clusters.standby()
        app = create_app(_settings(primary, standby))
        assert _sql(app.state.read_engine, "SELECT pg_is_in_recovery()") is True
        assert _sql(app.state.engine, "SELECT pg_is_in_recovery()") is False
        with TestClient(app) as client:
            # Something replayed, so that the lag below has a transaction to date from.
            keys_on_standby = "SELECT count(*) FROM api_key"
            with unit_of_work(app.state.engine) as session:
                keys.create(session, "Reader", "editor")
            _eventually(lambda: _sql(app.state.read_engine, keys_on_standby) == 1)
            _sql(app.state.read_engine, "SELECT pg_wal_replay_pause()")
            _eventually(
                lambda: (
                    _sql(app.state.read_engine, "SELECT pg_get_wal_replay_pause_state()")
                    == "paused"
                )
            )
            _write_while_the_replica_lags(client, _editor(app))
            # The standby reports a lag once the write's WAL has reached it (received but not
            # replayed); right after the write it may not have arrived yet.
            _eventually(lambda: client.get("/health").json()["replica"]["replay_lag_seconds"] > 0)
            lagging = client.get("/health").json()
            assert lagging["status"] == "ok"
            assert lagging["replica"]["replay_lag_seconds"] > 0

            _sql(app.state.read_engine, "SELECT pg_wal_replay_resume()")
            # The create and the rename replay one after the other: wait for the second.
            _eventually(
                lambda: client.get("/v1/sources/agency").json().get("name") == "The news agency"
            )
            assert _slugs(client) == ["agency"]  # the cached empty list is gone
            _eventually(lambda: client.get("/health").json()["replica"]["replay_lag_seconds"] == 0)
            health = client.get("/health")
        assert health.status_code == 200
        revision = health.json()["database"]["schema_revision"]
        assert health.json() == {
            "status": "ok",
            "database": {
                "ok": True,
                "engine": "postgresql",
                "schema_revision": revision,
                "error": None,
            },
            "replica": {
                "ok": True,
                "engine": "postgresql",
                "schema_revision": revision,
                "error": None,
                "replay_lag_seconds": 0,
            },
        }
    finally:
        clusters.remove()
