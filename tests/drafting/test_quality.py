"""How well a draft reads articles: precision and recall of figures and claimants over the
fictional corpus, and the shipped seed article against its curated seed file."""

from decimal import Decimal

import pytest

from app.models.vocab import Qualifier
from app.services.draft import Options, draft
from app.services.draft.article import read
from app.services.draft.claims import claims
from app.services.draft.coverage import check, seed_figures
from tests.conftest import SEED_DIR
from tests.drafting import scoring

ARTICLE = SEED_DIR / "documents" / "article-50000-deserters.txt"
CURATED = SEED_DIR / "article-50000-deserters.yaml"
FURNITURE = ("Others are reading now", "Also read", "Ads by MGDK", "Shutterstock", "Wikimedia")


def test_the_corpus_is_fictional_varied_and_has_expectations():
    pairs = scoring.corpus()
    assert len(pairs) >= 10
    for article, expected in pairs:
        first = article.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("[FICTIONAL ARTICLE"), article.name
        assert expected, article.name
        for figure in expected:
            assert set(figure) >= {"stated", "qualifier", "claimant"}, (article.name, figure)


def test_precision_and_recall_on_the_corpus():
    overall = scoring.total()
    print(
        f"\nfigures: precision {overall.precision:.2f}, recall {overall.recall:.2f} "
        f"({overall.matched} of {overall.expected} found, {overall.drafted} drafted); "
        f"claimants: recall {overall.claimant_recall:.2f}"
    )
    for line in overall.misses + overall.extras + overall.wrong_claimants:
        print(f"  {line}")
    assert overall.recall >= 0.9
    assert overall.precision >= 0.8
    assert overall.claimant_recall >= 0.8


def _curated() -> list[dict]:
    import yaml

    return yaml.safe_load(CURATED.read_text(encoding="utf-8"))


def test_the_seed_article_gives_every_curated_figure_with_its_value_and_qualifier():
    curated = _curated()
    names = {
        s["slug"]: [s["name"], *([s["short_name"]] if s.get("short_name") else [])]
        for s in curated["sources"]
    }
    result = draft(ARTICLE.read_text(encoding="utf-8"), Options(name=ARTICLE.stem))
    drafted = result.seed["figures"]
    drafted_names = {s["slug"]: s["name"] for s in result.seed["sources"]}
    pool = list(drafted)
    claimants = 0
    for figure in curated["figures"]:
        want = scoring.key(figure)
        match = next((f for f in pool if scoring.key(f) == want), None)
        assert match is not None, f"{figure['slug']}: {want} not drafted"
        pool.remove(match)
        expected = figure["attributions"][0]["source"]
        have = scoring.claimant_of(match, result.document)
        if expected == curated["document"]:
            claimants += have is None
        else:
            claimants += any(
                scoring.same_claimant(name, have, drafted_names) for name in names[expected]
            )
    assert claimants >= 6
    assert pool == [], "the draft proposes figures the curated seed does not have"


def test_the_page_furniture_of_the_seed_article_proposes_nothing():
    text = ARTICLE.read_text(encoding="utf-8")
    result = draft(text, Options(name=ARTICLE.stem))
    written = result.yaml()
    for words in FURNITURE:
        assert words not in written.split("full_text")[0].replace(
            result.seed["sources"][0]["name"], ""
        ), words
    for figure in result.seed["figures"]:
        quote = figure["attributions"][-1]["quote"]
        assert quote in text
        assert not any(words in quote for words in FURNITURE)
    # The headline's "50,000 deserters" repeats the body's "at least 50,000": not a second figure.
    assert [f["stated_as"] for f in result.seed["figures"]].count("at least 50,000") == 1
    assert not any(f["stated_as"] == "50,000" for f in result.seed["figures"])


def test_checking_the_curated_seed_against_its_own_article_finds_nothing_missing():
    figures, problems = seed_figures(CURATED)
    assert problems == []
    coverage = check(figures, ARTICLE.read_text(encoding="utf-8"))
    assert coverage.missing == []
    assert len(coverage.claims) == 8


def test_checking_a_seed_without_a_figure_names_the_claim_and_its_sentence():
    figures, _ = seed_figures(CURATED)
    without = [f for f in figures if f.slug != "leningrad-inmates-escaped"]
    coverage = check(without, ARTICLE.read_text(encoding="utf-8"))
    assert [c.stated_as for c in coverage.missing] == ["nine"]
    assert coverage.missing[0].sentence.text.startswith("RFE/RL reported that nine inmates")


