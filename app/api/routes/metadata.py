"""The dataset described for other tools: a Frictionless Data Package and schema.org JSON-LD."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from app.api import problems
from app.api.deps import SessionDep, SettingsDep
from app.api.listing import base_url
from app.api.params import forbid_unknown_query_params
from app.services.present import datapackage
from app.services.read import dataset

router = APIRouter(
    prefix="/v1",
    tags=["dataset"],
    dependencies=[Depends(forbid_unknown_query_params)],
    responses=problems.responses(400, 503),
)


@router.get(
    "/datapackage.json",
    summary="A Frictionless Data Package of the CSV tables",
    response_model=dict[str, Any],
)
def get_datapackage(request: Request, settings: SettingsDep) -> dict[str, Any]:
    """Describes the sources, events and figures CSV tables (their URLs in this API): every
    column with its type and description, primary and foreign keys, and the licence. The
    tables include retracted records, with their status, so that every reference resolves.

    `frictionless validate <this URL>` checks the live data against it."""
    api = f"{base_url(request)}v1"
    paths = {
        table: f"{api}/{table}?{datapackage.QUERY}" for table in ("sources", "events", "figures")
    }
    return datapackage.package(paths, settings.dataset_licence, api)


@router.get(
    "/dataset.jsonld",
    summary="schema.org Dataset metadata",
    response_class=JSONResponse,
    responses={200: {"content": {"application/ld+json": {}}}},
)
def get_jsonld(request: Request, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """schema.org `Dataset` metadata (name, description, licence, downloads, temporal
    coverage) for search engines and data catalogues."""
    summary = dataset.summary(session)
    body = datapackage.jsonld(
        session, base_url(request), settings.dataset_licence, summary.last_change
    )
    return JSONResponse(body, media_type="application/ld+json")
