"""axe-core (the `axe-playwright-python` package carries it; nothing is fetched) on every
page kind in the browser: no violation of impact serious or critical."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.screenshots import PAGE_KINDS

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

AXE = Axe()
FAILING = ("serious", "critical")


def report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [node["target"] for node in v["nodes"][:3]]
        lines.append(
            f"{v['id']} ({v['impact']}): {v['help']}; {len(v['nodes'])} node(s): {targets}"
        )
    return "\n".join(lines)


@pytest.mark.parametrize(
    "path",
    [pytest.param(path, id=name) for name, path in PAGE_KINDS],
)
def test_no_serious_or_critical_axe_violation(reader: Page, path: str):
    reader.goto(path)
    violations = AXE.run(reader).response["violations"]
    failing = [v for v in violations if v["impact"] in FAILING]
    assert failing == [], "\n" + report(failing)
