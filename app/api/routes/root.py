"""The dataset's front page: what it is, what it holds, where everything is."""

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.api import pages, problems
from app.api.deps import SessionDep, SettingsDep
from app.api.listing import base_url
from app.api.params import forbid_unknown_query_params
from app.schemas.search import DatasetIndex
from app.services.read import dataset
from app.settings import Settings
from app.web import pages as web

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
    "/v1",
    summary="The dataset: name, licence, counts and links",
    response_model=DatasetIndex,
    responses=pages.HTML_RESPONSE,
)
def dataset_index(
    request: Request, session: SessionDep, settings: SettingsDep, format: pages.PageFormat = None
) -> Response | DatasetIndex:
    """Start here: how much the dataset holds, when it last changed, and a link to every
    collection. A browser gets the home page."""
    if pages.prefers_html(request, format):
        return _home(request, session, settings)
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
def home(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """A browser's front door is the home page; any other client is sent to `/v1`."""
    if pages.prefers_html(request):
        return _home(request, session, settings)
    return RedirectResponse("/v1")


def _home(request: Request, session: Session, settings: Settings) -> Response:
    return pages.html_response(
        web.home(
            session,
            base_url(request),
            settings.dataset_name,
            settings.dataset_licence,
            DESCRIPTION,
        )
    )
