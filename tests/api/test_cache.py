"""The response cache: repeated reads are served from memory, and a write is visible on the
very next read."""

import pytest
from fastapi.testclient import TestClient

from app.db import unit_of_work
from app.main import create_app
from app.services import keys
from tests import builders


@pytest.fixture
def cached(engine, settings, tmp_path):
    """An app that never re-reads the version from the database: only its own writes bump it."""
    builders.load(engine, tmp_path / "seed", builders.dataset(2))
    app = create_app(settings.model_copy(update={"response_cache_recheck_seconds": 3600}))
    with TestClient(app) as client:
        yield client, cache_of(app)


def cache_of(app):
    layer = app.middleware_stack
    while not hasattr(layer, "entries"):
        layer = layer.app
    return layer


@pytest.fixture
def editor(engine):
    with unit_of_work(engine) as session:
        return {"Authorization": f"Bearer {keys.create(session, 'Desk', 'editor').secret}"}


def test_a_repeated_read_is_served_from_memory(cached):
    client, cache = cached
    first = client.get("/v1/figures/fig-0000")
    second = client.get("/v1/figures/fig-0000")
    assert (cache.misses, cache.hits) == (1, 1)
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    revalidated = client.get(
        "/v1/figures/fig-0000", headers={"If-None-Match": first.headers["etag"]}
    )
    assert revalidated.status_code == 304
    assert cache.hits == 2


def test_a_write_is_visible_on_the_very_next_read(cached, editor):
    client, _ = cached
    before = client.get("/v1/figures/fig-0000")
    patched = client.patch(
        "/v1/figures/fig-0000",
        json={"value": 4321},
        headers={**editor, "If-Match": before.headers["etag"], "Sourced-Reason": "Recount"},
    )
    assert patched.status_code == 200
    after = client.get("/v1/figures/fig-0000")
    assert after.json()["value"] == 4321
    assert after.headers["etag"] != before.headers["etag"]
    listed = client.get("/v1/figures?format=csv&limit=1")
    assert ",4321," in listed.text


def test_a_write_by_another_process_is_seen_through_the_revisions(client, engine, tmp_path):
    builders.load(engine, tmp_path / "a", builders.dataset(2))
    assert len(client.get("/v1/figures").json()["items"]) == 2
    # As `sourced seed` in another process would: straight to the database.
    builders.load(engine, tmp_path / "b", builders.dataset(3))
    assert len(client.get("/v1/figures").json()["items"]) == 3


def test_streams_errors_and_keyed_requests_are_not_cached(cached, editor):
    client, cache = cached
    client.get("/v1/figures?format=csv")
    client.get("/v1/figures?format=csv")
    client.get("/v1/figures/nope")
    client.get("/v1/figures/nope")
    client.get("/v1/figures/fig-0000", headers=editor)
    assert cache.entries == {}


def test_the_host_and_the_format_are_part_of_the_key(cached):
    client, _ = cached
    here = client.get("/v1/figures/fig-0000").json()["url"]
    there = client.get("/v1/figures/fig-0000", headers={"Host": "sourced.example"}).json()["url"]
    assert (here, there) == (
        "http://testserver/v1/figures/fig-0000",
        "http://sourced.example/v1/figures/fig-0000",
    )
    as_csv = client.get("/v1/figures?limit=1", headers={"Accept": "text/csv"})
    as_json = client.get("/v1/figures?limit=1")
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_json.headers["content-type"] == "application/json"


def test_cors_headers_are_added_to_cached_answers(cached):
    client, cache = cached
    client.get("/v1/figures/fig-0000")
    answer = client.get("/v1/figures/fig-0000", headers={"Origin": "https://charts.example"})
    assert cache.hits == 1
    assert answer.headers["access-control-allow-origin"] == "*"
