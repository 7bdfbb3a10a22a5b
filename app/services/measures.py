"""The measure vocabulary, and competing figures for one measure side by side."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.errors import NotFoundError
from app.models import Figure, Measure
from app.services.figures import VISIBLE, FigureQuery, FigureView, list_figures


@dataclass(frozen=True)
class MeasureView:
    measure: Measure
    figure_count: int


@dataclass(frozen=True)
class ClaimantGroup:
    claimant: object | None  # chains.SourceRef of position 0
    figures: list[FigureView]


def list_measures(session: Session) -> list[MeasureView]:
    counts = (
        select(Figure.measure_id, func.count().label("n"))
        .where(col(Figure.status).in_(VISIBLE))
        .group_by(Figure.measure_id)
        .subquery()
    )
    rows = session.exec(
        select(Measure, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.measure_id == Measure.id)
        .order_by(Measure.slug)
    ).all()
    return [MeasureView(m, n) for m, n in rows]


def compare(session: Session, slug: str) -> tuple[MeasureView, list[ClaimantGroup]]:
    measure = session.exec(select(Measure).where(Measure.slug == slug)).first()
    if measure is None:
        raise NotFoundError(f"measure: no measure {slug!r}")
    figures: list[FigureView] = []
    cursor = None
    while True:
        page = list_figures(session, FigureQuery(measure=[slug]), limit=500, cursor=cursor)
        figures.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    groups: dict[str | None, list[FigureView]] = {}
    claimants: dict[str | None, object | None] = {}
    for view in figures:
        claimant = view.chain[0].source if view.chain else None
        key = claimant.slug if claimant else None
        claimants.setdefault(key, claimant)
        groups.setdefault(key, []).append(view)
    ordered = sorted(groups, key=lambda k: (k is None, k or ""))
    result = [ClaimantGroup(claimants[k], groups[k]) for k in ordered]
    return MeasureView(measure, len(figures)), result
