"""Full-text search, the one place where the two engines differ: FTS5 on SQLite, tsvector on
PostgreSQL. Both take the reader's words as plain terms (all must match), rank by relevance
and mark the matches in a snippet with ``<mark>``.

A snippet is HTML: the record's words escaped, the highlights the only markup. The database
marks a highlight with two control characters (``_OPEN``, ``_CLOSE``) that are first replaced
by spaces in the text it reads (both engines' tokenizers take them for spaces, so the match
is unchanged); the snippet is then escaped whole and only those two become ``<mark>`` and
``</mark>``, so nothing a record says is ever sent as markup.
"""

import html
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, bindparam, select, text
from sqlmodel import Session

MAX_TERMS = 16
_WORD = re.compile(r"\w+", re.UNICODE)
_OPEN, _CLOSE = "\x02", "\x03"
# PostgreSQL's parser reads `<b>` as a tag and ts_headline leaves tags out of the snippet:
# `<` and `>` go in as these two and come back after the highlights are chosen.
_LT, _GT = "\x04", "\x05"
_SPACES = re.compile(r"\s+")
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
    text = _SPACES.sub(" ", marked.replace(_LT, "<").replace(_GT, ">")).strip()
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
    words = terms(q)
    if not words:
        return []
    entities = entities or ["figure", "event", "source"]
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    placeholders = []
    for index, entity in enumerate(entities):
        params[f"e{index}"] = entity
        placeholders.append(f":e{index}")
    wanted = ", ".join(placeholders)
    if session.get_bind().dialect.name == "sqlite" and set(entities) >= set(ENTITIES):
        return _sqlite_top(session, _fts5_query(words), limit, offset)
    if session.get_bind().dialect.name == "sqlite":
        params["q"] = _fts5_query(words)
        sql = f"""
            SELECT e.id, e.entity, e.entity_id, e.slug, e.title, bm25(search_fts, 4.0, 1.0) AS rank
            FROM search_fts CROSS JOIN search_entry AS e ON e.id = search_fts.rowid
            WHERE search_fts MATCH :q AND e.entity IN ({wanted})
            ORDER BY rank, e.id LIMIT :limit OFFSET :offset"""
        connection = session.connection()
        rows = connection.execute(text(sql), params).all()
        if not rows:
            return []
        # The page's snippets alone, as for every kind of record (``_page_snippets``).
        snippets = _page_snippets(connection, params["q"], [r[0] for r in rows])
        return [
            Hit(r[1], r[2], r[3], r[4], -float(r[5]), snippets.get(r[0]) or _plain_html(r[4]))
            for r in rows
        ]
    params["q"] = _tsquery(words)
    params["headline"] = _HEADLINE
    # Normalisation 1 divides by the log of the text's length, as BM25 does on SQLite: a long
    # note that repeats a word does not outrank a title that is about it.
    plain = _POSTGRES_PLAIN.format("e.title || ' ' || e.body")
    # The page is ranked first from the matches' ids and ranks alone, then its rows and
    # snippets are read: sorting every match with its title and text (to make the page's
    # snippets after the sort) carried each match's whole row through the sort.
    # MATERIALIZED keeps the planner from folding the two back into one.
    sql = f"""
        WITH top AS MATERIALIZED (
            SELECT e.id, ts_rank(e.tsv, query, 1) AS rank
            FROM search_entry AS e, to_tsquery('english', :q) AS query
            WHERE e.tsv @@ query AND e.entity IN ({wanted})
            ORDER BY rank DESC, e.id LIMIT :limit OFFSET :offset)
        SELECT e.entity, e.entity_id, e.slug, e.title, top.rank,
               ts_headline('english', {plain}, to_tsquery('english', :q), :headline) AS snippet
        FROM top JOIN search_entry AS e ON e.id = top.id
        ORDER BY top.rank DESC, e.id"""
    rows = session.connection().execute(text(sql), params).all()
    return [Hit(r[0], r[1], r[2], r[3], float(r[4]), snippet_html(r[5])) for r in rows]


ENTITIES = ("figure", "event", "source")
# FTS5 ranks with this instead of its default BM25 when asked in the query: titles weigh 4.
_RANK = "bm25(4.0, 1.0)"


def _sqlite_top(session: Session, fts_query: str, limit: int, offset: int) -> list[Hit]:
    """Every kind of record: rank inside FTS5 first, then read only the page's rows.

    Ranking and joining every match before the LIMIT (the filtered query above) costs a join
    and a snippet per match; a common word has tens of thousands. Here FTS5 orders the
    matches by rank itself, and the join and the snippets are made for the page alone
    (bench/README.md has the measurement). The order is the same: rank, then id."""
    connection = session.connection()
    top = connection.execute(
        text(
            "SELECT rowid, rank FROM search_fts WHERE search_fts MATCH :q AND rank MATCH :rank"
            " ORDER BY rank, rowid LIMIT :limit OFFSET :offset"
        ),
        {"q": fts_query, "rank": _RANK, "limit": limit, "offset": offset},
    ).all()
    if not top:
        return []
    ids = [row[0] for row in top]
    entries = {
        row[0]: (row[1], row[2], row[3], row[4])
        for row in connection.execute(
            text(
                "SELECT id, entity, entity_id, slug, title FROM search_entry WHERE id IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": ids},
        )
    }
    snippets = _page_snippets(connection, fts_query, ids)
    return [
        Hit(
            *entries[row_id][:4],
            -float(rank),
            snippets.get(row_id) or _plain_html(entries[row_id][3]),
        )
        for row_id, rank in top
        if row_id in entries
    ]


# The same columns and tokenizer as search_fts (migrations/versions/…_search_index_…).
_SNIPPET_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_page USING fts5("
    "title, body, tokenize='porter unicode61 remove_diacritics 2')"
)


def _page_snippets(connection: Any, fts_query: str, ids: list[int]) -> dict[int, str]:
    """Snippets of one page of entries, from a connection-private index of that page alone.

    ``snippet()`` over the whole index re-runs the match for every one of its rows (a
    common word matches tens of thousands of a million) before keeping the page's. A temporary FTS5
    table with the same tokenizer holds just the page's texts, so the match, and the
    snippets, are the same (tests/services/test_fulltext_top.py compares them) for a fraction of the cost. It lives in the
    connection's temp schema: nothing is written to the database. The texts go in without
    the markers' characters, and the snippets come out as ``snippet_html`` makes them."""
    connection.execute(text(_SNIPPET_TABLE))
    try:
        connection.execute(
            text(
                "INSERT INTO temp.search_page(rowid, title, body)"
                f" SELECT id, {_SQLITE_PLAIN.format('title')}, {_SQLITE_PLAIN.format('body')}"
                " FROM search_entry WHERE id IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": ids},
        )
        return {
            row_id: snippet_html(marked)
            for row_id, marked in connection.execute(
                text(
                    "SELECT rowid, snippet(search_page, -1, char(2), char(3), '…', 16)"
                    " FROM temp.search_page WHERE search_page MATCH :q"
                ),
                {"q": fts_query},
            )
        }
    finally:
        connection.execute(text("DELETE FROM temp.search_page"))


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
