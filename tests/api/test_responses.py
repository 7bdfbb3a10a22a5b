"""Routes that send their model's JSON bytes themselves send what FastAPI would have sent."""

import json

import pytest


# Nothing in this module writes: its tests share one seeded database (tests/conftest.py).
@pytest.fixture(scope="module")
def engine(module_engine):
    return module_engine


@pytest.fixture(scope="module")
def seeded(module_seeded):
    return module_seeded


def _fastapi_bytes(body: object) -> bytes:
    # FastAPI's JSONResponse: compact separators, UTF-8 text left unescaped.
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


@pytest.mark.parametrize(
    "path",
    [
        "/v1/figures?limit=2",
        "/v1/figures/deserters-since-invasion",
        "/v1/events/russian-desertions",
        "/v1/sources/rfe-rl",
        "/v1/sources/rfe-rl/figures?limit=1",
    ],
)
@pytest.mark.slow
def test_body_is_the_compact_json_of_the_model(seeded_client, path):
    response = seeded_client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == _fastapi_bytes(response.json())


def test_typographic_apostrophes_travel_as_utf8_not_escapes(seeded_client):
    response = seeded_client.get("/v1/figures/deserters-since-invasion")
    assert "Russia’s Ministry of Defence" in response.content.decode("utf-8")
    assert b"\\u2019" not in response.content


def test_headers_set_by_the_route_survive(seeded_client):
    page = seeded_client.get("/v1/figures?limit=2")
    assert page.headers["link"] == f'<{page.json()["next"]}>; rel="next"'
    detail = seeded_client.get("/v1/figures/deserters-since-invasion")
    assert detail.headers["etag"].startswith('"')
    assert int(detail.headers["content-length"]) == len(detail.content)


@pytest.mark.parametrize("fmt", ["", "&format=csv", "&format=ndjson"])
def test_lists_tell_shared_caches_they_vary_by_accept(seeded_client, fmt):
    # One URL answers JSON, CSV or NDJSON by Accept: a CDN keying on the URL alone would
    # hand a spreadsheet's CSV to a script that asked for JSON.
    response = seeded_client.get(f"/v1/figures?limit=2{fmt}")
    assert response.status_code == 200
    assert "Accept" in response.headers["vary"].split(", ")
    streamed = seeded_client.get(f"/v1/events?{fmt.lstrip('&') or 'format=json'}")
    assert "Accept" in streamed.headers["vary"].split(", ")
