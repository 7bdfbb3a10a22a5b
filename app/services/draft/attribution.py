"""Who says a number: the claimant and the relays named by the sentence's attribution phrases
("according to X", "X said", "X told Y", "reported by X", "numbers from X say", "X's
figures", "X, citing Y"). Names are cut from the text as written; the article is the
publisher, and the claimant when no one else is named."""

import re
from dataclasses import dataclass, field

from app.services.draft.article import Article, Sentence


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NP = r"[^,;:“”\"()]+?"
_NP_END = r"(?=\s*(?:,|;|:|\.(?:\s|$)|“|”|\"|\(|$)|\s+(?:that|as|on|in a|last|this|earlier)\b)"
_SAY = (
    r"said|says|say|told|tells|reported|reports|estimated|estimates|estimate|claimed|claims|"
    r"claim|stated|states|announced|announces|added|adds|wrote|writes|noted|notes|confirmed|"
    r"confirms|believes|believe|warned|warns|alleged|alleges|calculated|calculates|counted|"
    r"counts|recorded|records|found|finds|put|puts|showed|shows|show|suggested|suggests"
)
_SAY_RE = re.compile(rf"\b(?:{_SAY})\b")
_ACCORDING = re.compile(rf"\b[Aa]ccording to\s+(?P<x>{_NP}){_NP_END}")
_BY = re.compile(
    rf"\b(?:reported|described|estimated|published|released|compiled|cited|confirmed|counted|"
    rf"recorded|announced|provided|given|issued|documented|verified|gathered|collected|"
    rf"calculated|put forward) by\s+(?P<x>{_NP}){_NP_END}"
)
_FROM = re.compile(
    rf"\b(?:[Nn]umbers|[Ff]igures|[Dd]ata|[Ss]tatistics|[Ee]stimates|[Cc]ounts|[Tt]all(?:y|ies)|"
    rf"[Rr]ecords)\s+(?:from|by|of|published by|released by|compiled by|gathered by)\s+"
    rf"(?P<x>{_NP})\s+(?:say|says|show|shows|suggest|suggests|indicate|indicates|put|showed)\b"
)
_POSSESSIVE = re.compile(
    r"(?P<x>(?:[A-Z][\w./&-]*\s+){0,5}[A-Z][\w./&-]*)[’']s?\s+(?:own\s+|latest\s+|new\s+|"
    r"official\s+|most recent\s+|monthly\s+|annual\s+|weekly\s+|daily\s+|preliminary\s+)?"
    r"(?:figures|data|estimates?|count|tally|report|statistics|numbers|survey|census|"
    r"assessment|analysis|records)\b"
)
_CITING = re.compile(rf",?\s+(?:citing|quoting)\s+(?P<y>{_NP}){_NP_END}")
_QUOTED_AS = re.compile(rf"\bquoted\s+(?P<x>{_NP})\s+as saying")
_TOLD = re.compile(rf"\btold\s+(?P<y>{_NP})(?=\s+that\b|\s*[,.;:]|$)")
_BACK_STOP = _words(
    """that which who whom whose and but as while when if because so then also has have had
    was were is are be been will would could may might can not never to by with from
    after before although though where said says say reported told according than
    however meanwhile yet since"""
)
_SKIP_BEFORE_VERB = _words(
    "also later then previously separately reportedly earlier further has have had had "
    "recently initially first subsequently now today yesterday"
)
_CONNECTORS = {"of", "for", "the", "and", "de", "in", "at", "on", "’s", "'s"}
_DETERMINERS = ("the ", "a ", "an ", "some ", "its ", "their ", "his ", "her ")
_PRONOUNS = {"he", "she", "they", "it", "we", "i"}
_GENERIC = {"reporters", "journalists", "the press", "media", "us", "me", "him", "her", "them"}


@dataclass
class Chain:
    """A candidate chain: ``claimant`` is None when the article itself says it."""

    claimant: str | None
    relays: list[str] = field(default_factory=list)
    parents: dict[str, str] = field(default_factory=dict)
    phrase: str | None = None
    reviews: list[str] = field(default_factory=list)


