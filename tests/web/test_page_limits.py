"""Pages at scale and under hostile text, in-process (tests/browser/ sees them in Chromium)."""

import pytest
from bs4 import BeautifulSoup

from tests import builders

BROWSER = {"Accept": "text/html"}
HOSTILE = '<script>window.pwned=1</script>"><img src=x onerror=alert(1)>{{7*7}}'


@pytest.fixture
def two_hundred(engine, client, tmp_path):
    data = builders.dataset(300)
    for figure in data["figures"]:
        figure["measure"] = "deserters"
    builders.load(engine, tmp_path / "seed", data)
    return client


def test_a_measure_with_300_claims_charts_every_one_of_them(two_hundred):
    response = two_hundred.get("/v1/measures/deserters", headers=BROWSER)
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert len(soup.select("tbody tr")) == 300
    assert soup.select_one("figure.chart svg")["role"] == "group"
    assert len(response.content) < 1_000_000


def test_a_figure_page_charts_its_first_fifty_neighbours_and_itself(two_hundred):
    response = two_hundred.get("/v1/figures/fig-0299", headers=BROWSER)
    soup = BeautifulSoup(response.text, "html.parser")
    # Fifty by id, then the figure itself, which is past them; its own row is left out.
    assert len(soup.select("#compare ~ .table-wrap tbody tr")) == 50
    assert "fig-0299" in str(soup.select_one("figure.chart svg"))
    more = soup.select_one("#compare ~ p")
    assert "the measure’s page" in more.get_text()


@pytest.fixture
def hostile(engine, client, tmp_path):
    data = builders.dataset(2)
    for source in data["sources"]:
        source["name"] = f"{source['name']} {HOSTILE}"
        source["description"] = HOSTILE
    for event in data["events"]:
        event["title"] = f"{event['title']} {HOSTILE}"
        event["summary"] = HOSTILE
    for figure in data["figures"]:
        figure["stated_as"] = f"{figure['stated_as']} {HOSTILE}"
        figure["subject"] = HOSTILE
        figure["note"] = f"</textarea><b id=injected>x</b> {HOSTILE}"
    builders.load(engine, tmp_path / "seed", data)
    return client


# (url, whether the page shows the records' texts); home and changes show slugs and reasons.
PAGES = [
    ("/", False),
    ("/v1/figures", True),
    ("/v1/figures/fig-0000", True),
    ("/v1/figures/fig-0000/card", True),
    ("/v1/events", True),
    ("/v1/events/flight", True),
    ("/v1/sources", True),
    ("/v1/sources/agency", True),
    ("/v1/sources/ministry", True),
    ("/v1/measures/people_killed", True),
    ("/v1/search?q=soldiers", True),
    ("/v1/changes", False),
]


@pytest.mark.parametrize(("url", "shows_text"), PAGES)
def test_no_record_text_reaches_a_page_as_markup(hostile, url, shows_text):
    response = hostile.get(url, headers=BROWSER)
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    own = [s.get("src") for s in soup.find_all("script") if s.get("type") != "application/ld+json"]
    assert own == ([] if url.endswith("/card") else ["http://testserver/static/copy.js"])
    assert not soup.select("img, #injected, [onerror], [onload]")
    assert "javascript:" not in " ".join(a.get("href", "") for a in soup.find_all("a"))
    for script in soup.find_all("script", type="application/ld+json"):
        assert "<" not in script.string
    if shows_text:
        # Shown as the words they are; {{7*7}} is never evaluated.
        assert '<script>window.pwned=1</script>"><img src=x onerror=alert(1)>{{7*7}}' in (
            soup.get_text()
        )
