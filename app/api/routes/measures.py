"""The measure vocabulary, and competing estimates of one measure side by side."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from app.api import problems
from app.api.deps import SessionDep
from app.api.listing import base_url
from app.api.params import forbid_unknown_query_params
from app.schemas.common import Page
from app.schemas.comparison import MeasureComparison
from app.schemas.measure import MeasurePublic
from app.services import measures

router = APIRouter(
    prefix="/v1/measures",
    tags=["measures"],
    dependencies=[Depends(forbid_unknown_query_params)],
    responses=problems.responses(400, 404, 422, 503),
)


@router.get(
    "", summary="List the measure vocabulary with counts", response_model=Page[MeasurePublic]
)
def list_measures(request: Request, session: SessionDep) -> Page[MeasurePublic]:
    """Every measure figures can be compared on, with how many figures use it."""
    root = base_url(request)
    return Page[MeasurePublic](
        items=[MeasurePublic.of(v, root) for v in measures.list_measures(session)], next=None
    )


@router.get(
    "/{measure}", summary="Competing figures for one measure", response_model=MeasureComparison
)
def compare_measure(
    request: Request,
    session: SessionDep,
    measure: Annotated[
        str,
        Path(
            max_length=64,
            description="A measure of the vocabulary.",
            examples=["killed_or_wounded"],
        ),
    ],
) -> MeasureComparison:
    """Every figure for the measure, grouped by claimant with the claimant's side in the conflict."""
    view, groups = measures.compare(session, measure)
    return MeasureComparison.of(view, groups, base_url(request))
