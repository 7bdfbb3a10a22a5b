"""The shape of a file in ``seed/``: one source document's claims, editable by hand."""

from pydantic import BaseModel, Field, model_validator

from app.schemas.common import STRICT, MeasureSlug, Slug
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


class Amends(BaseModel):
    """Records another document made that this file changes, by section."""

    model_config = STRICT

    measures: list[MeasureSlug] = Field(default_factory=list)
    sources: list[Slug] = Field(default_factory=list)
    events: list[Slug] = Field(default_factory=list)
    figures: list[Slug] = Field(default_factory=list)


class SeedFile(BaseModel):
    model_config = STRICT

    document: Slug | None = Field(
        default=None, description="The source document this file transcribes."
    )
    measures: list[MeasureIn] = Field(default_factory=list)
    sources: list[SeedSource] = Field(default_factory=list)
    events: list[EventIn] = Field(default_factory=list)
    figures: list[FigureIn] = Field(default_factory=list)
    amends: Amends = Field(
        default_factory=Amends,
        description="Slugs of records another document made that this file may change "
        "(a record belongs to the document that made it; without this, another file's "
        "figure or event under the same slug is refused).",
    )
