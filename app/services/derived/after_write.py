"""The one step after every write: the derived data (searchable texts, figures' stored texts)
brought up to date with the records, in the write's own transaction."""

from collections.abc import Callable, Iterable

from sqlmodel import Session, col, select

from app.models import Figure
from app.services.common import batching
from app.services.derived import figure_docs, search_index


def refresh(
    session: Session,
    touched: Iterable[tuple[str, int]],
    progress: Callable[[str, int, int], None] | None = None,
    rendered: Iterable[int] = (),
) -> None:
    """Refresh what shows the records written (``(entity, id)`` pairs): their search entries
    and the stored texts of every figure that shows them (``progress`` hears how many of
    each are done, a page at a time). ``rendered`` are new figures whose stored texts the write
    itself wrote after everything they show (``figure_docs.of_new``): left out here.

    The figures shown are locked first, in id order as ``figure_docs.refresh`` locks them: an
    editor holds a figure's row from the start of its write (``editing.find``), so writing the
    figure's search entry before taking its row would deadlock."""
    by_entity: dict[str, list[int]] = {}
    for entity, row_id in sorted(set(touched)):
        by_entity.setdefault(entity, []).append(row_id)
    shown: set[int] = set()
    for entity, ids in by_entity.items():
        shown |= figure_docs.affected(session, entity, ids)
    shown -= set(rendered)
    for page in batching.chunks(sorted(shown)):
        session.exec(
            select(Figure.id)
            .where(col(Figure.id).in_(page))
            .order_by(col(Figure.id))
            .with_for_update()
        )
    for entity, ids in by_entity.items():
        search_index.refresh_many(session, entity, ids, progress=progress)
    figure_docs.refresh(session, shown, progress=progress)
