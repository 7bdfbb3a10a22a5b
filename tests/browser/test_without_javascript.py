"""With JavaScript off, every page shows everything it shows with it on, but the copy
buttons (copy.js unhides them; without it there is nothing for them to do): the citation,
the chain, the chart, and the Markdown and HTML citations behind their summary."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import CITATION, FIGURE, Site
from tests.browser.screenshots import PAGE_KINDS

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

COPY_LABELS = re.compile(r"\bCopy (text|Markdown|HTML|embed code)\b")


@pytest.fixture(scope="module")
def no_js(browser: Browser, site: Site) -> Iterator[Page]:
    context = browser.new_context(base_url=site.url, java_script_enabled=False)
    try:
        yield context.new_page()
    finally:
        context.close()


def words(text: str) -> list[str]:
    return COPY_LABELS.sub(" ", text).split()


@pytest.mark.parametrize("path", [path for _, path in PAGE_KINDS], ids=[n for n, _ in PAGE_KINDS])
def test_every_page_shows_the_same_words_without_javascript(reader: Page, no_js: Page, path: str):
    page = reader
    page.goto(path)
    no_js.goto(path)
    assert words(no_js.locator("body").inner_text()) == words(page.locator("body").inner_text())
    for svg in no_js.locator("figure svg").all():
        expect(svg).to_be_visible()
    expect(no_js.locator("button.copy")).to_have_count(page.locator("button.copy").count())
    for button in no_js.locator("button.copy").all():
        expect(button).to_be_hidden()


def test_the_figure_page_without_javascript(no_js: Page):
    no_js.goto(FIGURE)
    citation = no_js.locator("#citation-text")
    expect(citation).to_be_visible()
    assert citation.inner_text() == CITATION
    for picture in ("figure.chain svg", "figure.chart svg"):
        expect(no_js.locator(picture)).to_be_visible()
        box = no_js.locator(picture).bounding_box()
        assert box
        assert box["width"] > 300
        assert box["height"] > 100
    expect(no_js.locator("figure.chain svg g.box")).to_have_count(3)
    expect(no_js.locator("figure.chart svg g.row")).to_have_count(2)
    expect(no_js.get_by_role("button", name=re.compile("^Copy"))).to_have_count(0)

    markdown = no_js.locator("#citation-markdown")
    expect(markdown).to_be_hidden()
    no_js.get_by_text("Markdown and HTML").click()  # <details> opens without script
    expect(markdown).to_be_visible()
    expect(no_js.locator("#citation-html")).to_be_visible()
    assert markdown.input_value().startswith("At least 50,000 Russian service members")
    assert no_js.locator("#citation-html").input_value().startswith("At least 50,000")
