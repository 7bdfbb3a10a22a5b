"""A retraction made through the API shows at once on the figure's page and on its card,
with the editor's reason, in the browser. Its own server: the other modules read the figure
as published."""

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import FIGURE

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

REASON = "The outlet withdrew the leaked figures"


def test_a_retracted_figure_shows_the_banner_with_its_reason_on_page_and_card(page: Page, site):
    page.goto(FIGURE)
    expect(page.locator(".banner")).to_have_count(0)

    response = httpx.delete(
        f"{site.url}{FIGURE}",
        headers={**site.editor(), "If-Match": site.etag(FIGURE), "Sourced-Reason": REASON},
        timeout=10,
    )
    assert response.status_code in (200, 204), response.text

    page.reload()
    banner = page.get_by_role("alert")
    expect(banner).to_be_visible()
    expect(banner).to_have_text(f"Retracted. {REASON} Do not cite this as a current figure.")
    assert page.locator("article.figure").get_attribute("data-status") == "retracted"
    # The banner comes before the citation: a reader sees it first.
    banner_box, citation_box = banner.bounding_box(), page.locator("#citation-text").bounding_box()
    assert banner_box
    assert citation_box
    assert banner_box["y"] < citation_box["y"]

    page.goto(f"{FIGURE}/card")
    card_banner = page.get_by_role("alert")
    expect(card_banner).to_be_visible()
    expect(card_banner).to_have_text(f"Retracted. {REASON}")
    expect(page.locator(".stated")).to_have_text("at least 50,000")