@dataclass
class _Candidate:
    position: int
    claimant: str
    relays: list[str]
    phrase: str
    after_number: bool = False


def clean(name: str) -> str:
    """A name as cited: no leading article or trailing possessive or punctuation."""
    name = " ".join(name.split()).strip(" ,.;:")
    lowered = name.lower()
    for determiner in _DETERMINERS:
        if lowered.startswith(determiner):
            name = name[len(determiner) :]
            break
    return re.sub(r"[’']s$", "", name).strip()


class Attributor:
    """Reads chains sentence by sentence, remembering who spoke last for "he said"."""

    def __init__(self, article: Article):
        self.article = article
        self.people: list[tuple[int, str]] = []
        self.bodies: list[tuple[int, str]] = []

    def chain(self, sentence: Sentence, position: int) -> Chain:
        candidates = self._candidates(sentence, position)
        if not candidates:
            candidates = self._quoted_later(sentence, position)
        if not candidates:
            return Chain(
                None,
                reviews=[
                    "claimant: no attribution in the sentence; the article is recorded as saying it"
                ],
            )
        before = [c for c in candidates if c.position <= position]
        chosen = (
            max(before, key=lambda c: c.position)
            if before
            else min(candidates, key=lambda c: c.position)
        )
        parents: dict[str, str] = {}
        relays = []
        for relay in chosen.relays:
            owner = re.match(r"(?P<p>.+?)[’']s\s+(?P<c>[A-Z].+)$", relay)
            if owner:
                parents[clean(owner.group("c"))] = clean(owner.group("p"))
                relays.append(clean(owner.group("c")))
            else:
                relays.append(clean(relay))
        claimant = clean(chosen.claimant)
        reviews = [f"chain read from {chosen.phrase!r}"]
        if claimant.lower() in _PRONOUNS:
            resolved = self._resolve(claimant.lower(), sentence.start)
            if resolved is None:
                return Chain(
                    None,
                    reviews=[
                        f"claimant: {claimant!r} names no one the draft can find; the article is recorded"
                    ],
                )
            reviews.append(f"claimant: {claimant!r} read as {resolved!r}, the last named before it")
            claimant = resolved
        self._remember(claimant, sentence.start)
        return Chain(
            claimant,
            [r for r in relays if r and r.lower() not in _GENERIC],
            parents,
            chosen.phrase,
            reviews,
        )

    def _remember(self, name: str, position: int) -> None:
        if looks_like_person(name):
            self.people.append((position, name))
        else:
            self.bodies.append((position, name))

    def _resolve(self, pronoun: str, position: int) -> str | None:
        pool = self.people if pronoun in ("he", "she", "i") else self.bodies + self.people
        earlier = [(p, n) for p, n in pool if p <= position]
        if not earlier:
            names = _names_before(self.article.text, position)
            return names[-1] if names and pronoun in ("he", "she") else None
        return max(earlier)[1]

    def _candidates(self, sentence: Sentence, position: int) -> list[_Candidate]:
        text, base = sentence.text, sentence.start
        found: list[_Candidate] = []
        for match in _ACCORDING.finditer(text):
            x, relays = match.group("x"), []
            citing = _CITING.match(text, match.end())
            if citing:
                x, relays = citing.group("y"), [match.group("x")]
            found.append(_Candidate(base + match.start(), x, relays, match.group(0)))
        for pattern in (_BY, _FROM, _POSSESSIVE):
            for match in pattern.finditer(text):
                found.append(_Candidate(base + match.start(), match.group("x"), [], match.group(0)))
        spans = [(c.position - base, c.position - base + len(c.phrase)) for c in found]
        for match in _SAY_RE.finditer(text):
            if any(a <= match.start() < b for a, b in spans):
                continue  # "according to the leaked reports": a noun inside another phrase
            candidate = self._said(text, base, match, position)
            if candidate is not None:
                found.append(candidate)
        return [c for c in found if clean(c.claimant)]

    def _said(self, text: str, base: int, verb: re.Match[str], position: int) -> _Candidate | None:
        subject, stopped_at = subject_before(text, verb.start())
        word = verb.group()
        relays: list[str] = []
        if not subject:
            # '“…,” said Maria Lopez' / '…, said the ministry': the name follows the verb.
            if re.search(r"[,”\"]\s*$", text[: verb.start()]) and word in (
                "said",
                "says",
                "added",
                "wrote",
            ):
                after = re.match(rf"\s+(?P<x>{_NP}){_NP_END}", text[verb.end() :])
                if after:
                    return _Candidate(
                        base + verb.start(),
                        after.group("x"),
                        [],
                        text[verb.start() : verb.end() + after.end()],
                    )
            return None
        if stopped_at in ("that", "which", "who") and base + verb.start() > position:
            return (
                None  # "a pool that observers say has produced": about the clause, not the number
            )
        if word in ("told", "tells"):
            told = _TOLD.match(text, verb.start())
            if told:
                relays.append(told.group("y"))
        quoted = _QUOTED_AS.match(text, verb.end() + 1) if word == "quoted" else None
        if quoted:
            return _Candidate(base + verb.start(), quoted.group("x"), [subject], quoted.group(0))
        citing = _CITING.match(text, verb.end())
        claimant = subject
        if citing:
            claimant, relays = citing.group("y"), [subject]
        start = base + verb.start() - len(subject) - 1
        return _Candidate(
            start, claimant, relays, text[verb.start() - len(subject) - 1 : verb.end()].strip()
        )

    def _quoted_later(self, sentence: Sentence, position: int) -> list[_Candidate]:
        """A number inside a quotation whose "he said" comes in a later sentence."""
        if "“" not in sentence.text and '"' not in sentence.text:
            return []
        for later in self.article.sentences:
            if later.paragraph != sentence.paragraph or later.start <= sentence.start:
                continue
            close = max(later.text.rfind("”"), later.text.rfind('"'))
            if close < 0:
                continue
            found = self._candidates(later, later.start + close)
            if found:
                return found
        return []


