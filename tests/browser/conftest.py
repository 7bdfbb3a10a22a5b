"""The browser tests' fixtures: one real server per module on the test database, and one
headless Chromium per module, driven by Playwright's sync API.

Chromium is Debian's (`chromium` on the PATH), launched by its path: Playwright downloads
nothing and needs no PLAYWRIGHT_BROWSERS_PATH. Without it the tests skip, unless
SOURCED_REQUIRE_BROWSER is set (CI sets it), and then they fail.

Playwright's sync API drives its driver from an asyncio loop of its own, which it marks as
running in this thread for as long as it is started: it refuses to start inside a running
loop, and while it runs, `asyncio.run()` in this thread fails ("cannot be called from a
running event loop"). So it is started per module and stopped when the module ends, before
the next module's tests (which may run event loops of their own) on the same worker.
"""

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from sqlalchemy.engine import Engine

from app.db import build_engine, unit_of_work
from app.services.write import ingest, keys
from app.settings import Settings
from tests.browser.screenshots import chromium_path, launch
from tests.conftest import ROOT, SEED_DIR, empty_tables
from tests.serving import free_port, serving

CHROMIUM = chromium_path()
FIGURE = "/v1/figures/deserters-since-invasion"
CITATION = (
    "At least 50,000 Russian service members have deserted since the invasion began, "
    "according to leaked 2024 reports from Russia’s Ministry of Defence cited by RFE/RL, as "
    "published in “50,000 deserters: Putin’s army using Stalin’s methods to keep troops from "
    "fleeing the battlefield”."
)


@dataclass
class Site:
    url: str
    engine: Engine

    def editor(self, name: str = "Desk editor") -> dict[str, str]:
        """The Authorization header of a new editor's key, made in the server's database."""
        with unit_of_work(self.engine) as session:
            made = keys.create(session, name, "editor")
        return {"Authorization": f"Bearer {made.secret}"}

    def etag(self, path: str) -> str:
        return httpx.get(f"{self.url}{path}", timeout=10).headers["etag"]


@contextlib.contextmanager
def running_site(database_url: str, folders: list[Path]) -> Iterator[Site]:
    """The test database emptied, ``folders`` seeded through the real seed path, and a
    uvicorn server on it; the tables are emptied again afterwards for the other tests."""
    engine = build_engine(Settings(database_url=database_url, _env_file=None))  # type: ignore[call-arg]
    try:
        empty_tables(engine)
        ingest.run(engine, folders)
        port = free_port()
        command = ["uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1"]
        with serving([*command, "--port", str(port)], {"SOURCED_DATABASE_URL": database_url}, port):
            yield Site(f"http://127.0.0.1:{port}", engine)
    finally:
        empty_tables(engine)
        engine.dispose()


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("SOURCED_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (SOURCED_REQUIRE_BROWSER) but not installed")
        pytest.skip("Chromium is not installed")
    return CHROMIUM


@pytest.fixture(scope="module")
def site(migrated: str) -> Iterator[Site]:
    """A server on the shipped dataset, for one module."""
    with running_site(migrated, [SEED_DIR]) as site:
        yield site


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch(playwright, chromium)
        try:
            yield browser
        finally:
            browser.close()


def console_problem(message: ConsoleMessage) -> str | None:
    """A console error worth failing on: not the favicon Chromium asks for on its own."""
    if message.type != "error" or message.location.get("url", "").endswith("/favicon.ico"):
        return None
    return f"{message.text} ({message.location.get('url')})"


def watch(page: Page, console: list[str]) -> Page:
    """``page`` with its console errors and uncaught exceptions appended to ``console``."""

    def on_console(message: ConsoleMessage) -> None:
        if problem := console_problem(message):
            console.append(problem)

    page.on("console", on_console)
    page.on("pageerror", lambda error: console.append(f"uncaught: {error}"))
    return page


@pytest.fixture
def page(browser: Browser, site: Site) -> Iterator[Page]:
    """A page in a fresh context (its own permissions and storage) on the module's server;
    paths are relative to it. No console error by the end of the test."""
    console: list[str] = []
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900})
    try:
        yield watch(context.new_page(), console)
        assert console == [], console
    finally:
        context.close()


@pytest.fixture(scope="module")
def shared(browser: Browser, site: Site) -> Iterator[tuple[Page, list[str]]]:
    console: list[str] = []
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900})
    try:
        yield watch(context.new_page(), console), console
    finally:
        context.close()


@pytest.fixture
def reader(shared: tuple[Page, list[str]]) -> Iterator[Page]:
    """One page for the whole module, for tests that only read (a new context costs a new
    renderer process, a third of a second). No console error during the test."""
    page, console = shared
    console.clear()
    yield page
    assert console == [], console


def screenshots_dir() -> Path:
    """Where screenshots go: $SOURCED_SCREENSHOTS, else build/screenshots."""
    return Path(os.environ.get("SOURCED_SCREENSHOTS") or ROOT / "build" / "screenshots")
