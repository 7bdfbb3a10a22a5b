"""Contract fuzzing in-process: schemathesis calls the ASGI app directly, on the test database
(SQLite or PostgreSQL), with the same checks as tests/contract/test_contract.py (every one but
`positive_data_acceptance`, for the reason given there): the examples, coverage and fuzzing
phases for every operation. The stateful phase (following the schema's links) runs against the
live server in tests/contract/test_contract.py: in-process, its steps change the database that
hypothesis replays a run against, and it reported FlakyStrategyDefinition instead of a result
when run after the rest of the suite. Positive and negative data, NUL bytes on, a fixed seed, an editor key for the writes, so that
retracting a source answers its documented 403.
"""

from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.db import unit_of_work
from app.main import create_app
from app.services.write import keys
from tests.helpers import MISSING_HEADER_STATUSES

SEED = 20261125
EXCLUDED_CHECKS = [positive_data_acceptance]

CONFIG = {
    "seed": SEED,
    "generation": {"mode": "all", "allow-x00": True, "max-examples": 10},
    "checks": {"missing_required_header": {"expected-statuses": MISSING_HEADER_STATUSES}},
}


@pytest.fixture
def api(seeded, settings) -> Iterator[tuple[Any, str]]:
    """The OpenAPI schema of an app on the seeded database, and an editor's secret."""
    with unit_of_work(seeded) as session:
        secret = keys.create(session, "Fuzzer", "editor").secret
    # Every request comes from one address, and the checks send hundreds of bad keys on
    # purpose: past the failed-authentication burst they would get the limiter's 429, which is
    # right but not the 401 the check asks for. The limiters have their own tests
    # (tests/api/test_rate_limits.py).
    unlimited = settings.model_copy(update={"failed_auth_per_minute": 0, "writes_per_minute": 0})
    app = create_app(unlimited)
    config = SchemathesisConfig.from_dict(CONFIG)
    try:
        yield schemathesis.openapi.from_asgi("/openapi.json", app, config=config), secret
    finally:
        # The calls go straight to the app, without its lifespan: close its pools here, before
        # the tables are emptied.
        app.state.engine.dispose()
        app.state.read_engine.dispose()


@pytest.fixture
def api_schema(api, request):
    # schemathesis 4.32 renames the test node through `_nodeid`, which pytest 9.2 no longer
    # has (its id lives in `_id`); give it one to rename, or the test stops at the first line.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    return api[0]


@pytest.fixture
def editor_secret(api) -> str:
    return api[1]


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis.seed(SEED)
@hypothesis.settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_operation_keeps_its_contract(case, editor_secret):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {editor_secret}"}, excluded_checks=EXCLUDED_CHECKS
    )
