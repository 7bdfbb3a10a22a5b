"""The README's browser section is real: its content-type and oEmbed examples are replayed."""

import json
import re
import shlex

from fastapi.testclient import TestClient

from app.main import create_app
from tests.contract.test_readme import README

CONTENT_TYPE = re.compile(r"^\$ (curl -s -o /dev/null -w '%\{content_type\}\\n' .*)$")


def test_the_same_url_answers_json_or_a_page_as_the_readme_shows(seeded, settings):
    lines = README.splitlines()
    examples = [
        (m[1], lines[i + 1]) for i, line in enumerate(lines) if (m := CONTENT_TYPE.match(line))
    ]
    assert [printed for _, printed in examples] == ["application/json", "text/html; charset=utf-8"]
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        for command, printed in examples:
            words = shlex.split(command)
            headers = dict([words[words.index("-H") + 1].split(": ", 1)]) if "-H" in words else {}
            url = words[-1].removeprefix("http://127.0.0.1:8000")
            assert client.get(url, headers=headers).headers["content-type"] == printed


def test_the_oembed_example_prints_what_the_readme_says(seeded, settings):
    lines = README.splitlines()
    start = next(
        i
        for i, line in enumerate(lines)
        if line.startswith("$ curl -s 'http://127.0.0.1:8000/oembed")
    )
    url = shlex.split(lines[start][2:])[2].removeprefix("http://127.0.0.1:8000")
    printed = json.loads("\n".join(lines[start + 1 : lines.index("```", start)]))
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        assert client.get(url).json() == printed
