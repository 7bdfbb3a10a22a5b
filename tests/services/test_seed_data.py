"""The shipped dataset: every claim of the article, quoted verbatim, with its chain."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, SEED_DIR

ARTICLE = SEED_DIR / "documents" / "article-50000-deserters.txt"
SHARED_ARTICLE = ROOT.parent / "shared" / "source-documents" / "article-50000-deserters.txt"
SEED = yaml.safe_load((SEED_DIR / "article-50000-deserters.yaml").read_text(encoding="utf-8"))


def _quotes():
    for kind in ("events", "figures"):
        for record in SEED[kind]:
            for link in record.get("attributions", []):
                if link.get("quote"):
                    yield f"{kind}/{record['slug']}/{link['source']}", link["quote"]


@pytest.mark.skipif(not SHARED_ARTICLE.exists(), reason="shared source documents not present")
def test_the_stored_article_is_a_byte_copy_of_the_source_document():
    assert ARTICLE.read_bytes() == SHARED_ARTICLE.read_bytes()


@pytest.mark.parametrize(("where", "quote"), list(_quotes()), ids=lambda v: str(v)[:40])
def test_every_quote_is_verbatim_in_the_article(where: str, quote: str):
    assert quote in ARTICLE.read_text(encoding="utf-8"), where


def test_every_quote_is_checked():
    assert len(list(_quotes())) == 23


def test_no_quote_is_marked_unverified():
    links = [
        link
        for kind in ("events", "figures")
        for record in SEED[kind]
        for link in record.get("attributions", [])
    ]
    assert not any(link.get("quote_unverified") for link in links)


def test_no_date_is_invented():
    # The article dates nothing but 2024, 1918, October 1941 and December 1941.
    text = Path(SEED_DIR / "article-50000-deserters.yaml").read_text(encoding="utf-8")
    assert "2022" not in text
    assert "1941-06" not in text


def test_starts_the_article_does_not_date_are_unknown_not_open():
    # EDTF: an empty start is unknown, ".." is open (known to have no start); the invasions
    # that start these periods happened, the article just does not say when.
    dated = {
        record["slug"]: record.get("date", record.get("period"))
        for kind in ("events", "figures")
        for record in SEED[kind]
    }
    assert {slug: value for slug, value in dated.items() if value and "/" in value} == {
        "russian-desertions": "/2024",
        "barrier-troops-captures-1941": "/1941-12",
        "deserters-since-invasion": "/2024",
        "sentenced-to-death-1941": "/1941-12",
        "share-sentenced-to-death-1941": "/1941-12",
    }
    text = Path(SEED_DIR / "article-50000-deserters.yaml").read_text(encoding="utf-8")
    assert "../" not in text
    assert "open start" not in text


def test_the_invasion_date_is_left_unknown_and_the_note_says_why():
    invasion = next(e for e in SEED["events"] if e["slug"] == "russia-invasion-of-ukraine")
    assert invasion["date"] is None
    assert invasion["note"].startswith(
        "No date is recorded, deliberately: the article never states when the invasion began."
    )


def figure(client, slug: str) -> dict:
    response = client.get(f"/v1/figures/{slug}")
    assert response.status_code == 200, response.text
    return response.json()


def chain(body: dict) -> list[tuple[str, str]]:
    return [(a["role"], a["source"]["slug"]) for a in body["attributions"]]


ARTICLE_TITLE = (
    "“50,000 deserters: Putin’s army using Stalin’s methods to keep troops from fleeing the "
    "battlefield”"
)


# Nothing in this module writes: its tests share one seeded database (tests/conftest.py).
@pytest.fixture(scope="module")
def engine(module_engine):
    return module_engine


@pytest.fixture(scope="module")
def seeded(module_seeded):
    return module_seeded


class TestTheArticlesClaims:
    def test_every_figure_is_there(self, seeded_client):
        items = seeded_client.get("/v1/figures?sort=slug").json()["items"]
        assert [(f["slug"], f["measure"], f["value"], f["qualifier"]) for f in items] == [
            (
                "convicts-signed-up-tens-of-thousands",
                "convicts_recruited",
                None,
                "order_of_magnitude",
            ),
            ("deserters-since-invasion", "deserters", 50000, "at_least"),
            ("leningrad-convoy-driver-killed", "people_killed", 1, "exact"),
            ("leningrad-inmates-escaped", "inmates_escaped", 9, "exact"),
            ("russian-killed-or-wounded-ua-mod", "killed_or_wounded", 1000000, "more_than"),
            ("sentenced-to-death-1941", "sentenced_to_death", 10201, "exact"),
            ("share-sentenced-to-death-1941", "share_sentenced_to_death", Decimal("1.5"), "exact"),
            ("soldiers-fleeing-thousands", "deserters", None, "order_of_magnitude"),
        ]

    def test_the_50000_deserters_rest_on_leaked_mod_reports_relayed_by_rfe_rl(self, seeded_client):
        body = figure(seeded_client, "deserters-since-invasion")
        assert (body["value"], body["lower_bound"], body["stated_as"]) == (
            50000,
            50000,
            "at least 50,000",
        )
        assert chain(body) == [
            ("claimant", "ru-mod-leaked-reports-2024"),
            ("relay", "rfe-rl"),
            ("publisher", "article-50000-deserters"),
        ]
        claimant = body["attributions"][0]["source"]
        assert (claimant["party_to_conflict"], claimant["parent"]) == (
            "RU",
            "Russia’s Ministry of Defence",
        )
        assert body["citation"] == (
            "At least 50,000 Russian service members have deserted since the invasion began, "
            "according to leaked 2024 reports from Russia’s Ministry of Defence cited by "
            f"RFE/RL, as published in {ARTICLE_TITLE}."
        )
        assert (body["period"], body["period_earliest"], body["period_latest"]) == (
            "/2024",
            None,
            "2024-12-31",
        )

    def test_the_casualty_toll_is_a_ukrainian_claim(self, seeded_client):
        body = figure(seeded_client, "russian-killed-or-wounded-ua-mod")
        assert chain(body) == [("claimant", "ua-mod"), ("publisher", "article-50000-deserters")]
        assert body["attributions"][0]["source"]["party_to_conflict"] == "UA"
        assert body["stated_as"] == "more than a million"

    def test_tens_of_thousands_is_bounds_without_a_value(self, seeded_client):
        body = figure(seeded_client, "convicts-signed-up-tens-of-thousands")
        assert (body["value"], body["lower_bound"], body["upper_bound"]) == (None, 10000, 99999)
        assert body["citation"] == (
            "Tens of thousands of convicts signed up for frontline duty, according to "
            f"{ARTICLE_TITLE}."
        )

    def test_10_201_is_ten_thousand_two_hundred_and_one_with_its_inconsistency_noted(
        self, seeded_client
    ):
        body = figure(seeded_client, "sentenced-to-death-1941")
        assert (body["value"], body["stated_as"]) == (10201, "10.201")
        assert "European style" in body["note"]
        assert "October 1941" in body["note"]
        assert (body["period_earliest"], body["period_latest"]) == (None, "1941-12-31")
        assert chain(body) == [
            ("claimant", "letter-to-beria-1941-10"),
            ("relay", "electronic-library-historical-documents"),
            ("publisher", "article-50000-deserters"),
        ]
        assert body["citation"] == (
            "10,201 (stated as “10.201”) troops captured by barrier troops and sentenced to "
            "death, according to the official letter to Lavrentiy Beria of October 1941 cited "
            f"by the Electronic Library of Historical Documents, as published in {ARTICLE_TITLE}."
        )

    def test_the_share_is_derived_from_the_count(self, seeded_client):
        body = figure(seeded_client, "share-sentenced-to-death-1941")
        assert (body["value"], body["unit"], body["derived_from"]) == (
            Decimal("1.5"),
            "percent",
            "sentenced-to-death-1941",
        )

    def test_the_leningrad_escape_is_rfe_rls_report(self, seeded_client):
        inmates = figure(seeded_client, "leningrad-inmates-escaped")
        driver = figure(seeded_client, "leningrad-convoy-driver-killed")
        assert (inmates["value"], driver["value"]) == (9, 1)
        assert (
            chain(inmates)
            == chain(driver)
            == [
                ("claimant", "rfe-rl"),
                ("publisher", "article-50000-deserters"),
            ]
        )

    def test_the_source_hierarchy(self, seeded_client):
        parents = {
            s["slug"]: s["parent"]
            for s in seeded_client.get("/v1/sources?limit=50").json()["items"]
        }
        assert parents == {
            "article-50000-deserters": None,
            "dozor": None,
            "electronic-library-historical-documents": None,
            "kavkaz-realii": "rfe-rl",
            "letter-to-beria-1941-10": None,
            "rfe-rl": None,
            "ru-mod": None,
            "ru-mod-leaked-reports-2024": "ru-mod",
            "ua-mod": None,
            "yevgeny-kochegin": "dozor",
        }

    def test_kochegin_is_quoted_through_kavkaz_realii(self, seeded_client):
        body = seeded_client.get("/v1/events/kochegin-on-fear-and-desertion").json()
        assert chain(body) == [
            ("claimant", "yevgeny-kochegin"),
            ("relay", "kavkaz-realii"),
            ("publisher", "article-50000-deserters"),
        ]
        assert [a["quote"] for a in body["attributions"]] == [
            "“I wish I could tell you these soldiers are fleeing out of anti-war conviction,” "
            "he said. “Sometimes it’s just fear — when your regiment’s about to be sent in as "
            "cannon fodder and you know you probably won’t come back.”",
            None,
            "Yevgeny Kochegin, who leads the Volgograd-based rights group Dozor, told RFE/RL’s "
            "Kavkaz.Realii that fear remains the strongest force pushing troops to abandon their "
            "posts. He said ideological objections to the conflict are rare.",
        ]

    def test_kochegins_second_quote_and_the_survival_instincts_are_there(self, seeded_client):
        body = seeded_client.get("/v1/events/kochegin-on-survival-instincts").json()
        assert (body["type"], body["date"]) == ("statement", None)
        assert chain(body) == [
            ("claimant", "yevgeny-kochegin"),
            ("relay", "kavkaz-realii"),
            ("publisher", "article-50000-deserters"),
        ]
        assert [a["quote"] for a in body["attributions"]] == [
            "“That doesn’t make them anti-war activists; it just means they understand what’s "
            "happening. They’re sane people who can see how this ends — and they don’t want to "
            "be part of it.”",
            None,
            "Kochegin added that those who run are often motivated by basic survival instincts.",
        ]
        assert "implication, not its statement" in body["note"]

    def test_the_kremlins_reliance_on_prisons_is_the_articles_own_assertion(self, seeded_client):
        body = seeded_client.get("/v1/events/kremlin-reliance-on-prison-populations").json()
        assert chain(body) == [("claimant", "article-50000-deserters")]
        assert body["attributions"][0]["quote"] == (
            "The Kremlin’s reliance on prison populations has compounded the instability."
        )
        assert body["note"].startswith("The article's own assertion: it names no source")

    def test_thousands_of_soldiers_is_the_articles_own_vague_figure(self, seeded_client):
        body = figure(seeded_client, "soldiers-fleeing-thousands")
        assert (body["value"], body["lower_bound"], body["upper_bound"]) == (None, 1000, None)
        assert chain(body) == [("claimant", "article-50000-deserters")]
        assert body["attributions"][0]["quote"] == (
            "The material, reported by RFE/RL, offers a glimpse into the pressures driving "
            "thousands of soldiers to flee the front."
        )

    def test_barrier_troops_separate_rfe_rls_description_from_the_articles_words(
        self, seeded_client
    ):
        body = seeded_client.get("/v1/events/barrier-troops-in-ukraine").json()
        assert chain(body) == [("claimant", "rfe-rl"), ("publisher", "article-50000-deserters")]
        assert [a["quote"] for a in body["attributions"]] == [
            "These military police units, described by RFE/RL as empowered to open fire on "
            "soldiers attempting to retreat",
            "Commanders have reportedly tried to stem the exodus by sending so-called barrier "
            "troops into combat zones. These military police units, described by RFE/RL as "
            "empowered to open fire on soldiers attempting to retreat, are intended to keep "
            "fighters in line even as casualty numbers climb.",
        ]
        assert "casualty numbers climb" in body["note"]

    def test_the_articles_comments_on_the_toll_and_the_escape_are_kept_and_marked(
        self, seeded_client
    ):
        toll = seeded_client.get("/v1/events/russian-personnel-killed-or-wounded").json()
        assert toll["attributions"][1]["quote"].endswith(
            "a toll that has strained units already battling exhaustion and low morale."
        )
        assert toll["note"].endswith(
            "the article's comment, which it does not attribute to Ukraine's Ministry of Defense."
        )
        escape = seeded_client.get("/v1/events/leningrad-inmates-escape").json()
        assert escape["attributions"][1]["quote"].endswith(
            "highlighting ongoing concerns about the reliability of such units."
        )
        assert escape["note"].endswith("article's comment, not attributed to RFE/RL.")

    def test_the_articles_closing_source_list_is_recorded(self, seeded_client):
        article = seeded_client.get("/v1/sources/article-50000-deserters").json()
        assert (
            "Sources: RadioFreeEurope/RadioLiberty, Ukrainian military statements, Electronic "
            "Library of Historical Documents"
        ) in article["description"]
        listed = {
            slug: seeded_client.get(f"/v1/sources/{slug}").json()
            for slug in ("rfe-rl", "ua-mod", "electronic-library-historical-documents")
        }
        assert listed["rfe-rl"]["description"].endswith(
            "First in the article's closing source list."
        )
        assert listed["ua-mod"]["note"].startswith(
            'The article\'s closing source list names "Ukrainian military statements"'
        )
        assert listed["electronic-library-historical-documents"]["description"] == (
            "Last in the article's closing source list (\"Electronic Library of Historical "
            'Documents").'
        )

    def test_events_keep_only_the_dates_the_article_gives(self, seeded_client):
        items = seeded_client.get("/v1/events?sort=slug&limit=50").json()["items"]
        assert {e["slug"]: e["date"] for e in items} == {
            "barrier-troops-captures-1941": "/1941-12",
            "barrier-troops-first-use-1918": "1918",
            "barrier-troops-in-ukraine": None,
            "convicts-recruited-for-frontline": None,
            "kochegin-on-fear-and-desertion": None,
            "kochegin-on-survival-instincts": None,
            "kremlin-reliance-on-prison-populations": None,
            "leningrad-inmates-escape": None,
            "russia-invasion-of-ukraine": None,
            "russian-desertions": "/2024",
            "russian-personnel-killed-or-wounded": None,
            "stalin-directive-panic-retreats": None,
        }
