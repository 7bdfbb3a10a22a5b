"""The search's ranking: a tantivy index of the ``search_entry`` rows, on both engines.

FTS5's ``bm25()`` and PostgreSQL's ``ts_rank`` score every match before the LIMIT; a common
word has tens of thousands. tantivy keeps per-block score bounds and skips what cannot enter
the page (bench/README.md, "Search"). The index ranks; the page's rows and snippets are then
read from the database (app/services/common/fulltext.py), so what a hit says is always the
database's.

The ranking rule
----------------
- Texts and queries go through one analyser: words split at every character that is not a
  letter or digit, words over 40 characters dropped, lower-cased, folded to ASCII, stemmed
  (Snowball English). Each word of the query is one required term: an entry matches only if
  it holds them all.
- Every word but the last matches an entry whose title or text holds its stem. The last word
  is a prefix: it matches an entry holding a word whose stem starts with the last word's stem
  ("deser" finds "deserted", "deserted" finds "deserters"). For that the index holds a second
  pair of fields, every prefix of every stem of the title and of the text.
- Score: tantivy's BM25 (k1 1.2, b 0.75), per field, summed over the query's words; a word in
  the title counts four times (boost 4), as titles weigh 4 in FTS5's ranking before. The last
  word is scored on the prefix fields (its term frequency is the count of the field's words
  starting with it, the field's length its number of prefixes).
- Order: score descending, then the entry's id ascending. tantivy's top-k cuts ties at an
  arbitrary document, so a page is read until the score after it is strictly lower, then
  sorted by (score, id): the same ids in the same order on every engine and every process.
- A kind filter (``type=figure``) keeps the matches of those kinds and scores nothing: a
  filtered page is the unfiltered ranking with the other kinds left out.
- BM25's statistics (entries, average lengths, how many entries hold a word) count an
  entry's replaced versions until tantivy merges them away, so a score can move slightly
  between an index built at once and one kept up to date by changes; the order of a freshly
  built index is the reference the tests hold.

Consistency
-----------
Triggers on ``search_entry`` write the id of every inserted, updated and deleted entry to
``search_change`` in the write's own transaction (a truncation writes a row with no id: rebuild
everything). Before each search the log is compared with the watermark stored in the index's
last commit (a meta document, id 0, committed with the entries it describes). If the log is
ahead, under an exclusive lock on the folder (``flock``: every process serving the database
shares it, and tantivy allows one writer) the index is reloaded, the changes not yet applied
are applied by re-reading each changed entry's current row (so applying one twice, or out of
order, gives the same index), and the index is committed together with the new watermark.
A process stopped between a database commit and an index commit leaves the change in the log
above the index's watermark: the next search applies it.

- SQLite serialises writers, so the log's sequence is commit order and the watermark is the
  last sequence applied (``sqlite_sequence``).
- PostgreSQL commits out of sequence: each row holds its transaction's id, and the watermark
  is the oldest transaction still running when the log was read (``pg_snapshot_xmin``). Rows
  of that transaction or newer are read again on each search and applied if not yet applied
  (their sequences are kept in the meta document).

The log is not pruned on the read path (a read may run on a read-only replica); ``sourced
search reindex`` rebuilds the index and removes the rows it no longer needs. A database
holds a random token (``search_index_token``, made by its migration): an index built from
another database (or one dropped and re-created) is rebuilt. An index with no meta document,
or from another version of this rule, is built on the first search; after a bulk load, or
after restoring a backup, run ``sourced search reindex`` rather than leave the first search
to build it.
"""

import fcntl
import json
import os
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy
from sqlalchemy import Connection, Engine, bindparam, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.db import driver_rows, placeholder
from app.settings import Settings

# Raised whenever the rule or the fields change: an index of another version is rebuilt.
VERSION = 1
TITLE_BOOST = 4.0
MAX_WORD = 40
META_ID = 0
# More changes than this at once (a bulk load) are a rebuild rather than row by row.
REBUILD_OVER = 20_000
_PAGE = 5_000
_WORDS = "sourced_words"
_PREFIXES = "sourced_prefixes"


