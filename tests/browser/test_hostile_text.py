"""Every text a source, an event, a figure, a measure, a key's name and a change's reason can
hold, full of markup and script, seeded through the real seed path and an editor's write,
then read in the browser on every page that shows it: nothing runs, nothing is injected,
and the words are shown as words."""

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, Page

from tests.browser.conftest import Site, running_site
from tests.builders import write_seed

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '"><img src=x onerror="window.__pwned=1">'
SVG = '<svg onload="window.__pwned=1">'
TEXTAREA = "</textarea><b id=injected>x</b>"
TEMPLATE = "{{7*7}}"
LONG = "W" * 300
MARKUP = f"{SCRIPT} {IMG} {SVG} {TEXTAREA} {TEMPLATE} ]]>"
SHORT = f"{SCRIPT}<b id=injected>x</b>{TEMPLATE}"  # for fields of at most 120 characters
WORD = "zanzibarite"  # to search for
WEBSITE = f"https://x.example/{IMG}{SCRIPT}".replace(" ", "")  # a URL: no spaces
SHOWN = [SCRIPT, IMG, SVG, TEXTAREA, f"{TEMPLATE} ]]>"]


def hostile(label: str) -> str:
    return f"{WORD} {label} {MARKUP} {LONG}"


def limited(label: str) -> str:
    """For fields of at most 200 characters."""
    return f"{WORD} {label} {MARKUP}"


QUOTE = hostile("quote")
DATA = {
    "document": "hostile-doc",
    "measures": [
        {
            "slug": "hostile_measure",
            "label": limited("label"),
            "description": hostile("measure description"),
            "unit": "persons",
        }
    ],
    "sources": [
        {
            "slug": "hostile-doc",
            "name": hostile("document"),
            "short_name": f"{WORD} {SHORT}",
            "aliases": [hostile("document alias")],
            "kind": "document",
            "text_file": "doc.txt",
            "description": hostile("document description"),
            "note": hostile("document note"),
        },
        {
            "slug": "hostile-source",
            "name": hostile("source"),
            "short_name": f"{WORD} {SHORT}",
            "aliases": [hostile("alias")],
            "kind": "ngo",
            "website": WEBSITE,
            "description": hostile("source description"),
            "note": hostile("source note"),
            "party_to_conflict": "RU",
        },
    ],
    "events": [
        {
            "slug": "hostile-event",
            "title": hostile("event"),
            "summary": hostile("summary"),
            "type": "other",
            "place": hostile("place"),
            "tags": [hostile("tag")],
            "note": hostile("event note"),
            "attributions": [
                {"source": "hostile-source", "role": "claimant", "locator": limited("where")}
            ],
        }
    ],
    "figures": [
        {
            "slug": "hostile-figure",
            "event": "hostile-event",
            "measure": "hostile_measure",
            "value": 7,
            "qualifier": "exact",
            "stated_as": hostile("stated"),
            "unit": "persons",
            "subject": hostile("subject"),
            "note": hostile("figure note"),
            "attributions": [
                {"source": "hostile-source", "role": "claimant", "locator": limited("locator")},
                {"source": "hostile-doc", "role": "publisher", "quote": QUOTE},
            ],
        }
    ],
}
PAGES = [
    "/",
    "/v1/figures/hostile-figure",
    "/v1/events/hostile-event",
    "/v1/sources/hostile-source",
    "/v1/sources/hostile-doc",
    "/v1/measures/hostile_measure",
    f"/v1/search?q={WORD}",
    "/v1/changes",
    "/v1/figures",
    "/v1/events",
    "/v1/sources",
    "/v1/measures",
    "/v1/figures/hostile-figure/card",
]
# The page's own scripts: copy.js, and the JSON-LD of the home and figure pages.
OWN_SCRIPTS = {"/static/copy.js", "application/ld+json"}
INSPECT = """() => ({
  pwned: typeof window.__pwned,
  injected: document.querySelectorAll("#injected, img[src=x], b[id]").length,
  handlers: [...document.querySelectorAll("*")]
    .flatMap(e => [...e.attributes].filter(a => a.name.startsWith("on")).map(a => e.tagName + " " + a.name)),
  scripts: [...document.scripts].map(s => s.src ? new URL(s.src).pathname : s.type),
  links: [...document.querySelectorAll("a[href], [src]")]
    .map(e => e.getAttribute("href") || e.getAttribute("src"))
    .filter(u => !/^(https?:|\\/|#|\\?)/.test(u)),
  text: document.body.innerText,
})"""


