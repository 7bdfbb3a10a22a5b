"""The embeddable card and oEmbed: a CMS pastes a figure's link and gets a card that follows
the figure's corrections."""

import pytest
from bs4 import BeautifulSoup

FIGURE = "http://testserver/v1/figures/deserters-since-invasion"
CARD = "/v1/figures/deserters-since-invasion/card"


def words(node) -> str:
    return " ".join(node.get_text(" ").split())


def test_the_card_may_be_framed_by_any_site_and_says_who_claims_the_number(seeded_client):
    response = seeded_client.get(CARD)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors *" in policy
    assert "x-frame-options" not in response.headers
    soup = BeautifulSoup(response.text, "html.parser")
    assert words(soup.select_one(".stated")) == "at least 50,000"
    assert words(soup.select("p.via")[0]).startswith(
        "At least 50,000 Russian service members have deserted since the invasion began, "
        "according to leaked 2024 reports from Russia’s Ministry of Defence cited by RFE/RL"
    )
    assert soup.find("link", rel="canonical")["href"] == FIGURE


def test_a_page_may_not_be_framed(seeded_client):
    response = seeded_client.get(FIGURE, headers={"Accept": "text/html"})
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_the_card_follows_a_retraction(seeded_client, seeded_editor):
    etag = seeded_client.get(FIGURE).headers["etag"]
    before = seeded_client.get(CARD).text
    assert "Retracted" not in before
    seeded_client.delete(
        FIGURE,
        headers={**seeded_editor, "If-Match": etag, "Sourced-Reason": "The outlet withdrew it"},
    )
    soup = BeautifulSoup(seeded_client.get(CARD).text, "html.parser")
    assert words(soup.select_one(".banner.retracted")) == "Retracted. The outlet withdrew it"


def test_oembed_answers_a_figure_url_with_the_card_iframe(seeded_client):
    response = seeded_client.get("/oembed", params={"url": FIGURE, "maxwidth": 400})
    assert response.status_code == 200
    assert response.json() == {
        "version": "1.0",
        "type": "rich",
        "title": "at least 50,000",
        "provider_name": "Sourced",
        "provider_url": "http://testserver/",
        "html": f'<iframe src="{FIGURE}/card" title="at least 50,000" width="400" '
        'height="280" style="border:0"></iframe>',
        "width": 400,
        "height": 280,
        "cache_age": 3600,
    }


@pytest.mark.parametrize(
    "url",
    [
        "ftp://testserver/v1/figures/deserters-since-invasion",
        "http://testserver/v1/events/russian-desertions",
        "http://testserver/v1/figures/no-such-figure",
        "http://testserver/v1/figures/deserters-since-invasion/history",
        "javascript:alert(1)",
    ],
)
def test_oembed_refuses_any_other_url_with_a_404_problem(seeded_client, url):
    response = seeded_client.get("/oembed", params={"url": url})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith(("url: not a figure", "slug: no figure"))


def test_oembed_offers_json_only_and_says_so(seeded_client):
    response = seeded_client.get("/oembed", params={"url": FIGURE, "format": "xml"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "format" in response.json()["detail"]
