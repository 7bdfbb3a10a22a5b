"""The server `sourced serve` and the container start bounds a request's head: past
SOURCED_MAX_HEADER_BYTES it answers 431 in problem+json, closes that connection without reading
the rest, and goes on answering the next request."""

import re
import socket
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.settings import Settings
from tests.serving import ROOT, free_port, serving

pytestmark = pytest.mark.slow

LIMIT = 20_000


def _refusal(limit: int) -> dict:
    return {
        "type": "about:blank",
        "title": "Request header fields too large",
        "status": 431,
        "detail": f"headers: larger than the limit of {limit} bytes; send fewer or shorter headers",
    }


@pytest.fixture(scope="module")
def server(migrated: str):
    port = free_port()
    command = [str(Path(sys.executable).parent / "sourced"), "serve", "--port", str(port)]
    env = {"SOURCED_DATABASE_URL": migrated, "SOURCED_MAX_HEADER_BYTES": str(LIMIT)}
    with serving(command, env, port) as health:
        assert health.status_code == 200
        yield f"http://127.0.0.1:{port}"


def _read_answer(sock: socket.socket) -> bytes:
    received = b""
    sock.settimeout(10)
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        received += chunk
    return received


def test_a_head_within_the_limit_is_answered(server):
    answer = httpx.get(f"{server}/health", headers={"X-Padding": "p" * (LIMIT - 1000)})
    assert answer.status_code == 200


def test_a_100_kb_header_is_a_431_and_the_server_answers_the_next_request(server):
    with httpx.Client() as client:
        refused = client.get(f"{server}/v1/figures", headers={"X-Padding": "p" * 100_000})
    assert refused.status_code == 431
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["connection"] == "close"
    assert refused.json() == _refusal(LIMIT)
    assert httpx.get(f"{server}/v1/figures?limit=1").status_code == 200


def test_many_small_headers_are_bounded_by_the_same_limit(server):
    headers = [(f"x-h{i}", "v") for i in range(LIMIT // 8)]  # each line is 10 bytes or more
    refused = httpx.get(f"{server}/health", headers=headers)
    assert refused.status_code == 431
    assert refused.json() == _refusal(LIMIT)
    assert httpx.get(f"{server}/health").status_code == 200


def test_a_huge_header_is_cut_short_not_read_whole(server):
    """Sent as the attack was: the server answers once the limit is passed, long before the
    sender is done, and shuts the connection; the rest is never buffered."""
    port = int(server.rsplit(":", 1)[1])
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ")
        sent = 0
        try:
            while sent < 50 * 1024 * 1024:
                sock.sendall(b"p" * 65536)
                sent += 65536
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = _read_answer(sock)
    assert sent < 50 * 1024 * 1024  # the server closed the connection before the end
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"), answer[:200]
    assert time.monotonic() - started < 10
    assert httpx.get(f"{server}/health").status_code == 200


def test_the_container_start_passes_the_same_limit_with_the_same_default():
    script = (ROOT / "docker" / "start.sh").read_text(encoding="utf-8")
    default = re.search(
        r'--h11-max-incomplete-event-size "\$\{SOURCED_MAX_HEADER_BYTES:-(\d+)\}"', script
    )
    assert default is not None
    assert int(default[1]) == Settings.model_fields["max_header_bytes"].default == 65536
    assert "--http app.serving:BoundedHeadProtocol" in script
