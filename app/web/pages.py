"""Each page's content, read from the same services and public models as the JSON.

A page is the record's JSON (the very dict ``/v1/...`` sends, by the same ``.of``) plus what a
reader needs beside it: the figure's other citation styles, its history, the other figures of
its measure. Nothing here computes a figure's words or numbers a second time.
"""

import json
from collections.abc import Callable
from typing import Any

from markupsafe import escape
from sqlmodel import Session

from app.models.vocab import VISIBLE
from app.schemas.event_detail import EventDetail
from app.schemas.figure import FigurePublic
from app.schemas.measure import MeasurePublic
from app.schemas.revision import RevisionPublic
from app.schemas.source import SourcePublic
from app.services.common.pagination import MAX_LIMIT
from app.services.derived import figure_docs
from app.services.present import citations, datapackage
from app.services.read import dataset, events, figures, history, measures, search, sources
from app.services.read.figures import FigureQuery
from app.services.read.search import PLURAL
from app.web import quotes
from app.web.chain import chain_diagram
from app.web.charts import estimates_chart, estimates_table_rows
from app.web.jsonld import claim
from app.web.render import render

# A measure's chart draws at most this many claims, a figure's page this many beside it; each
# page says so when a measure holds more (the CSV and the lists hold them all).
MAX_CHART_FIGURES = 1000
OTHERS_SHOWN = 50
HISTORY_SHOWN = 200
CHANGES_SHOWN = 50


def _revisions(session: Session, kind: str, row_id: int) -> tuple[list[dict[str, Any]], int]:
    page = history.record_page(session, kind, row_id, None, HISTORY_SHOWN, True)
    slugs = history.slugs_for(session, page.items)
    items = [RevisionPublic.of(r, slugs).model_dump(mode="json") for r in page.items]
    return items, page.total or len(items)


def _figures(
    session: Session, query: FigureQuery, root: str, most: int = MAX_CHART_FIGURES
) -> tuple[list[dict[str, Any]], bool]:
    """The first ``most`` figures a query matches (by id), as their public JSON; and whether
    there were more."""
    found: list[dict[str, Any]] = []
    cursor = None
    while len(found) < most:
        page = figure_docs.list_stored(
            session, query, limit=min(MAX_LIMIT, most - len(found)), cursor=cursor
        )
        found.extend(json.loads(text.json(root)) for text in page.items)
        cursor = page.next_cursor
        if cursor is None:
            return found, False
    return found, True


def _measure(session: Session, slug: str, root: str) -> dict[str, Any]:
    return MeasurePublic.of(measures.get_measure(session, slug), root).model_dump(mode="json")


def home(session: Session, root: str, name: str, licence: str, description: str) -> str:
    summary = dataset.summary(session)
    latest = history.latest(session, 10, None)
    slugs = history.slugs_for(session, latest)
    return render(
        "home.html",
        root=root,
        name=name,
        licence=licence,
        description=description,
        counts=summary.counts,
        last_change=summary.last_change.isoformat() if summary.last_change else None,
        changes=[RevisionPublic.of(r, slugs).model_dump(mode="json") for r in latest],
        measures=[
            MeasurePublic.of(v, root).model_dump(mode="json")
            for v in measures.list_measures(session)
        ],
        json_ld=datapackage.jsonld(session, root, licence, summary.last_change),
        json_url=f"{root}v1?format=json",
    )


def figure(session: Session, slug: str, root: str) -> str:
    view = figures.get_figure(session, slug)
    record = FigurePublic.of(view, root).model_dump(mode="json")
    cite: Callable[[str], str] = lambda style: citations.cite_figure(  # noqa: E731
        view.figure, view.chain, style=style, names="short", base_url=root
    )
    others, more = _figures(
        session,
        FigureQuery(measure=[record["measure"]], status=list(VISIBLE)),
        root,
        most=OTHERS_SHOWN,
    )
    if all(other["slug"] != slug for other in others):
        others.append(record)  # past the first ones, or retracted: it still shows where it stands
    revisions, revision_count = _revisions(session, "figure", view.figure.id or 0)
    measure = _measure(session, record["measure"], root)
    return render(
        "figure.html",
        root=root,
        figure=record,
        measure=measure,
        citation={"text": record["citation"], "markdown": cite("markdown"), "html": cite("html")},
        chain=chain_diagram(record["attributions"], title="Attribution chain", base=root),
        passages=quotes.in_place(session, record["attributions"]),
        chart=estimates_chart(
            others, title=f"Competing estimates: {measure['label']}", highlight=slug
        ),
        others=[f for f in others if f["slug"] != slug],
        others_rows=estimates_table_rows([f for f in others if f["slug"] != slug]),
        more=more,
        revisions=revisions,
        revision_count=revision_count,
        json_ld=claim(record, root),
        json_url=f"{record['url']}?format=json",
        embed_code=embed_code(record),
    )


