"""How a figure's number reads in a sentence: its own words with the qualifier always in
them ("at least 50,000", "about 95 million"), and the unit after a bare number."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


def english_number(value: Decimal) -> str:
    """10201 -> '10,201'; 1.5 -> '1.5'."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    whole, _, fraction = format(value, "f").partition(".")
    return f"{int(whole):,}.{fraction}" if whole not in ("", "-") else format(value, "f")


@dataclass(frozen=True, slots=True)
class Amount:
    """What a figure says, as the citation needs it."""

    stated_as: str
    qualifier: str = "exact"
    value: Decimal | None = None
    lower_bound: Decimal | None = None
    upper_bound: Decimal | None = None
    unit: str = "persons"


# The words that carry each qualifier; a phrase that has none of its qualifier's gets them.
_QUALIFIER_WORDS = {
    "approximately": r"\b(?:about|approximately|approx|around|roughly|some|nearly|almost|"
    r"close to|estimated|circa|or so)\b|~|≈|\bc\.\s*\d",
    "at_least": r"\b(?:at least|no fewer than|no less than|minimum|or more)\b|\d\+",
    "at_most": r"\b(?:at most|up to|no more than|maximum|or fewer|or less|as many as)\b",
    "fewer_than": r"\b(?:fewer than|less than|under|below)\b|<",
    "more_than": r"\b(?:more than|over|above|upwards of|in excess of|exceeding)\b|>",
    "range": r"\bbetween\b.+\band\b|\bfrom\b.+\bto\b|\d\s*(?:–|-|to)\s*\S*\d",
    "order_of_magnitude": r"\b(?:dozens|scores|hundreds|thousands|millions|billions|"
    r"order of)\b",
}
_PREFIX = {
    "approximately": "about",
    "at_least": "at least",
    "at_most": "at most",
    "fewer_than": "fewer than",
    "more_than": "more than",
    "order_of_magnitude": "on the order of",
}
# A number as English writes it: grouped by commas in threes, an optional decimal point and
# an optional scale word ("95 million").
_ENGLISH_NUMBER = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\d,]*\d)(?:\s+(thousand|million|billion)\b)?"
)
_SCALE = {None: 1, "thousand": 10**3, "million": 10**6, "billion": 10**9}
# A phrase that ends on its number ("95 million", "nine", "1,000") takes the unit after it.
_ENDS_ON_NUMBER = re.compile(
    r"(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen|dozens|"
    r"hundreds|thousands|millions|billions))$",
    re.IGNORECASE,
)
# "tens of thousands", "hundreds", "dozens": vague counts that take "of" before the noun.
VAGUE_COUNT = re.compile(r"\b(dozens|hundreds|thousands|millions|billions)$", re.IGNORECASE)
_CURRENCY_SIGN = re.compile(r"[$€£¥₽₴]")


def _has_qualifier(words: str, qualifier: str) -> bool:
    pattern = _QUALIFIER_WORDS.get(qualifier)
    return pattern is None or re.search(pattern, words, re.IGNORECASE) is not None


def _reads_english(amount: Amount) -> bool:
    """Whether every number in the words is written the English way and is one of the
    figure's own (its value or a bound): then the words are the sentence's."""
    numbers = {n for n in (amount.value, amount.lower_bound, amount.upper_bound) if n is not None}
    for match in _ENGLISH_NUMBER.finditer(amount.stated_as):
        try:
            number = Decimal(match[1].replace(",", "") + (match[2] or ""))
        except InvalidOperation:  # pragma: no cover - the pattern only takes digits
            return False
        if number * _SCALE[match[3]] not in numbers:
            return False
    leftover = _ENGLISH_NUMBER.sub("", amount.stated_as)
    return not re.search(r"\d", leftover)


def _unit(amount: Amount, words: str, subject: str | None) -> str:
    """The unit as it reads after a number: `%` for percent, the unit's own name for
    anything but persons, "people" for persons without a subject to name them."""
    if not _ENDS_ON_NUMBER.search(words):
        return ""
    vague = VAGUE_COUNT.search(words) is not None
    if amount.unit == "persons":
        return "" if subject else (" of people" if vague else " people")
    if amount.unit == "percent":
        return " of percent" if vague else " %"
    if _CURRENCY_SIGN.search(words):
        return ""
    return f" of {amount.unit}" if vague else f" {amount.unit}"


def _prefix(amount: Amount) -> str:
    if amount.qualifier == "fewer_than" and amount.unit != "persons":
        return "less than"
    return _PREFIX.get(amount.qualifier, "")


def _lead(amount: Amount) -> str | None:
    """The figure in English numbers with its qualifier ("about 95,000,000", "between 150
    and 250"); None when the record has no number to write."""
    low, high = amount.lower_bound, amount.upper_bound
    if amount.qualifier == "range":
        if low is None or high is None:
            return None
        return f"between {english_number(low)} and {english_number(high)}"
    if amount.qualifier in ("at_most", "fewer_than"):
        number = amount.value if amount.value is not None else high
    else:
        number = amount.value if amount.value is not None else low
    if number is None:
        return None
    return " ".join(p for p in (_prefix(amount), english_number(number)) if p)


def phrase(amount: Amount, subject: str | None = None) -> str:
    """The figure's words with its qualifier and unit: the source's own words where they are
    written the English way (the qualifier added when they lack it), else the English number
    with its qualifier and the words quoted after it."""
    words = amount.stated_as
    if _reads_english(amount) and (amount.qualifier != "range" or _has_qualifier(words, "range")):
        if not _has_qualifier(words, amount.qualifier):
            words = f"{_prefix(amount)} {words}" if _prefix(amount) else words
        if amount.unit == "percent" and ("%" in words or "percent" in words):
            return words
        return words + _unit(amount, words, subject)
    lead = _lead(amount)
    if lead is None:
        return words
    return f"{lead}{_unit(amount, lead, subject)} (stated as “{words}”)"
