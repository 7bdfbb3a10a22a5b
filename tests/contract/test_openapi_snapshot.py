"""The OpenAPI document, byte for byte, as recorded in ``openapi.snapshot.json``.

Routes may parse their parameters their own way for speed (app/api/hot_query.py); the
document they publish must not move because of it. A deliberate change to the API records
the document again: ``python -m tests.contract.test_openapi_snapshot``.
"""

from pathlib import Path

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

SNAPSHOT = Path(__file__).with_name("openapi.snapshot.json")


def document() -> bytes:
    app = create_app(Settings(database_url="sqlite://", _env_file=None))  # type: ignore[call-arg]
    with TestClient(app) as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.content


def test_the_document_is_the_recorded_one():
    assert document() == SNAPSHOT.read_bytes()


if __name__ == "__main__":
    SNAPSHOT.write_bytes(document())
