"""A search page is a slice of the brute-force ranking under the index's rule
(tests/search_reference.py), with each engine's own snippet of each hit: FTS5's ``snippet()``
over the whole index on SQLite, ``ts_headline`` on PostgreSQL, as the full path (bench/
search_timing.py) makes them. Held on the shipped dataset and on generated data, and a
correction is found on the next read."""

from collections import Counter

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.services.common import fulltext
from bench import generate
from tests import builders, search_reference

KINDS: list[list[str] | None] = [None, ["figure"], ["event", "source"]]
PAGES = [(50, 0), (3, 0), (3, 4)]


def page(session: Session, q: str, entities: list[str] | None, limit: int, offset: int) -> list:
    hits = fulltext.search(session, q, entities, limit=limit, offset=offset)
    return [(h.entity, h.entity_id, h.slug, h.title, h.rank, h.snippet) for h in hits]


def assert_pages_are_full(engine: Engine, queries: list[str]) -> int:
    """Every page of every query equals the reference; returns how many hits were held."""
    held = 0
    with Session(engine) as session:
        for q in queries:
            for entities in KINDS:
                for limit, offset in PAGES:
                    expected = search_reference.expected_page(session, q, entities, limit, offset)
                    assert page(session, q, entities, limit, offset) == expected, (
                        q,
                        entities,
                        limit,
                        offset,
                    )
                    held += len(expected)
    return held


class TestOnTheShippedDataset:
    @pytest.mark.slow
    def test_every_page_is_the_full_ranking(self, class_seeded):
        queries = ["deserted", "barrier troops", "Stalin", "troops", "k", "Leningrad", "desert"]
        assert assert_pages_are_full(class_seeded, queries) > 100


@pytest.fixture(scope="class")
def generated(class_engine):
    generate.generate(class_engine.url.render_as_string(hide_password=False), 300, quiet=True)
    return class_engine


class TestOnGeneratedData:
    @pytest.mark.slow
    def test_every_page_is_the_full_ranking(self, generated):
        with Session(generated) as session:
            # The generated lexicon's words: the most common of the titles' first words, a
            # rarer one, two words together and a one-letter prefix.
            titles = session.connection().execute(text("SELECT title FROM search_entry"))
            firsts = Counter(fulltext.terms(title)[0].lower() for (title,) in titles if title)
        words = sorted(firsts.items(), key=lambda item: (-item[1], item[0]))
        common, rare = words[0][0], words[len(words) // 2][0]
        queries = [common, rare, f"{common} {rare}", common[0]]
        assert assert_pages_are_full(generated, queries) > 100


@pytest.fixture
def api(engine, client, tmp_path):
    builders.load(engine, tmp_path / "seed", builders.dataset(4))
    return client


# Each engine's own snippet: ts_headline starts at the title, FTS5 at the best 16 words.
CORRECTED = {
    "sqlite": "Deserters Recounted in <mark>Zanzibar</mark> Observers The agency&#x27;s desk many fled",
    "postgresql": "10 soldiers Deserters Recounted in <mark>Zanzibar</mark> Observers The agency&#x27;s"
    " desk many fled",
}


def test_a_correction_is_found_on_the_next_read(api, editor, engine):
    assert api.get("/v1/search?q=zanzibar").json()["items"] == []
    etag = api.get("/v1/figures/fig-0001").headers["etag"]
    corrected = api.patch(
        "/v1/figures/fig-0001",
        json={"note": "Recounted in Zanzibar"},
        headers={**editor, "If-Match": etag, "Sourced-Reason": "The outlet corrected it"},
    )
    assert corrected.status_code == 200, corrected.text
    items = api.get("/v1/search?q=zanzibar").json()["items"]
    assert [(i["type"], i["slug"], i["snippet"]) for i in items] == [
        ("figure", "fig-0001", CORRECTED[engine.dialect.name])
    ]
