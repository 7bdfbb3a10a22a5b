import os


def test_suite_runs_on_the_expected_engine(engine):
    # CI sets SOURCED_EXPECT_ENGINE so that a run meant for PostgreSQL cannot quietly use SQLite.
    expected = os.environ.get("SOURCED_EXPECT_ENGINE", "sqlite")
    assert engine.dialect.name == expected
