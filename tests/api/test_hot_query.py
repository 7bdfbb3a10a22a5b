"""The hot reads' one-pass query parsing (app/api/hot_query.py: the figures list by measure,
a figure's detail, the search) answers exactly as FastAPI's:
same status, headers and bytes (every 400 and 422 problem included) for every URL, whether it
takes the query or declines it."""

import threading
from collections.abc import Iterator
from typing import Any

import fastapi.routing
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.api import hot_query
from app.api.hot_query import FigureList, SearchQuery, figure_detail, figure_list, search
from app.main import create_app
from app.services.derived import figure_docs
from app.settings import Settings
from tests.helpers import answers


@pytest.fixture(scope="module")
def engine(module_seeded: Engine) -> Engine:
    return module_seeded


@pytest.fixture
def uncached(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """Without the response cache, so that each request is answered afresh by one path."""
    app = create_app(settings.model_copy(update={"response_cache_entries": 0}))
    with TestClient(app) as client:
        yield client


def both(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, url: str, **headers: str
) -> tuple[tuple, tuple]:
    """The answer with the one-pass parsing, then with FastAPI's only."""
    method = headers.pop("method", "GET")
    fast = answers(client, method, url, headers)
    with monkeypatch.context() as patched:
        patched.setattr(hot_query, "figure_list", lambda items: None)
        patched.setattr(hot_query, "figure_detail", lambda slug, query_string: None)
        patched.setattr(hot_query, "search", lambda items: None)
        full = answers(client, method, url, headers)
    return fast, full


LONG = "x" * 1001
GOOD = [
    "/v1/figures?measure=deserters",
    "/v1/figures?measure=deserters&limit=1",
    "/v1/figures?limit=2&measure=deserters&measure=people_killed",
    "/v1/figures?measure=deserters&measure=deserters&limit=1",
    "/v1/figures?measure=deserters&limit=500",
    "/v1/figures?measure=deserters&status=published&status=corrected&limit=1",
    "/v1/figures?measure=deserters&status=retracted",
    "/v1/figures?measure=%64eserters&limit=1",
    "/v1/figures?measure=desserters",
    "/v1/figures?measure=deserters&measure=nope",
    "/v1/figures?measure=deserters&cursor=abc",
    "/v1/figures?measure=deserters&cursor=eyJzIjoiLXZhbHVlLGlkIiwidiI6W1siaSIsMV1dfQ",
    "/v1/figures?measure=deserters&cursor=eyJzIjoiaWQiLCJ2IjpbWyJpIiw5OTk5OTk5OTk5OTldXX0",
    "/v1/figures?measure=deserters&cursor=" + "x" * 1000,
    "/v1/figures/deserters-since-invasion",
    "/v1/figures/no-such-figure",
    "/v1/figures/" + "y" * 120,
    "/v1/search?q=deserted",
    "/v1/search?q=barrier%20troops&limit=2",
    "/v1/search?limit=3&q=troops&type=figure&type=event",
    "/v1/search?q=troops&type=source&type=source",
    "/v1/search?q=troops&limit=500",
    "/v1/search?q=troops&limit=2&cursor=eyJvIjoyfQ",
    "/v1/search?q=troops&cursor=abc",
    "/v1/search?q=troops&cursor=" + "x" * 1000,
    "/v1/search?q=%21%21%21",
    "/v1/search?q=nothingmatchesthis",
    "/v1/search?q=" + "troops%20" * 55 + "x",
]
# Everything the one pass declines, bad values first: FastAPI's own answer, byte for byte.
DECLINED = [
    "/v1/figures?measure=deserters&limit=0",
    "/v1/figures?measure=deserters&limit=501",
    "/v1/figures?measure=deserters&limit=1000",
    "/v1/figures?measure=deserters&limit=abc",
    "/v1/figures?measure=deserters&limit=-1",
    "/v1/figures?measure=deserters&limit=%2B5",
    "/v1/figures?measure=deserters&limit=05",
    "/v1/figures?measure=deserters&limit=5.0",
    "/v1/figures?measure=deserters&limit=%205",
    "/v1/figures?measure=deserters&limit=",
    "/v1/figures?measure=deserters&limit",
    "/v1/figures?measure=deserters&limit=1&limit=2",
    "/v1/figures?measure=deserters&limit=2&limit=abc",
    "/v1/figures?measure=deserters&cursor=" + LONG,
    "/v1/figures?measure=deserters&cursor=",
    "/v1/figures?measure=deserters&cursor=abc&cursor=def",
    "/v1/figures?measure=deserters&status=bogus",
    "/v1/figures?measure=deserters&status=Published",
    "/v1/figures?measure=deserters&status=",
    "/v1/figures?measure=deserters&include_retracted=maybe",
    "/v1/figures?measure=deserters&include_retracted=true&limit=1",
    "/v1/figures?measure=",
    "/v1/figures?measure",
    "/v1/figures?measure=deserters&colour=red",
    "/v1/figures?measure=deserters&Measure=deserters",
    "/v1/figures?measure=deserters&sort=-value&limit=1",
    "/v1/figures?measure=deserters&sort=colour",
    "/v1/figures?measure=deserters&count=true&limit=1",
    "/v1/figures?measure=deserters&count=perhaps",
    "/v1/figures?measure=deserters&format=json&limit=1",
    "/v1/figures?measure=deserters&format=csv&limit=1",
    "/v1/figures?measure=deserters&format=xml",
    "/v1/figures?measure=deserters&party=XX",
    "/v1/figures?measure=deserters&value_gte=lots",
    "/v1/figures?measure=deserters&date_from=1941-13",
    "/v1/figures?measure=deserters&as_of=yesterday",
    "/v1/figures?measure=deserters&q=",
    "/v1/figures?status=published",
    "/v1/figures?limit=1",
    "/v1/figures",
    "/v1/figures/deserters-since-invasion?format=json",
    "/v1/figures/deserters-since-invasion?format=pdf",
    "/v1/figures/deserters-since-invasion?as_of=2026-12-01",
    "/v1/figures/deserters-since-invasion?as_of=soon",
    "/v1/figures/deserters-since-invasion?colour=red",
    "/v1/figures/deserters-since-invasion?",
    "/v1/figures/deserters-since-invasion?&",
    "/v1/figures/" + "y" * 121,
    "/v1/search",
    "/v1/search?q=",
    "/v1/search?q",
    "/v1/search?q=troops&q=deserted",
    "/v1/search?q=" + "x" * 501,
    "/v1/search?q=troops&type=bogus",
    "/v1/search?q=troops&type=",
    "/v1/search?q=troops&type=Figure",
    "/v1/search?q=troops&limit=0",
    "/v1/search?q=troops&limit=05",
    "/v1/search?q=troops&limit=501",
    "/v1/search?q=troops&limit=1&limit=2",
    "/v1/search?q=troops&cursor=",
    "/v1/search?q=troops&cursor=a&cursor=b",
    "/v1/search?q=troops&cursor=" + LONG,
    "/v1/search?q=troops&format=json",
    "/v1/search?q=troops&format=html",
    "/v1/search?q=troops&format=pdf",
    "/v1/search?q=troops&colour=red",
]
HEADERS = [
    {},
    {"method": "HEAD"},
    {"Origin": "https://newsroom.example"},
    {"Accept": "application/json"},
    {"Accept": "text/csv"},
    {"Accept": "text/html"},
    {"Accept": "image/png"},
    {"Accept": "application/json;q=0"},
]


@pytest.mark.parametrize("url", GOOD + DECLINED)
@pytest.mark.parametrize("headers", HEADERS, ids=lambda h: "-".join(h.values()) or "plain")
def test_each_answer_is_fastapis(uncached, monkeypatch, url, headers):
    fast, full = both(uncached, monkeypatch, url, **headers)
    assert fast == full


@pytest.mark.parametrize(
    ("url", "status", "detail"),
    [
        ("/v1/figures?measure=deserters&limit=0", 422, "limit: "),
        ("/v1/figures?measure=deserters&limit=1&limit=abc", 422, "limit: "),
        ("/v1/figures?measure=deserters&cursor=" + LONG, 422, "cursor: "),
        ("/v1/figures?measure=deserters&cursor=abc", 400, "cursor: "),
        ("/v1/figures?measure=deserters&status=bogus", 422, "status"),
        ("/v1/figures?measure=desserters", 400, "measure: "),
        ("/v1/figures?measure=deserters&colour=red", 400, "colour: "),
        ("/v1/figures/" + "y" * 121, 422, "slug: "),
    ],
)
def test_bad_input_is_a_problem_naming_its_field(uncached, url, status, detail):
    """The declined and the taken alike: RFC 9457 problems that name the field."""
    response = uncached.get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith(detail)


def solved(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every time FastAPI solves a route's parameters."""
    calls: list[Any] = []
    solve = fastapi.routing.solve_dependencies

    async def recorded(**kwargs: Any) -> Any:
        calls.append(kwargs["dependant"].call)
        return await solve(**kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", recorded)
    return calls


@pytest.mark.parametrize(
    "url",
    [
        "/v1/figures?measure=deserters&limit=1",
        "/v1/figures?measure=deserters&status=published&cursor=eyJzIjoiaWQiLCJ2IjpbWyJpIiwxXV19",
        "/v1/figures/deserters-since-invasion",
        "/v1/search?q=troops&type=figure&limit=2&cursor=eyJvIjoyfQ",
    ],
)
def test_the_hot_shapes_skip_fastapis_parsing(uncached, monkeypatch, url):
    calls = solved(monkeypatch)
    response = uncached.get(url)
    assert response.status_code == 200
    assert calls == []


@pytest.mark.parametrize(
    "url",
    [
        "/v1/figures?measure=deserters&limit=05",
        "/v1/figures?measure=desserters",
        "/v1/figures/deserters-since-invasion?format=json",
        "/v1/figures/no-such-figure",
        "/v1/search?q=troops&format=json",
    ],
)
def test_what_it_declines_fastapi_parses_once(uncached, monkeypatch, url):
    calls = solved(monkeypatch)
    uncached.get(url)
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("query", "parsed"),
    [
        ([("measure", "a")], FigureList(["a"], [], None, None)),
        (
            [("measure", "b"), ("status", "retracted"), ("measure", "a"), ("limit", "500")],
            FigureList(["b", "a"], ["retracted"], 500, None),
        ),
        ([("cursor", "c"), ("measure", "a"), ("limit", "9")], FigureList(["a"], [], 9, "c")),
        ([("measure", "a"), ("cursor", "c" * 1000)], FigureList(["a"], [], None, "c" * 1000)),
        ([("measure", " ")], FigureList([" "], [], None, None)),
    ],
)
def test_what_the_one_pass_takes(query, parsed):
    assert figure_list(query) == parsed


@pytest.mark.parametrize(
    ("slug", "query_string", "taken"),
    [
        ("a", b"", "a"),
        ("y" * 120, b"", "y" * 120),
        ("y" * 121, b"", None),
        ("a", b"format=json", None),
        ("a", b"&", None),
    ],
)
def test_which_detail_urls_the_one_pass_takes(slug, query_string, taken):
    assert figure_detail(slug, query_string) == taken


@pytest.mark.parametrize(
    "query",
    [
        [],
        [("limit", "1")],
        [("measure", "")],
        [("measure", "a"), ("limit", "0")],
        [("measure", "a"), ("limit", "501")],
        [("measure", "a"), ("limit", "1"), ("limit", "1")],
        [("measure", "a"), ("limit", "1e2")],
        [("measure", "a"), ("cursor", "c"), ("cursor", "c")],
        [("measure", "a"), ("cursor", "c" * 1001)],
        [("measure", "a"), ("status", "draft")],
        [("measure", "a"), ("format", "json")],
        [("measure", "a"), ("include_retracted", "false")],
    ],
)
def test_what_the_one_pass_declines(query):
    assert figure_list(query) is None


@pytest.mark.parametrize(
    ("query", "parsed"),
    [
        ([("q", "a")], SearchQuery("a", [], None, None)),
        (
            [("type", "event"), ("q", "a b"), ("type", "figure"), ("limit", "500")],
            SearchQuery("a b", ["event", "figure"], 500, None),
        ),
        ([("cursor", "c"), ("q", " "), ("limit", "9")], SearchQuery(" ", [], 9, "c")),
        ([("q", "x" * 500), ("cursor", "c" * 1000)], SearchQuery("x" * 500, [], None, "c" * 1000)),
    ],
)
def test_which_searches_the_one_pass_takes(query, parsed):
    assert search(query) == parsed


@pytest.mark.parametrize(
    "query",
    [
        [],
        [("limit", "1")],
        [("q", "")],
        [("q", "x" * 501)],
        [("q", "a"), ("q", "b")],
        [("q", "a"), ("type", "bogus")],
        [("q", "a"), ("type", "")],
        [("q", "a"), ("limit", "0")],
        [("q", "a"), ("limit", "1"), ("limit", "1")],
        [("q", "a"), ("cursor", "c"), ("cursor", "c")],
        [("q", "a"), ("cursor", "c" * 1001)],
        [("q", "a"), ("format", "json")],
        [("q", "a"), ("measure", "a")],
    ],
)
def test_which_searches_the_one_pass_declines(query):
    assert search(query) is None


def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread each figure lookup by slug runs in."""
    threads: list[str] = []
    by_slug = figure_docs.by_slug

    def recorded(*args: Any) -> Any:
        threads.append(threading.current_thread().name)
        return by_slug(*args)

    monkeypatch.setattr(figure_docs, "by_slug", recorded)
    return threads


def test_the_detail_lookup_stays_on_the_event_loop_on_sqlite_only(uncached, monkeypatch, engine):
    """One statement on the slug's unique index costs less than the hop into a read thread;
    on PostgreSQL, over the network, it still hops."""
    threads = lookups(monkeypatch)
    assert uncached.get("/v1/figures/deserters-since-invasion").status_code == 200
    assert len(threads) == 1
    in_pool = threads[0].startswith("sourced-read")
    assert in_pool == (engine.dialect.name != "sqlite")


def test_the_detail_lookup_hops_when_no_connection_is_free(uncached, monkeypatch):
    """Waiting for a pooled connection on the event loop would stall every request."""
    threads = lookups(monkeypatch)
    pool = uncached.app.state.read_engine.pool  # type: ignore[attr-defined]
    monkeypatch.setattr(pool, "checkedout", lambda: 10**6, raising=False)
    response = uncached.get("/v1/figures/deserters-since-invasion")
    assert response.status_code == 200
    assert len(threads) == 1
    assert threads[0].startswith("sourced-read")
