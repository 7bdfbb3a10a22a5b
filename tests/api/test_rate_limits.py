"""Rate limits: writes per key and failed authentications per address answer 429 with
Retry-After, nothing is written past the limit, and reads are not limited."""

import pytest
from fastapi.testclient import TestClient

from app.db import unit_of_work
from app.main import create_app
from app.services.write import keys
from tests import builders
from tests.builders import NEW_FIGURE
from tests.helpers import dump


@pytest.fixture
def limited(engine, settings, tmp_path):
    builders.load(engine, tmp_path / "seed", builders.dataset(2))
    strict = settings.model_copy(
        update={
            "writes_per_minute": 1,
            "writes_burst": 2,
            "failed_auth_per_minute": 1,
            "failed_auth_burst": 3,
        }
    )
    app = create_app(strict)
    # A stopped clock: on a slow machine a second between two requests would refill a
    # sixtieth of a token and make the Retry-After below 59.
    for limiter in (app.state.write_limiter, app.state.failed_auth_limiter):
        limiter.clock = lambda: 1000.0
    with TestClient(app) as client:
        yield client


def test_writes_past_the_burst_are_429_and_write_nothing(limited, desk_editor, engine):
    for slug in ("one", "two"):
        created = limited.post(
            "/v1/figures", json={**NEW_FIGURE, "slug": slug}, headers=desk_editor
        )
        assert created.status_code == 201
    before = dump(engine)
    refused = limited.post("/v1/figures", json={**NEW_FIGURE, "slug": "three"}, headers=desk_editor)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "60"
    assert refused.json()["detail"] == "writes: too many requests; retry in 60 s"
    assert dump(engine) == before
    # Reads are not limited.
    assert all(limited.get("/v1/figures").status_code == 200 for _ in range(20))


def test_each_key_has_its_own_bucket(limited, desk_editor, engine):
    with unit_of_work(engine) as session:
        other = {"Authorization": f"Bearer {keys.create(session, 'Night', 'editor').secret}"}
    for slug in ("a", "b"):
        limited.post("/v1/figures", json={**NEW_FIGURE, "slug": slug}, headers=desk_editor)
    answer = limited.post("/v1/figures", json={**NEW_FIGURE, "slug": "c"}, headers=other)
    assert answer.status_code == 201


def test_guessing_keys_gets_429_but_the_right_key_still_works(limited, desk_editor):
    wrong = {"Authorization": "Bearer src_deadbeef_guess"}
    statuses = [
        limited.post("/v1/figures", json=NEW_FIGURE, headers=wrong).status_code for _ in range(5)
    ]
    assert statuses == [401, 401, 401, 429, 429]
    assert limited.post("/v1/figures", json=NEW_FIGURE, headers=desk_editor).status_code == 201
