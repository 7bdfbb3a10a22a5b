"""On PostgreSQL every connection carries the statement timeout; a query that runs past it is
cancelled by the server and answered as a 503 with Retry-After, not a 500, and the next request
on the same app succeeds."""

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.main import create_app
from app.services import measures
from tests import builders

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def on_postgres(engine, settings):
    return settings


def _timeout(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SHOW statement_timeout")).scalar_one()


def test_every_connection_carries_the_statement_timeout(on_postgres):
    app = create_app(on_postgres.model_copy(update={"statement_timeout_ms": 1234}))
    assert _timeout(app.state.engine) == "1234ms"
    app.state.engine.dispose()


def test_a_zero_statement_timeout_leaves_queries_unlimited(on_postgres):
    app = create_app(on_postgres.model_copy(update={"statement_timeout_ms": 0}))
    assert _timeout(app.state.engine) == "0"
    app.state.engine.dispose()


def test_a_query_past_the_timeout_is_503_with_retry_after_and_the_next_one_succeeds(
    on_postgres, monkeypatch
):
    app = create_app(on_postgres.model_copy(update={"statement_timeout_ms": 200}))

    def slow(session):  # type: ignore[no-untyped-def]
        session.execute(text("SELECT pg_sleep(5)"))
        return []

    with TestClient(app) as client:
        with monkeypatch.context() as patch:
            patch.setattr(measures, "list_measures", slow)
            response = client.get("/v1/measures")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "5"
        assert response.json() == {
            "type": "about:blank",
            "title": "Service unavailable",
            "status": 503,
            "detail": "the database took longer than 0.2 s over this request and stopped it; "
            "nothing was changed. Try again shortly, or ask for less (a smaller limit, a "
            "narrower filter)",
            "instance": "/v1/measures",
        }
        assert client.get("/v1/measures").status_code == 200


def test_a_table_locked_by_another_session_is_a_503_within_the_timeout_on_every_read_path(
    on_postgres, engine, tmp_path
):
    builders.load(engine, tmp_path / "seed", builders.dataset(2))
    app = create_app(
        on_postgres.model_copy(update={"statement_timeout_ms": 300, "response_cache_entries": 0})
    )
    with TestClient(app) as client:
        # Warm: every path's connections are open, so what is timed is the wait on the lock.
        paths = ["/v1/figures", "/v1/figures/fig-0001", "/v1/search?q=deserted"]
        assert [client.get(path).status_code for path in paths] == [200, 200, 200]
        with engine.connect() as holder:
            holder.execute(text("LOCK TABLE figure, search_entry IN ACCESS EXCLUSIVE MODE"))
            for path in paths:
                started = time.monotonic()
                response = client.get(path)
                assert time.monotonic() - started < 3, path
                assert response.status_code == 503, (path, response.text)
                assert response.headers["retry-after"] == "5"
                assert response.json()["detail"].startswith(
                    "the database took longer than 0.3 s over this request and stopped it"
                )
            holder.rollback()
        assert [client.get(path).status_code for path in paths] == [200, 200, 200]
    app.state.engine.dispose()
