"""Stored public texts of figures (``figure_doc``): written with every change, read by lists,
details and exports.

Every write goes through ``ingest.apply`` or ``editing.retract``; both call ``refresh`` with
the figures a change shows in (``affected``): a figure's own; an event's figures (the JSON
names the event, its ETag folds in the event's version); a source's figures and those of the
sources under it (the chain names a source and its parent). A read of a figure with no stored
text renders it on the fly (``stored``), so an empty table is slow, never wrong; a stale text
would be wrong, and tests/services/test_figure_docs.py checks, after every kind of write, that each
stored text equals a fresh rendering.
"""

import csv
import io
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import cache, lru_cache
from types import SimpleNamespace
from typing import Any

import orjson
from sqlalchemy import ColumnElement, LargeBinary, Select, bindparam, cast, delete, func, select
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlalchemy.sql.base import Executable
from sqlmodel import Session, col

from app.db import driver_fetchone, placeholder
from app.errors import NotFoundError
from app.models import Attribution, Event, Figure, FigureDoc, Source
from app.models.records import stored_id
from app.models.types import normalise_decimal
from app.schemas import figure_json
from app.schemas.figure_json import FigureRecord
from app.services.common.batching import chunks, insert_rows
from app.services.common.views import Link, SourceRef
from app.services.present import tables
from app.services.read import as_of, figures

_JSON_URL = b',"url":"v1/figures/'
_CSV_UNSAFE = frozenset(',"\r\n')


@lru_cache(maxsize=64)
def _json_url(base_url: str) -> bytes:
    return b',"url":"' + orjson.dumps(base_url)[1:-1] + b"v1/figures/"


@dataclass(frozen=True, slots=True)
class Stored:
    """A figure's public texts with a relative URL; ``json`` and ``csv_row`` give them whole."""

    id: int
    slug: str
    body: bytes
    csv: bytes
    etag: str

    def json(self, base_url: str) -> bytes:
        """FigurePublic's bytes with ``base_url`` in front of the record's URL: the body
        starts ``{"slug":"…","url":"`` and a JSON string holds no bare quote, so the first
        match is the URL."""
        return self.body.replace(_JSON_URL, _json_url(base_url), 1)

    def csv_row(self, base_url: str) -> bytes:
        """The CSV row with the full URL (the second column; the slug before it is plain)."""
        stored = f",v1/figures/{self.slug},".encode()
        url = f"{base_url}v1/figures/{self.slug}"
        if _CSV_UNSAFE.intersection(url):
            url = '"' + url.replace('"', '""') + '"'
        return self.csv.replace(stored, f",{url},".encode(), 1)


@lru_cache(maxsize=64)
def with_texts(dialect: str, statement: Any) -> Any:
    """A page statement over ``figure`` with each figure's stored texts last (NULL when it
    has none): one statement for a page instead of its ids, then its texts. The texts come
    as bytes, which is what a response sends: no decoding by the driver, no encoding back.
    Built once per base statement (``keys_only`` makes one per sort)."""
    body, csv_text = col(FigureDoc.body), col(FigureDoc.csv)
    as_bytes: list[ColumnElement[bytes]]
    if dialect == "sqlite":
        as_bytes = [cast(body, LargeBinary), cast(csv_text, LargeBinary)]
    else:
        as_bytes = [func.convert_to(c, "UTF8", type_=LargeBinary) for c in (body, csv_text)]
    return statement.outerjoin(FigureDoc, col(FigureDoc.figure_id) == col(Figure.id)).add_columns(
        *as_bytes, col(FigureDoc.etag)
    )


def of_rows(session: Session, rows: list[Any]) -> list[Stored]:
    """The texts of ``with_texts`` rows (id and slug first, texts last), in their order;
    those without one are rendered."""
    out: list[Stored | None] = []
    missing: dict[int, int] = {}
    for row in rows:
        body = row[-3]
        if body is None:
            missing[row[0]] = len(out)
            out.append(None)
        else:
            out.append(Stored(row[0], row[1], body, row[-2], row[-1]))
    if missing:
        for figure_id, text in render(session, missing).items():
            out[missing[figure_id]] = text
    return typing.cast(list[Stored], out)  # every gap is filled


def by_slug(engine: Engine, slug: str) -> Stored | None:
    """A figure's stored texts by its slug, in one statement on a bare driver connection
    (``app.db.driver_reader``). None when there is no such figure or it has no stored text:
    the caller then takes the full path, which answers 404 or renders the text."""
    row = driver_fetchone(
        engine,
        "SELECT d.figure_id, d.body, d.csv, d.etag FROM figure f"
        f" JOIN figure_doc d ON d.figure_id = f.id WHERE f.slug = {placeholder(engine)}",
        (slug,),
    )
    if row is None:
        return None
    figure_id, body, csv_text, etag = row
    return Stored(figure_id, slug, body.encode(), csv_text.encode(), etag)


