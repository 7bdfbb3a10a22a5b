"""Screenshots of every page kind at desktop (1280 px) and phone (375 px) width, to look at
(into $SOURCED_SCREENSHOTS, else build/screenshots), the README's two pictures made by the
same script, and no page wider than a phone."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser import screenshots
from tests.browser.conftest import Site, screenshots_dir

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

PNG = b"\x89PNG\r\n\x1a\n"
README_MOST_BYTES = 300_000


def test_every_page_kind_at_desktop_and_phone_width(browser: Browser, site: Site):
    written = screenshots.page_kinds(browser, site.url, screenshots_dir())
    assert len(written) == 2 * len(screenshots.PAGE_KINDS)
    for path in written:
        assert path.read_bytes()[:8] == PNG, path


def test_the_readme_pictures_are_small(browser: Browser, site: Site):
    figure, chart = screenshots.readme(browser, site.url, screenshots_dir() / "readme")
    for path in (figure, chart):
        data = path.read_bytes()
        assert data[:8] == PNG
        assert len(data) < README_MOST_BYTES, (path, len(data))


@pytest.fixture(scope="module")
def phone(browser: Browser, site: Site) -> Iterator[Page]:
    context = browser.new_context(base_url=site.url, **screenshots.PHONE)  # type: ignore[arg-type]
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize(
    "path",
    [pytest.param(path, id=name) for name, path in screenshots.PAGE_KINDS],
)
def test_no_page_is_wider_than_a_phone(phone: Page, path: str):
    phone.goto(path)
    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow} px wider than the 375 px screen"
