"""The hot reads' pooled driver connection (``app.db.driver_reader``) on PostgreSQL: lent in
autocommit, so that a read is one round trip with no BEGIN and ROLLBACK around it and the
connection keeps its prepared statements from one read to the next; given back to the pool
in transactions, as the Sessions that share the pool expect; and never lent again once broken."""

import psycopg
import pytest
from sqlalchemy import text

from app import db
from app.db import build_engine

IDLE = psycopg.pq.TransactionStatus.IDLE
INTRANS = psycopg.pq.TransactionStatus.INTRANS


@pytest.fixture
def one_connection(engine, settings):
    """An engine whose pool holds a single connection, so each test sees the same one."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's reads open their own snapshot with BEGIN")
    bounded = build_engine(settings.model_copy(update={"pool_size": 1, "pool_overflow": 0}))
    yield bounded
    bounded.dispose()


def test_a_read_opens_no_transaction_and_the_connection_goes_back_in_transactions(
    one_connection,
):
    with db.driver_reader(one_connection) as connection:
        driver = connection.driver_connection
        assert driver.autocommit is True
        assert db.driver_rows(one_connection, connection, "SELECT 41 + 1", ()) == [(42,)]
        assert driver.info.transaction_status == IDLE
    assert driver.autocommit is False
    with one_connection.connect() as conn:
        assert conn.connection.driver_connection is driver
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
        assert driver.info.transaction_status == INTRANS


def test_the_connection_keeps_its_prepared_statements_from_one_read_to_the_next(
    one_connection,
):
    statement = "SELECT count(*) FROM measure WHERE slug = %s"
    # psycopg prepares a statement on its fifth execution on a connection.
    for _ in range(6):
        with db.driver_reader(one_connection) as connection:
            assert db.driver_rows(one_connection, connection, statement, ("none",)) == [(0,)]
    with db.driver_reader(one_connection) as connection:
        prepared = db.driver_rows(
            one_connection,
            connection,
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ("SELECT count(*) FROM measure WHERE slug = $1",),
        )
    assert prepared == [(1,)]


def test_a_connection_broken_while_lent_is_not_lent_again(one_connection):
    with db.driver_reader(one_connection) as connection:
        broken = connection.driver_connection
        broken.close()
    with db.driver_reader(one_connection) as connection:
        assert connection.driver_connection is not broken
        assert db.driver_rows(one_connection, connection, "SELECT 2", ()) == [(2,)]


def test_rows_come_in_the_binary_format_with_the_types_of_the_text_one(one_connection):
    with db.driver_reader(one_connection) as connection:
        rows = db.driver_rows(
            one_connection,
            connection,
            "SELECT 7::int, 'é'::text, convert_to('é', 'UTF8'), 2.50::numeric, NULL::text",
            (),
        )
    assert rows == [(7, "é", "é".encode(), pytest.approx(2.5), None)]
    assert str(rows[0][3]) == "2.50"
