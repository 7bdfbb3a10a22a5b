"""Drafting over HTTP: an article in, a draft seed file out, nothing written to the dataset."""

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, Header, Response
from pydantic import BaseModel, Field

from app.api import problems
from app.api.accept import choose, media_ranges
from app.api.auth import EditorKey
from app.api.deps import SessionDep
from app.api.jsonbody import ParsedBodyRoute
from app.api.params import forbid_unknown_query_params
from app.errors import UnprocessableError
from app.schemas.common import STRICT, EDTFString, HttpUrl
from app.services import draft as drafting
from app.services.draft import seedfile

router = APIRouter(
    prefix="/v1",
    tags=["drafts"],
    dependencies=[Depends(forbid_unknown_query_params)],
    responses=problems.responses(400, 401, 403, 413, 415, 422, 429, 503, 507),
    route_class=ParsedBodyRoute,
)

YAML = "application/yaml"
EXCERPT = (
    "Numbers from the Ministry of Defense of Ukraine say more than a million Russian personnel "
    "have been killed or wounded, a toll that has strained units already battling exhaustion "
    "and low morale.\n"
)
EXAMPLE_TITLE = (
    "50,000 deserters: Putin’s army using Stalin’s methods to keep troops from fleeing the "
    "battlefield"
)


class DraftRequest(BaseModel):
    model_config = STRICT

    article: str = Field(
        min_length=1,
        description="The article: plain text, or the HTML of the page saved from a browser "
        "(its article text is extracted; menus, links and adverts are left out).",
        examples=[EXCERPT],
    )
    title: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="The headline, the document's name (default: read from the page or text).",
        examples=[EXAMPLE_TITLE],
    )
    url: HttpUrl | None = Field(
        default=None, description="Where the article was published (the document's `website`)."
    )
    published: EDTFString | None = Field(
        default=None, description="When the article was published (EDTF), if it says."
    )


def _wants_json(accept: str | None) -> bool:
    """JSON when `Accept` ranks it above YAML (`accept.choose`); YAML otherwise."""
    offered = (("yaml", (YAML,)), ("json", ("application/json",)))
    return choose(media_ranges(accept or ""), offered) == "json"


@router.post(
    "/drafts",
    summary="Draft a seed file from an article",
    response_class=Response,
    responses={
        200: {
            "description": "The draft seed file: YAML (`application/yaml`, the default) or, "
            "when `Accept` prefers it, the same records as JSON.",
            # The same mapping either way (docs/seed-format.md): a YAML reader gets an object.
            "content": {
                YAML: {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
    openapi_extra={"security": [{"ApiKey": []}]},
)
def post_draft(
    session: SessionDep,
    key: EditorKey,
    body: Annotated[
        DraftRequest,
        Body(openapi_examples={"excerpt": {"value": {"article": EXCERPT, "title": EXAMPLE_TITLE}}}),
    ],
    accept: Annotated[
        str | None,
        Header(
            description="`application/yaml` (the default) or `application/json`.",
            examples=["application/yaml"],
        ),
    ] = None,
) -> Response:
    """What `sourced draft` does, over HTTP: every numeric claim of the article becomes a
    candidate figure with its verbatim quote, value, qualifier, unit and attribution chain;
    sources and measures are matched against the dataset or proposed new; every guess carries
    a `review` note and the file a `draft` mark, which `sourced seed` and `POST /v1/bundles`
    refuse until an editor has checked the records and removed it. The article's text is in
    the file as the document's `full_text`. Nothing is written to the dataset. A body that is
    not an article (an empty text, a page with no article text) or a bad option is 422 naming
    the field. The `Sourced-Draft-Summary` header says what was found."""
    options = drafting.Options(
        title=body.title, url=body.url, published=body.published, inline=True
    )
    try:
        result = drafting.draft(body.article, options, session)
    except drafting.DraftError as exc:
        raise UnprocessableError(
            f"{exc.field}: {exc.message}",
            errors=[{"field": exc.field, "message": exc.message, "type": "draft"}],
        ) from None
    headers = {"Sourced-Draft-Summary": result.summary()}
    if _wants_json(accept):
        content: Any = orjson.dumps(seedfile.to_json_ready(result.seed))
        return Response(content, media_type="application/json", headers=headers)
    return Response(result.yaml(), media_type=f"{YAML}; charset=utf-8", headers=headers)
