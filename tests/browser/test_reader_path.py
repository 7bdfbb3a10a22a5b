"""The reader's path, by clicks only, as a person sees it in a browser: from the home page to
the deserters measure, its chart showing both competing estimates, then to the figure, whose
page shows the citation and the chain of its three sources in order, with a button that
copies the citation."""

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import CITATION, FIGURE

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

CHAIN = [
    ("claimant", "leaked 2024 reports from Russia’s Ministry of Defence"),
    ("relay", "RFE/RL"),
    (
        "publisher",
        "50,000 deserters: Putin’s army using Stalin’s methods to keep troops from fleeing "
        "the battlefield",
    ),
]
LISTED = [
    "leaked 2024 reports from Russia’s Ministry of Defence",
    "RadioFreeEurope/RadioLiberty",
    "50,000 deserters: Putin’s army using Stalin’s methods to keep troops from fleeing "
    "the battlefield",
]


# An SVG mark is drawn when it has extent (a horizontal line has no height, which Playwright's
# visibility counts as hidden) and nothing hides it.
DRAWN = """el => {
  const r = el.getBoundingClientRect(), s = getComputedStyle(el);
  return (r.width > 0 || r.height > 0) && s.visibility !== "hidden" && s.display !== "none"
    && Number(s.opacity) > 0;
}"""


def words(text: str) -> str:
    return " ".join(text.split())


def test_home_to_measure_to_figure_by_clicks(page: Page):
    page.goto("/")
    page.get_by_role("link", name="Deserters", exact=True).click()
    expect(page).to_have_url(re.compile(r"/v1/measures/deserters$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Deserters")

    # The chart draws both estimates: a row each, with its bar (both have an open upper
    # bound, so an arrow too) and, for the one with a value, its point.
    chart = page.locator("figure.chart svg")
    expect(chart).to_be_visible()
    rows = chart.locator("g.row")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.slug)") == [
        "deserters-since-invasion",
        "soldiers-fleeing-thousands",
    ]
    for slug in ("deserters-since-invasion", "soldiers-fleeing-thousands"):
        row = chart.locator(f'g.row[data-slug="{slug}"]')
        expect(row.locator("line.bar")).to_have_count(1)
        assert row.locator("line.bar").evaluate(DRAWN)
        assert row.locator("path.arrow").evaluate(DRAWN)
    expect(chart.locator("circle.point")).to_have_count(1)
    point = chart.locator('g.row[data-slug="deserters-since-invasion"] circle.point')
    assert point.evaluate(DRAWN)
    meta = chart.locator("text.meta").all_text_contents()
    assert meta == ["RU · “at least 50,000” · to 2024", "independent · “thousands”"]
    # The two marks sit on two rows, one above the other, inside the chart.
    box = chart.bounding_box()
    first, second = (rows.nth(i).locator("line.bar").bounding_box() for i in range(2))
    assert box
    assert first
    assert second
    assert box["y"] < first["y"] < second["y"] < box["y"] + box["height"]

    page.locator("table.figures").get_by_role("link", name="at least 50,000", exact=True).click()
    expect(page).to_have_url(re.compile(f"{FIGURE}$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_be_visible()
    assert words(heading.inner_text()) == (
        "at least 50,000 Russian service members who deserted since the invasion began"
    )

    citation = page.locator("#citation-text")
    assert citation.is_visible()
    assert citation.inner_text() == CITATION

    # The chain, drawn: three boxes left to right in the chain's order, each naming its source.
    boxes = page.locator("figure.chain svg g.box")
    expect(boxes).to_have_count(3)
    drawn_chain = []
    lefts = []
    for i in range(3):
        box = boxes.nth(i)
        assert box.is_visible()
        names = box.locator("text.name").all_text_contents()
        drawn_chain.append((box.get_attribute("data-role"), " ".join(names)))
        lefts.append(box.bounding_box()["x"])  # type: ignore[index]
    assert drawn_chain == CHAIN
    assert lefts == sorted(lefts)
    # ... and listed, in the same order, each name a visible link to its source.
    items = page.locator("ol.chain-list > li")
    expect(items).to_have_count(3)
    roles = [items.nth(i).locator(".role").inner_text() for i in range(3)]
    assert roles == ["Claimed by", "Relayed by", "Published in"]
    for i, name in enumerate(LISTED):
        link = items.nth(i).get_by_role("link")
        assert link.is_visible()
        assert link.inner_text() == name


def test_a_figures_json_url_opened_in_the_browser_is_its_page(page: Page, site):
    url = httpx.get(f"{site.url}{FIGURE}", timeout=10).json()["url"]
    assert url == f"{site.url}{FIGURE}"
    response = page.goto(url)
    assert response is not None
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    expect(page.get_by_role("heading", level=1)).to_contain_text("at least 50,000")
    expect(page).to_have_title(re.compile("^at least 50,000"))


def test_the_copy_button_copies_the_citation(page: Page, site):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    page.goto(FIGURE)
    button = page.locator('button[data-copy="citation-text"]')
    expect(button).to_be_visible()
    expect(button).to_have_text("Copy text")
    button.click()
    expect(button).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == CITATION
    expect(button).to_have_text("Copy text", timeout=5000)
    # Each copy button copies its own text: the Markdown citation is the textarea's.
    page.get_by_role("button", name="Copy Markdown").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#citation-markdown").input_value()
    assert copied.startswith("At least 50,000")
    assert "](" in copied
