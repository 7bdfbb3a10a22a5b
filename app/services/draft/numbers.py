"""Finding the numbers a text states: digits with their separators ("50,000", "10.201",
"1.234,5"), words ("nine", "more than a million"), vague orders of magnitude ("tens of
thousands"), percentages, currencies and ranges, each with its place in the text. Dates,
times, ages, durations, ordinals and names with numbers in them ("Su-25", "WW2") are not
figures and are left out.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from app.models.vocab import Qualifier


def _in_order(text: str) -> list[str]:
    return text.split()


_SMALL = _in_order(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
_TENS = _in_order("twenty thirty forty fifty sixty seventy eighty ninety")
WORD_VALUES: dict[str, int] = {w: i for i, w in enumerate(_SMALL)}
WORD_VALUES.update({w: 20 + 10 * i for i, w in enumerate(_TENS)})
SCALES: dict[str, int] = {
    "dozen": 12,
    "hundred": 100,
    "thousand": 1000,
    "million": 10**6,
    "billion": 10**9,
    "trillion": 10**12,
}
_SHORT_SCALES = {"k": 1000, "m": 10**6, "mn": 10**6, "bn": 10**9, "tn": 10**12}

_DIGITS = (
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"
    r"|\d{1,3}(?:\.\d{3})+(?:,\d+)?"
    r"|\d{1,3}(?:[\u00a0\u202f\u2009]\d{3})+(?:[.,]\d+)?"
    r"|\d+(?:[.,]\d+)?"
)
_SMALL_RE = "|".join(_SMALL)
_TENS_RE = "|".join(_TENS)
_SCALE_RE = "dozen|hundred|thousand|million|billion|trillion"
_WORDS = (
    rf"(?:(?:{_TENS_RE})(?:[- ](?:{_SMALL_RE}))?|{_SMALL_RE}|half an?|an?)"
    rf"(?:\s(?:{_SCALE_RE}))*"
)
_CURRENCY_PREFIX = r"US\$|A\$|C\$|\$|€|£|¥|₽|₴|(?:USD|EUR|GBP|RUB|UAH|CHF|JPY|CNY)\s?"
_CURRENCY_WORD = (
    r"US dollars|dollars|euros?|Euros?|pounds sterling|pounds|roubles|rubles|hryvnias?|yuan"
    r"|francs|USD|EUR|GBP|RUB|UAH|CHF"
)
_PERCENT = r"\s?%|\s(?:per\s?cent|percent|percentage points?|pct)\b"
_AMOUNT = re.compile(
    rf"(?<![\w.,/:@#+])(?<![A-Za-z]-)"
    rf"(?P<cur>{_CURRENCY_PREFIX})?"
    rf"(?:(?P<num>{_DIGITS})(?!\d)|(?P<words>\b(?:{_WORDS})\b))"
    rf"(?P<scale>\s(?:{_SCALE_RE})\b|(?:\s?(?:bn|mn|tn)|[mk])\b)?"
    rf"(?P<pct>{_PERCENT})?"
    rf"(?:\s(?P<curword>{_CURRENCY_WORD})\b)?",
    re.IGNORECASE,
)
_VAGUE = re.compile(
    r"\b(?P<vague>(?:tens|hundreds|scores) of (?:thousands|millions|billions)"
    r"|dozens|hundreds|thousands|millions|billions)\b(?=\s+(?:of\s+)?[a-z])",
    re.IGNORECASE,
)
_VAGUE_BOUNDS: dict[str, tuple[int, int | None]] = {
    "dozens": (24, None),
    "hundreds": (100, None),
    "thousands": (1000, None),
    "millions": (10**6, None),
    "billions": (10**9, None),
    "tens of thousands": (10_000, 99_999),
    "tens of millions": (10**7, 10**8 - 1),
    "tens of billions": (10**10, 10**11 - 1),
    "hundreds of thousands": (100_000, 999_999),
    "hundreds of millions": (10**8, 10**9 - 1),
    "hundreds of billions": (10**11, 10**12 - 1),
    "scores of thousands": (40_000, None),
    "scores of millions": (4 * 10**7, None),
    "scores of billions": (4 * 10**10, None),
}
# Killing or wounding "a convoy driver" counts one.
_ONE = re.compile(
    r"\b(?:killed|wounded|injured|murdered|shot dead)\s+(?P<one>an?\s+(?:[a-z’'-]+\s+){0,2}?"
    r"[a-z’'-]+?)(?=\s+(?:while|when|who|and|in|on|at|during|after|before|near|as|with|"
    r"from|but|then|by)\b|[,.;:]|$)",
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DURATION = re.compile(
    r"^[\s-]*(?:(?:full|long|straight|consecutive|more|whole)\s+)?(?:years?|months?|weeks?|"
    r"days?|hours?|minutes?|seconds?|decades?|centuries|century|nights?|hrs?|mins?)\b",
    re.IGNORECASE,
)
_NOT_A_FIGURE_BEFORE = re.compile(
    r"\b(?:article|section|chapter|no\.|number|resolution|decree|order|page|paragraph|"
    r"route|highway|flight|room|platform|gate|case|level|category|grade|phase|stage|type|"
    r"version|model|aged|age of|ages of|size|row|line|point|item|tier|class|term|vol\.|"
    r"issue|season|episode|part|round|lot|unit|district|zone|block|ward|precinct|sector|"
    rf"{_MONTHS})\s*$",
    re.IGNORECASE,
)
_NOT_A_FIGURE_AFTER = re.compile(
    rf"^(?:[a-z]|\s+times\b|\s(?:{_SMALL_RE}|\d+)\s+\d|\s?(?:am|pm|a\.m\.|p\.m\.|gmt|bst|cet|cest|utc|est|edt|h|hrs)\b|:\d|-[a-z]|"
    rf"(?:st|nd|rd|th)\b|\s(?:years? old|of (?:{_MONTHS}))\b|\s(?:{_MONTHS})\b)",
    re.IGNORECASE,
)
_AGE = re.compile(r"(?:[A-Z][a-z’'-]+,\s|(?:children|those|people|aged|age) (?:under|over)\s)$")
_EUROPEAN = re.compile(r"\d{1,3}(?:\.\d{3})+,\d|(?<![\d.,])\d{1,3},\d{1,2}(?![\d,])")


@dataclass
class Number:
    """A number as the text gives it: ``stated`` is ``text[start:end]``."""

    start: int
    end: int
    stated: str
    value: Decimal | None
    lower: Decimal | None = None
    upper: Decimal | None = None
    qualifier: Qualifier = Qualifier.exact
    percent: bool = False
    currency: str | None = None
    year_like: bool = False
    reviews: list[str] = field(default_factory=list)


def european(text: str) -> bool:
    """Whether the text writes decimals with a comma ("1.234,5", "3,5 %")."""
    return bool(_EUROPEAN.search(text))


def parse_digits(raw: str, *, european_text: bool, countable: bool) -> tuple[Decimal, str | None]:
    """The value of digits as written, and why a reading needs checking (or None)."""
    s = re.sub(r"[\u00a0\u202f\u2009]", "", raw)
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):
            return Decimal(s.replace(".", "").replace(",", ".")), None
        return Decimal(s.replace(",", "")), None
    if "," in s:
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+", s):
            note = None
            if european_text and s.count(",") == 1:
                note = (
                    f"read {raw!r} with a comma as the thousands separator, though the article "
                    "writes decimals with a comma elsewhere"
                )
            return Decimal(s.replace(",", "")), note
        return Decimal(s.replace(",", ".")), f"read {raw!r} with a decimal comma"
    if "." in s and re.fullmatch(r"\d{1,3}(?:\.\d{3})+", s):
        if s.count(".") > 1 or countable or european_text:
            why = "what is counted comes in whole units" if countable else "European style"
            return Decimal(s.replace(".", "")), (
                f"read {raw!r} as {s.replace('.', '')} with a full stop as the thousands "
                f"separator ({why}); check it is not a decimal"
            )
        return Decimal(s), f"read {raw!r} as a decimal; check it is not a thousands separator"
    return Decimal(s), None


def plain(value: Decimal) -> Decimal:
    """``50000`` rather than ``5E+4``; ``1.5`` rather than ``1.50``."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def _words_value(words: str) -> Decimal | None:
    parts = words.lower().replace("-", " ").split()
    total, current, seen_number = 0, 0, False
    for part in parts:
        if part in ("a", "an"):
            current = max(current, 1)
        elif part == "half":
            current = -1  # "half a million"
        elif part in WORD_VALUES:
            current += WORD_VALUES[part]
            seen_number = True
        elif part in SCALES:
            scale = SCALES[part]
            seen_number = True
            if current == -1:
                total += scale // 2
                current = 0
            elif scale <= 100:
                current = max(current, 1) * scale
            else:
                total += max(current, 1) * scale
                current = 0
    if not seen_number:
        return None
    return Decimal(total + max(current, 0))


