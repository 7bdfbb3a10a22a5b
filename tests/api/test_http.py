"""HEAD on every GET route, CORS preflights for the headers a browser client sends, and one
`Vary: Origin` however often an answer is replayed from the cache."""

import pytest

from tests import builders

ORIGIN = {"Origin": "https://sheet.example"}


# Nothing in this module writes: its tests share one database (tests/conftest.py).
@pytest.fixture(scope="module")
def engine(module_engine):
    return module_engine


@pytest.fixture(scope="module")
def dataset(engine, tmp_path_factory):
    builders.load(engine, tmp_path_factory.mktemp("seed"), builders.dataset(3))


@pytest.fixture
def api(dataset, client):
    return client


def preflight(client, method: str, headers: str):
    return client.options(
        "/v1/figures/fig-0001",
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )


class TestHead:
    @pytest.mark.parametrize(
        "path",
        [
            "/v1/figures",
            "/v1/figures/fig-0001",
            "/v1/figures/fig-0001/citation",
            "/v1/events?limit=1",
            "/v1/sources/ministry",
            "/v1/search?q=fled",
            "/v1",
        ],
    )
    def test_answers_with_the_gets_headers_and_no_body(self, api, path):
        get = api.get(path)
        head = api.head(path)
        assert head.status_code == get.status_code == 200
        assert head.content == b""
        assert head.headers["etag"] == get.headers["etag"]
        assert head.headers["content-length"] == get.headers["content-length"]
        assert head.headers["content-type"] == get.headers["content-type"]

    def test_if_none_match_gives_a_304(self, api):
        etag = api.get("/v1/figures/fig-0001").headers["etag"]
        head = api.head("/v1/figures/fig-0001", headers={"If-None-Match": etag})
        assert head.status_code == 304
        assert head.headers["etag"] == etag

    def test_a_streamed_export_keeps_its_headers(self, api):
        head = api.head("/v1/figures?format=csv")
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["content-type"] == "text/csv; charset=utf-8"
        assert head.headers["content-disposition"] == 'attachment; filename="sourced-figures.csv"'
        assert api.get("/v1/figures?format=csv").text.count("\n") == 4

    def test_an_unknown_path_is_still_a_404_problem(self, api):
        head = api.head("/v1/figures/nope")
        assert head.status_code == 404
        assert head.headers["content-type"] == "application/problem+json"
        assert head.content == b""

    def test_every_get_route_answers_head(self, api):
        documented = api.get("/openapi.json").json()["paths"]
        paths = [path for path, ops in documented.items() if "get" in ops and "{" not in path]
        assert len(paths) > 10
        for path in paths:
            assert api.head(path).status_code != 405, path


class TestCors:
    @pytest.mark.parametrize(
        ("method", "headers"),
        [
            ("GET", "If-None-Match"),
            ("GET", "Accept, If-None-Match"),
            ("PATCH", "Authorization, If-Match, Content-Type, Idempotency-Key, Sourced-Reason"),
            ("POST", "Authorization, Content-Type, Idempotency-Key"),
            ("DELETE", "Authorization, If-Match, Sourced-Reason"),
        ],
    )
    def test_a_preflight_allows_what_a_browser_client_sends(self, api, method, headers):
        response = preflight(api, method, headers)
        assert response.status_code == 200, response.text
        assert response.headers["access-control-allow-origin"] == "*"
        assert method in response.headers["access-control-allow-methods"].split(", ")
        allowed = {h.lower() for h in response.headers["access-control-allow-headers"].split(", ")}
        assert {h.strip().lower() for h in headers.split(",")} <= allowed

    def test_a_preflight_refuses_other_headers(self, api):
        response = preflight(api, "GET", "X-Secret")
        assert response.status_code == 400

    def test_exposes_what_a_client_reads(self, api):
        response = api.get("/v1/figures?limit=1", headers=ORIGIN)
        assert response.headers["access-control-expose-headers"] == (
            "Link, ETag, Location, Retry-After, Content-Disposition"
        )


class TestVary:
    @pytest.mark.slow
    def test_a_cached_answer_says_vary_origin_once(self, api):
        first = api.get("/v1/figures?limit=1", headers=ORIGIN)
        assert first.headers["vary"] == "Accept, Origin"
        for _ in range(3):
            again = api.get("/v1/figures?limit=1", headers=ORIGIN)
            assert again.headers["vary"] == "Accept, Origin"
        etag = first.headers["etag"]
        for _ in range(3):
            not_modified = api.get("/v1/figures?limit=1", headers={**ORIGIN, "If-None-Match": etag})
            assert not_modified.status_code == 304
            assert not_modified.headers["vary"] == "Accept, Origin"
