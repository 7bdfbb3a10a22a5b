"""When a quote is not in its document verbatim: the closest passage, and what differs.

A transcriber's quote usually misses by a character a keyboard does not type: a curly
apostrophe typed straight, an en dash typed as a hyphen, a non-breaking space. The message
shows the passage the quote was meant to be and names each difference, so the fix is a copy
from the document rather than a search through it.
"""

import difflib
import re
import unicodedata

# Characters that look alike in print, folded one for one (so positions stay the same).
_FOLD = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
        "‑": "-",
        "−": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\n": " ",
        "\t": " ",
    }
)
_CONTEXT = 8  # characters of the document shown around a short passage
MAX_SHOWN = 300


def _name(text: str) -> str:
    if len(text) != 1:
        return f"“{text}”" if text.strip() else f"{len(text)} space(s)"
    if text == " ":
        return "a space"
    if text == "\n":
        return "a line break"
    return f"{text} ({unicodedata.name(text, f'U+{ord(text):04X}').lower()})"


_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")


def _describe(passage: str, quote: str, limit: int = 3) -> list[str]:
    """Each difference between the document's passage and the quote, word by word (a
    punctuation mark or a space is a word of its own, so a swapped apostrophe shows alone)."""
    have_tokens, typed_tokens = _TOKENS.findall(passage), _TOKENS.findall(quote)
    matcher = difflib.SequenceMatcher(None, have_tokens, typed_tokens, autojunk=False)
    found = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        have, typed = "".join(have_tokens[i1:i2]), "".join(typed_tokens[j1:j2])
        if tag == "replace":
            found.append(f"the text has {_name(have)} where the quote has {_name(typed)}")
        elif tag == "delete":
            found.append(f"the text has {_name(have)} that the quote leaves out")
        else:
            found.append(f"the quote adds {_name(typed)}")
    if len(found) > limit:
        found = [*found[:limit], f"and {len(found) - limit} more difference(s)"]
    return found


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def closest(text: str, quote: str) -> str:
    """``closest passage: “…”; the text has ’ (…) where the quote has ' (…)``, or a plain
    note when nothing in the text resembles the quote."""
    folded_text, folded_quote = text.translate(_FOLD), quote.translate(_FOLD)
    start = folded_text.find(folded_quote)
    if start < 0:
        matcher = difflib.SequenceMatcher(None, folded_text, folded_quote, autojunk=False)
        match = matcher.find_longest_match(0, len(folded_text), 0, len(folded_quote))
        if match.size < min(12, max(4, len(folded_quote) // 3)):
            return "no passage of the text resembles it"
        start = max(0, match.a - match.b)
        # Windows a little shorter and longer than the quote, from the anchor: the best wins.
        # Scored word by word: by characters, a window cut short of a changed word scores
        # higher than the whole passage.
        best, best_end = -1.0, start + len(quote)
        quote_tokens = _TOKENS.findall(folded_quote)
        for end in range(start + max(1, len(quote) - 10), start + len(quote) + 11):
            ratio = difflib.SequenceMatcher(
                None, _TOKENS.findall(folded_text[start:end]), quote_tokens, autojunk=False
            ).ratio()
            if ratio >= best:
                best, best_end = ratio, end
        # Trim what the text has beyond the quote's own first and last matching characters.
        blocks = [
            b
            for b in difflib.SequenceMatcher(
                None, folded_text[start:best_end], folded_quote, autojunk=False
            ).get_matching_blocks()
            if b.size
        ]
        first, last = blocks[0], blocks[-1]
        lo = start + max(0, first.a - first.b)
        hi = start + min(best_end - start, last.a + last.size + len(quote) - last.b - last.size)
        passage = text[lo:hi]
    else:
        passage = text[start : start + len(quote)]
    differences = _describe(passage, quote)
    return f"closest passage: “{_shown(passage)}”; " + "; ".join(differences)
