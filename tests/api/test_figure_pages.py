"""The figure list's driver path (app/api/figure_pages.py) answers exactly as the full path:
same status, headers and bytes, for every URL of its shape and for those it leaves alone."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.engine import Engine

from app.api import figure_pages
from app.db import unit_of_work
from app.main import create_app
from app.models import FigureDoc
from app.services.read import figures
from app.settings import Settings
from tests.api.test_statement_count import counting
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


def full_path(*args: object) -> None:
    return None


def both(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, url: str, **headers: str
) -> tuple[tuple, tuple]:
    """The answer with the driver path, then with the full path only."""
    method = headers.pop("method", "GET")
    fast = answers(client, method, url, headers)
    with monkeypatch.context() as patched:
        patched.setattr(figure_pages, "page", full_path)
        full = answers(client, method, url, headers)
    return fast, full


def walk(client: TestClient, url: str) -> list[str]:
    """Every page's URL of a list, following `next`."""
    urls = [url]
    while (following := client.get(urls[-1]).json()["next"]) is not None:
        urls.append(following.removeprefix("http://testserver"))
    return urls


URLS = [
    "/v1/figures?measure=deserters",
    "/v1/figures?measure=deserters&limit=1",
    "/v1/figures?measure=deserters&measure=people_killed&limit=2",
    "/v1/figures?measure=deserters&measure=deserters&limit=1",
    "/v1/figures?measure=people_killed&measure=deserters&measure=sentenced_to_death&limit=500",
    "/v1/figures?measure=deserters&status=published&limit=1",
    "/v1/figures?measure=deserters&status=retracted",
    "/v1/figures?measure=deserters&include_retracted=true&limit=1",
    "/v1/figures?measure=deserters&format=json&limit=1",
    "/v1/figures?limit=1&measure=killed_or_wounded",
    # Left to the full path: an unknown measure, a foreign or broken cursor, other filters,
    # another sort, a count, other formats, bad values.
    "/v1/figures?measure=desserters",
    "/v1/figures?measure=deserters&measure=nope&limit=1",
    "/v1/figures?measure=deserters&cursor=abc",
    "/v1/figures?measure=deserters&cursor=eyJzIjoiLXZhbHVlLGlkIiwidiI6W1siaSIsMV1dfQ",
    "/v1/figures?measure=deserters&cursor=eyJzIjoiaWQiLCJ2IjpbWyJpIiw5OTk5OTk5OTk5OTldXX0",
    "/v1/figures?measure=deserters&sort=-value&limit=1",
    "/v1/figures?measure=deserters&count=true&limit=1",
    "/v1/figures?measure=deserters&unit=persons&limit=1",
    "/v1/figures?measure=deserters&format=csv&limit=1",
    "/v1/figures?measure=deserters&format=ndjson",
    "/v1/figures?measure=deserters&limit=0",
    "/v1/figures?measure=deserters&limit=501",
    "/v1/figures?measure=deserters&status=bogus",
    "/v1/figures?measure=deserters&colour=red",
    "/v1/figures?limit=1",
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


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("headers", HEADERS, ids=lambda h: "-".join(h.values()) or "plain")
def test_each_answer_is_the_full_paths(uncached, monkeypatch, url, headers):
    fast, full = both(uncached, monkeypatch, url, **headers)
    assert fast == full


def test_every_page_of_a_walk_and_its_304_is_the_full_paths(uncached, monkeypatch):
    pages = walk(uncached, "/v1/figures?measure=deserters&measure=people_killed&limit=1")
    assert len(pages) >= 3
    for url in pages:
        fast, full = both(uncached, monkeypatch, url)
        assert fast == full
        etag = dict(fast[1])["etag"]
        fast, full = both(uncached, monkeypatch, url, **{"If-None-Match": etag})
        assert fast[0] == 304
        assert fast == full


def test_the_hot_shape_reads_on_the_driver_only(uncached, monkeypatch):
    """No SQLAlchemy statement at all: the measure lookup and the page run on the driver."""
    taken: list[figures.Page | None] = []
    page = figure_pages.page

    def recorded(*args: object) -> figures.Page | None:
        taken.append(page(*args))  # type: ignore[arg-type]
        return taken[-1]

    monkeypatch.setattr(figure_pages, "page", recorded)
    with counting() as statements:
        response = uncached.get("/v1/figures?measure=deserters&limit=1")
    assert response.status_code == 200
    assert statements == []
    assert len(taken) == 1
    assert taken[0] is not None
    assert [text.slug for text in taken[0].items] == [response.json()["items"][0]["slug"]]


def test_a_figure_without_its_stored_text_is_left_to_the_full_path(seeded, settings):
    with unit_of_work(seeded) as session:
        session.execute(delete(FigureDoc))
    assert figure_pages.page(seeded, ["deserters"], ["published", "corrected"], 50, None) is None
    app = create_app(settings.model_copy(update={"response_cache_entries": 0}))
    with TestClient(app) as client:
        response = client.get("/v1/figures?measure=deserters")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 2
