"""Competing figures for one measure, grouped by who claims them."""

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from app.schemas.attribution import SourceRef
from app.schemas.figure import FigurePublic
from app.schemas.measure import MeasurePublic

if TYPE_CHECKING:
    from app.services.read.measures import Comparison


class ClaimantFigures(BaseModel):
    claimant: SourceRef | None = Field(
        description="The source at position 0 of these figures' chains."
    )
    party_to_conflict: str | None = Field(description="The claimant's side; null if independent.")
    figure_count: int = Field(
        description="How many visible figures of the measure this claimant makes; "
        "`figures` holds the first `figures_per_claimant` of them, by id."
    )
    figures: list[FigurePublic]


class MeasureComparison(BaseModel):
    measure: MeasurePublic
    claimants: list[ClaimantFigures]
    next: str | None = Field(
        default=None, description="The next page of claimants; null on the last page."
    )

    @classmethod
    def of(
        cls, comparison: "Comparison", base_url: str, next_url: str | None
    ) -> "MeasureComparison":
        claimants = []
        for group in comparison.groups:
            ref = group.claimant
            claimants.append(
                ClaimantFigures(
                    claimant=SourceRef.of(ref) if ref else None,
                    party_to_conflict=ref.party_to_conflict if ref else None,
                    figure_count=group.figure_count,
                    figures=[FigurePublic.of(f, base_url) for f in group.figures],
                )
            )
        return cls(
            measure=MeasurePublic.of(comparison.measure, base_url),
            claimants=claimants,
            next=next_url,
        )
