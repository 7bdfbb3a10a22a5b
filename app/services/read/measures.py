"""The measure vocabulary, and competing figures for one measure side by side."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, func, text
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.errors import NotFoundError
from app.models import Attribution, Figure, Measure, Source
from app.models.figure import HIDDEN
from app.models.vocab import VISIBLE
from app.services.common.pagination import (
    DEFAULT_LIMIT,
    SortKey,
    clamp_limit,
    decode_cursor,
    encode_cursor,
)
from app.services.common.views import SourceRef
from app.services.read.figures import FigureView, views_by_id


@dataclass(frozen=True)
class MeasureView:
    measure: Measure
    figure_count: int


@dataclass(frozen=True)
class ClaimantGroup:
    claimant: SourceRef | None  # of position 0
    figures: list[FigureView]  # the first of them, by id
    figure_count: int  # all of them


def list_measures(session: Session) -> list[MeasureView]:
    """Every measure with its count of visible figures: all its figures, counted from the
    index on (measure_id, id), less its hidden ones, counted from the partial index on them
    (app/models/figure.py), not the status of every figure (bench/README.md)."""
    every: dict[int | None, int] = dict(
        session.exec(select(Figure.measure_id, func.count()).group_by(col(Figure.measure_id))).all()
    )
    hidden: dict[int | None, int] = dict(
        session.exec(
            select(Figure.measure_id, func.count())
            .where(text(HIDDEN))
            .group_by(col(Figure.measure_id))
        ).all()
    )
    measures = session.exec(select(Measure).order_by(Measure.slug)).all()
    return [MeasureView(m, every.get(m.id, 0) - hidden.get(m.id, 0)) for m in measures]


def get_measure(session: Session, slug: str) -> MeasureView:
    """One measure with its count of visible figures, counted as ``list_measures`` counts."""
    measure = session.exec(select(Measure).where(Measure.slug == slug)).first()
    if measure is None:
        raise NotFoundError(f"measure: no measure {slug!r}")
    every = session.exec(
        select(func.count()).select_from(Figure).where(Figure.measure_id == measure.id)
    ).one()
    hidden = session.exec(
        select(func.count())
        .select_from(Figure)
        .where(Figure.measure_id == measure.id, text(HIDDEN))
    ).one()
    return MeasureView(measure, every - hidden)


# Figures shown per claimant by default, and at most: a measure of a large dataset has tens
# of thousands of figures, and the whole comparison in one answer took seconds and hundreds
# of megabytes of server memory (bench/README.md).
PER_CLAIMANT = 10
MAX_PER_CLAIMANT = 100
CLAIMANT_KEYS = [SortKey("claimant", col(Source.slug), nullable=True)]


@dataclass(frozen=True)
class Comparison:
    measure: MeasureView
    groups: list[ClaimantGroup]
    next_cursor: str | None


# Past this many hidden figures in a measure, the first figures are picked with a status
# test per row instead of picking a few extra and dropping the hidden ones afterwards.
HIDDEN_SLACK = 200


def compare(
    session: Session,
    slug: str,
    *,
    per_claimant: int = PER_CLAIMANT,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Comparison:
    """A page of claimants of this measure's visible figures (by claimant slug, figures with
    no claimant last), each with its figure count and its first ``per_claimant`` figures in
    id order; a fixed handful of statements whatever the measure's size.

    As in ``list_measures``, counts are every figure (the covering index on measure_id, id)
    less the hidden ones (their partial index): reading each figure's status cost most of
    the time. A claimant whose figures are all hidden is left out, so a page may hold fewer
    than ``limit`` claimants; ``next`` still leads through all of them."""
    measure = session.exec(select(Measure).where(Measure.slug == slug)).first()
    if measure is None:
        raise NotFoundError(f"measure: no measure {slug!r}")
    limit = clamp_limit(limit)
    per_claimant = max(1, min(per_claimant, MAX_PER_CLAIMANT))
    of_measure = Figure.measure_id == measure.id
    every, hidden = session.exec(
        select(
            select(func.count()).select_from(Figure).where(of_measure).scalar_subquery(),
            select(func.count())
            .select_from(Figure)
            .where(of_measure, text(HIDDEN))
            .scalar_subquery(),
        )
    ).one()
    view = MeasureView(measure, every - hidden)
    claimant, on_claimant = _claimant_link()
    counts = (
        select(claimant.source_id.label("source_id"), func.count().label("n"))
        .select_from(Figure)
        .outerjoin(claimant, on_claimant)
        .where(of_measure)
        .group_by(claimant.source_id)
        .subquery()
    )
    groups = select(counts.c.source_id, Source.slug, counts.c.n).outerjoin(
        Source, col(Source.id) == counts.c.source_id
    )
    if cursor:
        (after,) = decode_cursor(cursor, CLAIMANT_KEYS)
        if after is None:  # the group without a claimant is always last
            return Comparison(view, [], None)
        groups = groups.where(col(Source.slug).is_(None) | (col(Source.slug) > after))
    rows = session.exec(
        groups.order_by(col(Source.slug).is_(None), col(Source.slug)).limit(limit + 1)
    ).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(CLAIMANT_KEYS, [rows[-1][1]])
    hidden_by_claimant: dict[int | None, int] = {}
    if hidden:
        hidden_by_claimant = dict(
            session.exec(
                select(claimant.source_id, func.count())
                .select_from(Figure)
                .outerjoin(claimant, on_claimant)
                .where(of_measure, text(HIDDEN))
                .group_by(claimant.source_id)
            ).all()
        )
    shown = [
        (source_id, claimant_slug, n - hidden_by_claimant.get(source_id, 0))
        for source_id, claimant_slug, n in rows
    ]
    shown = [row for row in shown if row[2] > 0]
    by_claimant = _first_figures(
        session, of_measure, [row[0] for row in shown], per_claimant, hidden
    )
    return Comparison(
        view,
        [
            ClaimantGroup(by_claimant[claimant_slug][1], by_claimant[claimant_slug][0], count)
            for _, claimant_slug, count in shown
        ],
        next_cursor,
    )


def _claimant_link() -> tuple[Any, Any]:
    """An alias of a figure's claimant link (position 0) and the condition to join it on."""
    claimant = aliased(Attribution)
    return claimant, (claimant.figure_id == Figure.id) & (claimant.position == 0)


