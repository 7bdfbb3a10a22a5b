"""The dataset's front page: what it is, what it holds, where everything is."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from app.api import problems
from app.api.deps import SessionDep, SettingsDep
from app.api.listing import base_url
from app.api.params import forbid_unknown_query_params
from app.schemas.search import DatasetIndex
from app.services.read import dataset

router = APIRouter(
    tags=["dataset"],
    dependencies=[Depends(forbid_unknown_query_params)],
    responses=problems.responses(400, 404, 422, 503),
)

DESCRIPTION = (
    "Events, the figures reported about them, and the chain of sources behind every figure: "
    "who said it first, who relayed it, where it was published, in their own words."
)


@router.get(
    "/v1", summary="The dataset: name, licence, counts and links", response_model=DatasetIndex
)
def dataset_index(request: Request, session: SessionDep, settings: SettingsDep) -> DatasetIndex:
    """Start here: how much the dataset holds, when it last changed, and a link to every collection."""
    summary = dataset.summary(session)
    root = base_url(request)
    return DatasetIndex(
        name=settings.dataset_name,
        description=DESCRIPTION,
        licence=settings.dataset_licence,
        counts=summary.counts,
        last_change=summary.last_change,
        links={
            "figures": f"{root}v1/figures",
            "events": f"{root}v1/events",
            "sources": f"{root}v1/sources",
            "measures": f"{root}v1/measures",
            "search": f"{root}v1/search?q=",
            "datapackage": f"{root}v1/datapackage.json",
            "jsonld": f"{root}v1/dataset.jsonld",
            "docs": f"{root}docs",
            "openapi": f"{root}openapi.json",
            "health": f"{root}health",
        },
    )


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    return RedirectResponse("/v1")
