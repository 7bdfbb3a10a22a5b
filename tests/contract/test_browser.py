"""The docs page in a real browser, with the network off: the endpoint list renders.

Headless Chromium (Debian's `chromium`) loads /docs from a real server; every request that is
not to the loopback goes to a dead proxy, so a CDN asset would fail to load and the page
would stay empty. CI installs Chromium and sets SOURCED_REQUIRE_BROWSER=1, so there it cannot
be skipped.
"""

import os
import shutil
import subprocess

import pytest

from tests.serving import free_port, serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def browser() -> str:
    if CHROMIUM is None:
        if os.environ.get("SOURCED_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (SOURCED_REQUIRE_BROWSER) but not installed")
        pytest.skip("Chromium is not installed")
    return CHROMIUM


def rendered(browser: str, url: str, tmp_path) -> str:
    result = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}",
            # Network off: anything not on the loopback goes to a port nobody listens on.
            "--proxy-server=http://127.0.0.1:9",
            "--proxy-bypass-list=<-loopback>;127.0.0.1",
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_the_docs_page_renders_every_endpoint_offline(browser, seeded, database_url, tmp_path):
    port = free_port()
    command = ["uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1"]
    env = {"SOURCED_DATABASE_URL": database_url}
    with serving([*command, "--port", str(port)], env, port):
        dom = rendered(browser, f"http://127.0.0.1:{port}/docs", tmp_path)
    assert 'class="swagger-ui"' in dom
    for path in (
        "/v1/figures",
        "/v1/figures/{slug}/citation",
        "/v1/search",
        "/v1/datapackage.json",
    ):
        assert f'data-path="{path}"' in dom, path
    assert "Quick start for journalists" in dom
