"""A search page is what ranking and snippeting every match in one statement gives, on both
engines: SQLite ranks inside FTS5 and snippets the page alone, PostgreSQL ranks the matches'
ids first and reads the page's rows and snippets after (app/services/common/fulltext.py). Held
on the shipped dataset and on generated data, and a correction is found on the next read."""

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, text
from sqlmodel import Session

from app.services.common import fulltext
from bench import generate
from tests import builders

# Every match ranked and snippeted in one statement, each engine's own way.
FULL_SQLITE = """
    SELECT e.entity, e.entity_id, e.slug, e.title, -bm25(search_fts, 4.0, 1.0) AS score,
           snippet(search_fts, -1, char(2), char(3), '…', 16) AS snippet
    FROM search_fts JOIN search_entry AS e ON e.id = search_fts.rowid
    WHERE search_fts MATCH :q AND e.entity IN :entities
    ORDER BY bm25(search_fts, 4.0, 1.0), e.id LIMIT :limit OFFSET :offset"""
FULL_POSTGRES = """
    SELECT e.entity, e.entity_id, e.slug, e.title, ts_rank(e.tsv, query, 1) AS rank,
           ts_headline('english', {plain}, query, :headline) AS snippet
    FROM search_entry AS e, to_tsquery('english', :q) AS query
    WHERE e.tsv @@ query AND e.entity IN :entities
    ORDER BY rank DESC, e.id LIMIT :limit OFFSET :offset"""

KINDS: list[list[str] | None] = [None, ["figure"], ["event", "source"]]
PAGES = [(50, 0), (3, 0), (3, 4)]


def full(session: Session, q: str, entities: list[str] | None, limit: int, offset: int) -> list:
    words = fulltext.terms(q)
    params: dict[str, Any] = {
        "entities": entities or list(fulltext.ENTITIES),
        "limit": limit,
        "offset": offset,
    }
    if session.get_bind().dialect.name == "sqlite":
        sql = FULL_SQLITE
        params["q"] = fulltext._fts5_query(words)
    else:
        sql = FULL_POSTGRES.format(
            plain=fulltext._POSTGRES_PLAIN.format("e.title || ' ' || e.body")
        )
        params["q"] = fulltext._tsquery(words)
        params["headline"] = fulltext._HEADLINE
    statement = text(sql).bindparams(bindparam("entities", expanding=True))
    rows = session.connection().execute(statement, params).all()
    return [(*r[:4], float(r[4]), fulltext.snippet_html(r[5])) for r in rows]


def page(session: Session, q: str, entities: list[str] | None, limit: int, offset: int) -> list:
    hits = fulltext.search(session, q, entities, limit=limit, offset=offset)
    return [(h.entity, h.entity_id, h.slug, h.title, h.rank, h.snippet) for h in hits]


def assert_pages_are_full(engine: Engine, queries: list[str]) -> int:
    """Every page of every query equals the full ranking; returns how many hits were held."""
    held = 0
    with Session(engine) as session:
        for q in queries:
            for entities in KINDS:
                for limit, offset in PAGES:
                    expected = full(session, q, entities, limit, offset)
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
