"""The shape of a file in ``seed/``: one source document's claims, editable by hand."""

from pydantic import BaseModel, Field, model_validator

from app.schemas.common import STRICT, Slug
from app.schemas.event import EventIn
from app.schemas.figure import FigureIn
from app.schemas.measure import MeasureIn
from app.schemas.source import SourceWrite


class SeedSource(SourceWrite):
    text_file: str | None = Field(
        default=None,
        max_length=500,
        description="Path, relative to the seed file, of the document's full text.",
    )

    @model_validator(mode="after")
    def _one_text(self) -> "SeedSource":
        if self.text_file is not None and self.full_text is not None:
            raise ValueError("full_text: give either text_file or full_text, not both")
        return self


class SeedFile(BaseModel):
    model_config = STRICT

    document: Slug | None = Field(
        default=None, description="The source document this file transcribes."
    )
    measures: list[MeasureIn] = Field(default_factory=list)
    sources: list[SeedSource] = Field(default_factory=list)
    events: list[EventIn] = Field(default_factory=list)
    figures: list[FigureIn] = Field(default_factory=list)