class _CsvLines:
    """Each figure's CSV line through one buffer and writer, emptied between rows: a buffer
    and a writer per figure cost as much as writing its row."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")

    def __call__(self, data: dict[str, object]) -> bytes:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.writerow(tables.figure_row(data))
        return self.buffer.getvalue().encode()


def render(session: Session, ids: Iterable[int]) -> dict[int, Stored]:
    """Fresh texts of these figures, built from the records (the read path's own code)."""
    out: dict[int, Stored] = {}
    for page in chunks(sorted(set(ids))):
        for text in of_views(figures.views_by_id(session, list(page))):
            out[text.id] = text
    return out


def of_views(views: Iterable[figures.FigureView]) -> list[Stored]:
    """The texts of figure views (a live read, or a page rebuilt ``as_of``)."""
    out = []
    csv_line = _CsvLines()
    for view in views:
        record = FigureRecord.of(view, "")
        f = view.figure
        out.append(
            Stored(
                stored_id(f),
                f.slug,
                figure_json.dumps(record.data),
                csv_line(record.data),
                view.etag,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class EventRef:
    """What a figure's texts show of its event."""

    slug: str
    title: str
    date: str | None
    version: int


def event_refs(session: Session, ids: list[int]) -> dict[int, EventRef]:
    """The events' slugs, titles, dates and versions, by id."""
    out: dict[int, EventRef] = {}
    for page in chunks(ids):
        statement = select(
            col(Event.id), col(Event.slug), col(Event.title), col(Event.date), col(Event.version)
        ).where(col(Event.id).in_(page))
        for row_id, slug, title, date, version in session.execute(statement):
            out[row_id] = EventRef(slug, title, date, version)
    return out


@dataclass(frozen=True, slots=True)
class NewFigure:
    """A figure just written, as its writer holds it: the row's values (the id among them),
    its event, measure and origin by name, and its links' row values with their sources."""

    row: dict[str, Any]
    event: EventRef
    measure: str
    derived_from: str | None
    chain: list[tuple[dict[str, Any], SourceRef]]


def _as_read(value: Any) -> Any:
    """A value as the database gives it back: an exact decimal without trailing zeros
    (``ExactDecimal``), a vocabulary's member as its text."""
    if isinstance(value, Decimal):
        return normalise_decimal(value)
    if isinstance(value, Enum):
        return value.value
    return value


def of_new(figures_: Iterable[NewFigure]) -> list[Stored]:
    """The texts of figures from the values just written, without reading them back: the
    same views ``render`` builds from the database (tests/services/test_figure_docs.py holds
    the two equal), so the same texts."""
    views = []
    for new in figures_:
        row = SimpleNamespace(**{name: _as_read(value) for name, value in new.row.items()})
        chain = [
            Link(
                link["position"],
                _as_read(link["role"]),
                link["quote"],
                link["quote_unverified"],
                link["locator"],
                link["accessed"],
                source,
                link["version"],
            )
            for link, source in sorted(new.chain, key=lambda pair: pair[0]["position"])
        ]
        views.append(
            figures.FigureView(
                typing.cast(Figure, row),  # a row stands in for the figure, as in a read
                new.event.slug,
                new.event.title,
                new.event.date,
                new.measure,
                new.derived_from,
                chain,
                new.event.version,
            )
        )
    return of_views(views)


def write(session: Session, texts: list[Stored]) -> None:
    """Insert the stored texts of figures that have none yet (new ones)."""
    insert_rows(
        session.connection(),
        FigureDoc.__table__,  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
        [
            {"figure_id": s.id, "body": s.body.decode(), "csv": s.csv.decode(), "etag": s.etag}
            for s in texts
        ],
    )


def _placeholders(connection: Any, n: int) -> str:
    return ", ".join([placeholder(connection.engine)] * n)


def stored(session: Session, figures_: list[tuple[int, str]]) -> list[Stored]:
    """The texts of these figures (id, slug) in this order: stored ones read, missing ones
    rendered. One plain statement per page, straight on the driver: the texts need no type
    processing, and building the statement cost more than running it."""
    found: dict[int, Stored] = {}
    slugs = dict(figures_)
    connection = session.connection()
    for page in chunks([figure_id for figure_id, _ in figures_]):
        rows = connection.exec_driver_sql(
            "SELECT figure_id, body, csv, etag FROM figure_doc"
            f" WHERE figure_id IN ({_placeholders(connection, len(page))})",
            tuple(page),
        )
        for figure_id, body, csv_text, etag in rows:
            found[figure_id] = Stored(
                figure_id, slugs[figure_id], body.encode(), csv_text.encode(), etag
            )
    missing = [i for i in slugs if i not in found]
    if missing:
        found.update(render(session, missing))
    return [found[i] for i, _ in figures_ if i in found]


def affected(session: Session, entity: str, ids: Iterable[int]) -> set[int]:
    """Ids of the figures whose public text shows these records."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    if entity == "figure":
        return set(wanted)
    out: set[int] = set()
    for page in chunks(wanted):
        if entity == "event":
            statement = select(col(Figure.id)).where(col(Figure.event_id).in_(page))
        elif entity == "source":
            under = select(col(Source.id)).where(col(Source.parent_id).in_(page))
            statement = select(col(Attribution.figure_id)).where(
                col(Attribution.figure_id).is_not(None),
                col(Attribution.source_id).in_(page) | col(Attribution.source_id).in_(under),
            )
        else:
            return set()
        out.update(session.execute(statement).scalars())
    return out


def refresh(
    session: Session,
    figure_ids: Iterable[int],
    progress: Callable[[str, int, int], None] | None = None,
) -> int:
    """Rewrite the stored texts of these figures (after they, or what they show, changed);
    a figure that no longer exists loses its text. Returns how many texts were written;
    ``progress`` hears how many figures are done after each page."""
    session.flush()
    ids = sorted(set(figure_ids))
    written = done = 0
    connection = session.connection()
    for page in chunks(ids):
        # Two writers may refresh one figure at once on PostgreSQL (an event's correction
        # and its figure's). Each locks the figures first, in id order, and renders only
        # then, so the second waits for the first to commit and renders what it committed:
        # no duplicate text, none built on the other's old state. (SQLite has one writer.)
        connection.execute(
            select(col(Figure.id))
            .where(col(Figure.id).in_(page))
            .order_by(col(Figure.id))
            .with_for_update()
        )
        connection.execute(delete(FigureDoc).where(col(FigureDoc.figure_id).in_(page)))
        fresh = render(session, page)
        write(session, list(fresh.values()))
        written += len(fresh)
        done += len(page)
        if progress is not None:
            progress("figure texts", done, len(ids))
    return written


def _without_text() -> Any:
    """Figures with no stored text."""
    return (
        ~select(col(FigureDoc.figure_id)).where(col(FigureDoc.figure_id) == col(Figure.id)).exists()
    )


def to_write(session: Session, *, only_missing: bool = False) -> list[int]:
    """Ids of every figure (or, ``only_missing``, of those with no stored text), in order."""
    statement = select(col(Figure.id)).order_by(col(Figure.id))
    if only_missing:
        statement = statement.where(_without_text())
    return list(session.execute(statement).scalars())


def rebuild(session: Session, *, only_missing: bool = False) -> int:
    """Rewrite every figure's stored text (or write those that have none) in this unit of
    work. Returns how many were written."""
    return refresh(session, to_write(session, only_missing=only_missing))


def missing(session: Session) -> int:
    """How many figures have no stored text."""
    count: int = session.execute(
        select(func.count()).select_from(Figure).where(_without_text())
    ).scalar_one()
    return count


def stale(session: Session) -> list[int]:
    """Ids of figures whose stored text differs from a fresh rendering (none, unless a write
    bypassed the services); figures with no stored text are not counted (see ``missing``)."""
    out = []
    ids = list(
        session.execute(
            select(col(FigureDoc.figure_id)).order_by(col(FigureDoc.figure_id))
        ).scalars()
    )
    for page in chunks(ids):
        fresh = render(session, page)
        pairs = session.execute(
            select(col(Figure.id), col(Figure.slug))
            .where(col(Figure.id).in_(page))
            .order_by(col(Figure.id))
        ).all()
        for text in stored(session, [(i, slug) for i, slug in pairs]):
            now = fresh.get(text.id)
            if now is None or (now.body, now.csv, now.etag) != (text.body, text.csv, text.etag):
                out.append(text.id)
    return out


# Reading: a page or one figure, as stored texts (the fast path) or rendered (the fallback).


@cache
def keys_only(names: tuple[str, ...]) -> Select[*tuple[Any, ...]]:
    """What a stored page needs of each figure: its id, its slug (for the URL) and the
    columns its cursor keeps, nothing more (each datetime read costs a conversion)."""
    columns: dict[str, Any] = {"id": Figure.id, "slug": Figure.slug}
    for name in names:
        if name == "period":
            columns["period_earliest"] = Figure.period_earliest
            columns["period_latest"] = Figure.period_latest
        else:
            columns[name] = figures.SORTS[name][0]
    return sa_select(*columns.values()).select_from(Figure)


def list_stored(
    session: Session,
    query: figures.FigureQuery,
    *,
    sort: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
    count: bool = False,
) -> figures.Page:
    """A page of figures as their stored public texts (this module): what
    the list endpoints and exports send. ``as_of`` pages are rebuilt from the revisions."""
    if query.as_of is not None:
        page = as_of.list_figures(
            session, query, query.as_of, sort=sort, limit=limit, cursor=cursor
        )
        return figures.Page(of_views(page.items), page.next_cursor, page.total)
    rows, next_cursor, total = figures.keyset(
        session,
        query,
        keys_only,
        sort=sort,
        limit=limit,
        cursor=cursor,
        count=count,
        page=lambda names: with_texts(session.get_bind().dialect.name, keys_only(names)),
    )
    return figures.Page(of_rows(session, rows), next_cursor, total)


def get_stored(session: Session, slug: str) -> Any:
    """A figure's stored public texts and ETag (this module)."""
    figure_id = session.connection().execute(_id_by_slug(), {"slug": slug}).scalar()
    if figure_id is None:
        raise NotFoundError(f"slug: no figure {slug!r}")
    return stored(session, [(figure_id, slug)])[0]


@cache
def _id_by_slug() -> Executable:
    return sa_select(col(Figure.id)).where(col(Figure.slug) == bindparam("slug"))