def record_of(body: bytes) -> dict[str, Any]:
    """A figure's stored public JSON as a dict."""
    record: dict[str, Any] = json.loads(body)
    return record


def embed_title(record: dict[str, Any]) -> str:
    """The card's title for oEmbed and the ``<iframe>``: the number as stated, marked when the
    figure is retracted, so that no preview or screen reader announces it as current."""
    stated: str = record["stated_as"]
    return f"Retracted: {stated}" if record["status"] == "retracted" else stated


def embed_code(record: dict[str, Any], *, width: int | None = None, height: int = 280) -> str:
    """The ``<iframe>`` a newsroom pastes to embed the figure's card (full width by default)."""
    return (
        f'<iframe src="{escape(record["url"])}/card" title="{escape(embed_title(record))}" '
        f'width="{width or "100%"}" height="{height}" style="border:0"></iframe>'
    )


def card(body: bytes, root: str) -> str:
    """The embeddable card of a figure, from its stored public JSON."""
    return render("card.html", root=root, figure=record_of(body))


def event(session: Session, slug: str, root: str) -> str:
    view = events.get_event(session, slug)
    record = EventDetail.of(view, root).model_dump(mode="json")
    revisions, revision_count = _revisions(session, "event", view.event.id or 0)
    return render(
        "event.html",
        root=root,
        event=record,
        chain=chain_diagram(record["attributions"], title="Who reports the event", base=root)
        if record["attributions"]
        else None,
        rows=estimates_table_rows(record["figures"]),
        revisions=revisions,
        revision_count=revision_count,
        json_url=f"{record['url']}?format=json",
    )


def source(session: Session, slug: str, root: str) -> str:
    view = sources.get_source(session, slug)
    record = SourcePublic.of(view, root).model_dump(mode="json")
    resting, more = _figures(session, FigureQuery(source=[slug], status=list(VISIBLE)), root)
    roles: dict[str, list[dict[str, Any]]] = {"claimant": [], "relay": [], "publisher": []}
    for item in resting:
        for link in item["attributions"]:
            if link["source"]["slug"] == slug or link["source"]["parent_slug"] == slug:
                roles.setdefault(link["role"], []).append(item)
                break
    revisions, revision_count = _revisions(session, "source", view.source.id or 0)
    return render(
        "source.html",
        root=root,
        source=record,
        roles=roles,
        more=more,
        revisions=revisions,
        revision_count=revision_count,
        json_url=f"{record['url']}?format=json",
    )


def measure(session: Session, slug: str, root: str) -> str:
    record = _measure(session, slug, root)
    found, more = _figures(session, FigureQuery(measure=[slug], status=list(VISIBLE)), root)
    return render(
        "measure.html",
        root=root,
        measure=record,
        chart=estimates_chart(found, title=f"Competing estimates: {record['label']}"),
        rows=estimates_table_rows(found),
        more=more,
        json_url=f"{record['url']}?format=json",
        csv_url=f"{root}v1/figures?measure={slug}&format=csv",
    )


def search_results(
    session: Session,
    q: str,
    types: list[str],
    limit: int,
    offset: int,
    root: str,
    next_url: Callable[[int | None], str | None],
) -> str:
    page = search.search(session, q, types, limit, offset)
    hits = [
        {
            "type": hit.entity,
            "url": f"{root}v1/{PLURAL[hit.entity]}/{hit.slug}",
            "title": hit.title,
            "snippet": hit.snippet,
        }
        for hit in page.hits
    ]
    return render(
        "search.html",
        root=root,
        q=q,
        types=types,
        kinds=sorted(PLURAL),
        hits=hits,
        offset=offset,
        next_url=next_url(page.next_offset),
    )


def changes(session: Session, items: list[Any], root: str, next_url: str | None) -> str:
    slugs = history.slugs_for(session, items)
    return render(
        "changes.html",
        root=root,
        changes=[RevisionPublic.of(r, slugs).model_dump(mode="json") for r in items],
        next_url=next_url,
        json_url=f"{root}v1/changes?format=json",
    )


LIST_TITLES = {"figures": "Figures", "events": "Events", "sources": "Sources"}


def listing(
    table: str,
    records: list[dict[str, Any]],
    root: str,
    next_url: str | None,
    total: int | None,
    downloads: dict[str, str],
) -> str:
    """A page of a list endpoint (its filters, sort and cursor applied as for the JSON);
    ``downloads`` are its CSV and JSON, with the same filters."""
    return render(
        "listing.html",
        root=root,
        table=table,
        heading=LIST_TITLES.get(table, table.capitalize()),
        records=records,
        rows=estimates_table_rows(records) if table == "figures" else [],
        next_url=next_url,
        total=total,
        downloads=downloads,
        json_url=downloads["json"],
    )


def measure_list(records: list[dict[str, Any]], root: str) -> str:
    return render(
        "measures.html", root=root, measures=records, json_url=f"{root}v1/measures?format=json"
    )
