"""What the dataset holds and when it last changed."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Event, Figure, Measure, Revision, Source


@dataclass(frozen=True)
class Summary:
    counts: dict[str, int]
    last_change: datetime | None


def summary(session: Session) -> Summary:
    counts = {
        name: session.exec(
            select(func.count()).select_from(model).where(col(model.status) != "retracted")
        ).one()
        for name, model in (("figures", Figure), ("events", Event), ("sources", Source))
    }
    counts["measures"] = session.exec(select(func.count()).select_from(Measure)).one()
    counts["revisions"] = session.exec(select(func.count()).select_from(Revision)).one()
    last = session.exec(select(func.max(Revision.at))).one()
    return Summary(counts, last)
