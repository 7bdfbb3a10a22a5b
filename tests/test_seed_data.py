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
    assert len(list(_quotes())) == 20


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
            "At least 50,000 Russian service members who deserted since the invasion began, "
            "according to leaked 2024 reports from Russia’s Ministry of Defence, cited by "
            f"RadioFreeEurope/RadioLiberty; published in {ARTICLE_TITLE}."
        )
        assert body["period"] == "../2024"

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
            "death, according to the official letter to Lavrentiy Beria of October 1941, cited "
            f"by Electronic Library of Historical Documents; published in {ARTICLE_TITLE}."
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
        assert body["attributions"][0]["quote"].startswith("“I wish I could tell you")

    def test_events_keep_only_the_dates_the_article_gives(self, seeded_client):
        items = seeded_client.get("/v1/events?sort=slug&limit=50").json()["items"]
        assert {e["slug"]: e["date"] for e in items} == {
            "barrier-troops-captures-1941": "../1941-12",
            "barrier-troops-first-use-1918": "1918",
            "barrier-troops-in-ukraine": None,
            "convicts-recruited-for-frontline": None,
            "kochegin-on-fear-and-desertion": None,
            "leningrad-inmates-escape": None,
            "russia-invasion-of-ukraine": None,
            "russian-desertions": "../2024",
            "russian-personnel-killed-or-wounded": None,
            "stalin-directive-panic-retreats": None,
        }
