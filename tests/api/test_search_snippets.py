"""A search snippet is escaped HTML whose only markup is the `<mark>` of each match, on one
line: a record that holds markup is shown as text (app/services/common/fulltext.py, snippet_html)."""

import html
import re

import pytest

from app.services.common import fulltext
from tests import builders

NOTE = '<script>alert(1)</script> deserted & "quoted" <b>bold</b>'
ESCAPED = (
    "&lt;script&gt;alert(1)&lt;/script&gt; <mark>deserted</mark> &amp; &quot;quoted&quot; "
    "&lt;b&gt;bold&lt;/b&gt;"
)


@pytest.fixture
def api(engine, client, tmp_path):
    data = builders.dataset(1, values=[7])
    data["figures"][0]["note"] = NOTE
    data["events"][1]["note"] = "Line one\n\n" + NOTE + "\tend"
    builders.load(engine, tmp_path / "seed", data)
    return client


def snippets(response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {f"{i['type']}/{i['slug']}": i["snippet"] for i in response.json()["items"]}


class TestSearchSnippets:
    def test_a_note_with_markup_comes_back_escaped_with_only_the_marks(self, engine, api):
        found = snippets(api.get("/v1/search?q=deserted"))
        assert (
            found["event/old-war"]
            == {
                "sqlite": f"Line one {ESCAPED} end",
                "postgresql": f"An old war Line one {ESCAPED} end",
            }[engine.dialect.name]
        )
        assert (
            found["figure/fig-0000"]
            == {
                "sqlite": f"People killed {ESCAPED} The ministry The agency&#x27;s…",
                "postgresql": (
                    "alert(1)&lt;/script&gt; <mark>deserted</mark> &amp; &quot;quoted&quot; "
                    "&lt;b&gt;bold&lt;/b&gt; The ministry The agency&#x27;s desk many fled"
                ),
            }[engine.dialect.name]
        )
        for snippet in found.values():
            assert re.sub("</?mark>", "", snippet).count("<") == 0
            assert re.search(r"\s\s|[^ \S]", snippet) is None  # one line, single spaces

    def test_a_list_of_some_kinds_escapes_the_same_way(self, api):
        every = snippets(api.get("/v1/search?q=deserted"))
        some = snippets(api.get("/v1/search?q=deserted&type=event&type=figure"))
        assert some == every

    def test_the_marks_characters_in_a_record_are_not_marks(self, engine, client, tmp_path):
        data = builders.dataset(1)
        data["events"][0]["summary"] = "a\x02b\x03c <mark>deserted</mark>"
        builders.load(engine, tmp_path / "seed", data)
        found = snippets(client.get("/v1/search?q=deserted"))
        assert found == {
            "event/flight": {
                "sqlite": "a b c &lt;mark&gt;<mark>deserted</mark>&lt;/mark&gt; front",
                "postgresql": "Soldiers fled a b c &lt;mark&gt;<mark>deserted</mark>&lt;/mark&gt; "
                "front",
            }[engine.dialect.name]
        }

    def test_the_openapi_description_says_it_is_escaped_html(self, client):
        hit = client.get("/openapi.json").json()["components"]["schemas"]["SearchHit"]
        assert hit["properties"]["snippet"]["description"] == (
            "Escaped HTML on one line: the matching text with `&`, `<`, `>` and quotes escaped, "
            "the matched words in `<mark>`, and no other markup."
        )


WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


@pytest.mark.parametrize(
    "marked",
    [
        "  \x02deserted\x03\n\tregiment  \x04b\x05 " + WHITESPACE,
        WHITESPACE + "one" + WHITESPACE + "two\x1c\x1dthree\u00a0\u2003four\u3000",
        "no spaces",
        "",
        WHITESPACE,
    ],
)
def test_a_snippet_is_on_one_line_whatever_the_whitespace(marked):
    # Every run of what a regular expression calls whitespace is one space, none at the ends.
    text = re.sub(r"\s+", " ", marked.replace("\x04", "<").replace("\x05", ">")).strip()
    expected = html.escape(text).replace("\x02", "<mark>").replace("\x03", "</mark>")
    assert fulltext.snippet_html(marked) == expected
