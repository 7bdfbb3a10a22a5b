"""Screenshots of the reader's pages in headless Chromium (Debian's `chromium`, driven by
Playwright; nothing is downloaded).

    python -m tests.browser.screenshots OUT_DIR BASE_URL

writes the README's two pictures to OUT_DIR: `figure-page.png` (the figure page at desktop
width, its top 1600 px) and `measure-chart.png` (the deserters measure's chart alone). BASE_URL
is a server holding the shipped dataset (`make run`). The browser tests import the same
functions and also photograph every page kind at desktop and phone width.
"""

import shutil
import sys
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
# Each page kind of the shipped dataset: (file name, path).
PAGE_KINDS = [
    ("home", "/"),
    ("figure", "/v1/figures/deserters-since-invasion"),
    ("event", "/v1/events/russian-desertions"),
    ("source", "/v1/sources/rfe-rl"),
    ("measure", "/v1/measures/deserters"),
    ("search", "/v1/search?q=deserters"),
    ("changes", "/v1/changes"),
    ("figures", "/v1/figures"),
    ("events", "/v1/events"),
    ("sources", "/v1/sources"),
    ("measures", "/v1/measures"),
    ("card", "/v1/figures/deserters-since-invasion/card"),
]
README_FIGURE = "/v1/figures/deserters-since-invasion"
README_MEASURE = "/v1/measures/deserters"
README_TOP = 1600


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch(playwright: Playwright, executable: str) -> Browser:
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


def open_page(browser: Browser, base_url: str, path: str, **context: object) -> Page:
    """A fresh context (its own cookies and permissions) with ``path`` loaded."""
    page = browser.new_context(base_url=base_url, **context).new_page()  # type: ignore[arg-type]
    page.goto(path)
    return page


def page_kinds(browser: Browser, base_url: str, out_dir: Path) -> list[Path]:
    """Every page kind, full page, at desktop (`NAME-desktop.png`) and phone width
    (`NAME-phone.png`)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for device, options in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(base_url=base_url, **options)  # type: ignore[arg-type]
        page = context.new_page()
        for name, path in PAGE_KINDS:
            page.goto(path)
            target = out_dir / f"{name}-{device}.png"
            page.screenshot(path=target, full_page=True, scale="css")
            written.append(target)
        context.close()
    return written


def readme(browser: Browser, base_url: str, out_dir: Path) -> list[Path]:
    """The README's pictures: the figure page's top and the measure's chart."""
    out_dir.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=base_url, **DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(README_FIGURE)
    height = page.evaluate("document.documentElement.scrollHeight")
    figure = out_dir / "figure-page.png"
    page.screenshot(
        path=figure,
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1280, "height": min(height, README_TOP)},
        scale="css",
    )
    page.goto(README_MEASURE)
    chart = out_dir / "measure-chart.png"
    page.locator("figure.chart svg").screenshot(path=chart, scale="css")
    context.close()
    return [figure, chart]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[3].strip(), file=sys.stderr)
        return 2
    executable = chromium_path()
    if executable is None:
        print("chromium is not installed", file=sys.stderr)
        return 1
    out_dir, base_url = Path(argv[0]), argv[1].rstrip("/")
    with sync_playwright() as playwright:
        browser = launch(playwright, executable)
        try:
            for path in readme(browser, base_url, out_dir):
                print(path)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
