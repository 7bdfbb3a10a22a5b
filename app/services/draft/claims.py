"""From a number to a candidate figure: the qualifier from the words around it, the unit and
the subject's noun phrase after it, and the dates near it as a candidate period (EDTF).
Everything is read from the sentence; nothing is added to it."""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from app.models.vocab import Qualifier
from app.services.draft.article import Article, Sentence
from app.services.draft.numbers import Number, find


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words right before the number, longest first within each qualifier.
_BEFORE: list[tuple[str, Qualifier]] = [
    (
        r"at least|no fewer than|no less than|not less than|a minimum of|at a minimum",
        Qualifier.at_least,
    ),
    (
        r"more than|well over|just over|over|in excess of|upwards of|above|exceeding|greater than",
        Qualifier.more_than,
    ),
    (
        r"up to|as many as|as much as|at most|no more than|not more than|a maximum of",
        Qualifier.at_most,
    ),
    (r"fewer than|less than|under|below|not even", Qualifier.fewer_than),
    (
        r"about|around|approximately|roughly|some|nearly|almost|close to|an estimated|estimated"
        r"|approx\.|circa|ca\.|just under|~",
        Qualifier.approximately,
    ),
]
_BEFORE_RE = [
    (re.compile(rf"(?:^|(?<=[\s(]))(?:{words})\s*$", re.IGNORECASE), q) for words, q in _BEFORE
]
_AFTER: list[tuple[str, Qualifier]] = [
    (r"\s+or (?:more|above)\b|\+|-plus\b", Qualifier.at_least),
    (r"\s+or (?:so|thereabouts)\b", Qualifier.approximately),
    (r"\s+or (?:fewer|less)\b", Qualifier.at_most),
]
PERSONS = _words(
    "people persons soldiers troops civilians members personnel deserters inmates convicts "
    "prisoners residents children women men workers refugees migrants casualties fighters "
    "recruits volunteers officers staff employees patients victims dead wounded killed "
    "injured journalists students voters protesters demonstrators servicemen servicemembers "
    "sailors pilots mercenaries conscripts reservists citizens inhabitants nationals adults "
    "minors individuals families households detainees hostages captives applicants asylum- "
    "seekers seekers evacuees survivors miners nurses doctors teachers police policemen "
    "officials delegates participants passengers crew inmates guards marines paratroopers "
    "infantrymen drivers driver soldier civilian person man woman child officer policeman "
    "guard prisoner inmate resident worker journalist commanders generals Ukrainians Russians "
    "Syrians Afghans Iraqis"
)
_STOP = _words(
    "have has had were was are is be been being will would could should may might can who "
    "that which whose whom and but or while when where as if because since than then so said "
    "say says told tell reported report according after before during until amid despite per "
    "each every this these those it its their his her our they he she we you i to for by with "
    "at into onto across against toward towards"
)
_CONTINUE = {"from", "in", "of", "on"}
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
_DATE = re.compile(
    r"(?P<prep>\b(?:since|from|until|till|by|to|through|before|after|in|on|during|as of)\s+"
    r"(?:(?:early|mid|late|the end of|the start of|the beginning of)[\s-]+)?)?"
    r"(?:(?P<day>\d{1,2})\s+)?(?:(?P<month>January|February|March|April|May|June|July|August|"
    r"September|October|November|December)\s+)?(?:(?P<day2>\d{1,2}),?\s+)?"
    r"(?P<year>1[89]\d\d|20\d\d)(?![\d.,]\d)",
    re.IGNORECASE,
)


@dataclass
class Claim:
    """A candidate figure, read from one number of the text."""

    number: Number
    sentence: Sentence
    start: int
    end: int
    stated_as: str
    value: Decimal | None
    lower: Decimal | None
    upper: Decimal | None
    qualifier: Qualifier
    unit: str
    subject: str | None
    period: str | None
    reviews: list[str] = field(default_factory=list)


def claims(article: Article) -> list[Claim]:
    """Every numeric claim of the article's sentences (headings and furniture left out)."""
    text = article.text
    european_text = _european(text)
    found: list[Claim] = []
    for sentence in article.sentences:
        for number in find(text, sentence.start, sentence.end, european_text=european_text):
            if number.year_like and not _counted_after(text, number.end):
                continue
            found.append(_claim(text, sentence, number))
    return found


def _european(text: str) -> bool:
    from app.services.draft.numbers import european

    return european(text)


def _counted_after(text: str, end: int) -> bool:
    """A year-like number that counts people ("2000 soldiers") is a figure."""
    word = re.match(r"\s+([A-Za-z-]+)", text[end : end + 40])
    return word is not None and word.group(1).lower() in PERSONS


