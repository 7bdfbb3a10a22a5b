"""Seeding scripts over HTTP: a whole seed file in one request, all or nothing."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import Response

from app.api import problems
from app.api.auth import EditorKey
from app.api.deps import WriteSessionDep
from app.api.jsonbody import ParsedBodyRoute
from app.api.params import IdempotencyKey, forbid_unknown_query_params
from app.api.reason import BundleReason
from app.schemas.revision import BundleResult
from app.schemas.seed import SeedFile
from app.services.write import bundles, idempotency

router = APIRouter(
    prefix="/v1",
    tags=["bundles"],
    dependencies=[Depends(forbid_unknown_query_params)],
    responses=problems.responses(400, 401, 403, 409, 413, 415, 422, 429, 503, 507),
    route_class=ParsedBodyRoute,
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
            "documents' texts as `full_text`; and a `reason` when it changes stored records.",
            openapi_examples={"vocabulary": {"value": EXAMPLE}},
        ),
    ],
    reason: BundleReason = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Checks the whole bundle, reports every problem with its record and field, and writes all
    of it or nothing. Sending the same bundle again changes nothing and writes no revision.
    A bundle that changes a stored record needs a reason (422 without) and may not rewrite a
    retracted record (422 naming it). A bundle with a `document` is that document's file and
    merges as `sourced seed` does: a record the document did not change since it was last sent
    is left as editors left it; one it changed that was edited since is a conflict (409 naming
    each record, its edits and both versions; nothing written) unless the bundle says
    `"take_file": true`. A figure or event another document made is refused (422 naming both)
    unless the bundle lists it under `amends`."""
    fingerprint = idempotency.fingerprint("bundle", bundle, reason)
    assert key.id is not None  # an authenticated key is a stored row
    if idempotency_key is not None:
        earlier = idempotency.replay(session, key.id, idempotency_key, fingerprint)
        if earlier is not None:
            return Response(earlier.body, status_code=earlier.status, media_type="application/json")
    changes = bundles.apply(session, bundle, key.name, reason)
    body = BundleResult(changed=len(changes), changes=[str(c) for c in changes])
    response = Response(body.model_dump_json(), media_type="application/json")
    if idempotency_key is not None:
        idempotency.remember(
            session,
            key.id,
            idempotency_key,
            fingerprint,
            200,
            {},
            bytes(response.body).decode(),
        )
    return response


def document_body(schema: dict[str, Any]) -> None:
    """State the bundle's full shape in OpenAPI (the route takes it raw, so that its own checks
    can name each problem's record and field the way `sourced seed` does)."""
    shape = SeedFile.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in shape.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components["SeedFile"] = shape
    bundle = {
        **shape,
        "title": "Bundle",
        "description": "A seed file, plus the reason for what it changes.",
        "properties": {
            **shape["properties"],
            "reason": {
                "anyOf": [{"type": "string", "maxLength": 2000}, {"type": "null"}],
                "description": "Why the bundle changes stored records (the `Sourced-Reason` "
                "header overrides it); not needed for a bundle that only adds records.",
            },
            "take_file": {
                "type": "boolean",
                "default": False,
                "description": "Write the bundle's records even where they were edited since "
                "its document last changed them (needs a reason, which each revision carries).",
            },
        },
    }
    components["Bundle"] = bundle
    body = schema["paths"]["/v1/bundles"]["post"]["requestBody"]["content"]["application/json"]
    body["schema"] = {"$ref": "#/components/schemas/Bundle"}
