"""What an editor or a seed file says about a figure, with its attribution chain."""

from datetime import date, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.models.vocab import Qualifier
from app.schemas import figure_json
from app.schemas.attribution import AttributionIn, AttributionPublic
from app.schemas.common import STRICT, EDTFString, ExactNumber, MeasureSlug, Slug

if TYPE_CHECKING:
    from app.services.read.figures import FigureView


class FigureIn(BaseModel):
    model_config = STRICT

    slug: Slug
    event: Slug = Field(description="Slug of the event the figure is about.")
    measure: MeasureSlug
    value: ExactNumber | None = Field(
        default=None, description="The best figure; null if only bounds are known."
    )
    lower_bound: ExactNumber | None = None
    upper_bound: ExactNumber | None = None
    qualifier: Qualifier
    stated_as: str = Field(min_length=1, max_length=500, examples=["at least 50,000"])
    unit: str = Field(min_length=1, max_length=32, examples=["persons"])
    subject: str | None = Field(default=None, max_length=500)
    period: EDTFString | None = None
    derived_from: Slug | None = Field(
        default=None, description="Slug of the figure this one is computed from."
    )
    note: str | None = Field(default=None, max_length=20000)
    attributions: list[AttributionIn] = Field(
        min_length=1, max_length=50, description="The chain, claimant first, publisher last."
    )

    @model_validator(mode="after")
    def _bounds_are_ordered(self) -> "FigureIn":
        if self.value is None and self.lower_bound is None and self.upper_bound is None:
            raise ValueError("value: a figure needs a value or at least one bound")
        if (
            self.lower_bound is not None
            and self.value is not None
            and self.lower_bound > self.value
        ):
            raise ValueError("lower_bound: must not exceed value")
        if (
            self.upper_bound is not None
            and self.value is not None
            and self.value > self.upper_bound
        ):
            raise ValueError("upper_bound: must not be below value")
        if (
            self.lower_bound is not None
            and self.upper_bound is not None
            and self.lower_bound > self.upper_bound
        ):
            raise ValueError("lower_bound: must not exceed upper_bound")
        return self


class FigureCreate(FigureIn):
    reason: str | None = Field(
        default=None, max_length=2000, description="Why the record is added."
    )


class EventRef(BaseModel):
    slug: str = Field(examples=["russian-desertions"])
    title: str
    date: str | None = Field(description="EDTF.", examples=["../2024"])


class FigurePublic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(examples=["deserters-since-invasion"])
    url: str = Field(description="This figure in the API.")
    event: EventRef
    measure: str = Field(examples=["deserters"])
    value: ExactNumber | None
    lower_bound: ExactNumber | None
    upper_bound: ExactNumber | None
    qualifier: str = Field(examples=["at_least"])
    stated_as: str = Field(examples=["at least 50,000"])
    unit: str = Field(examples=["persons"])
    subject: str | None
    period: str | None = Field(description="EDTF period the figure covers.")
    period_earliest: date | None
    period_latest: date | None
    derived_from: str | None = Field(description="Slug of the figure this one is computed from.")
    note: str | None = Field(description="Editorial note: vagueness, inconsistencies, readings.")
    status: str = Field(examples=["published"])
    status_reason: str | None = Field(
        default=None, description="Why it was retracted or corrected."
    )
    version: int
    updated_at: datetime
    attributions: list[AttributionPublic] = Field(description="The chain, claimant first.")
    citation: str = Field(description="A ready-to-paste sentence naming the claimant first.")

    @classmethod
    def of(cls, view: "FigureView", base_url: str) -> "FigurePublic":
        """The figure as ``figure_json.FigureRecord`` writes it, the one mapping from a view to
        the public fields (the stored texts and the hot paths use it too), validated here: a
        field one has and the other lacks fails every read that builds this model."""
        return cls.model_validate(figure_json.FigureRecord.of(view, base_url).data)
