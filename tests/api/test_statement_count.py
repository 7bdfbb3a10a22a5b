"""No N+1: a list costs the same number of SQL statements whatever its page size."""

import contextlib
from collections.abc import Iterator

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextlib.contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def statements_for(client, path: str) -> int:
    with counting() as statements:
        response = client.get(path)
    assert response.status_code == 200, response.text
    return len(statements)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/figures?limit={n}",
        "/v1/figures?limit={n}&source=rfe-rl&count=true",
        "/v1/events?limit={n}",
        "/v1/sources?limit={n}",
        "/v1/sources/article-50000-deserters/figures?limit={n}",
        "/v1/search?q=troops&limit={n}",
    ],
)
@pytest.mark.slow
def test_one_item_and_many_cost_the_same_statements(seeded_client, path):
    # The first search after the seed brings the search index up to date (its change log
    # and the changed entries): a cost per write, not per item, left out here by another
    # search first (another query: the same one would be answered from the response cache).
    seeded_client.get("/v1/search?q=warm")
    one = statements_for(seeded_client, path.format(n=1))
    many = statements_for(seeded_client, path.format(n=8))
    assert one == many
    assert many <= 9  # one of them reads the dataset version for the response cache


@pytest.mark.parametrize(
    "path",
    [
        "/v1/measures/deserters",
        "/v1/events/russian-desertions",
        "/v1/figures/deserters-since-invasion",
    ],
)
def test_details_cost_a_fixed_handful_of_statements(seeded_client, path):
    assert statements_for(seeded_client, path) <= 7


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # The page and its stored texts are one statement; a measure filter adds its lookup.
        ("/v1/figures?limit=50", 1),
        ("/v1/figures?measure=deserters&limit=50&count=true", 3),
        # The list by measure runs its lookup and its page on the driver
        # (app/api/figure_pages.py): none through SQLAlchemy.
        ("/v1/figures?measure=deserters&limit=50", 0),
        ("/v1/figures?measure=deserters&format=csv", 2),
        # A detail is one statement on the driver (app.db.driver_reader): none through
        # SQLAlchemy, which is what this counts.
        ("/v1/figures/deserters-since-invasion", 0),
    ],
)
def test_the_hot_reads_cost_exactly_these_statements(seeded_client, path, expected):
    # no-cache: the response cache's version read is not part of the read itself.
    with counting() as statements:
        response = seeded_client.get(path, headers={"Cache-Control": "no-cache"})
    assert response.status_code == 200
    assert len(statements) == expected, statements
