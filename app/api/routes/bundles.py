"""Seeding scripts over HTTP: a whole seed file in one request, all or nothing."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header

from app.api import problems
from app.api.auth import EditorKey
from app.api.deps import WriteSessionDep
from app.api.params import forbid_unknown_query_params
from app.schemas.revision import BundleResult
from app.schemas.seed import SeedFile
from app.services import bundles

router = APIRouter(
    prefix="/v1",
    tags=["bundles"],
    dependencies=[Depends(forbid_unknown_query_params)],
    responses=problems.responses(400, 401, 403, 413, 415, 422, 429, 503),
)

EXAMPLE = {
    "measures": [{"slug": "deserters", "label": "Deserters", "unit": "persons"}],
    "sources": [{"slug": "rfe-rl", "name": "RadioFreeEurope/RadioLiberty", "kind": "news_service"}],
    "events": [],
    "figures": [],
}


@router.post(
    "/bundles",
    summary="Load a seed file over HTTP",
    response_model=BundleResult,
    openapi_extra={"security": [{"ApiKey": []}]},
)
def post_bundle(
    session: WriteSessionDep,
    key: EditorKey,
    bundle: Annotated[
        dict[str, Any],
        Body(
            description="The shape of a `seed/` file (measures, sources, events, figures by slug); "
            "documents' texts as `full_text`.",
            openapi_examples={"vocabulary": {"value": EXAMPLE}},
        ),
    ],
    reason: Annotated[
        str | None,
        Header(
            alias="Sourced-Reason", max_length=2000, description="Why.", examples=["New article"]
        ),
    ] = None,
) -> BundleResult:
    """Checks the whole bundle, reports every problem with its record and field, and writes all
    of it or nothing. Sending the same bundle again changes nothing and writes no revision."""
    changes = bundles.apply(session, bundle, key.name, reason)
    return BundleResult(changed=len(changes), changes=[str(c) for c in changes])


def document_body(schema: dict[str, Any]) -> None:
    """State the bundle's full shape in OpenAPI (the route takes it raw, so that its own checks
    can name each problem's record and field the way `sourced seed` does)."""
    shape = SeedFile.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in shape.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components["SeedFile"] = shape
    body = schema["paths"]["/v1/bundles"]["post"]["requestBody"]["content"]["application/json"]
    body["schema"] = {"$ref": "#/components/schemas/SeedFile"}
