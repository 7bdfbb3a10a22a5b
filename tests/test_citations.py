"""The citation sentence: the source's words, the claimant first, titles in quotation marks."""

from decimal import Decimal

import pytest

from app.services.chains import Link, SourceRef
from app.services.citations import cite


def link(position: int, role: str, slug: str, name: str, kind: str, url: str | None = None) -> Link:
    source = SourceRef(slug, name, kind, None, url, None, None)
    return Link(position, role, None, False, None, None, source)


MINISTRY = link(0, "claimant", "mod", "the ministry", "government_body", "https://example.org/mod")
AGENCY = link(1, "relay", "agency", "The Agency", "news_service")
ARTICLE = link(2, "publisher", "article", "Soldiers flee", "document", "https://example.org/a")


def test_a_full_chain_names_claimant_relay_and_publication():
    assert (
        cite(
            stated_as="at least 50,000",
            value=Decimal(50000),
            unit="persons",
            subject="soldiers",
            chain=[MINISTRY, AGENCY, ARTICLE],
        )
        == "At least 50,000 soldiers, according to the ministry cited by The Agency."
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
    assert (
        cite(
            stated_as="9",
            value=Decimal(9),
            unit="persons",
            subject="inmates",
            chain=[MINISTRY, ARTICLE],
            style="markdown",
        )
        == "9 inmates, according to [the ministry](https://example.org/mod)."
    )


def test_without_a_chain_the_sentence_says_so():
    assert (
        cite(stated_as="1.5", value=Decimal("1.5"), unit="percent", subject=None, chain=[])
        == "1.5 % (no attribution recorded)."
    )


def source(name: str, kind: str, slug: str = "s", url: str | None = None) -> Link:
    return link(0, "claimant", slug, name, kind, url)


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("Ministry of Defense of Ukraine", "government_body", "the Ministry of Defense of Ukraine"),
        (
            "Electronic Library of Historical Documents",
            "archive",
            "the Electronic Library of Historical Documents",
        ),
        ("Federal Security Service", "government_body", "the Federal Security Service"),
        ("Russia’s Ministry of Defence", "government_body", "Russia’s Ministry of Defence"),
        ("RadioFreeEurope/RadioLiberty", "news_service", "RadioFreeEurope/RadioLiberty"),
        ("Dozor", "ngo", "Dozor"),
        ("Friends of the Earth", "person", "Friends of the Earth"),
        ("The Insider", "news_outlet", "The Insider"),
        (
            "leaked 2024 reports from Russia’s Ministry of Defence",
            "document",
            "leaked 2024 reports from Russia’s Ministry of Defence",
        ),
    ],
)
def test_an_institutions_name_takes_the_article_in_running_text(name, kind, expected):
    sentence = cite(
        stated_as="9",
        value=Decimal(9),
        unit="persons",
        subject="inmates",
        chain=[source(name, kind), AGENCY],
    )
    assert sentence == f"9 inmates, according to {expected} cited by The Agency."


@pytest.mark.parametrize(
    ("subject", "value", "expected"),
    [
        (
            "members who deserted since the invasion began",
            50000,
            "members have deserted since the invasion began",
        ),
        ("driver who deserted since May", 1, "driver has deserted since May"),
        (
            "inmates who escaped while being taken to the front",
            9,
            "inmates escaped while being taken to the front",
        ),
        ("convicts signed up for frontline duty", 9, "convicts signed up for frontline duty"),
    ],
)
def test_a_relative_clause_reads_as_a_sentence(subject, value, expected):
    assert (
        cite(
            stated_as=f"{value:,}",
            value=Decimal(value),
            unit="persons",
            subject=subject,
            chain=[MINISTRY],
        )
        == f"{value:,} {expected}, according to the ministry."
    )


def test_the_publication_is_named_only_when_it_is_the_claimant():
    assert (
        cite(
            stated_as="9",
            value=Decimal(9),
            unit="persons",
            subject="inmates",
            chain=[AGENCY, ARTICLE],
        )
        == "9 inmates, according to The Agency."
    )


def test_with_a_base_url_every_source_is_linked_its_own_url_first():
    assert cite(
        stated_as="9",
        value=Decimal(9),
        unit="persons",
        subject="inmates",
        chain=[MINISTRY, AGENCY, ARTICLE],
        style="markdown",
        base_url="https://api.example/",
    ) == (
        "9 inmates, according to [the ministry](https://example.org/mod) cited by "
        "[The Agency](https://api.example/v1/sources/agency)."
    )


