"""Matching the names the article gives against the database: a claimant or relay is a stored
source when its name, short name, an alias or its slug matches ("RFE/RL" is ``rfe-rl``), else
a new source with a slug and a guessed kind; a figure's measure is the stored term whose label
and description share the most words with the figure's subject and sentence, else a new one."""

import re
import unicodedata
from dataclasses import dataclass, field

from sqlmodel import Session, select

from app.models import Measure, Source
from app.models.vocab import SourceKind
from app.services.draft.attribution import looks_like_person


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


SLUG_LIMIT = 80
_KINDS: list[tuple[SourceKind, str]] = [
    (
        SourceKind.document,
        r"reports?|letter|documents?|memo|study|survey|census|data|figures|statistics|records|paper|dossier|files?|assessment|analysis|bulletin|directive|order",
    ),
    (
        SourceKind.military_body,
        r"army|forces|military|command|navy|air force|general staff|brigade|regiment|armed|battalion|corps|fleet",
    ),
    (
        SourceKind.government_body,
        r"ministry|government|office|department|police|council|parliament|commission|authorit(?:y|ies)|governor|mayor|administration|officials?|kremlin|prosecutors?|court|agency|service|inspectorate|bureau|senate|duma|cabinet|presidency|president|municipality",
    ),
    (
        SourceKind.news_service,
        r"news agency|agency|reuters|associated press|afp|interfax|tass|ria|news service|wire|rfe|radio free|radiofreeeurope|\w+\.realii",
    ),
    (
        SourceKind.news_outlet,
        r"newspaper|times|post|tv|television|radio|journal|daily|magazine|news|media|outlet|gazette|herald|tribune|broadcaster|channel",
    ),
    (
        SourceKind.ngo,
        r"group|ngo|foundation|watch|rights|red cross|amnesty|charity|association|society|monitor|observatory|institute|union|network|campaign|coalition|centre|center|project|initiative|nations|unicef|unhcr|who",
    ),
]
_WORD = re.compile(r"[a-z0-9]+")
_STOP = _words(
    "the a an of in on at to for from by and or with as is are was were be been have has had "
    "that this these those it its their his her who which than more less at least about"
)


def slugify(text: str, limit: int = SLUG_LIMIT) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug


def snake(text: str, words: int = 4) -> str:
    parts = slugify(text).split("-")
    parts = [p for p in parts if p not in _STOP][:words] or ["figure"]
    name = "_".join(parts)
    return name if name[0].isalpha() else f"n_{name}"


def normal(name: str) -> str:
    folded = name.replace("’", "'").replace("‘", "'").casefold()
    folded = re.sub(r"^(?:the|a|an)\s+", "", folded)
    folded = re.sub(r"'s$", "", folded)
    return " ".join(folded.split())


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s", "ed", "ing"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def words_of(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(normal(text)) if w not in _STOP}


@dataclass
class Proposed:
    slug: str
    name: str
    kind: SourceKind
    stored: bool
    parent: str | None = None
    short_name: str | None = None
    reviews: list[str] = field(default_factory=list)


@dataclass
class StoredMeasure:
    slug: str
    label: str
    description: str | None
    unit: str | None