def subject_before(text: str, end: int) -> tuple[str, str | None]:
    """The noun phrase right before ``end`` ("Yevgeny Kochegin, who leads …, told": the
    appositive is skipped), and the word the scan stopped at."""
    tokens = re.findall(r"[\w’'./&-]+|[^\w\s]", text[:end])
    index = len(tokens) - 1
    while index >= 0 and tokens[index].lower() in _SKIP_BEFORE_VERB:
        index -= 1
    if index >= 0 and tokens[index] == ",":
        commas = [i for i in range(index) if tokens[i] == ","]
        if commas:
            index = commas[-1] - 1
    words: list[str] = []
    stopped: str | None = None
    while index >= 0 and len(words) < 9:
        token = tokens[index]
        lowered = token.lower()
        if not re.match(r"^[\w’'./&-]+$", token) or lowered in _BACK_STOP:
            stopped = lowered
            break
        words.insert(0, token)
        index -= 1
    while words and words[0].lower() in _CONNECTORS:
        words.pop(0)
    return " ".join(words), stopped


def looks_like_person(name: str) -> bool:
    """Two to four capitalised words and no word an organisation's name has."""
    parts = name.split()
    if not 2 <= len(parts) <= 4 or not all(re.match(r"^[A-Z][a-z’'-]+$", p) for p in parts):
        return False
    return not any(p.lower() in _ORGANISATION_WORDS for p in parts)


_ORGANISATION_WORDS = _words(
    """ministry ministries office department agency service services army forces force
    police council committee commission court parliament government group union bank fund
    institute university news times post radio television tv press network library archive
    organisation organization foundation watch center centre bureau authority authorities
    command staff navy guard guards party campaign association society international
    national federal state regional city county republic kingdom united nations red cross
    report reports letter data monitor mission project program programme"""
)


def _names_before(text: str, position: int) -> list[str]:
    return [
        m.group()
        for m in re.finditer(r"\b[A-Z][a-z]+(?:\s[A-Z][a-z]+){1,2}\b", text[:position])
        if looks_like_person(m.group())
    ]
