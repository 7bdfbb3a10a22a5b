"""A chain's verbatim quotes shown in their place: the paragraph of the source's stored text
that holds each one, the quote marked in it."""

from typing import Any

from sqlmodel import Session

from app.services.read import sources


def _paragraph(text: str, quote: str) -> tuple[str, str, str] | None:
    """(before, quote, after) within the paragraph of ``text`` that holds ``quote``."""
    at = text.find(quote)
    if at < 0:
        return None
    start = text.rfind("\n\n", 0, at)
    start = 0 if start < 0 else start + 2
    end = text.find("\n\n", at + len(quote))
    end = len(text) if end < 0 else end
    return text[start:at], quote, text[at + len(quote) : end]


def in_place(session: Session, attributions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each link with a quote whose source has a stored text: where the quote stands in it.

    A quote the text does not hold (one recorded as unverified) is shown on its own."""
    quoted = [link for link in attributions if link.get("quote")]
    texts = sources.texts_of(session, sorted({link["source"]["slug"] for link in quoted}))
    passages = []
    for link in quoted:
        text = texts.get(link["source"]["slug"])
        found = _paragraph(text, link["quote"]) if text else None
        before, quote, after = found or ("", link["quote"], "")
        passages.append(
            {
                "source": link["source"],
                "role": link["role"],
                "before": before,
                "quote": quote,
                "after": after,
                "in_text": found is not None,
                "locator": link.get("locator"),
            }
        )
    return passages