def find(text: str, start: int, end: int, *, european_text: bool) -> list[Number]:
    """The numbers stated in ``text[start:end]``, in order, ranges merged."""
    found: list[Number] = []
    taken: list[tuple[int, int]] = []
    for match in _VAGUE.finditer(text, start, end):
        phrase = match.group("vague").lower()
        low, high = _VAGUE_BOUNDS[phrase]
        after = text[match.end() : match.end() + 12]
        if _DURATION.match(after) or re.match(r"\s+of\s+(?:years|miles|kilometres)", after):
            continue
        number = Number(
            match.start(),
            match.end(),
            match.group(),
            None,
            Decimal(low),
            Decimal(high) if high is not None else None,
            Qualifier.order_of_magnitude,
        )
        number.reviews.append(
            f"{match.group()!r} read as an order of magnitude: bounds {low}"
            + (f" to {high}" if high is not None else " and up")
            + " are an editorial reading of the phrase"
        )
        found.append(number)
        taken.append(match.span())
    for match in _AMOUNT.finditer(text, start, end):
        if any(a <= match.start() < b for a, b in taken):
            continue
        amount = _amount(text, match, european_text)
        if amount is not None:
            found.append(amount)
            taken.append((amount.start, amount.end))
    for match in _ONE.finditer(text, start, end):
        span = match.span("one")
        if any(a <= span[0] < b for a, b in taken):
            continue
        number = Number(span[0], span[1], match.group("one"), Decimal(1))
        number.reviews.append(f"{match.group('one')!r} read as a count of one")
        found.append(number)
    found.sort(key=lambda n: n.start)
    return _ranges(text, found)


