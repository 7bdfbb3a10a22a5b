"""Contract fuzzing: schemathesis runs every phase (examples, coverage, fuzzing, stateful)
against a live uvicorn on the test database (SQLite or PostgreSQL), positive and negative
data, NUL bytes on, a fixed seed, with an editor key for the writes: the operations only an
admin may call (retracting a source) answer their documented 403 problem+json. It must find
nothing: no 5xx, every status, header and body as documented, every invalid request refused.
tests/contract/test_contract_inprocess.py runs the same checks in-process.

Left out: `positive_data_acceptance`, because a request can fit the schema and still name a
source that does not exist, carry a stale ETag or a cursor the API never handed out; those
are 422, 412 and 400 by design.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from app.db import unit_of_work
from app.services.write import keys
from tests.helpers import MISSING_HEADER_STATUSES
from tests.serving import free_port, serving

SCHEMATHESIS = shutil.which("schemathesis", path=str(Path(sys.executable).parent))


def test_the_api_keeps_its_contract(seeded, database_url, tmp_path):
    with unit_of_work(seeded) as session:
        secret = keys.create(session, "Fuzzer", "editor").secret
    # Read from the working directory: a write without the required If-Match is a 428, or,
    # as this server limits writes, a 429 once the checks have sent a burst of them.
    statuses = ", ".join(map(str, [*MISSING_HEADER_STATUSES, 429]))
    (tmp_path / "schemathesis.toml").write_text(
        f"[checks.missing_required_header]\nexpected-statuses = [{statuses}]\n", encoding="utf-8"
    )
    port = free_port()
    command = ["uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1"]
    # The failed-authentication throttle is off: schemathesis sends many bad keys on purpose
    # and expects their 401, not the 429 that protects a real server from guessing
    # (tests/api/test_rate_limits.py holds that limit).
    env = {"SOURCED_DATABASE_URL": database_url, "SOURCED_FAILED_AUTH_PER_MINUTE": "0"}
    with serving([*command, "--port", str(port)], env, port):
        result = subprocess.run(
            [
                SCHEMATHESIS or "schemathesis",
                "run",
                f"http://127.0.0.1:{port}/openapi.json",
                "--checks=all",
                "--exclude-checks=positive_data_acceptance",
                "--phases=examples,coverage,fuzzing,stateful",
                "--mode=all",
                "--generation-allow-x00=true",
                "--max-examples=15",
                "--seed=20261125",
                f"--header=Authorization: Bearer {secret}",
                "--request-timeout=30",
                "--no-color",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
