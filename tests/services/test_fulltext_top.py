"""The search ranks from the index first and reads only the page's rows and snippets: it must
answer exactly what ranking every match and snippeting it over the whole database would
(app/services/common/fulltext.py, tests/search_reference.py)."""

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app.services.common import fulltext
from tests import search_reference


# Nothing in this module writes: its tests share one seeded database (tests/conftest.py).
@pytest.fixture(scope="module")
def engine(module_engine):
    return module_engine


@pytest.fixture(scope="module")
def seeded(module_seeded):
    return module_seeded


@pytest.mark.parametrize("q", ["barrier troops", "deserted", "Stalin", "troops", "k", "Leningrad"])
@pytest.mark.parametrize(("limit", "offset"), [(50, 0), (2, 0), (2, 3)])
@pytest.mark.slow
def test_the_page_is_a_slice_of_the_full_ranking(seeded, q, limit, offset):
    with Session(seeded) as session:
        hits = fulltext.search(session, q, limit=limit, offset=offset)
        expected = search_reference.expected_page(session, q, None, limit, offset)
    assert [(h.entity, h.entity_id, h.slug, h.title, h.rank, h.snippet) for h in hits] == expected
    if q == "troops" and (limit, offset) == (50, 0):
        assert len(hits) > 5


@pytest.mark.sqlite_only(reason="the plan is SQLite's")
def test_a_q_filter_reads_the_full_text_match_first(seeded):
    # Left to itself SQLite walked every search entry of the kind by its index and ran the
    # match once per entry: 55 s for `/v1/events?q=deserted` over a million figures.
    with Session(seeded) as session:
        subquery = fulltext.matching(session, "deserted", "figure")
        compiled = subquery.compile(seeded, compile_kwargs={"literal_binds": True})
        plan = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
    steps = [row[3] for row in plan]
    assert steps[0].startswith("SCAN search_fts VIRTUAL TABLE"), steps
    assert steps[1] == "SEARCH e USING INTEGER PRIMARY KEY (rowid=?)", steps


@pytest.mark.slow
@pytest.mark.sqlite_only(reason="FTS5 is SQLite's")
def test_page_snippets_leave_nothing_behind_and_repeat_on_one_connection(seeded):
    with Session(seeded) as session:
        first = fulltext.search(session, "troops", limit=5)
        again = fulltext.search(session, "troops", limit=5)
        left = session.connection().execute(text("SELECT count(*) FROM temp.search_page"))
        assert left.scalar_one() == 0
    assert [h.snippet for h in first] == [h.snippet for h in again]
    assert all("<mark>" in h.snippet for h in first)


@pytest.mark.parametrize("q", ["barrier troops", "deserted", "Stalin", "k", "nothingmatches"])
@pytest.mark.parametrize("kinds", [None, ["figure"], ["event", "source"]])
@pytest.mark.parametrize(("limit", "offset"), [(51, 0), (2, 3)])
def test_the_search_without_a_session_is_the_sessions_page(seeded, q, kinds, limit, offset):
    with Session(seeded) as session:
        expected = fulltext.search(session, q, kinds, limit=limit, offset=offset)
        session.commit()
    assert fulltext.search_fresh(seeded, q, kinds, limit=limit, offset=offset) == expected


@pytest.mark.slow
@pytest.mark.sqlite_only(reason="FTS5 is SQLite's")
def test_the_search_without_a_session_leaves_nothing_behind(seeded):
    with Session(seeded) as session:
        fulltext.search(session, "troops", limit=5)
        session.commit()
    first = fulltext.search_fresh(seeded, "troops", limit=5)
    again = fulltext.search_fresh(seeded, "troops", limit=5)
    assert first is not None
    assert first == again
    with seeded.connect() as connection:
        left = connection.execute(text("SELECT count(*) FROM temp.search_page"))
        assert left.scalar_one() == 0
