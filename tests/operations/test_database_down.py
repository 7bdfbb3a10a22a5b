"""PostgreSQL stopped under a running app: a clear 503, never a 500, and the first request after
the database returns succeeds without restarting the app (a throwaway cluster of its own)."""

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app import migrate
from app.db import build_engine, unit_of_work
from app.main import create_app
from app.services.write import keys
from app.settings import Settings
from tests import builders, pgcluster

# Every kind of route: a list (JSON, CSV, by measure on the driver), the fast detail path (a
# driver statement of its own), a citation, a history, search, the change feeds, the
# vocabulary, a write, /health.
READS = [
    "/v1/figures",
    "/v1/figures?format=csv",
    "/v1/figures?measure=deserters&limit=1",
    "/v1/figures/fig-0001",
    "/v1/figures/fig-0001/citation",
    "/v1/figures/fig-0001/history",
    "/v1/events/flight",
    "/v1/sources",
    "/v1/search?q=deserted",
    "/v1/changes",
    "/v1/changes.atom",
    "/v1/measures",
]


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, (response.request.url, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    assert response.json()["status"] == 503


@pytest.mark.sqlite_only(reason="builds its own PostgreSQL cluster: run once, in the SQLite pass")
def test_a_stopped_postgres_is_a_503_on_every_route_and_the_first_request_after_it_returns_succeeds(
    tmp_path: Path,
) -> None:
    reason = pgcluster.unavailable()
    if reason:
        pytest.skip(reason)
    clusters = pgcluster.Clusters()
    try:
        url = clusters.primary()
        migrate.upgrade(url)
        settings = Settings(database_url=url, _env_file=None, response_cache_entries=0)  # type: ignore[call-arg]
        setup = build_engine(settings)
        builders.load(setup, tmp_path / "seed", builders.dataset(2))
        with unit_of_work(setup) as session:
            editor = {"Authorization": f"Bearer {keys.create(session, 'Desk', 'editor').secret}"}
        setup.dispose()
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            for path in READS:
                assert client.get(path).status_code == 200, path
            etag = client.get("/v1/figures/fig-0001").headers["etag"]
            clusters.stop_primary()

            for path in READS:
                _assert_unavailable(client.get(path))
            write = {**editor, "If-Match": etag, "Sourced-Reason": "checked"}
            _assert_unavailable(
                client.patch("/v1/figures/fig-0001", json={"note": "x"}, headers=write)
            )
            health = client.get("/health")
            assert health.status_code == 503
            assert health.json()["status"] == "unavailable"
            assert health.json()["database"]["ok"] is False

            clusters.start_primary()
            for path in READS:
                assert client.get(path).status_code == 200, path
            changed = client.patch("/v1/figures/fig-0001", json={"note": "x"}, headers=write)
            assert (changed.status_code, changed.json()["note"]) == (200, "x")
            assert client.get("/health").json()["status"] == "ok"
    finally:
        clusters.remove()


@contextlib.contextmanager
def _silent_server(hold_seconds: float) -> Iterator[int]:
    """A TCP listener on 127.0.0.1 that accepts connections and never answers: a database
    server that hangs. It closes everything after ``hold_seconds`` (or when the test ends)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        deadline = time.monotonic() + hold_seconds
        while not stop.is_set() and time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                held.append(listener.accept()[0])
        for connection in held:
            connection.close()
        listener.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)


def test_a_postgres_that_accepts_and_never_answers_is_a_503_within_the_connect_timeout() -> None:
    with _silent_server(hold_seconds=40) as port:
        settings = Settings(  # type: ignore[call-arg]
            database_url=f"postgresql://postgres@127.0.0.1:{port}/sourced",
            _env_file=None,
            response_cache_entries=0,
            connect_timeout_seconds=2,
        )
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            for path in ("/v1/figures", "/v1/figures/fig-0001", "/v1/search?q=deserted"):
                started = time.monotonic()
                response = client.get(path)
                elapsed = time.monotonic() - started
                _assert_unavailable(response)
                assert response.json()["detail"] == (
                    "the database cannot be reached; try again shortly"
                )
                assert 1.5 < elapsed < 10, (path, elapsed)
