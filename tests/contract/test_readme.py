"""The README's curl examples are real: each plain `curl -s URL` line is replayed on the seed,
and so is each example piped through `python3 -m json.tool`."""

import json
import re
import shlex
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
PLAIN_CURL = re.compile(r"^\$ curl -s '?http://127\.0\.0\.1:8000(?P<path>/[^' ]*)'?$")
JSON_CURL = re.compile(
    r"^\$ curl -s '?http://127\.0\.0\.1:8000(?P<path>/[^' ]*)'? \| python3 -m json\.tool"
    r" --no-ensure-ascii$"
)
PIPED_CURL = re.compile(
    r"^\$ curl -s '?http://127\.0\.0\.1:8000(?P<path>/[^' ]*)'? \| python3 -c (?P<code>'.*')$"
)
# Differ from one load of the seed to the next; rank and snippet are each engine's own.
VOLATILE = {"updated_at"}
ENGINE_OWN = {"rank", "snippet"}


def as_printed(text: str) -> str:
    return text.replace("http://testserver/", "http://127.0.0.1:8000/")


def plain_examples() -> list[tuple[str, str]]:
    lines = README.splitlines()
    return [
        (match["path"], lines[i + 1])
        for i, line in enumerate(lines)
        if (match := PLAIN_CURL.match(line))
    ]


def json_examples() -> list[tuple[str, object]]:
    lines = README.splitlines()
    found = []
    for i, line in enumerate(lines):
        if match := JSON_CURL.match(line):
            end = lines.index("```", i)
            found.append((match["path"], json.loads("\n".join(lines[i + 1 : end]))))
    return found


def without(value: object, keys: set[str]) -> object:
    if isinstance(value, dict):
        return {k: without(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [without(v, keys) for v in value]
    return value


def test_the_readme_shows_the_two_commands_first():
    assert README.index("make run") < README.index("make test") < README.index("## Examples")


def test_every_plain_curl_example_prints_what_the_readme_says(seeded_client):
    examples = plain_examples()
    assert len(examples) == 3
    for path, printed in examples:
        response = seeded_client.get(path)
        assert as_printed(response.text) == printed, path


def test_the_figures_and_search_examples_print_what_the_readme_says(seeded, settings):
    engine_own = ENGINE_OWN if seeded.dialect.name != "sqlite" else set()
    examples = [
        (path, printed)
        for path, printed in json_examples()
        if path.startswith(("/v1/search", "/v1/figures"))
    ]
    assert [path for path, _ in examples] == [
        "/v1/figures?measure=deserters&claimant=ru-mod-leaked-reports-2024",
        "/v1/search?q=barrier+troops&limit=2",
    ]
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        for path, printed in examples:
            ignored = VOLATILE | engine_own
            assert without(client.get(path).json(), ignored) == without(printed, ignored), path


def piped_examples() -> list[tuple[str, str, str]]:
    """Each `curl -s URL | python3 -c '...'` line, its code and the lines printed under it."""
    lines = README.splitlines()
    found = []
    for i, line in enumerate(lines):
        if match := PIPED_CURL.match(line):
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith(("$ ", "```")))
            found.append(
                (match["path"], shlex.split(match["code"])[0], "\n".join(lines[i + 1 : end]))
            )
    return found


@pytest.mark.slow
def test_every_curl_example_piped_through_python_prints_what_the_readme_says(seeded_client):
    examples = piped_examples()
    assert [path for path, _, _ in examples] == [
        "/v1/figures?party=UA&limit=1",
        "/v1/measures/deserters",
        "/v1/figures?format=csv&measure=deserters",
    ]
    for path, code, printed in examples:
        body = as_printed(seeded_client.get(path).text)
        run = subprocess.run(
            [sys.executable, "-c", code], input=body, capture_output=True, text=True, check=True
        )
        assert run.stdout.rstrip("\n") == printed, path


def command_lines() -> list[str]:
    """Every command the README prints: `$ ` lines of console blocks and lines of sh blocks."""
    commands, block = [], None
    for line in README.splitlines():
        if line.startswith("```"):
            block = line[3:] if block is None else None
        elif block == "console" and line.startswith("$ "):
            commands.append(line[2:])
        elif block == "sh" and line.strip() and not line.startswith("#"):
            commands.append(line)
    return commands


def test_every_command_is_runnable_as_printed_after_make_run():
    """`make run` puts `sourced` in .venv/bin, not on the PATH: the README activates the
    environment before its first `sourced` command, and names no tool `make run` lacks."""
    activate = README.index("\n. .venv/bin/activate\n")
    assert README.index("make test") < activate < README.index("\n$ sourced ")
    programs = {command.split()[0] for command in command_lines()}
    assert programs == {".", "curl", "echo", "export", "make", "sourced"}
