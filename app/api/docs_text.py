"""The docs page's front matter: the API's description and the README's quick start."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = "## Quick start for journalists"

DESCRIPTION = """
Sourced serves a **sourced event dataset**: events, the numeric figures reported about them,
and the chain of sources behind every figure — who said it first, who relayed it, where it
was published, in their own words.

Reads need no key. Every error is `application/problem+json` (RFC 9457). Every list also
answers as CSV and NDJSON (`?format=csv`); see the quick start below.
"""


def quick_start(readme: Path = README) -> str:
    """The README's "Quick start for journalists" section, or a pointer to it if not shipped."""
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError:
        return f"\n### Quick start for journalists\n\nSee the project README, section “{HEADING[3:]}”.\n"
    if HEADING not in text:
        return ""
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    # The README's HTML comments are notes for its readers on GitHub and for the tests (which
    # recipe a test runs); on the docs page one would break the Markdown of what follows.
    section = re.sub(r"<!--.*?-->\n?", "", section, flags=re.DOTALL)
    return "\n### Quick start for journalists\n\n(From the project README.)\n" + section


def description() -> str:
    return DESCRIPTION + quick_start()
