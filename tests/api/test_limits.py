"""Limits that keep one worker answering: a cap on requests in progress (an immediate 503 with
Retry-After past it, /health exempt) and a cap on the length of the query string (400)."""

import contextlib
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import create_app
from tests.builders import NEW_FIGURE
from tests.helpers import dump

WAIT = 10  # seconds; a test that waits this long has failed

BUSY = {
    "type": "about:blank",
    "title": "Service unavailable",
    "status": 503,
    "detail": "too many requests in progress on this server (limit 1); retry in 1 s",
}


class Gate:
    """A route that stays in progress until the test lets it go."""

    def __init__(self, app: FastAPI):
        self.entered = threading.Event()
        self.release = threading.Event()
        self.held = 0

        async def slow() -> dict:
            self.entered.set()
            await anyio.to_thread.run_sync(self.release.wait, WAIT)
            return {"slow": "done"}

        async def boom() -> dict:
            raise RuntimeError("a route that fails")

        app.add_api_route("/test/slow", slow)
        app.add_api_route("/test/boom", boom)

    @contextlib.contextmanager
    def holding(self, client: TestClient) -> Iterator[None]:
        """One request to the slow route is in progress for the length of the block."""
        with ThreadPoolExecutor(1) as pool:
            # A new URL each time: the response cache would answer a repeated one itself.
            self.held += 1
            held = pool.submit(client.get, f"/test/slow?n={self.held}")
            try:
                assert self.entered.wait(WAIT), "the slow request never started"
                yield
            finally:
                self.release.set()
            answer = held.result(WAIT)
        assert (answer.status_code, answer.json()) == (200, {"slow": "done"})
        self.entered.clear()
        self.release.clear()


def _app(settings, **limits) -> FastAPI:
    return create_app(settings.model_copy(update=limits))


@pytest.fixture
def one_at_a_time(engine, settings) -> Iterator[tuple[TestClient, Gate]]:
    app = _app(settings, max_concurrent_requests=1)
    gate = Gate(app)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, gate


class TestConcurrencyLimit:
    def test_the_default_is_64_requests_per_worker(self, settings):
        assert type(settings)().max_concurrent_requests == 64

    def test_a_request_past_the_limit_is_503_at_once_with_retry_after(self, one_at_a_time):
        client, gate = one_at_a_time
        with gate.holding(client):
            started = time.monotonic()
            refused = client.get("/v1/figures")
            elapsed = time.monotonic() - started
        assert refused.status_code == 503
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["retry-after"] == "1"
        assert refused.json() == {**BUSY, "instance": "/v1/figures"}
        assert elapsed < 2, "refused requests must not queue"

    def test_health_still_answers_while_the_worker_is_full(self, one_at_a_time):
        client, gate = one_at_a_time
        with gate.holding(client):
            health = client.get("/health")
        assert health.status_code == 200
        assert health.json()["status"] == "ok"

    def test_the_slot_is_free_again_after_the_request_ends_even_in_an_error(self, one_at_a_time):
        client, gate = one_at_a_time
        with gate.holding(client):
            pass
        assert client.get("/v1/figures").status_code == 200
        assert client.get("/test/boom").status_code == 500
        assert client.get("/v1/figures").status_code == 200
        with gate.holding(client):
            assert client.get("/v1/figures").status_code == 503

    def test_a_refused_write_writes_nothing(self, one_at_a_time, desk_editor, engine):
        client, gate = one_at_a_time
        before = dump(engine)
        with gate.holding(client):
            refused = client.post("/v1/figures", json=NEW_FIGURE, headers=desk_editor)
        assert (refused.status_code, refused.json()) == (503, {**BUSY, "instance": "/v1/figures"})
        assert dump(engine) == before

    def test_a_browser_can_read_the_503(self, one_at_a_time):
        client, gate = one_at_a_time
        with gate.holding(client):
            refused = client.get("/v1/figures", headers={"Origin": "https://newsroom.example"})
        assert refused.status_code == 503
        assert refused.headers["access-control-allow-origin"] == "*"
        assert "Retry-After" in refused.headers["access-control-expose-headers"]

    def test_zero_turns_the_limit_off(self, engine, settings):
        app = _app(settings, max_concurrent_requests=0)
        gate = Gate(app)
        with TestClient(app) as client, gate.holding(client):
            assert client.get("/v1/figures").status_code == 200


class TestQueryLength:
    def test_a_query_over_the_limit_is_400_naming_the_query(self, client):
        response = client.get("/v1/figures?q=" + "a" * 9000)
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json() == {
            "type": "about:blank",
            "title": "Bad request",
            "status": 400,
            "detail": "query: 9002 bytes, longer than the limit of 8192; "
            "send fewer or shorter parameters",
            "instance": "/v1/figures",
        }

    def test_a_query_at_the_limit_reaches_the_route(self, client):
        # 8,192 bytes exactly: past the guard; the route then refuses q for its own limit.
        response = client.get("/v1/figures?q=" + "a" * 8190)
        assert response.status_code == 422
        assert response.json()["detail"].startswith("q: ")

    def test_the_limit_is_checked_before_the_key(self, client, engine):
        before = dump(engine)
        response = client.patch("/v1/figures/any?" + "x" * 9000, json={"reason": "r"})
        assert response.status_code == 400
        assert dump(engine) == before

    def test_the_limit_is_a_setting(self, engine, settings):
        with TestClient(_app(settings, max_query_bytes=16)) as client:
            assert client.get("/v1/figures?limit=1").status_code == 200
            refused = client.get("/v1/figures?limit=1&sort=slug")
        assert refused.status_code == 400
        assert refused.json()["detail"] == (
            "query: 17 bytes, longer than the limit of 16; send fewer or shorter parameters"
        )
