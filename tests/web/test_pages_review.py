"""The reader pages and the embeds read as an attacker and a demanding journalist would: odd
input is a problem, never a 500; a figure's link works wherever the API is mounted; a
retracted figure never reads cleanly, not even in a title; a JSON client stays a JSON client."""

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

SLUG = "deserters-since-invasion"
FIGURE = f"/v1/figures/{SLUG}"
# What java.net.HttpURLConnection sends when the caller sets no Accept (Processing's
# loadJSONObject, Clojure's slurp, Groovy's URL.text, ...): it names text/html first.
JAVA_DEFAULT_ACCEPT = "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def retract(client, editor, path: str = FIGURE) -> None:
    etag = client.get(path).headers["etag"]
    done = client.delete(
        path, headers={**editor, "If-Match": etag, "Sourced-Reason": "The outlet withdrew it"}
    )
    assert done.status_code == 200, done.text


class TestOEmbedUrls:
    @pytest.mark.parametrize(
        "url",
        [
            "http://[::1/v1/figures/x",
            "http://[oops]/v1/figures/x",
            "http://x:bad/v1",
            "http://x/v1/figures/%00",
            "http://x/v1/figures/a%2Fb",
        ],
    )
    def test_a_url_python_cannot_split_is_a_404_problem_not_a_500(self, seeded_client, url):
        response = seeded_client.get("/oembed", params={"url": url})
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"].startswith("url: ")

    def test_a_percent_encoded_figure_url_is_the_figure(self, seeded_client):
        url = "http://testserver/v1/figures/deserters%2Dsince-invasion"
        response = seeded_client.get("/oembed", params={"url": url})
        assert response.status_code == 200, response.text
        assert f"{FIGURE}/card" in response.json()["html"]

    def test_behind_a_root_path_the_figures_own_url_embeds(self, seeded_client):
        mounted = TestClient(seeded_client.app, root_path="/sourced")
        url = mounted.get(f"/sourced{FIGURE}").json()["url"]
        assert url == f"http://testserver/sourced{FIGURE}"
        # The page names this endpoint for its own URL: it must answer it.
        page = BeautifulSoup(mounted.get(url, headers=BROWSER).text, "html.parser")
        discovery = page.find("link", type="application/json+oembed")["href"]
        response = mounted.get(discovery)
        assert response.status_code == 200, response.text
        assert f'src="{url}/card"' in response.json()["html"]

    def test_behind_a_root_path_a_url_outside_it_is_refused(self, seeded_client):
        mounted = TestClient(seeded_client.app, root_path="/sourced")
        response = mounted.get("/sourced/oembed", params={"url": f"http://x/elsewhere{FIGURE}"})
        assert response.status_code == 404


class TestRetractedEmbeds:
    def test_oembed_title_and_iframe_title_say_retracted(self, seeded_client, seeded_editor):
        retract(seeded_client, seeded_editor)
        answer = seeded_client.get("/oembed", params={"url": f"http://testserver{FIGURE}"}).json()
        assert answer["title"] == "Retracted: at least 50,000"
        iframe = BeautifulSoup(answer["html"], "html.parser").iframe
        assert iframe["title"] == "Retracted: at least 50,000"

    def test_the_pages_embed_code_says_retracted_too(self, seeded_client, seeded_editor):
        retract(seeded_client, seeded_editor)
        page = BeautifulSoup(seeded_client.get(FIGURE, headers=BROWSER).text, "html.parser")
        code = BeautifulSoup(page.select_one("#embed-code").get_text(), "html.parser")
        assert code.iframe["title"] == "Retracted: at least 50,000"

    def test_a_published_figure_keeps_its_plain_title(self, seeded_client):
        answer = seeded_client.get("/oembed", params={"url": f"http://testserver{FIGURE}"}).json()
        assert answer["title"] == "at least 50,000"


class TestJsonClients:
    @pytest.mark.parametrize("url", [FIGURE, "/v1/figures", "/v1/measures", "/v1/changes"])
    def test_javas_default_accept_still_gets_json(self, seeded_client, url):
        response = seeded_client.get(url, headers={"Accept": JAVA_DEFAULT_ACCEPT})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"

    def test_a_browser_still_gets_the_page(self, seeded_client):
        response = seeded_client.get(FIGURE, headers=BROWSER)
        assert response.headers["content-type"] == "text/html; charset=utf-8"


class TestListDownloads:
    def test_a_filtered_list_pages_csv_link_keeps_its_filters(self, seeded_client):
        url = "http://testserver/v1/figures?measure=deserters"
        page = BeautifulSoup(seeded_client.get(url, headers=BROWSER).text, "html.parser")
        csv = next(a for a in page.find_all("a") if a.get_text() == "CSV")
        # The browser resolves the link against the page's URL.
        from urllib.parse import urljoin

        target = urljoin(url, csv["href"])
        assert "measure=deserters" in target
        assert "format=csv" in target
