"""An event with its figures (kept apart so that figure and event schemas do not import each other)."""

from typing import TYPE_CHECKING

from pydantic import Field

from app.schemas.event import EventPublic
from app.schemas.figure import FigurePublic

if TYPE_CHECKING:
    from app.services.read.events import EventView


class EventDetail(EventPublic):
    figures: list[FigurePublic] = Field(description="Every figure reported about the event.")

    @classmethod
    def of(cls, view: "EventView", base_url: str) -> "EventDetail":
        return cls(
            **EventPublic.fields_of(view, base_url),
            figures=[FigurePublic.of(f, base_url) for f in view.figures or []],
        )
