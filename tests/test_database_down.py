"""PostgreSQL stopped under a running app: a clear 503, never a 500, and the first request after
the database returns succeeds without restarting the app (a throwaway cluster of its own)."""

import os

import pytest
from fastapi.testclient import TestClient

from app import migrate
from app.main import create_app
from app.settings import Settings
from tests import pgcluster


@pytest.mark.skipif(
    os.environ.get("SOURCED_TEST_DATABASE_URL", "").startswith("postgres"),
    reason="builds its own PostgreSQL cluster: run once, in the SQLite pass",
)
def test_a_stopped_postgres_is_a_503_and_the_first_request_after_it_returns_succeeds():
    reason = pgcluster.unavailable()
    if reason:
        pytest.skip(reason)
    clusters = pgcluster.Clusters()
    try:
        url = clusters.primary()
        migrate.upgrade(url)
        settings = Settings(database_url=url, _env_file=None, response_cache_entries=0)  # type: ignore[call-arg]
        with TestClient(create_app(settings)) as client:
            assert client.get("/v1/figures").json()["items"] == []
            clusters.stop_primary()

            down = client.get("/v1/figures")
            assert down.status_code == 503
            assert down.headers["content-type"] == "application/problem+json"
            assert down.headers["retry-after"] == "5"
            assert down.json()["status"] == 503
            health = client.get("/health")
            assert health.status_code == 503
            assert health.json()["status"] == "unavailable"
            assert health.json()["database"]["ok"] is False

            clusters.start_primary()
            assert client.get("/v1/figures").status_code == 200
            assert client.get("/health").json()["status"] == "ok"
    finally:
        clusters.remove()
