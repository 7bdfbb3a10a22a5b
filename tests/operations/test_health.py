import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.services.read import health
from app.settings import Settings


def test_health_reports_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["engine"] == client.app.state.engine.dialect.name
    assert len(body["database"]["schema_revision"]) == 12
    assert body["replica"] is None


def test_health_is_never_cached_so_it_tells_the_state_of_the_moment(client, monkeypatch):
    assert client.get("/health").headers["cache-control"] == "no-store"
    down = health.DatabaseHealth(False, "sqlite", None, "OperationalError")
    monkeypatch.setattr(health, "check", lambda engine: down)
    assert client.get("/health").status_code == 503


def test_health_is_503_with_retry_after_when_the_database_is_unreachable(tmp_path):
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    app = create_app(Settings(database_url=unreachable, _env_file=None))
    with TestClient(app) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"]["error"] == "OperationalError"


def test_unknown_path_is_problem_json(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "no resource at /nowhere",
        "instance": "/nowhere",
    }


def test_wrong_method_is_405_with_allow(client):
    response = client.post("/health")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "POST is not allowed on /health"


@pytest.mark.slow
def test_reads_are_open_to_browser_tools_with_the_link_header_exposed(client):
    response = client.get("/health", headers={"Origin": "https://charts.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "Link" in response.headers["access-control-expose-headers"]