class Sources:
    """Names to sources: stored ones found by name, new ones proposed once each."""

    def __init__(self, session: Session | None, taken: set[str]):
        self.by_name: dict[str, tuple[str, str]] = {}
        self.stored_slugs: set[str] = set()
        if session is not None:
            aliases = dict(session.exec(select(Source.slug, Source.aliases)).all())
            names = select(Source.slug, Source.name, Source.short_name, Source.kind)
            for slug, name, short_name, kind in session.exec(names):
                self.stored_slugs.add(slug)
                for known in [slug, name, short_name, *(aliases.get(slug) or [])]:
                    if known:
                        self.by_name.setdefault(normal(known), (slug, kind))
        self.taken = set(taken) | self.stored_slugs
        self.proposed: dict[str, Proposed] = {}
        self.used: list[str] = []

    def resolve(self, name: str, parent: str | None = None) -> Proposed:
        key = normal(name)
        for proposed in self.proposed.values():
            if key in (normal(proposed.name), normal(proposed.short_name or "")):
                return proposed
        hit = self.by_name.get(key) or self.by_name.get(slugify(name))
        if hit is not None:
            found = Proposed(hit[0], name, SourceKind(hit[1]), True)
            self._use(found)
            return found
        surname = self._surname_of(name)
        if surname is not None:
            surname.short_name = surname.short_name or name
            surname.reviews.append(
                f"short_name {name!r}: the article's later mention, read as the same person"
            )
            return surname
        slug = self._free(slugify(name) or "source")
        kind, why = guess_kind(name)
        proposed = Proposed(
            slug,
            name,
            kind,
            False,
            reviews=[f"new source: no stored source is named {name!r}; {why}"],
        )
        if parent is not None:
            owner = self.resolve(parent)
            proposed.parent = owner.slug
            proposed.reviews.append(f"parent {owner.slug!r} read from {parent + '’s ' + name!r}")
        self.proposed[slug] = proposed
        self._use(proposed)
        return proposed

    def _use(self, proposed: Proposed) -> None:
        if proposed.slug not in self.used:
            self.used.append(proposed.slug)

    def _surname_of(self, name: str) -> Proposed | None:
        if not re.fullmatch(r"[A-Z][a-z’'-]+", name):
            return None
        for proposed in self.proposed.values():
            if proposed.kind == SourceKind.person and proposed.name.split()[-1] == name:
                return proposed
        return None

    def _free(self, slug: str) -> str:
        candidate, n = slug, 2
        while candidate in self.taken:
            candidate, n = f"{slug}-{n}", n + 1
        self.taken.add(candidate)
        return candidate


def guess_kind(name: str) -> tuple[SourceKind, str]:
    if looks_like_person(name):
        return SourceKind.person, "kind 'person' guessed from a personal name"
    lowered = name.lower()
    for kind, pattern in _KINDS:
        if re.search(rf"\b(?:{pattern})\b", lowered):
            return kind, f"kind {kind.value!r} guessed from the words of the name"
    return (
        SourceKind.news_outlet,
        "kind 'news_outlet' is a bare guess: the name says nothing of what it is",
    )


class Measures:
    """Each figure's measure: a stored term by meaning, or a new one named from its subject."""

    def __init__(self, session: Session | None):
        self.stored: list[StoredMeasure] = []
        if session is not None:
            for slug, label, description, unit in session.exec(
                select(Measure.slug, Measure.label, Measure.description, Measure.unit)
            ):
                self.stored.append(StoredMeasure(slug, label, description, unit))
        self.new: dict[str, dict[str, str]] = {}

    def propose(self, subject: str | None, context: str, unit: str) -> tuple[str, str]:
        """The measure's slug and why it was chosen."""
        wanted = words_of(subject or "") | words_of(context)
        best, score = None, 0.0
        for measure in self.stored:
            label_words = words_of(measure.label)
            have = label_words | words_of(measure.description or "")
            overlap = len(wanted & have) + len(wanted & label_words)
            if measure.unit and measure.unit != unit:
                overlap -= 1
            if overlap > score:
                best, score = measure, overlap
        if best is not None and score >= 2:
            return (
                best.slug,
                f"measure {best.slug!r} chosen for the words it shares with the sentence ({', '.join(sorted(wanted & (words_of(best.label) | words_of(best.description or ''))))})",
            )
        label = subject or unit
        slug = snake(label)
        if slug not in self.new and slug not in {m.slug for m in self.stored}:
            self.new[slug] = {"slug": slug, "label": label[:1].upper() + label[1:], "unit": unit}
        return (
            slug,
            f"new measure {slug!r} named from the subject; check the vocabulary has none for it",
        )
