"""The card framed by another site: a page on another origin (another port) that pastes the
card's iframe, as oEmbed hands it out, shows the figure; the same site framing the full
figure page gets nothing (the page says `frame-ancestors 'none'`)."""

import http.server
import threading
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import FIGURE, Site
from tests.serving import free_port

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def newsroom(site: Site) -> Iterator[str]:
    """Another origin (127.0.0.1 on another port) serving a story that embeds the card, by the
    oEmbed answer's own HTML, and one that frames the full figure page."""
    embed = httpx.get(
        f"{site.url}/oembed", params={"url": f"{site.url}{FIGURE}"}, timeout=10
    ).json()["html"]
    pages = {
        "/story.html": f"<!doctype html><title>Story</title><h1>A story</h1>{embed}",
        "/framed.html": (
            f'<!doctype html><title>Framed</title><iframe id="page" src="{site.url}{FIGURE}" '
            'width="800" height="600"></iframe>'
        ),
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_the_card_shows_in_an_iframe_on_another_origin(browser: Browser, newsroom: str, site):
    assert newsroom != site.url
    page = browser.new_page()
    try:
        page.goto(f"{newsroom}/story.html")
        frame = page.frame_locator("iframe")
        expect(frame.locator(".stated")).to_have_text("at least 50,000")
        expect(frame.locator(".via").first).to_contain_text("according to leaked 2024 reports")
        link = frame.get_by_role("link", name="The sources behind this figure, and its history")
        assert link.get_attribute("href") == f"{site.url}{FIGURE}"
        assert link.get_attribute("target") == "_blank"
        box = page.locator("iframe").bounding_box()
        assert box
        assert box["height"] == 280
    finally:
        page.close()


def test_the_full_page_refuses_to_be_framed_by_another_origin(browser: Browser, newsroom: str):
    page = browser.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "frame-ancestors" in m.text else None)
    try:
        page.goto(f"{newsroom}/framed.html", wait_until="load")
        # Chromium puts its own error page ("127.0.0.1 is blocked") in the frame instead.
        frame = page.frame_locator("#page")
        expect(frame.locator("body")).to_have_count(1)
        expect(frame.locator("#citation-text, article.figure, .stated")).to_have_count(0)
        assert "at least 50,000" not in frame.locator("body").inner_text()
        assert page.frames[1].url.startswith("chrome-error://"), page.frames[1].url
        assert refused, "Chromium did not report the frame-ancestors refusal"
    finally:
        page.close()