def test_html_is_escaped_throughout():
    odd = link(0, "claimant", "odd", "<b>Odd</b> & Co", "ngo", 'https://x.example/?a=1&b="2"')
    relay = link(1, "relay", "r&d", "R&D [desk]", "news_service")
    assert cite(
        stated_as="<5",
        value=None,
        unit="persons",
        subject="people & <i>pets</i>",
        chain=[odd, relay],
        style="html",
        base_url="https://api.example/",
    ) == (
        "&lt;5 people &amp; &lt;i&gt;pets&lt;/i&gt;, according to "
        '<a href="https://x.example/?a=1&amp;b=&quot;2&quot;">&lt;b&gt;Odd&lt;/b&gt; &amp; Co</a>'
        ' cited by <a href="https://api.example/v1/sources/r&amp;d">R&amp;D [desk]</a>.'
    )


def test_markdown_escapes_brackets_in_names():
    relay = link(1, "relay", "desk", "The [night] desk", "news_outlet")
    assert cite(
        stated_as="9",
        value=Decimal(9),
        unit="persons",
        subject="inmates",
        chain=[MINISTRY, relay],
        style="markdown",
        base_url="https://api.example/",
    ) == (
        "9 inmates, according to [the ministry](https://example.org/mod) cited by "
        "[The \\[night\\] desk](https://api.example/v1/sources/desk)."
    )


SEEDED = {
    "deserters-since-invasion": "At least 50,000 Russian service members have deserted since "
    "the invasion began, according to leaked 2024 reports from Russia’s Ministry of Defence "
    "cited by RadioFreeEurope/RadioLiberty.",
    "soldiers-fleeing-thousands": "Thousands of soldiers driven to flee the front, according to "
    "“50,000 deserters: Putin’s army using Stalin’s methods to keep troops from fleeing the "
    "battlefield”.",
    "russian-killed-or-wounded-ua-mod": "More than a million Russian personnel killed or "
    "wounded, according to the Ministry of Defense of Ukraine.",
    "convicts-signed-up-tens-of-thousands": "Tens of thousands of convicts signed up for "
    "frontline duty, according to “50,000 deserters: Putin’s army using Stalin’s methods to "
    "keep troops from fleeing the battlefield”.",
    "leningrad-inmates-escaped": "Nine inmates from Russia’s Leningrad region escaped while "
    "being taken to the front, according to RadioFreeEurope/RadioLiberty.",
    "leningrad-convoy-driver-killed": "A convoy driver killed by the escaping inmates, according "
    "to RadioFreeEurope/RadioLiberty.",
    "sentenced-to-death-1941": "10,201 (stated as “10.201”) troops captured by barrier troops "
    "and sentenced to death, according to the official letter to Lavrentiy Beria of October "
    "1941 cited by the Electronic Library of Historical Documents.",
    "share-sentenced-to-death-1941": "1.5 % of the total (troops captured by barrier troops and "
    "sentenced to death), according to the official letter to Lavrentiy Beria of October 1941 "
    "cited by the Electronic Library of Historical Documents.",
}


class TestTheSeededFigures:
    def test_every_citation_reads_as_a_sentence(self, seeded_client):
        for slug, sentence in SEEDED.items():
            response = seeded_client.get(f"/v1/figures/{slug}/citation")
            assert response.status_code == 200
            assert response.text == sentence, slug
            assert seeded_client.get(f"/v1/figures/{slug}").json()["citation"] == sentence

    def test_markdown_links_each_source_to_its_page_in_the_api(self, seeded_client):
        response = seeded_client.get(
            "/v1/figures/russian-killed-or-wounded-ua-mod/citation?style=markdown"
        )
        assert response.headers["content-type"] == "text/markdown; charset=utf-8"
        assert response.text == (
            "More than a million Russian personnel killed or wounded, according to the "
            "[Ministry of Defense of Ukraine](http://testserver/v1/sources/ua-mod)."
        )

    def test_html_links_each_source_to_its_page_in_the_api(self, seeded_client):
        response = seeded_client.get("/v1/figures/deserters-since-invasion/citation?style=html")
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.text == (
            "At least 50,000 Russian service members have deserted since the invasion began, "
            'according to <a href="http://testserver/v1/sources/ru-mod-leaked-reports-2024">'
            "leaked 2024 reports from Russia’s Ministry of Defence</a> cited by "
            '<a href="http://testserver/v1/sources/rfe-rl">RadioFreeEurope/RadioLiberty</a>.'
        )