def _first_figures(
    session: Session,
    of_measure: Any,
    claimant_ids: list[int | None],
    per_claimant: int,
    hidden: int,
) -> dict[str | None, tuple[list[FigureView], SourceRef | None]]:
    """The first ``per_claimant`` visible figures (by id) of each of these claimants (None:
    figures without one), as views, with the claimant's SourceRef from their chains; keyed
    by the claimant's slug. With few hidden figures in the measure, it ranks every figure
    and takes that many more, then drops the hidden ones."""
    if not claimant_ids:
        return {}
    claimant, on_claimant = _claimant_link()
    owner = claimant.source_id
    named = [i for i in claimant_ids if i is not None]
    which: ColumnElement[bool] = col(owner).in_(named) if named else false()
    if None in claimant_ids:
        which = which | col(owner).is_(None)
    where = [of_measure, which]
    take = per_claimant + hidden
    if hidden > HIDDEN_SLACK:
        where.append(col(Figure.status).in_(VISIBLE))
        take = per_claimant
    ranked = (
        select(
            col(Figure.id).label("figure_id"),
            func.row_number().over(partition_by=owner, order_by=col(Figure.id)).label("n"),
        )
        .select_from(Figure)
        .outerjoin(claimant, on_claimant)
        .where(*where)
        .subquery()
    )
    ids = list(
        session.exec(
            select(ranked.c.figure_id).where(ranked.c.n <= take).order_by(ranked.c.figure_id)
        ).all()
    )
    out: dict[str | None, tuple[list[FigureView], SourceRef | None]] = {}
    for view in views_by_id(session, ids):
        if view.figure.status not in VISIBLE:
            continue
        ref = view.chain[0].source if view.chain else None
        group = out.setdefault(ref.slug if ref else None, ([], ref))[0]
        if len(group) < per_claimant:
            group.append(view)
    return out