def _one(sentence: str):
    found = claims(read(sentence))
    assert len(found) == 1, [c.stated_as for c in found]
    return found[0]


@pytest.mark.parametrize(
    ("sentence", "value", "lower", "upper", "qualifier", "unit"),
    [
        ("Some 10.201 troops were sentenced.", None, None, None, "approximately", "persons"),
        ("It was 1.5 % of the total.", "1.5", None, None, "exact", "percent"),
        ("Nine inmates escaped.", "9", None, None, "exact", "persons"),
        ("More than a million people fled.", "1000000", "1000000", None, "more_than", "persons"),
        (
            "Tens of thousands of convicts signed up.",
            None,
            "10000",
            "99999",
            "order_of_magnitude",
            "persons",
        ),
        (
            "At least 50,000 service members deserted.",
            "50000",
            "50000",
            None,
            "at_least",
            "persons",
        ),
        ("Up to 600 people arrive daily.", "600", None, "600", "at_most", "persons"),
        ("Fewer than 40 doctors work there.", "40", None, "40", "fewer_than", "persons"),
        ("About 12,000 residents left.", "12000", None, None, "approximately", "persons"),
        ("Between 80,000 and 120,000 people fled.", None, "80000", "120000", "range", "persons"),
        ("Losses reached 1.234,5 million Euro in all.", "1234500000", None, None, "exact", "EUR"),
        ("The army will spend $4.7bn next year.", "4700000000", None, None, "exact", "USD"),
    ],
)
def test_values_qualifiers_and_units_as_written(sentence, value, lower, upper, qualifier, unit):
    claim = _one(sentence)
    number = lambda v: None if v is None else Decimal(v)  # noqa: E731
    if value is not None or claim.qualifier != Qualifier.approximately:
        assert (claim.value, claim.lower, claim.upper) == (
            number(value),
            number(lower),
            number(upper),
        )
    assert claim.qualifier.value == qualifier
    assert claim.unit == unit
    assert claim.stated_as == sentence[sentence.index(claim.stated_as) :][: len(claim.stated_as)]


def test_a_full_stop_thousands_separator_is_read_as_thousands_and_flagged():
    claim = _one("10.201 troops were sentenced to death.")
    assert claim.value == Decimal(10201)
    assert any("10.201" in note and "thousands separator" in note for note in claim.reviews)
    assert _one("It grew by 10.25 percent.").value == Decimal("10.25")


@pytest.mark.parametrize(
    "sentence",
    [
        "The war began in 2022 and the talks in March 2023.",
        "He served for 31 years.",
        "Captain Ruslan Areno, 44, spoke to us.",
        "The Su-25 and the F-16 flew at 10:30.",
        "Call 0800 555 0134 for advice.",
        "It was the third time during WW2.",
        "A 45-year-old man was arrested on 12 May.",
    ],
)
def test_dates_durations_ages_and_names_are_not_figures(sentence):
    assert [c.stated_as for c in claims(read(sentence))] == []


def test_dates_near_a_figure_are_a_candidate_period():
    claim = _one("By December 1941, 10.201 troops had been sentenced.")
    assert claim.period == "/1941-12"
    assert _one("Since 2022, 300 people have left.").period == "2022/"


def test_an_html_page_is_read_without_its_furniture():
    html = """<!doctype html><html><head><title>Floods in Ostrana</title></head><body>
    <nav><a href="/">Home</a> <a href="/news">News</a> <a href="/ads">Ads by MGDK</a></nav>
    <article><h1>Floods in Ostrana</h1>
    <p>Flash floods in the Velka valley have killed at least 37 people, the national emergency
    service said on Tuesday, and forced about 12,000 residents from their homes.</p>
    <p>Rescue teams were still searching for survivors in the town of Harnow on Wednesday,
    where the river burst its banks late on Sunday night.</p></article>
    <aside><h3>Others are reading now</h3><p>Top 10 recipes for 2024</p></aside>
    <footer>Copyright 2026 Example Media. 1,000 newsletters sent daily.</footer>
    </body></html>"""
    result = draft(html, Options())
    assert result.article.from_html
    assert [f["stated_as"] for f in result.seed["figures"]] == ["at least 37", "about 12,000"]
    text = result.seed["sources"][0]["text_file"]
    assert text == f"documents/{result.document}.txt"
    assert "Others are reading now" not in result.article.text
    for figure in result.seed["figures"]:
        assert figure["attributions"][-1]["quote"] in result.article.text
    # The same page drafted again reads the same text (no cache across calls drops paragraphs).
    assert draft(html, Options()).article.text == result.article.text
