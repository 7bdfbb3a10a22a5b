"""Writing the draft as a seed file in the documented format: the article as the document
source (its text stored beside the YAML, or inline), one candidate figure per numeric claim
with its chain and verbatim quote, the events, sources and measures they need, and a
``review`` note on every record saying what the editor must check. The file's ``draft`` mark
keeps `sourced seed` from loading it until the editor removes it."""

import re
from decimal import Decimal
from typing import Any

import yaml

from app.models.vocab import EventType
from app.services.draft.article import Article
from app.services.draft.claims import Claim
from app.services.draft.matching import slugify

DRAFT_MARK = (
    "written by `sourced draft`: every record below is a candidate read from the article. Check "
    "each against the text, fix it and delete its `review` notes; delete this `draft` line "
    "when the file is done (until then `sourced seed` refuses it)"
)
_EVENT_TYPES: list[tuple[EventType, str]] = [
    (EventType.desertion, r"desert|deserted|deserters|desertion|fled the front|abandon"),
    (EventType.casualties, r"killed|wounded|dead|died|casualt|injur|deaths?|toll|losses"),
    (EventType.execution, r"sentenced to death|executed|execution"),
    (EventType.recruitment, r"recruit|signed up|mobili[sz]|conscript|enlist|drafted"),
    (EventType.deployment, r"deploy|sent (?:in|to)|stationed|troops (?:in|to)"),
    (EventType.incident, r"escaped|attack|explosion|strike|fire|crash|raid|shelling"),
    (EventType.directive, r"directive|decree|order(?:ed)?\b|law"),
]
TITLE_LIMIT = 200


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # a value that is also a bound is written twice, never as &id001


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    if value == value.to_integral_value():
        return dumper.represent_scalar("tag:yaml.org,2002:int", str(int(value)))
    return dumper.represent_scalar("tag:yaml.org,2002:float", format(value.normalize(), "f"))


_Dumper.add_representer(Decimal, _decimal)


def to_yaml(seed: dict[str, Any], header: str) -> str:
    body = yaml.dump(seed, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + body


def to_json_ready(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: to_json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json_ready(v) for v in value]
    return value


def document_name(
    article: Article, title: str | None, fallback: str | None
) -> tuple[str, str | None]:
    """The document's name, and why it needs checking (None when the editor gave it)."""
    if title:
        return title, None
    if article.title:
        return article.title, "name: the page's own title; check it is the headline"
    for start, end in article.furniture:
        line = article.text[start:end].strip()
        if len(line.split()) >= 4 and not line.endswith(("...", "…")):
            return line, "name: the first heading line of the text, read as the headline; check it"
    first = article.sentences[0].text if article.sentences else article.text.strip()
    name = fallback or title_of(first.splitlines()[0] if first else "article")
    return name, "name: no headline found; check it"


def event_type(sentence: str) -> tuple[EventType, str]:
    lowered = sentence.lower()
    for kind, pattern in _EVENT_TYPES:
        if re.search(rf"\b(?:{pattern})", lowered):
            return kind, f"type {kind.value!r} guessed from the words of the sentence"
    return EventType.other, "type 'other': nothing in the sentence says what kind of event"


def title_of(sentence: str) -> str:
    """The sentence as the event's title, cut at a word when long; words of the text only."""
    text = " ".join(sentence.split())
    if len(text) <= TITLE_LIMIT:
        return text
    return text[:TITLE_LIMIT].rsplit(" ", 1)[0].rstrip(",;:")


def figure_record(
    claim: Claim,
    slug: str,
    event: str,
    measure: str,
    chain: list[dict[str, Any]],
    reviews: list[str],
) -> dict[str, Any]:
    record: dict[str, Any] = {"slug": slug, "event": event, "measure": measure}
    if claim.value is not None:
        record["value"] = claim.value
    if claim.lower is not None:
        record["lower_bound"] = claim.lower
    if claim.upper is not None:
        record["upper_bound"] = claim.upper
    record["qualifier"] = claim.qualifier.value
    record["stated_as"] = claim.stated_as
    record["unit"] = claim.unit
    if claim.subject:
        record["subject"] = claim.subject[:500]
    if claim.period:
        record["period"] = claim.period
    record["attributions"] = chain
    record["review"] = reviews
    return record


def figure_slug(claim: Claim, taken: set[str]) -> str:
    words = claim.subject or claim.unit
    base = slugify(f"{words} {claim.stated_as}", 70) or "figure"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug
