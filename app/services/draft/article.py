"""Reading the article: plain text as it is, or the text of an HTML page saved from a browser
(trafilatura keeps the article and leaves the page furniture out); then its paragraphs and
sentences, each with its place in the text, so that every quote is cut from the text itself.
"""

import re
from dataclasses import dataclass, field

# A page saved from a browser starts with a doctype or an <html> tag (after any blank space).
_HTML_START = re.compile(r"^\s*(?:<!doctype html|<html|<\?xml[^>]*>\s*<html)", re.IGNORECASE)
_TAG = re.compile(r"<(?:p|div|body|head|article|meta|title|span|br)\b", re.IGNORECASE)

# Where a sentence ends: . ! ? (and a closing quotation mark or bracket after them), then
# space; not after a lone capital ("Franklin D. Roosevelt") or a common abbreviation.
_SENTENCE_END = re.compile(r"[.!?…][”’\"')\]]*(?=\s+|$)")
_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "gen",
    "col",
    "lt",
    "sgt",
    "st",
    "no",
    "vs",
    "etc",
    "approx",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "u.s",
    "u.k",
    "u.n",
    "e.g",
    "i.e",
}
_TERMINAL = '.!?…:;”"’)'
# A line of page furniture or a heading: few words and no sentence end.
_HEADING_WORDS = 16


class ArticleError(ValueError):
    """The input is not an article that can be read (empty, or an HTML page with no text)."""


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int


@dataclass
class Article:
    """The article's text and what was read from it."""

    text: str
    title: str | None = None
    url: str | None = None
    published: str | None = None
    from_html: bool = False
    sentences: list[Sentence] = field(default_factory=list)
    # Paragraphs that are headings, captions or page furniture: never a claim.
    furniture: list[tuple[int, int]] = field(default_factory=list)

    def sentence_at(self, position: int) -> Sentence | None:
        for sentence in self.sentences:
            if sentence.start <= position < sentence.end:
                return sentence
        return None


def looks_like_html(raw: str) -> bool:
    head = raw[:2000]
    return bool(_HTML_START.match(head)) or len(_TAG.findall(head)) >= 3


def read(raw: str) -> Article:
    """The article in ``raw``: an HTML page (its text extracted) or plain text (as given)."""
    if looks_like_html(raw):
        article = _from_html(raw)
    else:
        text = raw.replace("\r\n", "\n").replace("\r", "\n")
        article = Article(text=text)
    if not article.text.strip():
        raise ArticleError("the article has no text")
    _split(article)
    return article


def _from_html(raw: str) -> Article:
    import trafilatura

    text = trafilatura.extract(
        raw,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
        # Not deduplicate: its cache outlives the call, so a page drafted twice would lose
        # every paragraph the first draft saw.
        deduplicate=False,
    )
    if not text or not text.strip():
        raise ArticleError("no article text found in the HTML page")
    meta = trafilatura.extract_metadata(raw)
    article = Article(text=text.strip() + "\n", from_html=True)
    if meta is not None:
        article.title = meta.title or None
        article.url = meta.url or None
        article.published = meta.date or None
    return article


def _is_heading(paragraph: str) -> bool:
    stripped = paragraph.strip()
    if stripped.endswith(("...", "…")):  # a headline cut short: a link or a breadcrumb
        return True
    if not stripped or stripped[-1] in _TERMINAL:
        return False
    if re.match(r"^[-*•–]\s", stripped):  # a list item is text, even without a full stop
        return False
    return len(stripped.split()) <= _HEADING_WORDS


def _split(article: Article) -> None:
    """Paragraphs (blank-line or line separated) and their sentences, with offsets."""
    text = article.text
    for index, match in enumerate(re.finditer(r"[^\n]+", text)):
        start, end = match.span()
        paragraph = match.group()
        if _is_heading(paragraph):
            article.furniture.append((start, end))
            continue
        lead = len(paragraph) - len(paragraph.lstrip())
        cursor = start + lead
        for stop in _sentence_ends(paragraph):
            sentence_end = start + stop
            if text[cursor:sentence_end].strip():
                article.sentences.append(
                    Sentence(cursor, sentence_end, text[cursor:sentence_end], index)
                )
            cursor = sentence_end
            while cursor < end and text[cursor].isspace():
                cursor += 1
        if cursor < end and text[cursor:end].strip():
            tail = text[cursor:end].rstrip()
            article.sentences.append(Sentence(cursor, cursor + len(tail), tail, index))


def _sentence_ends(paragraph: str) -> list[int]:
    ends = []
    for match in _SENTENCE_END.finditer(paragraph):
        before = paragraph[: match.start()]
        word = re.search(r"([\w.]+)$", before)
        token = word.group(1).lower() if word else ""
        if match.group().startswith(".") and (
            token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())
        ):
            continue
        following = paragraph[match.end() :].lstrip()
        # "he said. “More…" ends; "1.5 % of" never reaches here (no space after the point).
        if following and following[0].islower():
            continue
        ends.append(match.end())
    return ends
