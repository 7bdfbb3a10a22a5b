"""A ready-to-paste sentence for a figure, built from its words and its attribution chain.

The sentence says exactly what the source said, and no more: its own words ("at least
50,000", "tens of thousands") with the qualifier always in them ("about 95 million", never a
bare "95,000,000" for an approximate figure), the claimant first, then who relayed it, then
where it was published:
"At least 50,000 Russian service members have deserted since the invasion began, according to
leaked 2024 reports from Russia's Ministry of Defence cited by RFE/RL, as published in
“Title” (2024)."
A retracted figure gets no clean sentence: it says it is retracted, and why.
"""

import html
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from app.services.common.views import Link, SourceRef
from app.services.present.amounts import VAGUE_COUNT, Amount, phrase

STYLES = ("text", "markdown", "html")
# `short`: a source's short name where it has one ("RFE/RL"), as newsrooms write; `full`:
# always the full name.
NAMES = ("short", "full")


def _title(source: SourceRef) -> SourceRef:
    """A document read as the publication is named by its title, in quotation marks."""
    if source.kind != "document" or source.name.startswith("“"):
        return source
    return replace(
        source,
        name=f"“{source.name}”",
        short_name=f"“{source.short_name}”" if source.short_name else None,
    )


# An institution's proper name takes "the" in running text: "the Ministry of Defense of
# Ukraine", "the Electronic Library of Historical Documents", "the Valemont transport office".
# A person, a possessive ("Russia’s Ministry of Defence"), a lower-case description ("leaked
# 2024 reports") or a brand ("RadioFreeEurope/RadioLiberty", "Dozor", "RFE/RL") does not.
_INSTITUTION = re.compile(
    r"\b(?:of|for)\b|\b(?i:ministry|agency|service|office|committee|council|institute|library|"
    r"archives?|army|guard|bureau|commission|parliament|government|kremlin|pentagon|police|"
    r"department|directorate|administration|authority|command|court|prosecutor|headquarters|"
    r"secretariat|foundation|union|observatory|centre|center|ombudsman|mission)$"
)


def _article(name: str, kind: str) -> str:
    first = name.split(" ", 1)[0]
    if (
        kind in ("person", "document")
        or not name[:1].isupper()
        or first.lower() in ("the", "a", "an")
        or first.endswith(("’s", "'s", "s’", "s'"))
        or not _INSTITUTION.search(name)
    ):
        return ""
    return "the "


def _href(source: SourceRef, base_url: str | None) -> str | None:
    """The source's own website, else (with a base URL) its page in this API."""
    if source.website:
        return source.website
    if base_url:
        return f"{base_url.rstrip('/')}/v1/sources/{source.slug}"
    return None


