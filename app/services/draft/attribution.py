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
    r"recorded|measured|registered|acknowledged|acknowledges|remembers|recalls|explained|"
    r"explains|admitted|insisted|predicted|quoted|counts|records"
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
_CITING = re.compile(
    rf",?\s+(?:citing|quoting|which cited|who cited|which quoted)\s+(?P<y>{_NP}){_NP_END}"
)
_QUOTED_BY = re.compile(rf",?\s+quoted by\s+(?P<y>{_NP}){_NP_END}")
_PUT_AT_BY = re.compile(
    rf"\b(?:put|estimated|valued|set|pegged) at\b[^,;]*?\bby\s+(?P<x>{_NP}){_NP_END}"
)
_PARTICIPLE = re.compile(r"\s+(?:missing|dead|killed|injured|wounded|hurt|safe|alive|lost)\b")
_NOBODY = {"anyone", "someone", "nobody", "everyone", "everybody", "people", "no one", "all"}
_ROLE_NAME = re.compile(r"^(?:[a-z][\w-]*\s+)+(?P<name>(?:[A-Z][a-z’'-]+\s+){1,2}[A-Z][a-z’'-]+)$")
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
    """Reads chains sentence by sentence. Every name an attribution phrase gives is noted
    first, so that "he said", "it counts" and "the service said" can be read as the one
    named last before them."""

    def __init__(self, article: Article):
        self.article = article
        self.named: list[tuple[int, str]] = []
        for sentence in article.sentences:
            for candidate in self._candidates(sentence, sentence.end):
                name = clean(candidate.claimant)
                if name.lower() not in _PRONOUNS and not _definite(candidate.claimant):
                    self.named.append((candidate.position, name))

    def chain(self, sentence: Sentence, position: int) -> Chain:
        candidates, how = self._candidates(sentence, position), None
        if not candidates:
            candidates, how = self._nearby(sentence)
        if not candidates:
            return Chain(None, reviews=[_NO_CLAIMANT])
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
        reviews = [f"chain read from {chosen.phrase!r}" + (f" ({how})" if how else "")]
        if claimant.lower() in _PRONOUNS or _definite(chosen.claimant):
            resolved = self._resolve(claimant, sentence)
            if resolved is None and claimant.lower() not in _PRONOUNS:
                resolved = claimant  # "the opposition says": no earlier name, the words as given
            if resolved is None:
                return Chain(
                    None,
                    reviews=[
                        f"claimant: {claimant!r} names no one the draft can find; {_NO_CLAIMANT}"
                    ],
                )
            reviews.append(f"claimant: {claimant!r} read as {resolved!r}, named before it")
            claimant = resolved
        relays = [r for r in relays if r and r.lower() not in _GENERIC and r != claimant]
        return Chain(claimant, relays, parents, chosen.phrase, reviews)

    def _nearby(self, sentence: Sentence) -> tuple[list[_Candidate], str | None]:
        """No attribution in the sentence: a quotation's "he said" in the same paragraph, an
        earlier sentence of the paragraph, or for a list item the paragraph introducing it."""
        sentences = self.article.sentences
        same = [s for s in sentences if s.paragraph == sentence.paragraph]
        if "“" in sentence.text or '"' in sentence.text:
            for other in sorted(same, key=lambda s: abs(s.start - sentence.start)):
                if other is not sentence and ("”" in other.text or '"' in other.text):
                    found = self._candidates(other, other.end)
                    if found:
                        return found, "the quotation's attribution"
        for other in reversed([s for s in same if s.start < sentence.start]):
            found = self._candidates(other, other.end)
            if found:
                return found, "from an earlier sentence of the paragraph"
        if re.match(r"[-*•–]\s", sentence.text):
            for other in reversed([s for s in sentences if s.start < sentence.start]):
                if re.match(r"[-*•–]\s", other.text):
                    continue
                found = self._candidates(other, other.end)
                return found, "from the paragraph introducing the list"
        return [], None

    def _resolve(self, name: str, sentence: Sentence) -> str | None:
        lowered = name.lower()
        earlier = [n for p, n in sorted(self.named) if p < sentence.start]
        if lowered in ("he", "she", "i"):
            people = [n for n in earlier if looks_like_person(n)]
            if people:
                return people[-1]
            names = _names_before(self.article.text, sentence.start)
            return names[-1] if names else None
        if lowered in _PRONOUNS:
            previous = [
                s
                for s in self.article.sentences
                if s.paragraph == sentence.paragraph and s.start < sentence.start
            ]
            if previous:
                said = self._candidates(previous[-1], previous[-1].end)
                if said and clean(said[-1].claimant).lower() not in _PRONOUNS:
                    if not _definite(said[-1].claimant):
                        return clean(said[-1].claimant)
                    return self._resolve(clean(said[-1].claimant), previous[-1])
                opening = opening_phrase(previous[-1].text)
                if opening and opening.lower() not in _PRONOUNS:
                    return opening
            bodies = [n for n in earlier if not looks_like_person(n)]
            return bodies[-1] if bodies else None
        head = lowered.split()[-1]
        for known in reversed(earlier):
            if head in known.lower().split():
                return known
        return None

    def _candidates(self, sentence: Sentence, position: int) -> list[_Candidate]:
        text, base = sentence.text, sentence.start
        found: list[_Candidate] = []
        for match in _ACCORDING.finditer(text):
            x, relays = match.group("x"), []
            citing = _CITING.match(text, match.end())
            if citing:
                x, relays = citing.group("y"), [match.group("x")]
            found.append(_Candidate(base + match.start(), x, relays, match.group(0)))
        for pattern in (_BY, _FROM, _POSSESSIVE, _PUT_AT_BY):
            for match in pattern.finditer(text):
                found.append(_Candidate(base + match.start(), match.group("x"), [], match.group(0)))
        for match in _QUOTED_BY.finditer(text):
            subject, _ = subject_before(text, match.start())
            if subject:
                found.append(
                    _Candidate(base + match.start(), subject, [match.group("y")], match.group(0))
                )
        spans = [(c.position - base, c.position - base + len(c.phrase)) for c in found]
        for match in _SAY_RE.finditer(text):
            if any(a <= match.start() < b for a, b in spans):
                continue  # "according to the leaked reports": a noun inside another phrase
            if _PARTICIPLE.match(text, match.end()):
                continue  # "people reported missing"
            candidate = self._said(text, base, match, position)
            if candidate is not None:
                found.append(candidate)
        return [c for c in found if _usable(c.claimant)]

    def _said(self, text: str, base: int, verb: re.Match[str], position: int) -> _Candidate | None:
        subject, stopped_at = subject_before(text, verb.start())
        word = verb.group()
        relays: list[str] = []
        if re.search(r"\d", subject):
            return None  # "for 14 people reported": not a name
        if not subject and stopped_at in ("but", "and"):
            subject = opening_phrase(text) or ""  # "X declined to confirm it but said"
        if not subject:
            # '“…,” said Maria Lopez' / '…, said the ministry': the name follows the verb.
            if re.search(r"[,”\"]\s*$", text[: verb.start()]) and word in _INVERTED:
                after = re.match(rf"\s+(?P<x>{_NP}){_NP_END}", text[verb.end() :])
                if after:
                    phrase = text[verb.start() : verb.end() + after.end()]
                    return _Candidate(base + verb.start(), after.group("x"), [], phrase)
            return None
        if stopped_at in ("that", "which", "who") and base + verb.start() > position:
            return None  # "a pool that observers say has produced": about the clause only
        if word in ("told", "tells"):
            told = _TOLD.match(text, verb.start())
            if told:
                relays.append(told.group("y"))
        quoted = _QUOTED_AS.match(text, verb.start()) if word == "quoted" else None
        if quoted:
            return _Candidate(base + verb.start(), quoted.group("x"), [subject], quoted.group(0))
        if word == "quoted":
            return None
        citing = _CITING.match(text, verb.end())
        claimant = subject
        if citing:
            claimant, relays = citing.group("y"), [subject]
        at = text.rfind(subject, 0, verb.start())
        return _Candidate(base + max(at, 0), claimant, relays, text[max(at, 0) : verb.end()])


