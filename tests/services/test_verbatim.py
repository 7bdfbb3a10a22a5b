"""A quote not found verbatim: the message shows the closest passage and what differs."""

import pytest

from app.services.write import verbatim
from tests.conftest import SEED_DIR

ARTICLE = (SEED_DIR / "documents" / "article-50000-deserters.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "quote", "message"),
    [
        (
            "They said 7 fled",
            "8 fled",
            "closest passage: “7 fled”; the text has 7 (digit seven) where the quote has 8 "
            "(digit eight)",
        ),
        (
            "The ministry said many fled. Observers counted more. Nobody agreed.",
            "Observers counted fewer.",
            "closest passage: “Observers counted more.”; the text has “more” where the quote "
            "has “fewer”",
        ),
        (
            ARTICLE,
            "at least 50,000 service members have deserted since the war began",
            "closest passage: “at least 50,000 service members have deserted since the invasion "
            "began”; the text has “invasion” where the quote has “war”",
        ),
        (
            ARTICLE,
            "at least 50,000 service  members have deserted - since the invasion began",
            "closest passage: “at least 50,000 service members have deserted since the invasion "
            "began”; the text has a space where the quote has 2 space(s); the quote adds “ -”",
        ),
        (
            ARTICLE,
            "Putin’s army using Stalin's methods",
            "closest passage: “Putin’s army using Stalin’s methods”; the text has ’ (right "
            "single quotation mark) where the quote has ' (apostrophe)",
        ),
        (
            "They said at least 50,000 fled.",
            "fifty thousand",
            "no passage of the text resembles it",
        ),
        ("", "anything", "no passage of the text resembles it"),
    ],
)
def test_the_closest_passage_and_each_difference_are_named(text, quote, message):
    assert verbatim.closest(text, quote) == message


def test_a_long_passage_is_shortened_with_an_ellipsis():
    text = "word " * 200
    quote = ("word " * 100) + "drow"
    shown = verbatim.closest(text, quote)
    passage = shown.split("”")[0].removeprefix("closest passage: “")
    assert len(passage) == verbatim.MAX_SHOWN
    assert passage.endswith("…")
