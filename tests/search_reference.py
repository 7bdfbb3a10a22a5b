"""The search's ranking by brute force, under the rule in app/services/common/search_engine.py.

Which entries match is decided here, in Python, from every entry's stems (every word but the
last held, the last a prefix of a held stem); each match is scored by the index with no top-k
cut (every match collected); the order is score descending, then id. The search's page must
be a slice of it."""

from sqlalchemy import text
from sqlmodel import Session

from app.services.common import fulltext, search_engine
from bench.search_timing import full


def matches(session: Session, q: str, entities: list[str] | None = None) -> set[int]:
    terms = search_engine.stems(" ".join(fulltext.terms(q)))
    found = set()
    rows = session.connection().execute(text("SELECT id, entity, title, body FROM search_entry"))
    for entry_id, entity, title, body in rows:
        if entities and entity not in entities:
            continue
        held = set(search_engine.stems(title)) | set(search_engine.stems(body))
        if all(t in held for t in terms[:-1]) and any(s.startswith(terms[-1]) for s in held):
            found.add(entry_id)
    return found


def ranking(session: Session, q: str, entities: list[str] | None = None) -> list[tuple[int, float]]:
    """Every match of ``q``: (entry id, score), best first, ties by id."""
    expected = matches(session, q, entities)
    searcher = search_engine._synced(session).searcher
    wanted = search_engine.query(fulltext.terms(q), entities)
    assert wanted is not None
    hits = searcher.search(wanted, searcher.num_docs, count=False).hits
    scores = {int(searcher.doc(address)["id"][0]): float(score) for score, address in hits}
    assert set(scores) == expected, (q, entities)
    return sorted(scores.items(), key=lambda hit: (-hit[1], hit[0]))


def expected_page(
    session: Session, q: str, entities: list[str] | None, limit: int, offset: int
) -> list:
    ranked = ranking(session, q, entities)[offset : offset + limit]
    rows = {
        row[0]: tuple(row[1:])
        for row in session.connection().execute(
            text("SELECT id, entity, entity_id, slug, title FROM search_entry")
        )
    }
    # The database's own snippet of every entry it matches. On SQLite one FTS5 does not match
    # (its stemmer differs from the index's) shows its title; ts_headline snippets any text.
    snippets = {(r[0], r[1]): r[5] for r in full(session, q, entities, limit=1_000_000)}
    if session.get_bind().dialect.name == "postgresql":
        snippets |= headlines(session, q, [entry_id for entry_id, _ in ranked])
    return [
        (
            *rows[entry_id],
            score,
            snippets.get(rows[entry_id][:2]) or fulltext._plain_html(rows[entry_id][3]),
        )
        for entry_id, score in ranked
    ]


def headlines(session: Session, q: str, ids: list[int]) -> dict[tuple[str, int], str]:
    plain = fulltext._POSTGRES_PLAIN.format("title || ' ' || body")
    rows = session.connection().execute(
        text(
            f"SELECT entity, entity_id, ts_headline('english', {plain},"
            " to_tsquery('english', :q), :headline) FROM search_entry WHERE id = ANY(:ids)"
        ),
        {"q": fulltext._tsquery(fulltext.terms(q)), "headline": fulltext._HEADLINE, "ids": ids},
    )
    return {(r[0], r[1]): fulltext.snippet_html(r[2]) for r in rows}