_NO_CLAIMANT = "claimant: no attribution found; the article is recorded as saying it"
_INVERTED = ("said", "says", "added", "wrote", "told")


def _definite(name: str) -> bool:
    """'the service', 'the chamber': a body named before, referred back to."""
    return (
        re.fullmatch(r"(?:the|its|their)\s+[a-z]+", " ".join(name.split()).lower()) is not None
        and not name.split()[-1][0].isupper()
    )


def _usable(name: str) -> bool:
    cleaned = clean(name)
    return bool(cleaned) and cleaned.lower() not in _NOBODY


def opening_phrase(text: str) -> str | None:
    """The noun phrase a sentence opens with ("The Kelvarian interior ministry gives …")."""
    words: list[str] = []
    for token in re.findall(r"[\w’'./&-]+|[^\w\s]", text.lstrip('“"')):
        lowered = token.lower()
        if not re.match(r"^[\w’'./&-]+$", token) or lowered in _BACK_STOP:
            break
        if (
            words
            and token[0].islower()
            and (lowered.endswith(("ed", "s")) and lowered not in _NOUN_ENDINGS_OK)
        ):
            break
        words.append(token)
        if len(words) >= 7:
            break
    phrase = " ".join(words)
    return clean(phrase) if phrase and (phrase[0].isupper()) else None


_NOUN_ENDINGS_OK = {
    "news",
    "forces",
    "affairs",
    "services",
    "officials",
    "authorities",
    "economists",
    "analysts",
    "police",
}


def subject_before(text: str, end: int) -> tuple[str, str | None]:
    """The noun phrase right before ``end`` ("Yevgeny Kochegin, who leads …, told": the
    appositive is skipped), and the word the scan stopped at."""
    tokens = re.findall(r"[\w’'./&-]+|[^\w\s]", text[:end])
    index = len(tokens) - 1
    while index >= 0 and (
        tokens[index].lower() in _SKIP_BEFORE_VERB or re.fullmatch(r"[a-z]+ly", tokens[index])
    ):
        index -= 1
    if index >= 0 and tokens[index] == ",":
        commas = [i for i in range(index) if tokens[i] == ","]
        between = " ".join(tokens[commas[-1] + 1 : index]) if commas else ""
        if commas and looks_like_person(between):
            return between, ","  # "its director, Salme Ruud, said"
        index = commas[-1] - 1 if commas else index - 1
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
    while words and words[0].lower() in _CONNECTORS - {"the"}:
        words.pop(0)
    # "Since January the service": the phrase starts at its last article.
    for i in range(len(words) - 1, 0, -1):
        if words[i].lower() == "the" and words[i - 1].lower() not in _CONNECTORS:
            words = words[i:]
            break
    phrase = " ".join(words)
    role = _ROLE_NAME.match(phrase)
    if role and looks_like_person(role.group("name")):
        phrase = role.group("name")  # "emergency service spokeswoman Lida Maresh"
    return phrase, stopped


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
