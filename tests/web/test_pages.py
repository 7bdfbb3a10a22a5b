"""The reader's pages, in-process: the same URL answers a browser with a page and every other
client with exactly the JSON it got before; a page shows the record's own words and numbers."""

import json

import pytest
from bs4 import BeautifulSoup

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
FIGURE = "/v1/figures/deserters-since-invasion"
CITATION = (
    "At least 50,000 Russian service members have deserted since the invasion began, "
    "according to leaked 2024 reports from Russia’s Ministry of Defence cited by RFE/RL, as "
    "published in “50,000 deserters: Putin’s army using Stalin’s methods to keep troops from "
    "fleeing the battlefield”."
)
PAGES = [
    "/",
    "/v1",
    FIGURE,
    "/v1/figures",
    "/v1/figures?measure=deserters",
    "/v1/events",
    "/v1/events/russian-desertions",
    "/v1/sources",
    "/v1/sources/rfe-rl",
    "/v1/sources/rfe-rl/figures",
    "/v1/measures",
    "/v1/measures/deserters",
    "/v1/search?q=deserters",
    "/v1/changes",
]


def page(client, url: str) -> BeautifulSoup:
    response = client.get(url, headers=BROWSER)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return BeautifulSoup(response.text, "html.parser")


def words(node) -> str:
    return " ".join(node.get_text(" ").split())


