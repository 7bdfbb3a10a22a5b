"""An event with its figures (kept apart so that figure and event schemas do not import each other)."""

from pydantic import Field

from app.schemas.event import EventPublic
from app.schemas.figure import FigurePublic


class EventDetail(EventPublic):
    figures: list[FigurePublic] = Field(description="Every figure reported about the event.")

    @classmethod
    def of(cls, view, base_url: str) -> "EventDetail":  # type: ignore[no-untyped-def]
        return cls(
            **EventPublic.fields_of(view, base_url),
            figures=[FigurePublic.of(f, base_url) for f in view.figures or []],
        )
