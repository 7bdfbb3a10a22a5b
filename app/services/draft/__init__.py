"""Drafting: an article in, a reviewable seed file out (`sourced draft`, ``POST /v1/drafts``).

Every numeric claim of the article becomes a candidate figure, its quote cut verbatim from
the text, its value, qualifier, unit, subject, period and chain read from the words around it,
its sources and measure matched against the database. Nothing is added that the article does
not say: where the draft has to guess, the record's ``review`` notes say so, and the file's
``draft`` mark keeps it out of the dataset until an editor has checked it. The layers:

- ``article``: the text (an HTML page's article text), its sentences and its headings;
- ``numbers`` and ``claims``: the numbers, their qualifiers, units, subjects and periods;
- ``attribution``: claimant and relays from the sentence's attribution phrases;
- ``matching``: stored sources and measures, or new ones proposed;
- ``seedfile``: the records and the YAML; ``coverage``: what a seed file leaves out.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from app import edtf
from app.services.draft import seedfile
from app.services.draft.article import Article, ArticleError, read
from app.services.draft.attribution import Attributor
from app.services.draft.claims import Claim, claims
from app.services.draft.matching import Measures, Sources, slugify

__all__ = ["Article", "ArticleError", "Draft", "DraftError", "Options", "draft"]

URL = r"^https?://[^\s]+$"


class DraftError(ValueError):
    """An option the draft cannot use, named by its field."""

    def __init__(self, field_name: str, message: str):
        self.field = field_name
        self.message = message
        super().__init__(f"{field_name}: {message}")


@dataclass
class Options:
    title: str | None = None
    url: str | None = None
    published: str | None = None
    # The article file's name without its suffix: the document's slug when there is no title.
    name: str | None = None
    # Texts inline as `full_text` (over HTTP) instead of `documents/<slug>.txt` beside the file.
    inline: bool = False


@dataclass
class Draft:
    seed: dict[str, Any]
    article: Article
    document: str
    text_file: str | None
    claims: list[Claim] = field(default_factory=list)
    named: int = 0
    new_sources: int = 0
    stored_sources: int = 0
    new_measures: int = 0
    reviews: int = 0

    def summary(self) -> str:
        return (
            f"drafted {len(self.claims)} figure(s) from {len(self.article.sentences)} sentence(s): "
            f"{self.named} with a named claimant, {self.stored_sources} stored source(s) matched, "
            f"{self.new_sources} new source(s), {self.new_measures} new measure(s); "
            f"{self.reviews} review note(s) to check"
        )

    def yaml(self) -> str:
        header = (
            "A DRAFT written by `sourced draft`: candidates for an editor to check, not data.\n"
            "Every quote is cut from the article's text; every guess carries a `review` note."
        )
        return seedfile.to_yaml(self.seed, header)


def check_options(options: Options) -> None:
    if options.title is not None and not 1 <= len(options.title.strip()) <= 500:
        raise DraftError("title", "give 1 to 500 characters")
    if options.url is not None:
        import re

        if len(options.url) > 2000 or not re.match(URL, options.url):
            raise DraftError("url", "an http:// or https:// address without spaces")
    if options.published is not None:
        try:
            edtf.validate(options.published)
        except edtf.EDTFError as exc:
            raise DraftError("published", f"not an EDTF date: {exc}") from None


def draft(raw: str, options: Options, session: Session | None = None) -> Draft:
    """The draft seed of the article ``raw`` (plain text or an HTML page)."""
    check_options(options)
    try:
        article = read(raw)
    except ArticleError as exc:
        raise DraftError("article", str(exc)) from None
    name, name_review = seedfile.document_name(article, options.title, options.name)
    document = slugify(options.name or name) or "article"
    sources = Sources(session, set())
    if document in sources.taken:
        document = sources._free(document)  # a stored source already has the slug
    sources.taken.add(document)
    measures = Measures(session)
    found = claims(article)
    attributor = Attributor(article)
    figures: list[dict[str, Any]] = []
    events: dict[int, dict[str, Any]] = {}
    taken: set[str] = set()
    result = Draft(
        {}, article, document, None if options.inline else f"documents/{document}.txt", found
    )
    for claim in found:
        sentence = claim.sentence
        chain = attributor.chain(sentence, claim.number.start)
        links: list[dict[str, Any]] = []
        if chain.claimant is not None:
            result.named += 1
            claimant = sources.resolve(chain.claimant)
            links.append({"source": claimant.slug, "role": "claimant"})
            for relay in chain.relays:
                proposed = sources.resolve(relay, chain.parents.get(relay))
                if proposed.slug not in {link["source"] for link in links}:
                    links.append({"source": proposed.slug, "role": "relay"})
            links.append({"source": document, "role": "publisher", "quote": sentence.text})
        else:
            links.append({"source": document, "role": "claimant", "quote": sentence.text})
        if sentence.start not in events:
            events[sentence.start] = _event(sentence.text, taken)
        measure, why = measures.propose(claim.subject, sentence.text, claim.unit)
        slug = seedfile.figure_slug(claim, taken)
        reviews = [*claim.reviews, *chain.reviews, why]
        figures.append(
            seedfile.figure_record(
                claim, slug, events[sentence.start]["slug"], measure, links, reviews
            )
        )
    document_source: dict[str, Any] = {"slug": document, "name": name[:500], "kind": "document"}
    if options.url:
        document_source["website"] = options.url
    if options.published:
        document_source["published"] = options.published
    if options.inline:
        document_source["full_text"] = article.text
    else:
        document_source["text_file"] = result.text_file
    document_source["review"] = [
        name_review or "name: as given",
        "the text: "
        + (
            "extracted from the HTML page; check nothing of the article is missing"
            if article.from_html
            else "the article as given"
        ),
    ]
    source_records = [document_source]
    for slug in sources.used:
        if slug not in sources.proposed:
            continue
        proposed = sources.proposed[slug]
        record: dict[str, Any] = {"slug": proposed.slug, "name": proposed.name}
        if proposed.short_name:
            record["short_name"] = proposed.short_name
        record["kind"] = proposed.kind.value
        if proposed.parent:
            record["parent"] = proposed.parent
        record["review"] = proposed.reviews
        source_records.append(record)
    new_measures = [
        {**m, "review": ["new measure: label and unit read from the figure's subject"]}
        for m in measures.new.values()
    ]
    seed: dict[str, Any] = {"draft": seedfile.DRAFT_MARK, "document": document}
    seed["measures"] = new_measures
    seed["sources"] = source_records
    seed["events"] = list(events.values())
    seed["figures"] = figures
    result.seed = seed
    result.new_sources = len(sources.proposed)
    result.stored_sources = len([s for s in sources.used if s not in sources.proposed])
    result.new_measures = len(new_measures)
    result.reviews = sum(
        len(r.get("review", []))
        for section in ("measures", "sources", "events", "figures")
        for r in seed[section]
    )
    return result


def _event(sentence: str, taken: set[str]) -> dict[str, Any]:
    title = seedfile.title_of(sentence)
    base = slugify(" ".join(title.split()[:7]), 70) or "event"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    kind, why = seedfile.event_type(sentence)
    return {
        "slug": slug,
        "title": title,
        "type": kind.value,
        "review": [
            "event: one per sentence with figures, titled with the sentence; merge events that are one, retitle it",
            why,
        ],
    }