class TestNegotiation:
    @pytest.mark.parametrize("url", PAGES)
    def test_a_browser_gets_a_page_that_varies_by_accept(self, seeded_client, url):
        response = seeded_client.get(url, headers=BROWSER)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["vary"] == "Accept, Origin"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.text.startswith("<!doctype html>")

    @pytest.mark.parametrize(
        "url",
        [u for u in PAGES if u != "/"],
    )
    @pytest.mark.parametrize("accept", ["application/json", "*/*", "application/json, text/html"])
    def test_every_other_client_gets_the_json_it_got_before(self, seeded_client, url, accept):
        """`?format=json` is the JSON as it was; any client that does not prefer HTML gets it."""
        sep = "&" if "?" in url else "?"
        reference = seeded_client.get(f"{url}{sep}format=json")
        response = seeded_client.get(url, headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        # The reference's `next` link carries its own `format=json`.
        assert response.json() == json.loads(reference.text.replace("format=json&", ""))
        assert "Accept" in response.headers["vary"]

    def test_no_accept_header_is_json_and_the_root_redirects(self, seeded_client):
        request = seeded_client.build_request("GET", FIGURE)
        del request.headers["accept"]
        assert seeded_client.send(request).headers["content-type"] == "application/json"
        root = seeded_client.get(
            "/", headers={"Accept": "application/json"}, follow_redirects=False
        )
        assert (root.status_code, root.headers["location"]) == (307, "/v1")

    def test_format_html_wins_over_accept(self, seeded_client):
        response = seeded_client.get(f"{FIGURE}?format=html", headers={"Accept": "*/*"})
        assert response.headers["content-type"] == "text/html; charset=utf-8"

    def test_the_page_and_the_json_have_different_etags_and_each_revalidates(self, seeded_client):
        html = seeded_client.get(FIGURE, headers=BROWSER)
        data = seeded_client.get(FIGURE)
        assert html.headers["etag"] != data.headers["etag"]
        again = seeded_client.get(
            FIGURE, headers={**BROWSER, "If-None-Match": html.headers["etag"]}
        )
        assert again.status_code == 304
        # The page's tag never revalidates the JSON.
        crossed = seeded_client.get(FIGURE, headers={"If-None-Match": html.headers["etag"]})
        assert (crossed.status_code, crossed.json()["slug"]) == (200, "deserters-since-invasion")

    def test_the_cache_keeps_the_page_and_the_json_apart(self, seeded_client):
        for _ in range(2):
            assert seeded_client.get(FIGURE, headers=BROWSER).text.startswith("<!doctype html>")
            assert seeded_client.get(FIGURE).json()["slug"] == "deserters-since-invasion"

    def test_a_missing_record_is_still_a_problem(self, seeded_client):
        response = seeded_client.get("/v1/figures/no-such-figure", headers=BROWSER)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


class TestFigurePage:
    def test_the_number_as_stated_and_as_a_value(self, seeded_client):
        soup = page(seeded_client, FIGURE)
        assert words(soup.h1) == (
            "at least 50,000 Russian service members who deserted since the invasion began"
        )
        facts = {words(d.dt): words(d.dd) for d in soup.select("dl.facts > div")}
        assert facts["Value"] == "50,000"
        assert facts["How exact"] == "at least"
        assert facts["Lower bound"] == "50,000"
        assert facts["Upper bound"] == "–"
        assert facts["Unit"] == "persons"

    def test_the_citation_in_three_styles_to_copy(self, seeded_client):
        soup = page(seeded_client, FIGURE)
        assert words(soup.select_one("#citation-text")) == CITATION
        markdown = seeded_client.get(f"{FIGURE}/citation?style=markdown").text
        html = seeded_client.get(f"{FIGURE}/citation?style=html").text
        assert soup.select_one("#citation-markdown").string == markdown
        assert soup.select_one("#citation-html").string == html
        assert [b["data-copy"] for b in soup.select("button.copy")] == [
            "citation-text",
            "citation-markdown",
            "citation-html",
            "embed-code",
        ]

    def test_the_chain_in_order_drawn_and_listed(self, seeded_client):
        soup = page(seeded_client, FIGURE)
        listed = [words(li) for li in soup.select("ol.chain-list > li")]
        assert listed == [
            "Claimed by leaked 2024 reports from Russia’s Ministry of Defence document "
            "party to the conflict: Russia",
            "Relayed by RadioFreeEurope/RadioLiberty (RFE/RL) news service",
            "Published in 50,000 deserters: Putin’s army using Stalin’s methods to keep troops "
            "from fleeing the battlefield document",
        ]
        svg = soup.select_one("figure.chain svg")
        assert svg["role"] == "group"
        hrefs = [a["href"] for a in svg.find_all("a")]
        assert hrefs == [
            "http://testserver/v1/sources/ru-mod-leaked-reports-2024",
            "http://testserver/v1/sources/rfe-rl",
            "http://testserver/v1/sources/article-50000-deserters",
        ]

    def test_the_quote_shown_in_its_place_in_the_stored_text(self, seeded_client):
        soup = page(seeded_client, FIGURE)
        passage = soup.select_one("blockquote.in-place")
        assert words(passage.mark) == (
            "According to the leaked 2024 reports from Russia’s Ministry of Defence, at least "
            "50,000 service members have deserted since the invasion began."
        )
        assert "In the stored text of 50,000 deserters" in words(passage.footer)

    def test_the_editors_note_the_competing_estimate_and_the_history(self, seeded_client):
        soup = page(seeded_client, FIGURE)
        assert words(soup.select_one("p.note")).startswith("The headline says")
        others = [words(r.th) for r in soup.select("#compare ~ .table-wrap tbody tr")]
        assert others == ["thousands"]
        chart = soup.select_one("figure.chart svg")
        assert chart["role"] == "group"
        timeline = soup.select("ol.timeline > li")
        assert len(timeline) == 4  # the figure and its three links, created by the seed
        assert "Why: seed: loaded from article-50000-deserters.yaml" in words(timeline[0])

    def test_claim_json_ld_names_claimant_and_publisher(self, seeded_client):
        soup = page(seeded_client, FIGURE)
        data = json.loads(soup.find("script", type="application/ld+json").string)
        assert data["@type"] == "Claim"
        assert data["author"] == {
            "@type": "Organization",
            "name": "leaked 2024 reports from Russia’s Ministry of Defence",
        }
        assert data["appearance"][0]["name"].startswith("50,000 deserters")
        assert data["firstAppearance"] == data["appearance"][0]
        assert data["mentions"] == [
            {"@type": "Organization", "name": "RadioFreeEurope/RadioLiberty"}
        ]
        assert data["text"] == CITATION

    def test_embed_code_and_oembed_discovery(self, seeded_client):
        soup = page(seeded_client, FIGURE)
        assert soup.select_one("#embed-code").string == (
            '<iframe src="http://testserver/v1/figures/deserters-since-invasion/card" '
            'title="at least 50,000" width="100%" height="280" style="border:0"></iframe>'
        )
        link = soup.find("link", type="application/json+oembed")
        assert link["href"] == (
            "http://testserver/oembed?url=http%3A//testserver/v1/figures/"
            "deserters-since-invasion&format=json"
        )

    def test_a_correction_shows_in_the_timeline_old_and_new(self, seeded_client, seeded_editor):
        etag = seeded_client.get(FIGURE).headers["etag"]
        done = seeded_client.patch(
            FIGURE,
            json={"note": "Checked against the body text.", "reason": "Clarify the note"},
            headers={**seeded_editor, "If-Match": etag},
        )
        assert done.status_code == 200
        soup = page(seeded_client, FIGURE)
        last = soup.select("ol.timeline > li")[-1]
        assert "update (version 2) by Desk editor" in words(last)
        assert words(last.select_one(".why")) == "Why: Clarify the note"
        row = last.select_one("table.changes tbody tr")
        assert words(row.th) == "note"
        assert words(row.select_one("del")).startswith("The headline says")
        assert words(row.select_one("ins")) == "Checked against the body text."

    def test_a_retracted_figure_carries_a_banner_with_its_reason(
        self, seeded_client, seeded_editor
    ):
        etag = seeded_client.get(FIGURE).headers["etag"]
        seeded_client.delete(
            FIGURE,
            headers={**seeded_editor, "If-Match": etag, "Sourced-Reason": "The outlet withdrew it"},
        )
        soup = page(seeded_client, FIGURE)
        banner = soup.select_one(".banner.retracted")
        assert words(banner) == (
            "Retracted. The outlet withdrew it Do not cite this as a current figure."
        )
        assert words(soup.select_one("#citation-text")).startswith("Retracted")


class TestOtherPages:
    def test_home_counts_measures_and_latest_changes(self, seeded_client):
        soup = page(seeded_client, "/")
        assert [words(li) for li in soup.select("ul.counts li")] == [
            "8 figures",
            "12 events",
            "10 sources",
            "7 measures",
            "77 changes",
        ]
        assert [words(a) for a in soup.select("ul.measures a")][:2] == [
            "Convicts recruited",
            "Deserters",
        ]
        data = json.loads(soup.find("script", type="application/ld+json").string)
        assert data["@type"] == "Dataset"
        assert len(soup.select("ol.changes-list li")) == 10

    def test_measure_page_charts_both_estimates_with_the_same_data_as_a_table(self, seeded_client):
        soup = page(seeded_client, "/v1/measures/deserters")
        rows = [[words(c) for c in r.find_all(["th", "td"])] for r in soup.select("tbody tr")]
        assert rows == [
            [
                "at least 50,000",
                "leaked 2024 reports from Russia’s Ministry of Defence",
                "RU: claimant is party RU",
                "50,000",
                "50,000",
                "",
                "to 2024",
                "published",
            ],
            [
                "thousands",
                "50,000 deserters: Putin’s army using Stalin’s methods to keep troops from "
                "fleeing the battlefield",
                "independent: not a party",
                "",
                "1,000",
                "",
                "",
                "published",
            ],
        ]
        svg = soup.select_one("figure.chart svg")
        assert svg.title.string == "Competing estimates: Deserters"

    def test_source_page_groups_what_it_claims_and_relays(self, seeded_client):
        soup = page(seeded_client, "/v1/sources/rfe-rl")
        headings = [words(h) for h in soup.select("article h2")]
        assert headings[:2] == ["What it claims first", "What it relays"]
        lists = soup.select("ul.figure-list")
        assert [words(a) for a in lists[0].find_all("a")] == ["nine", "a convoy driver"]
        assert [words(a) for a in lists[1].find_all("a")] == ["at least 50,000"]

    def test_search_page_marks_matches_and_offers_filters(self, seeded_client, seeded):
        soup = page(seeded_client, "/v1/search?q=deserters")
        first = soup.select_one("ol.hits li")
        # The index's rule (per-field BM25, the last word a prefix of a stem: "deserters" is
        # "desert") puts this event first; FTS5's ranking put the figure about deserters first.
        assert words(first.select_one("a")) == (
            "Russian service members deserting since the invasion of Ukraine"
        )
        # Each engine's own snippet, from its own stemmer and snippet window.
        marked = [words(m) for m in first.select("mark")]
        if seeded.dialect.name == "postgresql":
            assert marked == ["deserting"]
        else:
            assert marked == ["desertion"]
        assert [a["href"] for a in soup.select("p.filters a")] == [
            "http://testserver/v1/search?q=deserters",
            "http://testserver/v1/search?q=deserters&type=event",
            "http://testserver/v1/search?q=deserters&type=figure",
            "http://testserver/v1/search?q=deserters&type=source",
        ]

    def test_a_list_page_keeps_its_filters_and_its_next_link(self, seeded_client):
        soup = page(seeded_client, "/v1/figures?measure=deserters&limit=1")
        assert [words(r.th) for r in soup.select("tbody tr")] == ["at least 50,000"]
        assert soup.find("a", rel="next")["href"].startswith(
            "http://testserver/v1/figures?measure=deserters&limit=1&cursor="
        )


def test_a_page_of_the_past_is_refused_and_its_json_served(seeded_client):
    refused = seeded_client.get(f"{FIGURE}?format=html&as_of=2030-01-01T00:00:00Z")
    assert refused.status_code == 400
    assert refused.json()["detail"] == (
        "format: a page shows the record as it is now; drop as_of, or ask for format=json to "
        "read the record as it stood then"
    )
    past = seeded_client.get(f"{FIGURE}?as_of=2030-01-01T00:00:00Z", headers=BROWSER)
    assert (past.status_code, past.headers["content-type"]) == (200, "application/json")


def test_a_list_pages_downloads_keep_its_filters_and_hold_every_row(seeded_client):
    soup = page(seeded_client, "/v1/figures?measure=deserters&limit=1&sort=-value")
    links = {
        a.get_text(): a["href"] for a in soup.select("main p a") if a.get_text() in ("CSV", "JSON")
    }
    assert links == {
        "CSV": "http://testserver/v1/figures?measure=deserters&sort=-value&format=csv",
        "JSON": "http://testserver/v1/figures?measure=deserters&sort=-value&format=json",
    }


def test_a_percent_figure_shows_its_unit_beside_the_value(seeded_client):
    soup = page(seeded_client, "/v1/figures/share-sentenced-to-death-1941")
    facts = {words(d.dt): words(d.dd) for d in soup.select("dl.facts > div")}
    assert (facts["Value"], facts["Unit"]) == ("1.5 %", "percent")
