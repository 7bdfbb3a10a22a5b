"""Test fixtures. The database is built by running the migrations, once per session.

``SOURCED_TEST_DATABASE_URL`` picks the engine (default: a temporary SQLite file), so the
same suite runs on SQLite and on PostgreSQL. Tables are emptied after every test.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import migrate
from app.db import build_engine, unit_of_work
from app.main import create_app
from app.models import metadata
from app.services.derived import figure_docs
from app.services.write import ingest, keys
from app.settings import Settings, normalise_database_url

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "seed"


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("SOURCED_TEST_DATABASE_URL")
    if url:
        return _worker_database(normalise_database_url(url))
    # Under pytest-xdist each worker has its own temporary folder, so its own file.
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _worker_database(url: str) -> str:
    """Under pytest-xdist, worker gw1 gets its own database, ``<name>_gw1`` on the same
    server, created if missing: workers sharing one would empty each other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if exists is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


# Tests that start servers or database clusters, kill processes or send thousands of
# requests: marked `slow`, which `make test-fast` leaves out. Modules are named by their path
# under tests/, so that a same-named file in another folder is not taken for one of them.
TESTS = Path(__file__).resolve().parent
SLOW_MODULES = {
    "contract/test_browser.py",
    "contract/test_contract.py",
    "contract/test_contract_inprocess.py",
    "contract/test_generated_client.py",
    "contract/test_quick_start.py",
    "operations/test_crash_safety.py",
    "operations/test_database_down.py",
    "operations/test_dockerfile.py",
    "operations/test_faults.py",
    "operations/test_races.py",
    "operations/test_replica.py",
}
# Of those, the ones that count on timing (kills at chosen moments, lock waits, races): they
# share one pytest-xdist worker (`--dist loadgroup`), so they never run beside each other.
TIMING_MODULES = {
    "operations/test_crash_safety.py",
    "operations/test_database_down.py",
    "operations/test_faults.py",
    "operations/test_races.py",
    "operations/test_replica.py",
}
# A module moved or renamed must be renamed here too, or it would silently lose its marks.
_MISSING = sorted(m for m in SLOW_MODULES | TIMING_MODULES if not (TESTS / m).is_file())
assert not _MISSING, f"tests/conftest.py names test modules that do not exist: {_MISSING}"


def _module(item: pytest.Item) -> str:
    """The item's module as named above: its path under tests/, with forward slashes."""
    try:
        return item.path.resolve().relative_to(TESTS).as_posix()
    except ValueError:  # a test file outside tests/, given on the command line
        return item.path.name


def _on_postgresql() -> bool:
    return os.environ.get("SOURCED_TEST_DATABASE_URL", "").startswith("postgres")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        module = _module(item)
        if module in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        if module in TIMING_MODULES:
            item.add_marker(pytest.mark.xdist_group("timing"))
        if item.get_closest_marker("postgres_only") and not _on_postgresql():
            item.add_marker(
                pytest.mark.skip(reason="PostgreSQL only: set SOURCED_TEST_DATABASE_URL")
            )
        sqlite_only = item.get_closest_marker("sqlite_only")
        if sqlite_only and _on_postgresql():
            reason = sqlite_only.kwargs.get("reason", "SQLite only")
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("SOURCED_TEST_DATABASE_URL", "sqlite (temporary file)")
    return f"database: {url.split('@')[-1]}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # The cache reads the dataset version on every request, so that records the tests write
    # straight through the services show at once, as writes through the API always do.
    return Settings(  # type: ignore[call-arg]
        database_url=database_url, _env_file=None, response_cache_recheck_seconds=0
    )


@pytest.fixture(scope="session")
def migrated(database_url: str) -> str:
    engine = build_engine(Settings(database_url=database_url, _env_file=None))  # type: ignore[call-arg]
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate.upgrade(database_url)
    return database_url


def empty_tables(engine: Engine) -> None:
    names = [t.name for t in reversed(metadata.sorted_tables)]
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        else:
            for name in names:
                conn.execute(text(f"DELETE FROM {name}"))


def _database(settings: Settings) -> Iterator[Engine]:
    """The emptied test database; afterwards its figure texts are checked and it is emptied."""
    engine = build_engine(settings)
    try:
        yield engine
        assert_figure_texts_fresh(engine)
    finally:
        empty_tables(engine)
        engine.dispose()


@pytest.fixture
def engine(migrated: str, settings: Settings) -> Iterator[Engine]:
    yield from _database(settings)


# One database for a whole module (or class) whose tests only read: it overrides ``engine``
# (and ``seeded``) with these, so that its data is loaded once rather than once per test:
#
#     @pytest.fixture(scope="module")
#     def engine(module_engine):
#         return module_engine
#
# Only where nothing in the module writes, not even through a fixture. Each test still gets
# its own app (``client``), so caches and rate limits start empty as before.
@pytest.fixture(scope="module")
def module_engine(migrated: str, settings: Settings) -> Iterator[Engine]:
    yield from _database(settings)


@pytest.fixture(scope="module")
def module_seeded(module_engine: Engine) -> Engine:
    ingest.run(module_engine, [SEED_DIR])
    return module_engine


@pytest.fixture(scope="class")
def class_engine(migrated: str, settings: Settings) -> Iterator[Engine]:
    yield from _database(settings)


@pytest.fixture(scope="class")
def class_seeded(class_engine: Engine) -> Engine:
    ingest.run(class_engine, [SEED_DIR])
    return class_engine


def assert_figure_texts_fresh(engine: Engine) -> None:
    """Whatever a test wrote, every figure's stored text still equals a fresh rendering: a
    write path that forgot to refresh them fails here, in the test that took it."""
    with Session(engine) as session:
        assert figure_docs.stale(session) == []


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    ingest.run(engine, [SEED_DIR])
    return engine


@pytest.fixture
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def seeded_client(seeded: Engine, client: TestClient) -> TestClient:
    return client


@pytest.fixture
def editor(engine: Engine) -> dict[str, str]:
    """The Authorization header of an editor's key, on the emptied database."""
    with unit_of_work(engine) as session:
        made = keys.create(session, "Desk editor", "editor")
    return {"Authorization": f"Bearer {made.secret}"}


@pytest.fixture
def seeded_editor(seeded: Engine) -> dict[str, str]:
    """The same editor's key, made after the shipped dataset is seeded."""
    with unit_of_work(seeded) as session:
        made = keys.create(session, "Desk editor", "editor")
    return {"Authorization": f"Bearer {made.secret}"}
