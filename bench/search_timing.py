"""Search, in process: milliseconds per query of ``fulltext.search`` and of its ranking alone.

    python -m bench.search_timing --db sqlite:///bench/data/bench-100000.db
    python -m bench.search_timing --db postgresql://... --rounds 15

First the search index (app/services/common/search_engine.py) is brought up to date, built if
it is missing (its time is printed), so that no timed call builds it. Then for each query:
the matches (the database's own), the median of ``rounds`` calls of the whole search (50 hits
with snippets), of its ranking step alone (the index's top 50), and of the database's own
ranking of the same words (FTS5's ``rank`` on SQLite, the ``ts_rank`` sort on PostgreSQL: what
the search ranked with before the index), in alternating rounds. The database is only read.

``--full`` also times the database's full path, every match ranked and snippeted in one
statement. The last column is the search without a Session (``search_fresh``, what the server
answers with while the index is up to date), on a connection of its own.
"""

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, create_engine, text
from sqlmodel import Session

from app.services.common import fulltext, search_engine

# FTS5's own ranking, as the search used before the index: titles weigh 4.
FTS5_RANK = "bm25(4.0, 1.0)"
QUERIES = ["deserted", "barrier troops", "desert", "fled", "d"]

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


def full(
    session: Session, q: str, entities: list[str] | None = None, limit: int = 50, offset: int = 0
) -> list[tuple[str, int, str, str, float, str]]:
    """The page the full path gives, as (entity, id, slug, title, rank, snippet)."""
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


def _medians_ms(calls: list[Callable[[], object]], rounds: int) -> list[float]:
    """Each call's median time, the calls alternating round by round (the machine is shared)."""
    for call in calls:
        call()
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(rounds):
        for call, kept in zip(calls, times, strict=True):
            started = time.perf_counter()
            call()
            kept.append((time.perf_counter() - started) * 1000)
    return [statistics.median(kept) for kept in times]


def _ranking(session: Session, q: str) -> Callable[[], object]:
    words = fulltext.terms(q)
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        sql = text(
            "SELECT rowid, rank FROM search_fts WHERE search_fts MATCH :q AND rank MATCH :rank"
            " ORDER BY rank, rowid LIMIT 50"
        )
        params: dict[str, Any] = {"q": fulltext._fts5_query(words), "rank": FTS5_RANK}
    else:
        sql = text(
            "SELECT e.id, ts_rank(e.tsv, query, 1) AS rank"
            " FROM search_entry AS e, to_tsquery('english', :q) AS query"
            " WHERE e.tsv @@ query ORDER BY rank DESC, e.id LIMIT 50"
        )
        params = {"q": fulltext._tsquery(words)}
    return lambda: connection.execute(sql, params).all()


def _matches(session: Session, q: str) -> int:
    words = fulltext.terms(q)
    if session.get_bind().dialect.name == "sqlite":
        sql = "SELECT count(*) FROM search_fts WHERE search_fts MATCH :q"
        query = fulltext._fts5_query(words)
    else:
        sql = "SELECT count(*) FROM search_entry WHERE tsv @@ to_tsquery('english', :q)"
        query = fulltext._tsquery(words)
    return int(session.connection().execute(text(sql), {"q": query}).scalar_one())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database URL")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--q", action="append", help="a query (repeatable)")
    parser.add_argument("--full", action="store_true", help="also time the full path")
    args = parser.parse_args()
    engine = create_engine(args.db)
    with Session(engine) as session:
        started = time.perf_counter()
        held = search_engine.ready(session)
        print(f"search index: {held:,} entries, ready in {time.perf_counter() - started:.1f} s")
        header = f"{'query':<16} {'matches':>8} {'search ms':>10} {'index top ms':>13}"
        header += f" {'db ranking ms':>14}" + (f" {'full ms':>9}" if args.full else "")
        print(header + f" {'no-Session ms':>14}")
        for q in args.q or QUERIES:
            words = fulltext.terms(q)
            calls: list[Callable[[], object]] = [
                lambda q=q: fulltext.search(session, q, limit=50),
                lambda words=words: search_engine.top(session, words, None, 50, 0),
                _ranking(session, q),
            ]
            widths = [10, 13, 14]
            if args.full:
                calls.append(lambda q=q: full(session, q))
                widths.append(9)
            calls.append(lambda q=q: fulltext.search_fresh(engine, q, limit=50))
            widths.append(14)
            times = _medians_ms(calls, args.rounds)
            line = f"{q:<16} {_matches(session, q):>8,}"
            line += "".join(f" {ms:>{w}.2f}" for ms, w in zip(times, widths, strict=True))
            print(line, flush=True)
    engine.dispose()


if __name__ == "__main__":
    main()