def _analyser() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_WORD))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


_ANALYSER = _analyser()


def stems(value: str) -> list[str]:
    """The terms a text (or a query) is indexed as, in order."""
    return list(_ANALYSER.analyze(value))


def prefixes(value: str) -> str:
    """Every prefix of every stem of a text, space-separated (the prefix fields' text)."""
    return " ".join(stem[:end] for stem in stems(value) for end in range(1, len(stem) + 1))


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("entity", tokenizer_name="raw", index_option="basic")
    for name in ("title", "body"):
        builder.add_text_field(name, tokenizer_name=_WORDS, index_option="freq")
    for name in ("title_prefix", "body_prefix"):
        builder.add_text_field(name, tokenizer_name=_PREFIXES, index_option="freq")
    builder.add_bytes_field("meta", stored=True, indexed=False)
    return builder.build()


_SCHEMA = _schema()


def document(entry_id: int, entity: str, title: str, body: str) -> tantivy.Document:
    return tantivy.Document(
        id=entry_id,
        entity=entity,
        title=title,
        body=body,
        title_prefix=prefixes(title),
        body_prefix=prefixes(body),
    )


def query(words: Sequence[str], entities: Sequence[str] | None = None) -> tantivy.Query | None:
    """The query of the rule above for the reader's words; None if no term is left."""
    terms = stems(" ".join(words))
    if not terms:
        return None
    clauses = []
    for position, term in enumerate(terms):
        title, body = (
            ("title_prefix", "body_prefix") if position == len(terms) - 1 else ("title", "body")
        )
        either = tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Should,
                    tantivy.Query.boost_query(
                        tantivy.Query.term_query(_SCHEMA, title, term), TITLE_BOOST
                    ),
                ),
                (tantivy.Occur.Should, tantivy.Query.term_query(_SCHEMA, body, term)),
            ]
        )
        clauses.append((tantivy.Occur.Must, either))
    if entities:
        kinds = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.term_query(_SCHEMA, "entity", kind))
                for kind in sorted(set(entities))
            ]
        )
        clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(kinds, 0.0)))
    return tantivy.Query.boolean_query(clauses)


# -- the index's folder ---------------------------------------------------------------------

_folders: "weakref.WeakKeyDictionary[Engine, Path]" = weakref.WeakKeyDictionary()


def set_folder(engine: Engine, folder: Path) -> None:
    """Use this folder for this engine's database (tests, the benchmark)."""
    _folders[engine] = folder


def folder(engine: Engine) -> Path:
    """The index's folder: the setting, else beside an SQLite file, else a cache folder."""
    if engine in _folders:
        return _folders[engine]
    configured = Settings().search_index_dir
    url = make_url(str(engine.url))
    if configured:
        path = Path(configured)
    elif url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database.startswith("file:"):
            database = database[len("file:") :].split("?")[0]
        if database in ("", ":memory:") or url.query.get("mode") == "memory":
            path = Path(tempfile.mkdtemp(prefix="sourced-search-"))
        else:
            path = Path(database).resolve().with_name(Path(database).name + ".search")
    else:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        name = f"{url.host or 'local'}-{url.port or 5432}-{url.database or ''}"
        path = cache / "sourced" / "search" / name
    _folders[engine] = path
    return path


# -- the log's state --------------------------------------------------------------------------


@dataclass
class _Log:
    """What the database's change log says, read in one statement."""

    token: str
    # SQLite: the last sequence written. PostgreSQL: the oldest running transaction.
    mark: int
    # PostgreSQL: (seq, entry id or None, transaction id) of the rows at or above the
    # index's watermark; SQLite: the rows above the index's sequence, transaction id 0.
    rows: list[tuple[int, int | None, int]] = field(default_factory=list)