def _markdown_text(text: str) -> str:
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def _markdown_url(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


@dataclass(frozen=True, slots=True)
class _Style:
    style: str = "text"
    names: str = "short"
    base_url: str | None = None

    def text(self, text: str) -> str:
        return html.escape(text) if self.style == "html" else text

    def name(self, source: SourceRef) -> str:
        shown = source.short_name if self.names == "short" and source.short_name else source.name
        article = _article(shown, source.kind)
        href = _href(source, self.base_url)
        if self.style == "markdown":
            name = _markdown_text(shown)
            return f"{article}[{name}]({_markdown_url(href)})" if href else article + name
        if self.style == "html":
            name = html.escape(shown)
            return f'{article}<a href="{html.escape(href)}">{name}</a>' if href else article + name
        return article + shown


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


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def published_date(edtf: str) -> str:
    """An EDTF date as a newsroom writes it: 2024, October 1941, 5 March 2024; any other
    form (uncertain, an interval) as it is recorded."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", edtf)
    if match is None or (match[2] and not 1 <= int(match[2]) <= 12):
        return edtf
    year, month, day = match.groups()
    if month is None:
        return year
    if day is None:
        return f"{_MONTHS[int(month) - 1]} {year}"
    return f"{int(day)} {_MONTHS[int(month) - 1]} {year}"


def _publisher(chain: list[Link]) -> SourceRef | None:
    """Where the claim was published: the last link in the role of publisher."""
    return next((link.source for link in reversed(chain) if link.role == "publisher"), None)


def _dated(named: str, source: SourceRef, style: _Style) -> str:
    if not source.published:
        return named
    return f"{named} ({style.text(published_date(source.published))})"


def _attribution(chain: list[Link], style: _Style) -> str:
    """ ", according to X cited by Y, as published in “Title” (2024)" """
    claimant, rest = chain[0], chain[1:]
    publisher = _publisher(rest)
    if publisher is not None and publisher.slug == claimant.source.slug:
        publisher, rest = None, []
    if not rest:
        # The claimant is the publication itself: named by its title, with its date.
        return (
            f", according to {_dated(style.name(_title(claimant.source)), claimant.source, style)}"
        )
    text = f", according to {style.name(claimant.source)}"
    relays = [style.name(link.source) for link in rest if link.role in ("relay", "quoted")]
    if relays:
        text += f" cited by {_join(relays)}"
    if publisher is not None:
        how = "in" if publisher.kind == "document" else "by"
        text += f", as published {how} {_dated(style.name(_title(publisher)), publisher, style)}"
    return text


def cite(
    *,
    stated_as: str,
    value: Decimal | None,
    unit: str,
    subject: str | None,
    chain: list[Link],
    qualifier: str = "exact",
    lower_bound: Decimal | None = None,
    upper_bound: Decimal | None = None,
    style: str = "text",
    names: str = "short",
    base_url: str | None = None,
) -> str:
    """The sentence in ``style`` (text, markdown or html; html is escaped throughout).

    ``names="short"`` names a source by its short name where it has one ("RFE/RL"),
    ``"full"`` always by its full name. With ``base_url``, markdown and html link every
    source: to its own URL, else to its page in this API (``{base_url}v1/sources/{slug}``)."""
    amount = Amount(stated_as, qualifier, value, lower_bound, upper_bound, unit)
    words = phrase(amount, subject)
    if not subject:
        head = words
    elif unit in ("persons", "percent") or subject.startswith("("):
        # The subject is what is counted: "thousands of soldiers", "1.5 % of the total (...)".
        if VAGUE_COUNT.search(words) and not subject.startswith("of "):
            words += " of"
        head = f"{words} {_clause(subject, value)}"
    else:
        # An amount of money or of anything else is what the subject is: "about 95 million
        # EUR, the cost of the new tram line, according to ...".
        head = f"{words}, {_clause(subject, value)},"
    head = head[:1].upper() + head[1:]
    shown = _Style(style, names, base_url)
    head = shown.text(head)
    if not chain:
        return f"{head.rstrip(',')} (no attribution recorded)."
    return head.rstrip(",") + _attribution(chain, shown) + "."


def retracted(
    *,
    stated_as: str,
    subject: str | None,
    reason: str | None,
    chain: list[Link],
    style: str = "text",
    names: str = "short",
    base_url: str | None = None,
) -> str:
    """A retracted figure's notice: it starts with "Retracted" and quotes the withdrawn words,
    so it cannot be pasted as a claim."""
    shown = _Style(style, names, base_url)
    why = (reason or "").strip().rstrip(".")
    text = shown.text(f"Retracted: {why}. " if why else "Retracted (no reason recorded). ")
    text += shown.text(f"The figure “{stated_as}”" + (f" ({subject})" if subject else ""))
    if chain:
        text += f", attributed to {shown.name(chain[0].source)},"
    return text + shown.text(" was withdrawn and must not be cited.")


def cite_figure(
    figure: Any,
    chain: list[Link],
    *,
    style: str = "text",
    names: str = "short",
    base_url: str | None = None,
) -> str:
    """``cite`` for a stored figure and its chain; ``retracted`` for a retracted one."""
    if figure.status == "retracted":
        return retracted(
            stated_as=figure.stated_as,
            subject=figure.subject,
            reason=figure.status_reason,
            chain=chain,
            style=style,
            names=names,
            base_url=base_url,
        )
    return cite(
        stated_as=figure.stated_as,
        value=figure.value,
        unit=figure.unit,
        subject=figure.subject,
        chain=chain,
        qualifier=figure.qualifier,
        lower_bound=figure.lower_bound,
        upper_bound=figure.upper_bound,
        style=style,
        names=names,
        base_url=base_url,
    )
