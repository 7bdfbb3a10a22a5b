"""The response cache: repeated reads are served from memory, and a write is visible on the
very next read."""

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
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


def test_a_write_is_visible_on_the_very_next_read(cached, desk_editor):
    client, _ = cached
    before = client.get("/v1/figures/fig-0000")
    patched = client.patch(
        "/v1/figures/fig-0000",
        json={"value": 4321},
        headers={**desk_editor, "If-Match": before.headers["etag"], "Sourced-Reason": "Recount"},
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


@pytest.mark.slow
def test_streams_errors_and_keyed_requests_are_not_cached(cached, desk_editor):
    client, cache = cached
    client.get("/v1/figures?format=csv")
    client.get("/v1/figures?format=csv")
    client.get("/v1/figures/nope")
    client.get("/v1/figures/nope")
    client.get("/v1/figures/fig-0000", headers=desk_editor)
    assert cache.entries == {}


@pytest.mark.slow
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


def _sized(engine, settings, tmp_path, **bounds):
    builders.load(engine, tmp_path / "seed", builders.dataset(2))
    update = {"response_cache_recheck_seconds": 3600, **bounds}
    return create_app(settings.model_copy(update=update))


@pytest.mark.slow
def test_the_cache_holds_at_most_its_bound_in_bytes_dropping_the_least_recently_used(
    engine, settings, tmp_path
):
    app = _sized(engine, settings, tmp_path, response_cache_bytes=20_000)
    with TestClient(app) as client:
        cache = cache_of(app)
        first = client.get("/v1/figures?limit=1")
        size = len(first.content)
        sizes = []
        for limit in range(2, 200):
            answer = client.get(f"/v1/figures?limit={limit}")
            assert answer.status_code == 200
            sizes.append(cache.bytes)
            # Exact accounting: the sum of the entries' sizes, each its body, headers and key.
            assert cache.bytes == sum(entry.size for entry in cache.entries.values())
            assert cache.bytes <= 20_000
            for key, entry in cache.entries.items():
                headers = sum(len(name) + len(value) for name, value in entry.headers)
                key_text = sum(len(part) for part in key if isinstance(part, str | bytes))
                assert entry.size == len(entry.body) + headers + key_text
            if limit % 3 == 0:
                # Read again: now the most recently used, it outlives the others.
                assert client.get("/v1/figures?limit=1").content == first.content
        assert len(cache.entries) >= 4  # the bound holds several answers, not one
        assert cache.misses == 199
        assert cache.hits == 66
        assert max(sizes) > 20_000 - 2 * (size + 1000)  # it fills up to its bound
        kept = [key[5] for key in cache.entries]
        assert b"limit=1" in kept
        assert b"limit=2" not in kept


def test_an_answer_larger_than_the_bound_is_served_and_not_kept(engine, settings, tmp_path):
    app = _sized(engine, settings, tmp_path, response_cache_bytes=500)
    with TestClient(app) as client:
        cache = cache_of(app)
        answer = client.get("/v1/figures?limit=2")
        assert answer.status_code == 200
        assert len(answer.content) > 500
        assert (cache.entries, cache.bytes) == ({}, 0)


@pytest.mark.parametrize(
    ("method", "path", "body", "who", "status"),
    [
        ("POST", "/v1/figures", {"slug": "x"}, None, 401),
        ("DELETE", "/v1/sources/observers", None, "editor", 403),
        ("POST", "/v1/figures", {"slug": "x"}, "editor", 422),
        ("PATCH", "/v1/figures/fig-0000", {"note": "x"}, "editor", 428),
        ("POST", "/v1/figures", b'{"a": 1, "a": 2}', "editor", 400),
    ],
    ids=["no key", "not allowed", "invalid", "no If-Match", "malformed"],
)
@pytest.mark.slow
def test_a_refused_write_leaves_the_cached_answers_in_place(
    cached, desk_editor, engine, method, path, body, who, status
):
    client, cache = cached
    first = client.get("/v1/figures/fig-0000")
    version = cache.version.local_writes
    headers = {**(desk_editor if who else {}), "Sourced-Reason": "why"}
    if isinstance(body, bytes):
        headers["Content-Type"] = "application/json"
        refused = client.request(method, path, content=body, headers=headers)
    else:
        refused = client.request(method, path, json=body, headers=headers)
    assert refused.status_code == status, refused.text
    assert (cache.version.local_writes, len(cache.entries)) == (version, 1)
    again = client.get("/v1/figures/fig-0000")
    assert (cache.misses, cache.hits) == (1, 1)
    assert again.content == first.content


def test_a_write_that_changed_data_still_clears_the_cache(cached, desk_editor):
    client, cache = cached
    before = client.get("/v1/figures/fig-0000")
    patched = client.patch(
        "/v1/figures/fig-0000",
        json={"note": "Checked"},
        headers={**desk_editor, "If-Match": before.headers["etag"], "Sourced-Reason": "Check"},
    )
    assert patched.status_code == 200
    assert (cache.entries, cache.bytes) == ({}, 0)
    assert client.get("/v1/figures/fig-0000").json()["note"] == "Checked"
    assert (cache.misses, cache.hits) == (2, 0)