@pytest.fixture(scope="module")
def site(migrated: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("hostile")
    write_seed(folder, DATA, text=f"The document says {QUOTE} and nothing more.")
    with running_site(migrated, [folder]) as site:
        # A change by a key whose name is markup, for a reason that is markup.
        figure = "/v1/figures/hostile-figure"
        response = httpx.patch(
            f"{site.url}{figure}",
            json={"note": hostile("new note"), "reason": limited("reason")},
            headers={**site.editor(f"{WORD} {SHORT}"), "If-Match": site.etag(figure)},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        yield site


@pytest.fixture
def visit(reader: Page) -> Iterator[Page]:
    """The module's page, any dialog (alert, confirm, prompt) recorded and dismissed."""
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    reader.on("dialog", on_dialog)
    try:
        yield reader
    finally:
        reader.remove_listener("dialog", on_dialog)
    assert dialogs == []


@pytest.mark.parametrize("path", PAGES)
def test_hostile_text_is_shown_as_words_and_nothing_runs(visit: Page, path: str):
    visit.goto(path)
    visit.wait_for_load_state("load")
    found = visit.evaluate(INSPECT)
    assert found["pwned"] == "undefined"
    assert found["injected"] == 0
    assert found["handlers"] == []
    assert set(found["scripts"]) <= OWN_SCRIPTS, found["scripts"]
    assert len(found["scripts"]) == len(set(found["scripts"]))
    assert found["links"] == []  # no javascript: (or any other scheme's) link
    text = found["text"]
    assert WORD in text
    for shown in SHOWN:
        assert shown in text, shown
    assert "49 ]]>" not in text
    assert "</b>49" not in text
    if path != "/v1/changes":
        assert LONG in text.replace("\n", "").replace(" ", "")


def test_the_website_is_a_link_only_as_the_url_it_is(visit: Page):
    """The seed refuses a `javascript:` website (only http(s) URLs without spaces pass); one
    full of markup is still a URL, linked as the very string it is."""
    visit.goto("/v1/sources/hostile-source")
    link = visit.locator("dl.facts a")
    assert link.get_attribute("href") == WEBSITE
    assert link.inner_text() == WEBSITE


def test_the_change_shows_the_key_name_and_reason_as_words(visit: Page):
    visit.goto("/v1/changes")
    last = visit.locator("table.changes-table tbody tr").last
    assert last.locator("td").nth(3).inner_text() == f"{WORD} {SHORT}"
    assert last.locator("td").nth(4).inner_text() == limited("reason")


def test_the_embed_code_and_citations_stay_inside_their_textareas(visit: Page):
    visit.goto("/v1/figures/hostile-figure")
    embed = visit.locator("#embed-code").input_value()
    assert embed.startswith('<iframe src="')
    assert embed.endswith("></iframe>")
    assert "&lt;/textarea&gt;&lt;b id" in embed  # the title attribute, escaped
    visit.get_by_text("Markdown and HTML").click()
    assert TEXTAREA in visit.locator("#citation-markdown").input_value()
    assert visit.locator("textarea").count() == 3


@pytest.mark.parametrize("width", [1280, 375])
def test_a_long_word_never_widens_the_page(browser: Browser, site: Site, width: int):
    context = browser.new_context(base_url=site.url, viewport={"width": width, "height": 800})
    page = context.new_page()
    wide = []
    for path in PAGES:
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            wide.append((path, overflow))
    context.close()
    assert wide == []
