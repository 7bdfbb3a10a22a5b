"""Operation summaries and descriptions read as sentences: 'Add an event', not 'Add a event'."""

import re

from app.main import create_app


def test_no_summary_or_description_puts_a_before_a_vowel(settings):
    schema = create_app(settings).openapi()
    texts = [
        (path, method, operation.get(field, ""))
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        for field in ("summary", "description")
    ]
    assert [t for t in texts if re.search(r"\b[Aa] [aeiou]", t[2])] == []
    summaries = {(p, m): t for p, m, t in texts if t.startswith(("Add ", "Retract "))}
    assert summaries[("/v1/events", "post")] == "Add an event"
    assert summaries[("/v1/figures/{slug}", "delete")] == "Retract a figure"
