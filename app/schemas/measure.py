"""A term of the measure vocabulary."""

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from app.schemas.common import STRICT, MeasureSlug

if TYPE_CHECKING:
    from app.services.read.measures import MeasureView


class MeasureIn(BaseModel):
    model_config = STRICT

    slug: MeasureSlug
    label: str = Field(min_length=1, max_length=200, examples=["Deserters"])
    description: str | None = Field(default=None, max_length=5000)
    unit: str | None = Field(default=None, max_length=32, examples=["persons"])


class MeasurePublic(BaseModel):
    slug: str = Field(examples=["deserters"])
    url: str
    label: str
    description: str | None
    unit: str | None
    figure_count: int = Field(description="Published or corrected figures for this measure.")

    @classmethod
    def of(cls, view: "MeasureView", base_url: str) -> "MeasurePublic":
        m = view.measure
        return cls(
            slug=m.slug,
            url=f"{base_url}v1/measures/{m.slug}",
            label=m.label,
            description=m.description,
            unit=m.unit,
            figure_count=view.figure_count,
        )
