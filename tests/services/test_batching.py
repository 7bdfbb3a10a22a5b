"""``batching.insert_rows`` stores exactly what SQLAlchemy's own INSERT stores: the same
processed values, column by column, on both engines (the COPY path on PostgreSQL)."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, Integer, MetaData, String, Table, insert

from app.models.types import ExactDecimal, UTCDateTime
from app.services.common import batching

_metadata = MetaData()
_TABLE = Table(
    "batching_probe",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(40)),
    Column("amount", ExactDecimal),
    Column("day", Date),
    Column("at", UTCDateTime),
    Column("flag", Boolean),
    Column("data", JSON),
)


def _rows(first: int) -> list[dict[str, Any]]:
    now = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    # Equal to the value before it but another number: reusing the processed form of the
    # row before by equality rather than identity would store 1.5 for 1.50 on PostgreSQL.
    scaled = Decimal("1.50")
    shared = {"a": [1, 2]}
    values = [
        ("plain", Decimal("1.5"), date(2024, 1, 2), now, True, shared),
        ("=formula", scaled, None, now, False, shared),
        (
            None,
            None,
            date(1999, 12, 31),
            now.astimezone(timezone(timedelta(hours=2))),
            None,
            {"b": None},
        ),
        ("é ünïcode\ttab", Decimal("-0.001"), None, None, True, {}),
        ("last", Decimal("10201"), date(2024, 1, 2), now, False, [1, "x"]),
    ]
    return [
        {"id": first + n, "name": a, "amount": b, "day": c, "at": d, "flag": e, "data": f}
        for n, (a, b, c, d, e, f) in enumerate(values)
    ]


def test_insert_rows_stores_what_sqlalchemy_stores(engine):
    with engine.begin() as conn:
        _metadata.create_all(conn)
    try:
        with engine.begin() as conn:
            conn.execute(insert(_TABLE), _rows(1))
            batching.insert_rows(conn, _TABLE, _rows(101))
            batching.insert_rows(conn, _TABLE, [{"id": 201}])  # one column
            batching.insert_rows(conn, _TABLE, [])
            stored = conn.exec_driver_sql(
                "SELECT id, name, amount, day, at, flag, data FROM batching_probe ORDER BY id"
            ).all()
    finally:
        with engine.begin() as conn:
            _metadata.drop_all(conn)
    theirs, ours, single = stored[:5], stored[5:10], stored[10:]
    assert len(theirs) == 5
    # repr: Decimal("1.50") == Decimal("1.5"), but the stored texts differ on PostgreSQL.
    assert [repr(row[1:]) for row in ours] == [repr(row[1:]) for row in theirs]
    assert [row[0] for row in ours] == [101, 102, 103, 104, 105]
    assert [tuple(single[0])] == [(201, None, None, None, None, None, None)]