def _claim(text: str, sentence: Sentence, number: Number) -> Claim:
    start, end = number.start, number.end
    qualifier, value = number.qualifier, number.value
    lower, upper = number.lower, number.upper
    reviews = list(number.reviews)
    if qualifier == Qualifier.exact:
        before = text[sentence.start : start]
        # The longest phrase wins: "no more than" over "more than", "just under" over "under".
        hits = [(m.start(), q) for p, q in _BEFORE_RE if (m := p.search(before))]
        if hits:
            at, qualifier = min(hits, key=lambda hit: hit[0])
            start = sentence.start + at
        else:
            for words, candidate in _AFTER:
                match = re.match(words, text[end : sentence.end], re.IGNORECASE)
                if match:
                    qualifier, end = candidate, end + match.end()
                    break
        if qualifier in (Qualifier.at_least, Qualifier.more_than):
            lower = value
        elif qualifier in (Qualifier.at_most, Qualifier.fewer_than):
            upper = value
    unit, subject, unit_review = _unit_and_subject(text, sentence, number, end)
    if unit_review:
        reviews.append(unit_review)
    period = _period(text, sentence, number)
    if period:
        reviews.append(
            f"period {period!r} read from a date in the same sentence; check it is the time the figure covers"
        )
    return Claim(
        number,
        sentence,
        start,
        end,
        text[start:end],
        value,
        lower,
        upper,
        qualifier,
        unit,
        subject,
        period,
        reviews,
    )


def _unit_and_subject(
    text: str, sentence: Sentence, number: Number, end: int
) -> tuple[str, str | None, str | None]:
    """The unit, the noun phrase after the number, and why the unit needs checking."""
    rest = text[end : sentence.end]
    phrase = noun_phrase(rest)
    if number.percent:
        of = re.match(r"\s+of\s+(.+)", rest)
        subject = noun_phrase(of.group(1)) if of else None
        unit = "percentage points" if "point" in number.stated.lower() else "percent"
        return unit, subject, None
    if number.currency:
        return (
            number.currency,
            phrase,
            (
                f"currency {number.currency} read from {number.stated!r}"
                + (
                    "; “$” alone may be another dollar"
                    if "$" in number.stated and "US" not in number.stated
                    else ""
                )
            ),
        )
    if number.stated.lower().startswith(("a ", "an ")) and number.value == 1:
        head = number.stated.split()[-1]
        return ("persons" if _personal(head) else head[:32]), number.stated.split(None, 1)[1], None
    if phrase is None:
        return "persons", None, "no noun follows the number; the unit 'persons' is a guess"
    head = phrase.split(" from ")[0].split(" in ")[0].split(" of ")[0].split(" on ")[0].split()[-1]
    if _personal(head):
        return "persons", phrase, None
    return head[:32], phrase, f"unit {head[:32]!r} is the noun after the number; check it"


def _personal(word: str) -> bool:
    lowered = word.lower().strip("’'")
    return lowered in PERSONS or word in PERSONS


def noun_phrase(rest: str) -> str | None:
    """The words after a number up to the verb or clause that follows: "of convicts have
    been signed up" gives "convicts"; one "from/in/of/on" phrase may follow the noun."""
    tokens = re.findall(r"[^\s,;:()“”\"!?]+|[,;:()“”\"!?]", rest)
    words: list[str] = []
    continued = False
    for index, token in enumerate(tokens):
        bare = token.rstrip(".")
        lowered = bare.lower()
        if index == 0 and lowered == "of":
            continue
        if not re.match(r"^[\w’'/-]+$", bare) or lowered in _STOP:
            break
        if lowered in _CONTINUE:
            if continued or not words:
                break
            continued = True
            words.append(bare)
            continue
        if re.search(r"\d", bare):
            break
        if words and lowered.endswith("ly") and lowered not in ("family", "italy"):
            break  # "recently killed": an adverb ends the noun phrase
        if words and not continued and lowered.endswith("ed") and lowered not in PERSONS:
            break  # "killed or wounded", "deserted": a verb, not the noun
        words.append(bare)
        if token.endswith(".") or len(words) >= 8:
            break
        following = tokens[index + 1].lower() if index + 1 < len(tokens) else ""
        if _personal(bare) and following not in _CONTINUE:
            break  # "people arrive daily": the noun, not the verb after it
    while words and words[-1].lower() in _CONTINUE | {"the", "a", "an"}:
        words.pop()
    return " ".join(words) or None


def _period(text: str, sentence: Sentence, number: Number) -> str | None:
    """A date in the same sentence as a candidate EDTF period: "since 2022" is ``2022/``,
    "until December 1941" ``/1941-12``, "in October 1941" ``1941-10``."""
    best: tuple[int, str] | None = None
    for match in _DATE.finditer(text, sentence.start, sentence.end):
        if match.start("year") <= number.start < match.end("year"):
            continue
        year = match.group("year")
        month = match.group("month")
        day = match.group("day") or match.group("day2")
        date = year
        if month:
            date += f"-{_MONTHS[month.lower()]:02d}"
            if day and 1 <= int(day) <= 31:
                date += f"-{int(day):02d}"
        prep = (match.group("prep") or "").split()
        word = prep[0].lower() if prep else ""
        if word in ("since", "from", "after"):
            edtf = f"{date}/"
        elif word in ("until", "till", "by", "to", "through", "before"):
            edtf = f"/{date}"
        else:
            edtf = date
        distance = abs(match.start() - number.start)
        if (
            best is None
            or distance < best[0]
            or (edtf.startswith("/") and not best[1].startswith("/"))
        ):
            best = (distance, edtf)
    return best[1] if best else None
