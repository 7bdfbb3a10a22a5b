"""The citation sentence: the source's words with their qualifier, the claimant first, then
who relayed it and where it was published; titles in quotation marks."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.services.common.views import Link, SourceRef
from app.services.present.citations import cite, published_date, retracted
from tests import builders


def link(
    position: int,
    role: str,
    slug: str,
    name: str,
    kind: str,
    url: str | None = None,
    *,
    short_name: str | None = None,
    published: str | None = None,
) -> Link:
    source = SourceRef(
        slug, name, kind, None, url, None, None, short_name=short_name, published=published
    )
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
        == "At least 50,000 soldiers, according to the ministry cited by The Agency, as "
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
    assert (
        cite(
            stated_as="9",
            value=Decimal(9),
            unit="persons",
            subject="inmates",
            chain=[MINISTRY, ARTICLE],
            style="markdown",
        )
        == "9 inmates, according to [the ministry](https://example.org/mod), as published in "
        "[“Soldiers flee”](https://example.org/a)."
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


def test_the_publication_is_named_after_the_claimant():
    assert (
        cite(
            stated_as="9",
            value=Decimal(9),
            unit="persons",
            subject="inmates",
            chain=[AGENCY, ARTICLE],
        )
        == "9 inmates, according to The Agency, as published in “Soldiers flee”."
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
        "[The Agency](https://api.example/v1/sources/agency), as published in "
        "[“Soldiers flee”](https://example.org/a)."
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


def test_an_approximate_figure_keeps_its_about():
    # Reproduced: "95,000,000 (stated as “95 million”) the cost of the new tram line,
    # according to Valemont transport office." was more precise than its source.
    office = link(
        0, "claimant", "valemont-transport", "Valemont transport office", "government_body"
    )
    assert (
        cite(
            stated_as="95 million",
            value=Decimal(95_000_000),
            qualifier="approximately",
            unit="EUR",
            subject="the cost of the new tram line",
            chain=[office],
        )
        == "About 95 million EUR, the cost of the new tram line, according to the Valemont "
        "transport office."
    )


# Every qualifier, every kind of unit, every shape of chain: the exact sentence of each.
# The words as recorded, with the figure's numbers (value, lower and upper bound).
WORDS = {
    "exact": ("12", Decimal(12), None, None),
    "approximately": ("40", Decimal(40), None, None),
    "at_least": ("at least 40", None, Decimal(40), None),
    "at_most": ("40", None, None, Decimal(40)),
    "fewer_than": ("40", None, None, Decimal(40)),
    "more_than": ("over 40", None, Decimal(40), None),
    "range": ("30 to 40", None, Decimal(30), Decimal(40)),
    "order_of_magnitude": ("hundreds", None, Decimal(100), Decimal(999)),
}
# How each reads in the sentence, for a count of persons, a percentage and an amount of money.
HEADS = {
    ("exact", "persons"): "12 people",
    ("exact", "percent"): "12 %",
    ("exact", "crowns"): "12 crowns",
    ("approximately", "persons"): "About 40 people",
    ("approximately", "percent"): "About 40 %",
    ("approximately", "crowns"): "About 40 crowns",
    ("at_least", "persons"): "At least 40 people",
    ("at_least", "percent"): "At least 40 %",
    ("at_least", "crowns"): "At least 40 crowns",
    ("at_most", "persons"): "At most 40 people",
    ("at_most", "percent"): "At most 40 %",
    ("at_most", "crowns"): "At most 40 crowns",
    ("fewer_than", "persons"): "Fewer than 40 people",
    ("fewer_than", "percent"): "Less than 40 %",
    ("fewer_than", "crowns"): "Less than 40 crowns",
    ("more_than", "persons"): "Over 40 people",
    ("more_than", "percent"): "Over 40 %",
    ("more_than", "crowns"): "Over 40 crowns",
    ("range", "persons"): "30 to 40 people",
    ("range", "percent"): "30 to 40 %",
    ("range", "crowns"): "30 to 40 crowns",
    ("order_of_magnitude", "persons"): "Hundreds of people",
    ("order_of_magnitude", "percent"): "Hundreds of percent",
    ("order_of_magnitude", "crowns"): "Hundreds of crowns",
}
OFFICE = link(0, "claimant", "office", "Valemont transport office", "government_body")
WIRE = link(
    2, "relay", "rfe-rl", "RadioFreeEurope/RadioLiberty", "news_service", short_name="RFE/RL"
)
PAPER = link(3, "publisher", "paper", "Tram costs soar", "document", published="2024-03")
CHAINS = {
    "claimant only": ([OFFICE], ", according to the Valemont transport office."),
    "claimant and relay": (
        [OFFICE, AGENCY],
        ", according to the Valemont transport office cited by The Agency.",
    ),
    "claimant, relays and publisher": (
        [OFFICE, AGENCY, WIRE, PAPER],
        ", according to the Valemont transport office cited by The Agency and RFE/RL, as "
        "published in “Tram costs soar” (March 2024).",
    ),
    "claimant is the publication": (
        [link(0, "claimant", "paper", "Tram costs soar", "document", published="2024-03")],
        ", according to “Tram costs soar” (March 2024).",
    ),
}


@pytest.mark.parametrize("shape", list(CHAINS))
@pytest.mark.parametrize("unit", ["persons", "percent", "crowns"])
@pytest.mark.parametrize("qualifier", list(WORDS))
def test_every_qualifier_unit_and_chain_reads_exactly(qualifier, unit, shape):
    stated_as, value, lower, upper = WORDS[qualifier]
    chain, attribution = CHAINS[shape]
    assert (
        cite(
            stated_as=stated_as,
            value=value,
            lower_bound=lower,
            upper_bound=upper,
            qualifier=qualifier,
            unit=unit,
            subject=None,
            chain=chain,
        )
        == HEADS[qualifier, unit] + attribution
    )


@pytest.mark.parametrize(
    ("qualifier", "stated_as", "numbers", "unit", "expected"),
    [
        # Written the English way: the words stay, the qualifier is added when they lack it.
        (
            "approximately",
            "95 million",
            (95_000_000, None, None),
            "persons",
            "About 95 million people",
        ),
        (
            "approximately",
            "roughly 95 million",
            (95_000_000, None, None),
            "persons",
            "Roughly 95 million people",
        ),
        (
            "approximately",
            "an estimated 300",
            (300, None, None),
            "persons",
            "An estimated 300 people",
        ),
        ("at_most", "up to 300", (None, None, 300), "persons", "Up to 300 people"),
        ("fewer_than", "under 300", (None, None, 300), "persons", "Under 300 people"),
        (
            "more_than",
            "a million",
            (None, 1_000_000, None),
            "persons",
            "More than a million people",
        ),
        ("at_least", "50,000", (None, 50_000, None), "persons", "At least 50,000 people"),
        ("range", "between 30 and 40", (None, 30, 40), "persons", "Between 30 and 40 people"),
        (
            "order_of_magnitude",
            "tens of thousands",
            (None, 10_000, 99_999),
            "persons",
            "Tens of thousands of people",
        ),
        (
            "order_of_magnitude",
            "1,000",
            (None, 1_000, 9_999),
            "persons",
            "On the order of 1,000 people",
        ),
        ("exact", "412 million crowns", (412_000_000, None, None), "CZK", "412 million crowns"),
        ("exact", "412 million", (412_000_000, None, None), "CZK", "412 million CZK"),
        ("approximately", "€5 million", (5_000_000, None, None), "EUR", "About €5 million"),
        # Written another way: the English number with the qualifier, the words quoted.
        (
            "approximately",
            "ca. 95 mln",
            (95_000_000, None, None),
            "CZK",
            "About 95,000,000 CZK (stated as “ca. 95 mln”)",
        ),
        (
            "at_least",
            "mindestens 10.000",
            (None, 10_000, None),
            "persons",
            "At least 10,000 people (stated as “mindestens 10.000”)",
        ),
        (
            "at_least",
            "at least 10.000",
            (None, 10_000, None),
            "persons",
            "At least 10,000 people (stated as “at least 10.000”)",
        ),
        (
            "fewer_than",
            "1,5 %",
            (None, None, Decimal("1.5")),
            "percent",
            "Less than 1.5 % (stated as “1,5 %”)",
        ),
        (
            "range",
            "150",
            (150, 100, 200),
            "persons",
            "Between 100 and 200 people (stated as “150”)",
        ),
        (
            "order_of_magnitude",
            "10.000",
            (None, 10_000, None),
            "persons",
            "On the order of 10,000 people (stated as “10.000”)",
        ),
    ],
)
def test_the_qualifier_is_never_dropped(qualifier, stated_as, numbers, unit, expected):
    value, lower, upper = (Decimal(n) if n is not None else None for n in numbers)
    sentence = cite(
        stated_as=stated_as,
        value=value,
        lower_bound=lower,
        upper_bound=upper,
        qualifier=qualifier,
        unit=unit,
        subject=None,
        chain=[OFFICE],
    )
    assert sentence == f"{expected}, according to the Valemont transport office."


def test_a_number_written_another_way_keeps_its_subject_after_the_number():
    assert (
        cite(
            stated_as="mindestens 10.000",
            value=None,
            lower_bound=Decimal(10000),
            qualifier="at_least",
            unit="persons",
            subject="troops",
            chain=[OFFICE],
        )
        == "At least 10,000 (stated as “mindestens 10.000”) troops, according to the Valemont "
        "transport office."
    )


def test_a_figure_without_a_subject_reads_as_a_phrase():
    assert (
        cite(stated_as="nine", value=Decimal(9), unit="persons", subject=None, chain=[MINISTRY])
        == "Nine people, according to the ministry."
    )
    assert (
        cite(stated_as="a convoy driver", value=Decimal(1), unit="persons", subject=None, chain=[])
        == "A convoy driver (no attribution recorded)."
    )


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("Valemont transport office", "government_body", "the Valemont transport office"),
        ("Valemont Police", "government_body", "the Valemont Police"),
        ("Kyiv city administration", "government_body", "the Kyiv city administration"),
        ("RFE/RL", "news_service", "RFE/RL"),
        ("Valemont", "government_body", "Valemont"),
    ],
)
def test_an_institution_in_lower_case_takes_the_article_too(name, kind, expected):
    assert (
        cite(
            stated_as="9",
            value=Decimal(9),
            unit="persons",
            subject="inmates",
            chain=[source(name, kind)],
        )
        == f"9 inmates, according to {expected}."
    )


SHORT_CHAIN = (link(0, "claimant", "mod", "the ministry", "government_body"), WIRE)


class TestShortNames:
    def test_the_short_name_is_the_default(self):
        assert (
            cite(
                stated_as="9",
                value=Decimal(9),
                unit="persons",
                subject="inmates",
                chain=list(SHORT_CHAIN),
            )
            == "9 inmates, according to the ministry cited by RFE/RL."
        )

    def test_full_names_on_request(self):
        assert (
            cite(
                stated_as="9",
                value=Decimal(9),
                unit="persons",
                subject="inmates",
                chain=list(SHORT_CHAIN),
                names="full",
            )
            == "9 inmates, according to the ministry cited by RadioFreeEurope/RadioLiberty."
        )


@pytest.mark.parametrize(
    ("edtf", "expected"),
    [
        ("2024", "2024"),
        ("1941-10", "October 1941"),
        ("2024-03-05", "5 March 2024"),
        ("2024?", "2024?"),
        ("2024-13", "2024-13"),
    ],
)
def test_a_publication_date_reads_as_newsrooms_write_it(edtf, expected):
    assert published_date(edtf) == expected


class TestRetracted:
    def test_the_notice_starts_with_retracted_and_quotes_the_words(self):
        assert retracted(
            stated_as="at least 50,000",
            subject="soldiers",
            reason="The ministry withdrew the report.",
            chain=[MINISTRY, AGENCY, ARTICLE],
        ) == (
            "Retracted: The ministry withdrew the report. The figure “at least 50,000” "
            "(soldiers), attributed to the ministry, was withdrawn and must not be cited."
        )

    def test_without_a_reason_it_says_so(self):
        assert retracted(stated_as="9", subject=None, reason=None, chain=[]) == (
            "Retracted (no reason recorded). The figure “9” was withdrawn and must not be cited."
        )

    def test_html_is_escaped(self):
        assert retracted(
            stated_as="<9>",
            subject=None,
            reason="a & b",
            chain=[AGENCY],
            style="html",
            base_url="https://api.example/",
        ) == (
            "Retracted: a &amp; b. The figure “&lt;9&gt;”, attributed to "
            '<a href="https://api.example/v1/sources/agency">The Agency</a>, was withdrawn and '
            "must not be cited."
        )


ARTICLE_TITLE = (
    "“50,000 deserters: Putin’s army using Stalin’s methods to keep troops from fleeing the "
    "battlefield”"
)
SEEDED = {
    "deserters-since-invasion": "At least 50,000 Russian service members have deserted since "
    "the invasion began, according to leaked 2024 reports from Russia’s Ministry of Defence "
    f"cited by RFE/RL, as published in {ARTICLE_TITLE}.",
    "soldiers-fleeing-thousands": "Thousands of soldiers driven to flee the front, according to "
    f"{ARTICLE_TITLE}.",
    "russian-killed-or-wounded-ua-mod": "More than a million Russian personnel killed or "
    f"wounded, according to the Ministry of Defense of Ukraine, as published in {ARTICLE_TITLE}.",
    "convicts-signed-up-tens-of-thousands": "Tens of thousands of convicts signed up for "
    f"frontline duty, according to {ARTICLE_TITLE}.",
    "leningrad-inmates-escaped": "Nine inmates from Russia’s Leningrad region escaped while "
    f"being taken to the front, according to RFE/RL, as published in {ARTICLE_TITLE}.",
    "leningrad-convoy-driver-killed": "A convoy driver killed by the escaping inmates, according "
    f"to RFE/RL, as published in {ARTICLE_TITLE}.",
    "sentenced-to-death-1941": "10,201 (stated as “10.201”) troops captured by barrier troops "
    "and sentenced to death, according to the official letter to Lavrentiy Beria of October "
    f"1941 cited by the Electronic Library of Historical Documents, as published in {ARTICLE_TITLE}.",
    "share-sentenced-to-death-1941": "1.5 % of the total (troops captured by barrier troops and "
    "sentenced to death), according to the official letter to Lavrentiy Beria of October 1941 "
    f"cited by the Electronic Library of Historical Documents, as published in {ARTICLE_TITLE}.",
}


class TestTheSeededFigures:
    def test_every_citation_reads_as_a_sentence(self, seeded_client):
        for slug, sentence in SEEDED.items():
            response = seeded_client.get(f"/v1/figures/{slug}/citation")
            assert response.status_code == 200
            assert response.text == sentence, slug
            assert seeded_client.get(f"/v1/figures/{slug}").json()["citation"] == sentence

    def test_full_names_on_request(self, seeded_client):
        response = seeded_client.get("/v1/figures/leningrad-inmates-escaped/citation?names=full")
        assert response.text == (
            "Nine inmates from Russia’s Leningrad region escaped while being taken to the front, "
            f"according to RadioFreeEurope/RadioLiberty, as published in {ARTICLE_TITLE}."
        )

    def test_an_unknown_names_value_is_a_problem(self, seeded_client):
        response = seeded_client.get("/v1/figures/leningrad-inmates-escaped/citation?names=nick")
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"].startswith("names: ")

    def test_markdown_links_each_source_to_its_page_in_the_api(self, seeded_client):
        response = seeded_client.get(
            "/v1/figures/russian-killed-or-wounded-ua-mod/citation?style=markdown"
        )
        assert response.headers["content-type"] == "text/markdown; charset=utf-8"
        assert response.text == (
            "More than a million Russian personnel killed or wounded, according to the "
            "[Ministry of Defense of Ukraine](http://testserver/v1/sources/ua-mod), as published "
            f"in [{ARTICLE_TITLE}](http://testserver/v1/sources/article-50000-deserters)."
        )

    def test_html_links_each_source_to_its_page_in_the_api(self, seeded_client):
        response = seeded_client.get("/v1/figures/deserters-since-invasion/citation?style=html")
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.text == (
            "At least 50,000 Russian service members have deserted since the invasion began, "
            'according to <a href="http://testserver/v1/sources/ru-mod-leaked-reports-2024">'
            "leaked 2024 reports from Russia’s Ministry of Defence</a> cited by "
            '<a href="http://testserver/v1/sources/rfe-rl">RFE/RL</a>, as published in '
            '<a href="http://testserver/v1/sources/article-50000-deserters">'
            f"{ARTICLE_TITLE}</a>."
        )


class TestRetractedAndCorrectedFigures:
    def test_a_retracted_figure_cites_as_retracted_with_its_reason(self, seeded_client, editor):
        slug = "leningrad-inmates-escaped"
        etag = seeded_client.get(f"/v1/figures/{slug}").headers["etag"]
        response = seeded_client.delete(
            f"/v1/figures/{slug}",
            headers={**editor, "If-Match": etag, "Sourced-Reason": "RFE/RL withdrew the report"},
        )
        assert response.status_code == 200, response.text
        notice = (
            "Retracted: RFE/RL withdrew the report. The figure “nine” (inmates from Russia’s "
            "Leningrad region who escaped while being taken to the front), attributed to "
            "RFE/RL, was withdrawn and must not be cited."
        )
        assert seeded_client.get(f"/v1/figures/{slug}/citation").text == notice
        assert seeded_client.get(f"/v1/figures/{slug}").json()["citation"] == notice
        listed = seeded_client.get("/v1/figures?status=retracted").json()["items"]
        assert [f["citation"] for f in listed] == [notice]

    def test_a_corrected_figure_cites_as_it_stood_at_a_time(self, seeded_client, editor):
        slug = "leningrad-inmates-escaped"
        before = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        etag = seeded_client.get(f"/v1/figures/{slug}").headers["etag"]
        response = seeded_client.patch(
            f"/v1/figures/{slug}",
            json={"qualifier": "approximately", "stated_as": "about nine", "reason": "Recheck"},
            headers={**editor, "If-Match": etag},
        )
        assert response.status_code == 200, response.text
        now = seeded_client.get(f"/v1/figures/{slug}/citation").text
        assert now.startswith("About nine inmates from Russia’s Leningrad region escaped")
        then = seeded_client.get(f"/v1/figures/{slug}/citation", params={"as_of": before})
        assert then.status_code == 200, then.text
        assert then.text == SEEDED[slug]

    def test_as_of_before_the_figure_existed_is_a_404(self, seeded_client):
        response = seeded_client.get(
            "/v1/figures/leningrad-inmates-escaped/citation?as_of=2000-01-01T00:00:00Z"
        )
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


class TestTheReproducedBugThroughTheApi:
    def test_an_approximate_cost_keeps_its_about_in_the_citation_and_the_json(
        self, engine, client, tmp_path
    ):
        data = builders.dataset(1)
        data["sources"].append(
            {
                "slug": "valemont-transport",
                "name": "Valemont transport office",
                "kind": "government_body",
            }
        )
        figure = data["figures"][0]
        figure.update(
            value=95_000_000,
            qualifier="approximately",
            stated_as="95 million",
            unit="EUR",
            subject="the cost of the new tram line",
            attributions=[{"source": "valemont-transport", "role": "claimant"}],
        )
        builders.load(engine, tmp_path / "seed", data)
        sentence = (
            "About 95 million EUR, the cost of the new tram line, according to the Valemont "
            "transport office."
        )
        assert client.get("/v1/figures/fig-0000/citation").text == sentence
        assert client.get("/v1/figures/fig-0000").json()["citation"] == sentence
