"""The README's curl examples are real: each plain `curl -s URL` line is replayed on the seed,
and so is each example piped through `python3 -m json.tool`."""

import json
import re

from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
PLAIN_CURL = re.compile(r"^\$ curl -s '?http://127\.0\.0\.1:8000(?P<path>/[^' ]*)'?$")
JSON_CURL = re.compile(
    r"^\$ curl -s '?http://127\.0\.0\.1:8000(?P<path>/[^' ]*)'? \| python3 -m json\.tool"
    r" --no-ensure-ascii$"
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
