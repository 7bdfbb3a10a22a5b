"""Search, in process: milliseconds per query of ``fulltext.search`` and of its ranking alone.

    python -m bench.search_timing --db sqlite:///bench/data/bench-100000.db
    python -m bench.search_timing --db postgresql://... --rounds 15
    python -m bench.search_timing --db sqlite:///... --tantivy /tmp/search-index

For each query: the matches, the median of ``rounds`` calls of the whole search (50 hits with
snippets) and of the ranking step alone (the page's ids: FTS5's ``rank`` on SQLite, the
``ts_rank`` sort on PostgreSQL), the difference being the page's rows and snippets. The
database is only read (open a copy if it must not be touched at all).

``--tantivy DIR`` also times a top 50 from a tantivy index of the same entries (built into
DIR if it is empty; the package is not a dependency of the project, install it to compare):
the same words, all required, titles weighted 4, scored by tantivy's own BM25.
"""

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlmodel import Session

from app.services.common import fulltext

QUERIES = ["deserted", "barrier troops", "desert", "fled", "d"]


def _median_ms(call: Callable[[], object], rounds: int) -> float:
    call()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _ranking(session: Session, q: str) -> Callable[[], object]:
    words = fulltext.terms(q)
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        sql = text(
            "SELECT rowid, rank FROM search_fts WHERE search_fts MATCH :q AND rank MATCH :rank"
            " ORDER BY rank, rowid LIMIT 51"
        )
        params: dict[str, Any] = {"q": fulltext._fts5_query(words), "rank": fulltext._RANK}
    else:
        sql = text(
            "SELECT e.id, ts_rank(e.tsv, query, 1) AS rank"
            " FROM search_entry AS e, to_tsquery('english', :q) AS query"
            " WHERE e.tsv @@ query ORDER BY rank DESC, e.id LIMIT 51"
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


def _tantivy(session: Session, folder: Path) -> Callable[[str], Callable[[], object]]:
    import tantivy  # type: ignore[import-not-found]  # optional: only to compare

    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("title", tokenizer_name="en_stem")
    builder.add_text_field("body", tokenizer_name="en_stem")
    folder.mkdir(parents=True, exist_ok=True)
    empty = not any(folder.iterdir())
    index = tantivy.Index(builder.build(), path=str(folder))
    if empty:
        started = time.perf_counter()
        writer = index.writer(heap_size=200_000_000, num_threads=1)
        rows = session.connection().execute(text("SELECT id, title, body FROM search_entry"))
        for row_id, title, body in rows:
            writer.add_document(tantivy.Document(id=row_id, title=title, body=body))
        writer.commit()
        writer.wait_merging_threads()
        print(f"tantivy index built in {time.perf_counter() - started:.1f} s")
    index.reload()
    searcher = index.searcher()

    def top(q: str) -> Callable[[], object]:
        query = index.parse_query(
            " ".join(fulltext.terms(q)),
            ["title", "body"],
            field_boosts={"title": 4.0},
            conjunction_by_default=True,
        )
        return lambda: searcher.search(query, 51).hits

    return top


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database URL")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--q", action="append", help="a query (repeatable)")
    parser.add_argument("--tantivy", type=Path, help="a folder for a tantivy index, to compare")
    args = parser.parse_args()
    engine = create_engine(args.db)
    with Session(engine) as session:
        tantivy_top = _tantivy(session, args.tantivy) if args.tantivy else None
        header = f"{'query':<16} {'matches':>8} {'search ms':>10} {'ranking ms':>11}"
        print(header + (f" {'tantivy ms':>11}" if tantivy_top else ""))
        for q in args.q or QUERIES:
            whole = _median_ms(lambda q=q: fulltext.search(session, q, limit=51), args.rounds)
            ranking = _median_ms(_ranking(session, q), args.rounds)
            line = f"{q:<16} {_matches(session, q):>8,} {whole:>10.1f} {ranking:>11.1f}"
            if tantivy_top:
                line += f" {_median_ms(tantivy_top(q), args.rounds):>11.2f}"
            print(line, flush=True)
    engine.dispose()


if __name__ == "__main__":
    main()
