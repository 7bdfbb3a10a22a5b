"""`.ci/audit.py`: a vulnerability fails the run; an unchecked package is never a silent pass."""

import json
import subprocess
import sys

from tests.conftest import ROOT

SCRIPT = ROOT / ".ci" / "audit.py"


def _run(report: dict, strict: bool = False) -> subprocess.CompletedProcess[str]:
    env = {"SOURCED_AUDIT_STRICT": "1"} if strict else {}
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        input=json.dumps(report),
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **env},
        check=False,
    )


CLEAN = {"name": "fastapi", "version": "1.0", "vulns": []}
VULNERABLE = {
    "name": "oldlib",
    "version": "0.1",
    "vulns": [{"id": "GHSA-xxxx", "fix_versions": ["0.2"], "description": "..."}],
}
UNCHECKED = {"name": "alembic", "skip_reason": "could not be audited"}


def test_all_checked_and_clean_passes():
    result = _run({"dependencies": [CLEAN]})
    assert result.returncode == 0
    assert (
        result.stdout
        == "audit: 1 of 1 packages checked, 0 with known vulnerabilities, 0 not checked\n"
    )


def test_a_known_vulnerability_fails():
    result = _run({"dependencies": [CLEAN, VULNERABLE, UNCHECKED]})
    assert result.returncode == 1
    assert "audit: oldlib 0.1: GHSA-xxxx (fixed in 0.2)" in result.stdout


def test_unchecked_packages_are_named_and_fail_when_strict():
    lenient = _run({"dependencies": [CLEAN, UNCHECKED]})
    assert lenient.returncode == 0
    assert "NOT PERFORMED" in lenient.stdout
    assert "(alembic)" in lenient.stdout
    assert _run({"dependencies": [CLEAN, UNCHECKED]}, strict=True).returncode == 1


def test_no_report_fails():
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], input="", capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
