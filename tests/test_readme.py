"""The README's curl examples are real: each plain `curl -s URL` line is replayed on the seed."""

import re

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
PLAIN_CURL = re.compile(r"^\$ curl -s '?http://127\.0\.0\.1:8000(?P<path>/[^' ]*)'?$")


def plain_examples() -> list[tuple[str, str]]:
    lines = README.splitlines()
    return [
        (match["path"], lines[i + 1])
        for i, line in enumerate(lines)
        if (match := PLAIN_CURL.match(line))
    ]


def test_the_readme_shows_the_two_commands_first():
    assert README.index("make run") < README.index("make test") < README.index("## Examples")


def test_every_plain_curl_example_prints_what_the_readme_says(seeded_client):
    examples = plain_examples()
    assert len(examples) == 3
    for path, printed in examples:
        response = seeded_client.get(path)
        assert response.text == printed, path
