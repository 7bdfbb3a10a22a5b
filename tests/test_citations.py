"""The citation sentence: the source's words, the claimant first, titles in quotation marks."""

from decimal import Decimal

from app.services.chains import Link, SourceRef
from app.services.citations import cite


def link(position: int, role: str, slug: str, name: str, kind: str, url: str | None = None) -> Link:
    source = SourceRef(slug, name, kind, None, url, None, None)
    return Link(position, role, None, False, None, None, source)


MINISTRY = link(0, "claimant", "mod", "the ministry", "government_body", "https://example.org/mod")
AGENCY = link(1, "relay", "agency", "The Agency", "news_service")
ARTICLE = link(2, "publisher", "article", "Soldiers flee", "document", "https://example.org/a")


def test_a_full_chain_names_claimant_relay_and_publication():
    assert cite(
        stated_as="at least 50,000",
        value=Decimal(50000),
        unit="persons",
        subject="soldiers",
        chain=[MINISTRY, AGENCY, ARTICLE],
    ) == (
        "At least 50,000 soldiers, according to the ministry, cited by The Agency; "
        "published in “Soldiers flee”."
    )


def test_a_vague_count_takes_of_and_an_unsourced_article_is_named_by_its_title():
    only_article = link(0, "claimant", "article", "Soldiers flee", "document")
    assert (
        cite(
            stated_as="tens of thousands",
            value=None,
            unit="persons",
            subject="convicts",
            chain=[only_article],
        )
        == "Tens of thousands of convicts, according to “Soldiers flee”."
    )


def test_a_number_written_another_way_is_spelled_out_and_kept():
    assert (
        cite(
            stated_as="10.201",
            value=Decimal(10201),
            unit="persons",
            subject="troops",
            chain=[MINISTRY],
        )
        == "10,201 (stated as “10.201”) troops, according to the ministry."
    )


def test_markdown_links_the_sources():
    assert cite(
        stated_as="9",
        value=Decimal(9),
        unit="persons",
        subject="inmates",
        chain=[MINISTRY, ARTICLE],
        style="markdown",
    ) == (
        "9 inmates, according to [the ministry](https://example.org/mod); "
        "published in [“Soldiers flee”](https://example.org/a)."
    )


def test_without_a_chain_the_sentence_says_so():
    assert (
        cite(stated_as="1.5", value=Decimal("1.5"), unit="percent", subject=None, chain=[])
        == "1.5 % (no attribution recorded)."
    )