def _postgres(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


# The log's head in one statement; on PostgreSQL the sequences of the rows at or above the
# index's watermark (``since``, a parameter) come with it.
_POSTGRES_HEAD = (
    "SELECT (SELECT token FROM search_index_token LIMIT 1),"
    " pg_snapshot_xmin(pg_current_snapshot())::text::bigint,"
    " ARRAY(SELECT seq FROM search_change WHERE xid >= CAST({since} AS text)::xid8)"
)
_SQLITE_HEAD = (
    "SELECT (SELECT token FROM search_index_token LIMIT 1),"
    " (SELECT seq FROM sqlite_sequence WHERE name = 'search_change')"
)


def _read_log(connection: Connection, meta: dict[str, Any] | None, *, rows: bool) -> _Log:
    since = int(meta["mark"]) if meta else 0
    if _postgres(connection):
        head = connection.execute(
            text(_POSTGRES_HEAD.format(since=":since")), {"since": str(since)}
        ).one()
        log = _Log(head[0] or "", int(head[1]))
        seen = set(meta["seen"]) if meta else set()
        if rows or not set(head[2]) <= seen:
            log.rows = [
                (int(r[0]), r[1], int(r[2]))
                for r in connection.execute(
                    text(
                        "SELECT seq, entry_id, xid::text::bigint FROM search_change"
                        " WHERE xid >= CAST(:since AS text)::xid8 ORDER BY seq"
                    ),
                    {"since": str(since)},
                )
            ]
        return log
    head = connection.execute(text(_SQLITE_HEAD)).one()
    log = _Log(head[0] or "", int(head[1] or 0))
    if rows and log.mark > since:
        log.rows = [
            (int(r[0]), r[1], 0)
            for r in connection.execute(
                text(
                    "SELECT seq, entry_id FROM search_change WHERE seq > :since AND seq <= :mark"
                    " ORDER BY seq"
                ),
                {"since": since, "mark": log.mark},
            )
        ]
    return log


def _pending(
    log: _Log, meta: dict[str, Any] | None, postgres: bool
) -> list[tuple[int, int | None]]:
    """The log's rows the index does not hold yet: (seq, entry id)."""
    if meta is None:
        return [(seq, entry) for seq, entry, _ in log.rows]
    if postgres:
        seen = set(meta["seen"])
        return [(seq, entry) for seq, entry, _ in log.rows if seq not in seen]
    return [(seq, entry) for seq, entry, _ in log.rows if seq > int(meta["mark"])]


def _fresh(head: Sequence[Any], meta: dict[str, Any], postgres: bool) -> bool:
    """Whether the log's head (a row of ``_POSTGRES_HEAD`` or ``_SQLITE_HEAD``) holds nothing
    the index lacks: the same database and rule, and no change past the index's watermark
    (on PostgreSQL, none at or above it that the index has not seen)."""
    if meta.get("version") != VERSION or meta.get("token") != (head[0] or ""):
        return False
    if postgres:
        return set(head[2]) <= set(meta["seen"])
    return int(head[1] or 0) <= int(meta["mark"])


# -- the index, per folder and process --------------------------------------------------------


class _Index:
    """One folder's index in this process: the searcher of its last commit and its meta."""

    def __init__(self, path: Path) -> None:
        # A folder per version of the fields: another version's index is left alone.
        self.path = path / f"v{VERSION}"
        self.path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(_SCHEMA, path=str(self.path), reuse=True)
        self.index.register_tokenizer(_WORDS, _analyser())
        self.index.register_tokenizer(
            _PREFIXES, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        )
        self.thread_lock = threading.Lock()
        self.searcher = self.index.searcher()
        self.meta = self._read_meta()

    def _read_meta(self) -> dict[str, Any] | None:
        found = self.searcher.search(tantivy.Query.term_query(_SCHEMA, "id", META_ID), 1).hits
        if not found:
            return None
        stored = self.searcher.doc(found[0][1])["meta"][0]
        meta: dict[str, Any] = json.loads(bytes(stored))
        return meta

    def reload(self) -> None:
        self.index.reload()
        self.searcher = self.index.searcher()
        self.meta = self._read_meta()

    @contextmanager
    def locked(self) -> Iterator[None]:
        """This process's threads one at a time, then the processes sharing the folder."""
        with self.thread_lock, open(self.path / ".sourced-lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


_indexes: dict[Path, _Index] = {}
_indexes_lock = threading.Lock()


def _index(engine: Engine) -> _Index:
    path = folder(engine)
    with _indexes_lock:
        found = _indexes.get(path)
        if found is None:
            found = _indexes[path] = _Index(path)
        return found


def forget() -> None:
    """Drop this process's open indexes (as a new process starts with none)."""
    with _indexes_lock:
        _indexes.clear()


# Between adding a change's documents and committing them with their watermark: a test
# stops here to stand for a process that dies before the index's commit.
def _commit(writer: tantivy.IndexWriter) -> None:
    writer.commit()


def _write(
    index: _Index,
    connection: Connection,
    meta: dict[str, Any],
    ids: list[int] | None,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Rewrite these entries from their current rows (None: every entry, from empty), then
    commit them with ``meta`` in one commit."""
    writer = index.index.writer(heap_size=(200 if ids is None else 30) * 1_000_000, num_threads=1)
    try:
        if ids is None:
            writer.delete_all_documents()
            total = int(connection.execute(text("SELECT count(*) FROM search_entry")).scalar_one())
            done = last = 0
            # A page at a time by id, each a short statement: a build within a request stays
            # under the statement timeout however many entries there are.
            while True:
                rows = connection.execute(
                    text(
                        "SELECT id, entity, title, body FROM search_entry WHERE id > :last"
                        " ORDER BY id LIMIT :page"
                    ),
                    {"last": last, "page": _PAGE},
                ).all()
                if not rows:
                    break
                for row in rows:
                    writer.add_document(document(*row))
                last = rows[-1][0]
                done += len(rows)
                if progress is not None and done < total:
                    progress(done, total)
            if progress is not None:
                progress(done, total)
        else:
            for start in range(0, len(ids), _PAGE):
                page = ids[start : start + _PAGE]
                for entry_id in page:
                    writer.delete_documents_by_term("id", entry_id)
                for row in connection.execute(
                    text(
                        "SELECT id, entity, title, body FROM search_entry WHERE id IN :ids"
                    ).bindparams(bindparam("ids", expanding=True)),
                    {"ids": page},
                ):
                    writer.add_document(document(*row))
            writer.delete_documents_by_term("id", META_ID)
        writer.add_document(
            tantivy.Document(id=META_ID, meta=json.dumps(meta, sort_keys=True).encode())
        )
        _commit(writer)
    except BaseException:
        writer.rollback()
        raise
    finally:
        writer.wait_merging_threads()
    index.reload()


def _meta(log: _Log, postgres: bool) -> dict[str, Any]:
    seen = sorted(seq for seq, _, xid in log.rows if xid >= log.mark) if postgres else []
    return {"version": VERSION, "token": log.token, "mark": log.mark, "seen": seen}


def _catch_up(index: _Index, connection: Connection) -> None:
    """Under the folder's lock: apply what the log holds that the index does not."""
    postgres = _postgres(connection)
    index.reload()
    meta = index.meta
    if meta is not None and meta.get("version") != VERSION:
        meta = None
    log = _read_log(connection, meta, rows=meta is not None)
    if meta is not None and meta.get("token") == log.token:
        pending = _pending(log, meta, postgres)
        if not pending and (postgres or log.mark <= int(meta["mark"])):
            return
        if all(entry is not None for _, entry in pending) and len(pending) <= REBUILD_OVER:
            ids = sorted({entry for _, entry in pending if entry is not None})
            _write(index, connection, _meta(log, postgres), ids)
            return
    _write(index, connection, _meta(log, postgres), None)


def _synced(session: Session) -> _Index:
    """The index of the session's database, holding every change the session can see."""
    connection = session.connection()
    index = _index(connection.engine)
    postgres = _postgres(connection)
    meta = index.meta
    if meta is not None:
        if postgres:
            statement = text(_POSTGRES_HEAD.format(since=":since"))
            head = connection.execute(statement, {"since": str(int(meta["mark"]))}).one()
        else:
            head = connection.execute(text(_SQLITE_HEAD)).one()
        if _fresh(head, meta, postgres):
            return index
    with index.locked():
        _catch_up(index, connection)
    return index


def fresh_searcher(engine: Engine, driver_connection: Any) -> tantivy.Searcher | None:
    """The searcher of the engine's index when the log, read on this driver connection (in
    its transaction, one statement), holds nothing the index lacks; None when the index must
    catch up first, which ``top`` does in a Session.

    The same check as ``_synced``'s first step, without a Session: a search that finds the
    index fresh, nearly every one, reads nothing else of the log."""
    index = _index(engine)
    meta = index.meta
    if meta is None:
        return None
    postgres = engine.dialect.name == "postgresql"
    if postgres:
        statement = _POSTGRES_HEAD.format(since=placeholder(engine))
        parameters: tuple[Any, ...] = (str(int(meta["mark"])),)
    else:
        statement, parameters = _SQLITE_HEAD, ()
    head = driver_rows(engine, driver_connection, statement, parameters, many=False)[0]
    return index.searcher if _fresh(head, meta, postgres) else None


def ready(session: Session) -> int:
    """Bring the index up to date with what the session sees (building it if it is missing);
    returns how many entries it holds."""
    return int(_synced(session).searcher.num_docs) - 1


def reindex(session: Session, progress: Callable[[int, int], None] | None = None) -> int:
    """Build the index afresh from every entry, then remove the log's rows it holds (those
    below its watermark). Returns how many entries it holds."""
    connection = session.connection()
    index = _index(connection.engine)
    postgres = _postgres(connection)
    with index.locked():
        log = _read_log(connection, None, rows=False)
        _write(index, connection, _meta(log, postgres), None, progress)
        if postgres:
            connection.execute(
                text("DELETE FROM search_change WHERE xid < CAST(:mark AS text)::xid8"),
                {"mark": str(log.mark)},
            )
        else:
            connection.execute(
                text("DELETE FROM search_change WHERE seq <= :mark"), {"mark": log.mark}
            )
    return int(index.searcher.num_docs) - 1


def top(
    session: Session,
    words: Sequence[str],
    entities: Sequence[str] | None,
    limit: int,
    offset: int,
) -> list[tuple[int, float]]:
    """One page of the ranking: (entry id, score), best first, ties by id."""
    wanted = query(words, entities)
    if wanted is None or limit <= 0:
        return []
    return ranked(_synced(session).searcher, wanted, limit, offset)


def ranked(
    searcher: tantivy.Searcher, wanted: tantivy.Query, limit: int, offset: int
) -> list[tuple[int, float]]:
    """``top``'s page from a searcher known to be up to date (``_synced``, ``fresh_searcher``)."""
    end = offset + limit
    size = end + 1
    while True:
        hits = searcher.search(wanted, size, count=False).hits
        # Every entry scoring as the page's last one is in hand once a lower score follows.
        if len(hits) < size or len(hits) <= end or hits[-1][0] < hits[end - 1][0]:
            break
        size *= 2
    ordered = sorted(
        ((float(score), int(searcher.doc(address)["id"][0])) for score, address in hits),
        key=lambda hit: (-hit[0], hit[1]),
    )
    return [(entry_id, score) for score, entry_id in ordered[offset:end]]
