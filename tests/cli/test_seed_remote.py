"""`sourced seed --remote`: seed files sent as bundles to a server (here, the app in-process)."""

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.db import unit_of_work
from app.main import create_app
from app.services.write import keys
from tests import builders
from tests.helpers import dump
from tests.serving import free_port

runner = CliRunner()


@pytest.fixture
def remote(engine, settings, monkeypatch, tmp_path):
    """Run `sourced seed --remote` against the app in this process; yields the editor's key."""
    builders.load(engine, tmp_path / "stored", builders.dataset(2))
    with unit_of_work(engine) as session:
        secret = keys.create(session, "Desk editor", "editor").secret

    class InProcess(TestClient):
        def __init__(self, base_url: str, headers: dict, timeout: float) -> None:
            super().__init__(create_app(settings), base_url=base_url, headers=headers)

    monkeypatch.setattr(httpx, "Client", InProcess)
    return secret


def renamed_seed(folder) -> str:
    """The stored dataset with one stored source renamed: a change to a stored record."""
    data = builders.dataset(2)
    data["sources"][2]["name"] = "Border observers"
    folder.mkdir()
    (folder / "doc.txt").write_text(builders.DOCUMENT_TEXT, encoding="utf-8")
    (folder / "data.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(folder / "data.yaml")


def seed_remote(key: str, path: str, *extra: str):
    return runner.invoke(
        cli, ["seed", "--remote", "http://sourced.test", "--key", key, path, *extra]
    )


class TestSeedingARemoteServer:
    def test_a_change_to_a_stored_record_without_a_reason_shows_the_servers_422(
        self, remote, engine, tmp_path
    ):
        path = renamed_seed(tmp_path / "seed")
        before = dump(engine)
        result = seed_remote(remote, path)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr.splitlines() == [
            f"{path}: refused (422): reason: the bundle changes records that exist "
            "(source observers); say why (a top-level `reason` field or a `Sourced-Reason` "
            "header)",
            "  (give the reason with --reason TEXT)",
        ]
        assert dump(engine) == before

    def test_with_a_reason_it_is_applied_and_the_revision_carries_it(
        self, remote, settings, tmp_path
    ):
        path = renamed_seed(tmp_path / "seed")
        result = seed_remote(remote, path, "--reason", "The group’s new name")
        assert (result.exit_code, result.stderr) == (0, "")
        assert result.stdout.splitlines() == [
            "update source observers (name)",
            f"{path}: changed 1 record(s)",
        ]
        with TestClient(create_app(settings)) as api:
            latest = api.get("/v1/sources/observers/history").json()["items"][-1]
        assert (latest["actor"], latest["reason"], latest["changes"]["name"]) == (
            "Desk editor",
            "The group’s new name",
            {"old": "Observers", "new": "Border observers"},
        )

    def test_every_problem_the_server_finds_is_listed_with_its_record(
        self, remote, engine, tmp_path
    ):
        folder = tmp_path / "seed"
        folder.mkdir()
        # A new figure: a stored one would also be refused as another document's record.
        figure = {**builders.dataset(1)["figures"][0], "slug": "fig-new", "measure": "desserters"}
        bad = {"figures": [figure]}
        (folder / "bad.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
        result = seed_remote(remote, str(folder / "bad.yaml"))
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"{folder / 'bad.yaml'}: refused (422): 1 problem(s)",
            "  figures[0] fig-new: measure: unknown measure 'desserters'",
        ]

    def test_several_problems_are_each_listed_once(self, remote, tmp_path):
        folder = tmp_path / "seed"
        folder.mkdir()
        figure = {**builders.dataset(1)["figures"][0], "slug": "fig-new", "measure": "desserters"}
        other = {**figure, "slug": "fig-other", "measure": "kiled"}
        (folder / "bad.yaml").write_text(
            yaml.safe_dump({"figures": [figure, other]}), encoding="utf-8"
        )
        result = seed_remote(remote, str(folder / "bad.yaml"))
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"{folder / 'bad.yaml'}: refused (422): 2 problem(s)",
            "  figures[0] fig-new: measure: unknown measure 'desserters'",
            "  figures[1] fig-other: measure: unknown measure 'kiled'",
        ]


def test_a_server_that_cannot_be_reached_is_one_line_not_a_traceback(tmp_path):
    port = free_port()  # nothing listens there
    path = renamed_seed(tmp_path / "seed")
    result = runner.invoke(
        cli, ["seed", "--remote", f"http://127.0.0.1:{port}", "--key", "sk_any", path]
    )
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"cannot reach http://127.0.0.1:{port}: connection refused\n",
    )


def test_local_seeding_says_reason_is_for_remote_and_keeps_seed_update(
    engine, settings, database_url, monkeypatch, tmp_path
):
    builders.load(engine, tmp_path / "stored", builders.dataset(2))
    monkeypatch.setenv("SOURCED_DATABASE_URL", database_url)
    result = runner.invoke(cli, ["seed", renamed_seed(tmp_path / "seed"), "--reason", "Renamed"])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "note: --reason is for --take-file and --remote; local seeding records 'seed update'\n"
    )
    with TestClient(create_app(settings)) as api:
        latest = api.get("/v1/sources/observers/history").json()["items"][-1]
    assert (latest["reason"], latest["changes"]["name"]["new"]) == (
        "seed update",
        "Border observers",
    )
