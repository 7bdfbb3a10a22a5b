"""Fixtures of the API tests. A module whose dataset differs defines its own ``api``."""

import pytest
from sqlalchemy.engine import Engine

from app.db import unit_of_work
from app.services.write import keys
from tests import builders


@pytest.fixture
def api(engine, client, tmp_path):
    builders.load(engine, tmp_path / "seed", builders.dataset(2))
    return client


@pytest.fixture
def desk_editor(engine: Engine) -> dict[str, str]:
    """An editor's key labelled "Desk", as the cache and limit tests have always made it."""
    with unit_of_work(engine) as session:
        return {"Authorization": f"Bearer {keys.create(session, 'Desk', 'editor').secret}"}