def _amount(text: str, match: re.Match[str], european_text: bool) -> Number | None:
    before = text[max(0, match.start() - 24) : match.start()]
    after = text[match.end() : match.end() + 24]
    words, digits = match.group("words"), match.group("num")
    scale_word = (match.group("scale") or "").strip().lower()
    percent = match.group("pct") is not None
    currency = _currency(match.group("cur"), match.group("curword"))
    in_money_range = re.search(r"(?:[$€£¥₽₴]|[A-Z]{3}\s?)[\d.,]+\s?[-–]\s?$", before) is not None
    if scale_word in _SHORT_SCALES and currency is None and not in_money_range:
        return None  # "5m" without a currency is a length, "10k" a run
    if _NOT_A_FIGURE_AFTER.match(after) and not percent and not scale_word:
        return None
    if _NOT_A_FIGURE_BEFORE.search(before) and currency is None and not percent:
        return None
    if _AGE.search(before) and re.match(r"\s*[,)]", after) and not percent:
        return None  # "Captain Ruslan Areno, 44, commands", "children under five"
    if digits is not None and (digits.startswith("0") and len(digits) > 1 and digits[1].isdigit()):
        return None  # "0800 555 0134": a telephone number, not a figure
    if re.search(r"\d\s$", before) or re.search(
        r"(?:children|those|people|aged) (?:under|over)\s$", before
    ):
        return None
    if _DURATION.match(after) and not percent and currency is None:
        return None
    reviews: list[str] = []
    year_like = False
    if words is not None:
        lowered = words.lower()
        if lowered in ("a", "an", "half a", "half an", "one", "zero") and not scale_word:
            return None
        if lowered.split()[0] in ("a", "an") and not re.search(_SCALE_RE, lowered):
            return None
        value = _words_value(words + (" " + scale_word if scale_word else ""))
        if value is None:
            return None
    else:
        assert digits is not None
        countable = bool(re.match(r"\s+[a-z]", after)) and not percent and currency is None
        value, note = parse_digits(digits, european_text=european_text, countable=countable)
        if note:
            reviews.append(note)
        if scale_word:
            value *= SCALES.get(scale_word, _SHORT_SCALES.get(scale_word, 1))
        year_like = (
            re.fullmatch(r"1[89]\d\d|20\d\d|2100", digits) is not None
            and not scale_word
            and not percent
            and currency is None
        )
    return Number(
        match.start(),
        match.end(),
        match.group(),
        plain(value),
        percent=percent,
        currency=currency,
        year_like=year_like,
        reviews=reviews,
    )


