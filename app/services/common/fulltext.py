"""Full-text search, the one place where the two engines differ: FTS5 on SQLite, tsvector on
PostgreSQL. Both take the reader's words as plain terms (all must match), rank by relevance
and mark the matches in a snippet with ``<mark>``.

A snippet is HTML: the record's words escaped, the highlights the only markup. The database
marks a highlight with two control characters (``_OPEN``, ``_CLOSE``) that are first replaced
by spaces in the text it reads (both engines' tokenizers take them for spaces, so the match
is unchanged); the snippet is then escaped whole and only those two become ``<mark>`` and
``</mark>``, so nothing a record says is ever sent as markup.
"""

import contextlib
import html
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Integer, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.db import driver_reader, driver_rows, placeholder
from app.services.common import search_engine

MAX_TERMS = 16
_WORD = re.compile(r"\w+", re.UNICODE)
_OPEN, _CLOSE = "\x02", "\x03"
# PostgreSQL's parser reads `<b>` as a tag and ts_headline leaves tags out of the snippet:
# `<` and `>` go in as these two and come back after the highlights are chosen.
_LT, _GT = "\x04", "\x05"
# SQL for a text with the markers' characters replaced by spaces, per engine.
_SQLITE_PLAIN = "replace(replace({0}, char(2), ' '), char(3), ' ')"
_POSTGRES_PLAIN = (
    "translate({0}, chr(2) || chr(3) || chr(4) || chr(5) || '<>', '    ' || chr(4) || chr(5))"
)
# At least 16 words, as many as SQLite's snippets hold.
_HEADLINE = f"StartSel={_OPEN}, StopSel={_CLOSE}, MaxWords=24, MinWords=16"


@dataclass(frozen=True)
class Hit:
    entity: str
    entity_id: int
    slug: str
    title: str
    rank: float
    snippet: str


def snippet_html(marked: str) -> str:
    """A snippet as the API sends it: on one line, escaped, the marked matches in ``<mark>``."""
    # Every run of whitespace one space, none at the ends: split() and join() in C, five
    # times quicker than a regular expression's substitution, 50 times a page.
    text = " ".join(marked.replace(_LT, "<").replace(_GT, ">").split())
    return html.escape(text).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


def _plain_html(text: str) -> str:
    """A record's text with no match marked in it, as a snippet."""
    return snippet_html(text.replace(_OPEN, " ").replace(_CLOSE, " "))


def terms(q: str) -> list[str]:
    """The words of a query; punctuation, operators and wildcards are not syntax here."""
    return _WORD.findall(q)[:MAX_TERMS]


def _fts5_query(words: list[str]) -> str:
    # Each word quoted, so FTS5 sees no operators; the last one also matches as a prefix.
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def search(
    session: Session, q: str, entities: list[str] | None = None, limit: int = 50, offset: int = 0
) -> list[Hit]:
    """One page of the ranked matches of ``q``, with snippets.

    The ids are ranked by the search index (app/services/common/search_engine.py, which has
    the rule), the same on both engines; then the page's rows are read, and its snippets made
    by the database: FTS5's ``snippet()`` on SQLite, ``ts_headline`` on PostgreSQL."""
    words = terms(q)
    if not words:
        return []
    ranked = search_engine.top(session, words, _kinds(entities), limit, offset)
    if not ranked:
        return []
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        return _sqlite_page(connection.engine, connection.connection, words, ranked)
    return _postgres_page(connection.engine, connection.connection, words, ranked)


def search_fresh(
    engine: Engine, q: str, entities: list[str] | None = None, limit: int = 50, offset: int = 0
) -> list[Hit] | None:
    """``search`` without a Session: one pooled driver connection (one transaction on
    SQLite), the index's freshness read in one statement. None when the index must catch up with the log
    first: ``search`` answers then.

    The same page as ``search`` (tests/services/test_fulltext_top.py holds them equal): the
    Session's begin, commit and statement building were a third of a search's time."""
    words = terms(q)
    wanted = search_engine.query(words, _kinds(entities)) if words else None
    if wanted is None or limit <= 0:
        return []
    sqlite = engine.dialect.name == "sqlite"
    with driver_reader(engine) as connection:
        if sqlite:
            # Before the transaction, so the table outlives it (the pool rolls back at check-in).
            driver_rows(engine, connection, _SNIPPET_TABLE, ())
            driver_rows(engine, connection, "BEGIN", ())
        # On PostgreSQL the connection is in autocommit (``driver_reader``): each statement
        # reads what is committed, as it would in a READ COMMITTED transaction, and a hit
        # whose entry went between the ranking and the rows is left out of the page.
        searcher = search_engine.fresh_searcher(engine, connection)
        if searcher is None:
            return None
        ranked = search_engine.ranked(searcher, wanted, limit, offset)
        if not ranked:
            return []
        if sqlite:
            return _sqlite_page(engine, connection, words, ranked)
        return _postgres_page(engine, connection, words, ranked)


def _kinds(entities: list[str] | None) -> list[str] | None:
    return None if entities is None or set(entities) >= set(ENTITIES) else entities


def _sqlite_page(
    engine: Engine, connection: Any, words: list[str], ranked: list[tuple[int, float]]
) -> list[Hit]:
    """The ranked entries' rows and snippets, read on the driver connection in its
    transaction (the Session's or ``search_fresh``'s)."""
    ids = [entry_id for entry_id, _ in ranked]
    marks = ", ".join("?" * len(ids))
    entries = {
        row[0]: (row[1], row[2], row[3], row[4])
        for row in driver_rows(
            engine,
            connection,
            f"SELECT id, entity, entity_id, slug, title FROM search_entry WHERE id IN ({marks})",
            ids,
        )
    }
    snippets = _page_snippets(engine, connection, _fts5_query(words), ids, marks)
    return [
        Hit(
            *entries[entry_id],
            score,
            snippets.get(entry_id) or _plain_html(entries[entry_id][3]),
        )
        for entry_id, score in ranked
        if entry_id in entries
    ]


