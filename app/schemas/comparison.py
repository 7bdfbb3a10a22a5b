"""Competing figures for one measure, grouped by who claims them."""

from pydantic import BaseModel, Field

from app.schemas.attribution import SourceRef
from app.schemas.figure import FigurePublic
from app.schemas.measure import MeasurePublic


class ClaimantFigures(BaseModel):
    claimant: SourceRef | None = Field(
        description="The source at position 0 of these figures' chains."
    )
    party_to_conflict: str | None = Field(description="The claimant's side; null if independent.")
    figures: list[FigurePublic]


class MeasureComparison(BaseModel):
    measure: MeasurePublic
    claimants: list[ClaimantFigures]

    @classmethod
    def of(cls, measure_view, groups, base_url: str) -> "MeasureComparison":  # type: ignore[no-untyped-def]
        claimants = []
        for group in groups:
            ref = group.claimant
            claimants.append(
                ClaimantFigures(
                    claimant=SourceRef.of(ref) if ref else None,
                    party_to_conflict=ref.party_to_conflict if ref else None,
                    figures=[FigurePublic.of(f, base_url) for f in group.figures],
                )
            )
        return cls(measure=MeasurePublic.of(measure_view, base_url), claimants=claimants)