def _currency(prefix: str | None, word: str | None) -> str | None:
    symbol = (prefix or "").strip() or (word or "").strip()
    if not symbol:
        return None
    codes = {
        "$": "USD",
        "us$": "USD",
        "a$": "AUD",
        "c$": "CAD",
        "€": "EUR",
        "£": "GBP",
        "¥": "JPY",
        "₽": "RUB",
        "₴": "UAH",
        "us dollars": "USD",
        "dollars": "USD",
        "euro": "EUR",
        "euros": "EUR",
        "pounds": "GBP",
        "pounds sterling": "GBP",
        "roubles": "RUB",
        "rubles": "RUB",
        "hryvnia": "UAH",
        "hryvnias": "UAH",
        "yuan": "CNY",
        "francs": "CHF",
    }
    lowered = symbol.lower()
    return codes.get(lowered, symbol.upper() if symbol.isalpha() else None)


def _ranges(text: str, numbers: list[Number]) -> list[Number]:
    """``between 3 and 5``, ``from 10 to 15``, ``10-15``, ``10 to 15`` as one range."""
    merged: list[Number] = []
    for number in numbers:
        if merged and _joins(text, merged[-1], number):
            first = merged.pop()
            begin = first.start
            lead = re.search(
                r"\b(?:between|from)\s+$", text[max(0, first.start - 9) : first.start], re.I
            )
            if lead:
                begin = first.start - (
                    len(text[max(0, first.start - 9) : first.start]) - lead.start()
                )
            low, high = first.value, number.value
            if first.value is not None and number.value is not None and first.value < number.value:
                # "3 to 5 million": the first end takes the second's scale when it has none.
                scale = _scale_of(number.stated)
                if scale and not _scale_of(first.stated) and first.value * scale <= number.value:
                    low = plain(first.value * scale)
            merged.append(
                Number(
                    begin,
                    number.end,
                    text[begin : number.end],
                    None,
                    low,
                    high,
                    Qualifier.range,
                    percent=number.percent or first.percent,
                    currency=number.currency or first.currency,
                    reviews=first.reviews + number.reviews,
                )
            )
            continue
        merged.append(number)
    return merged


def _scale_of(stated: str) -> int | None:
    for word, scale in SCALES.items():
        if re.search(rf"\b{word}\b", stated, re.IGNORECASE) and scale > 100:
            return scale
    match = re.search(r"\d\s?(bn|mn|tn|m|k)\b", stated, re.IGNORECASE)
    return _SHORT_SCALES[match.group(1).lower()] if match else None


def _joins(text: str, first: Number, second: Number) -> bool:
    if first.value is None or second.value is None or first.year_like or second.year_like:
        return False
    gap = text[first.end : second.start]
    if re.fullmatch(r"\s?[-–—]\s?|\s+to\s+", gap):
        return first.value < second.value or bool(_scale_of(second.stated))
    if re.fullmatch(r"\s+and\s+", gap):
        before = text[max(0, first.start - 9) : first.start]
        return re.search(r"\bbetween\s+$", before, re.IGNORECASE) is not None
    return False
