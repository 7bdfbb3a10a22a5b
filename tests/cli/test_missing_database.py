"""Run from a folder without the database, a command says so in one line: it does not create an
empty `sourced.db` there and fail on a missing table."""

import pytest
from typer.testing import CliRunner

from app.cli import cli

runner = CliRunner()
NO_DATABASE = (
    "no database at sqlite:///sourced.db (run `sourced db upgrade` first, "
    "or set SOURCED_DATABASE_URL)\n"
)


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """A folder with no database, and the default database URL."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCED_DATABASE_URL", raising=False)
    (tmp_path / "figures.csv").write_text("slug\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ["seed"],
        ["seed", "--dry-run"],
        ["export", "--out", "export"],
        ["import", "figures.csv"],
        ["keys", "create", "--name", "Desk editor"],
        ["keys", "list"],
        ["keys", "revoke", "Desk editor"],
        ["search", "rebuild"],
        ["docs", "rebuild"],
        ["docs", "check"],
        ["db", "downgrade", "base"],
        ["serve", "--host", "203.0.113.1", "--port", "9"],
    ],
    ids=" ".join,
)
def test_a_command_needing_the_database_says_it_is_missing_and_creates_nothing(elsewhere, args):
    result = runner.invoke(cli, args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", NO_DATABASE)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["figures.csv"]


def test_db_upgrade_creates_the_database_and_then_the_commands_run(elsewhere):
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(cli, ["keys", "list"])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert (elsewhere / "sourced.db").exists()
