"""A ready-to-paste sentence for a figure, built from its words and its attribution chain.

The sentence keeps the words the source used ("at least 50,000", "tens of thousands"), names
the claimant first, then who relayed it:
"At least 50,000 Russian service members have deserted since the invasion began, according to
leaked 2024 reports from Russia's Ministry of Defence cited by RadioFreeEurope/RadioLiberty."
The publication that carries the chain is named only when it is the claimant itself.
"""

import html
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

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


# An institution's proper name takes "the" in running text: "the Ministry of Defense of
# Ukraine", "the Electronic Library of Historical Documents", "the Federal Security Service".
# A person, a possessive ("Russia’s Ministry of Defence"), a lower-case description ("leaked
# 2024 reports") or a brand ("RadioFreeEurope/RadioLiberty", "Dozor") does not.
_INSTITUTION = re.compile(
    r"\b(?:of|for)\b|\b(?:Ministry|Agency|Service|Office|Committee|Council|Institute|Library|"
    r"Archives?|Army|Guard|Bureau|Commission|Parliament|Government|Kremlin|Pentagon|Police)$"
)


def _article(source: SourceRef) -> str:
    name = source.name
    first = name.split(" ", 1)[0]
    if (
        source.kind in ("person", "document")
        or not name[:1].isupper()
        or first.lower() in ("the", "a", "an")
        or first.endswith(("’s", "'s", "s’", "s'"))
        or not _INSTITUTION.search(name)
    ):
        return ""
    return "the "


def _href(source: SourceRef, base_url: str | None) -> str | None:
    """The source's own URL, else (with a base URL) its page in this API."""
    if source.url:
        return source.url
    if base_url:
        return f"{base_url.rstrip('/')}/v1/sources/{source.slug}"
    return None


def _markdown_text(text: str) -> str:
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def _markdown_url(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _name(source: SourceRef, style: str, base_url: str | None = None) -> str:
    article = _article(source)
    href = _href(source, base_url)
    if style == "markdown":
        name = _markdown_text(source.name)
        return f"{article}[{name}]({_markdown_url(href)})" if href else article + name
    if style == "html":
        name = html.escape(source.name)
        return f'{article}<a href="{html.escape(href)}">{name}</a>' if href else article + name
    return article + source.name


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# "members who deserted since 2022" reads as a sentence as "members have deserted since
# 2022"; without "since", "inmates who escaped" as "inmates escaped".
_RELATIVE = re.compile(r"^(?P<noun>.+?) who (?P<verb>\w+)(?P<rest>\b.*)$")


def _clause(subject: str, value: Decimal | None) -> str:
    match = _RELATIVE.match(subject)
    if match is None:
        return subject
    noun, verb, rest = match["noun"], match["verb"], match["rest"]
    if " since " in f"{rest} " and verb.endswith("ed"):
        verb = ("has " if value == 1 else "have ") + verb
    return f"{noun} {verb}{rest}"


def cite(
    *,
    stated_as: str,
    value: Decimal | None,
    unit: str,
    subject: str | None,
    chain: list[Link],
    style: str = "text",
    base_url: str | None = None,
) -> str:
    """The sentence in ``style`` (text, markdown or html; html is escaped throughout).

    With ``base_url``, markdown and html link every source: to its own URL, else to its page
    in this API (``{base_url}v1/sources/{slug}``)."""
    words = _words(stated_as, value)
    if unit == "percent" and "%" not in words and "percent" not in words:
        words += " %"
    if subject and _VAGUE_COUNT.search(words) and not subject.startswith("of "):
        words += " of"
    head = " ".join(part for part in (words, _clause(subject, value) if subject else None) if part)
    head = head[:1].upper() + head[1:]
    if style == "html":
        head = html.escape(head)
    if not chain:
        return f"{head} (no attribution recorded)."
    claimant, rest = chain[0], chain[1:]
    claimed_by = _title(claimant.source) if not rest else claimant.source
    sentence = f"{head}, according to {_name(claimed_by, style, base_url)}"
    relays = [
        _name(link.source, style, base_url) for link in rest if link.role in ("relay", "quoted")
    ]
    if relays:
        sentence += f" cited by {_join(relays)}"
    return sentence + "."


def cite_figure(
    figure: Any, chain: list[Link], *, style: str = "text", base_url: str | None = None
) -> str:
    """``cite`` for a stored figure and its chain."""
    return cite(
        stated_as=figure.stated_as,
        value=figure.value,
        unit=figure.unit,
        subject=figure.subject,
        chain=chain,
        style=style,
        base_url=base_url,
    )