def _postgres_page(
    engine: Engine, connection: Any, words: list[str], ranked: list[tuple[int, float]]
) -> list[Hit]:
    """The ranked entries' rows and ``ts_headline`` snippets, read on the driver connection
    in its transaction (the Session's or ``search_fresh``'s)."""
    ids = [entry_id for entry_id, _ in ranked]
    mark = placeholder(engine)
    plain = _POSTGRES_PLAIN.format("e.title || ' ' || e.body")
    rows = {
        row[0]: row[1:]
        for row in driver_rows(
            engine,
            connection,
            "SELECT e.id, e.entity, e.entity_id, e.slug, e.title,"
            f" ts_headline('english', {plain}, to_tsquery('english', {mark}), {mark})"
            f" FROM search_entry AS e WHERE e.id IN ({', '.join([mark] * len(ids))})",
            (_tsquery(words), _HEADLINE, *ids),
        )
    }
    return [
        Hit(
            rows[entry_id][0],
            rows[entry_id][1],
            rows[entry_id][2],
            rows[entry_id][3],
            score,
            snippet_html(rows[entry_id][4]),
        )
        for entry_id, score in ranked
        if entry_id in rows
    ]


ENTITIES = ("figure", "event", "source")


# The same columns and tokenizer as search_fts (migrations/versions/…_search_index_…).
_SNIPPET_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_page USING fts5("
    "title, body, tokenize='porter unicode61 remove_diacritics 2')"
)


def _page_snippets(
    engine: Engine, connection: Any, fts_query: str, ids: list[int], marks: str
) -> dict[int, str]:
    """Snippets of one page of entries, from a connection-private index of that page alone.

    ``snippet()`` over the whole index re-runs the match for every one of its rows (a
    common word matches tens of thousands of a million) before keeping the page's. A
    temporary FTS5 table with the same tokenizer holds just the page's texts, so the match,
    and the snippets, are the same (tests/services/test_fulltext_top.py compares them) for a
    fraction of the cost. It lives in the connection's temp schema: nothing is written to the
    database. The page goes in under a savepoint that is rolled back once its snippets are
    read: emptying the table with a DELETE made FTS5 tokenize every text again to find what
    to remove, 40 % of the snippets' time (bench/README.md). The texts go in without the
    markers' characters, and the snippets come out as ``snippet_html`` makes them."""
    driver_rows(engine, connection, _SNIPPET_TABLE, ())
    driver_rows(engine, connection, "SAVEPOINT search_page", ())
    try:
        driver_rows(
            engine,
            connection,
            "INSERT INTO temp.search_page(rowid, title, body)"
            f" SELECT id, {_SQLITE_PLAIN.format('title')}, {_SQLITE_PLAIN.format('body')}"
            f" FROM search_entry WHERE id IN ({marks})",
            ids,
        )
        marked = driver_rows(
            engine,
            connection,
            "SELECT rowid, snippet(search_page, -1, char(2), char(3), '…', 16)"
            " FROM temp.search_page WHERE search_page MATCH ?",
            (fts_query,),
        )
    except BaseException:
        # The statement's own error is the one to raise: an interrupted one may have ended
        # the transaction, savepoint and all.
        with contextlib.suppress(DBAPIError):
            _rewind(engine, connection)
        raise
    _rewind(engine, connection)
    return {row_id: snippet_html(text) for row_id, text in marked}


def _rewind(engine: Engine, connection: Any) -> None:
    driver_rows(engine, connection, "ROLLBACK TO search_page", ())
    driver_rows(engine, connection, "RELEASE search_page", ())


def _tsquery(words: list[str]) -> str:
    return " & ".join(
        f"'{w}':*" if i == len(words) - 1 else f"'{w}'"
        for i, w in enumerate(w.replace("'", "") for w in words)
    )


def matching(session: Session, q: str, entity: str) -> Any:
    """The ids of the records of one kind whose text matches every word of ``q``, as a
    subquery for ``column.in_(...)``: the database joins it, no list of ids comes back to
    Python (a common word matches most of a million records, more ids than a statement may
    bind: 65,535 on PostgreSQL). A filter needs no rank and no snippet: neither is computed."""
    words = terms(q)
    if session.get_bind().dialect.name == "sqlite":
        sql = text(
            # CROSS JOIN keeps the full-text match as the outer loop: left to itself SQLite
            # walks every entry of the kind by its index and runs the match once per entry
            # (at a million figures, hundreds of times slower: bench/README.md).
            "SELECT e.entity_id FROM search_fts CROSS JOIN search_entry AS e"
            " ON e.id = search_fts.rowid"
            " WHERE search_fts MATCH :fulltext_q AND e.entity = :fulltext_entity"
        ).bindparams(fulltext_q=_fts5_query(words) if words else '""', fulltext_entity=entity)
    else:
        sql = text(
            "SELECT e.entity_id FROM search_entry AS e"
            " WHERE e.tsv @@ to_tsquery('english', :fulltext_q) AND e.entity = :fulltext_entity"
        ).bindparams(fulltext_q=_tsquery(words) if words else "", fulltext_entity=entity)
    return select(sql.columns(entity_id=Integer).subquery().c.entity_id)
