"""A ready-to-paste sentence for a figure, built from its words and its attribution chain.

The sentence keeps the words the source used ("at least 50,000", "tens of thousands"), names
the claimant first, then who relayed it, then where it was published:
"At least 50,000 Russian service members deserted, according to leaked 2024 reports of
Russia's Ministry of Defence, cited by RFE/RL; published in <article>."
"""

import html
import re
from dataclasses import replace
from decimal import Decimal

from app.services.chains import Link, SourceRef

STYLES = ("text", "markdown", "html")


def english_number(value: Decimal) -> str:
    """10201 -> '10,201'; 1.5 -> '1.5'."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    whole, _, fraction = format(value, "f").partition(".")
    return f"{int(whole):,}.{fraction}" if whole not in ("", "-") else format(value, "f")


def _words(stated_as: str, value: Decimal | None) -> str:
    """The phrase as stated, with the number spelled the English way when it was not."""
    if value is None or not re.search(r"\d", stated_as):
        return stated_as
    english = english_number(value)
    if english in stated_as:
        return stated_as
    return f"{english} (stated as “{stated_as}”)"


# "tens of thousands", "hundreds", "dozens": vague counts that take "of" before the noun.
_VAGUE_COUNT = re.compile(r"\b(dozens|hundreds|thousands|millions|billions)$", re.IGNORECASE)


def _title(source: SourceRef) -> SourceRef:
    """A document read as the publication is named by its title, in quotation marks."""
    if source.kind != "document" or source.name.startswith("“"):
        return source
    return replace(source, name=f"“{source.name}”")


def _name(source: SourceRef, style: str) -> str:
    if style == "markdown":
        return f"[{source.name}]({source.url})" if source.url else source.name
    if style == "html":
        name = html.escape(source.name)
        return f'<a href="{html.escape(source.url)}">{name}</a>' if source.url else name
    return source.name


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def cite(
    *,
    stated_as: str,
    value: Decimal | None,
    unit: str,
    subject: str | None,
    chain: list[Link],
    style: str = "text",
) -> str:
    words = _words(stated_as, value)
    if unit == "percent" and "%" not in words and "percent" not in words:
        words += " %"
    if subject and _VAGUE_COUNT.search(words) and not subject.startswith("of "):
        words += " of"
    head = " ".join(part for part in (words, subject) if part)
    if style == "html":
        head = html.escape(head)
    head = head[:1].upper() + head[1:]
    if not chain:
        return f"{head} (no attribution recorded)."
    claimant, rest = chain[0], chain[1:]
    claimed_by = _title(claimant.source) if not rest else claimant.source
    sentence = f"{head}, according to {_name(claimed_by, style)}"
    relays = [_name(link.source, style) for link in rest if link.role in ("relay", "quoted")]
    if relays:
        sentence += f", cited by {_join(relays)}"
    publishers = [
        _name(_title(link.source), style)
        for link in rest
        if link.role == "publisher" and link.source.slug != claimant.source.slug
    ]
    if publishers:
        sentence += f"; published in {_join(publishers)}"
    return sentence + "."
