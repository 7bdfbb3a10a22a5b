"""Editors' writes on sources, events and figures: one router shape for the three collections.

Creates answer 201 with Location and ETag; PATCH (JSON Merge Patch) and DELETE (a retraction,
never a hard delete) need If-Match with the current ETag and a reason.
"""

import re
from collections.abc import Callable
from typing import Annotated, Any, Protocol, cast

from fastapi import APIRouter, Body, Depends, Header, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from app.api import problems
from app.api.auth import EditorKey, admin, editor
from app.api.deps import SessionDep, WriteSessionDep
from app.api.jsonbody import ParsedBodyRoute
from app.api.listing import base_url, link_header, next_url
from app.api.params import Count, Cursor, IdempotencyKey, Limit, forbid_unknown_query_params
from app.api.reason import RecordReason as ReasonHeader
from app.errors import PreconditionFailedError
from app.models import ApiKey
from app.schemas.common import Page
from app.schemas.event_detail import EventDetail
from app.schemas.figure import FigurePublic
from app.schemas.revision import RevisionPublic
from app.schemas.source import SourcePublic
from app.services.common import pagination
from app.services.common.pagination import DEFAULT_LIMIT
from app.services.read import events, figures, history, sources
from app.services.write import editing, idempotency

IF_MATCH_MAX_LENGTH = 200
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=IF_MATCH_MAX_LENGTH,
        description="The record's current ETag, from a GET; a stale one is refused with 412.",
        examples=['"2-1a2b3c4d5e6f"'],
    ),
]


def _view(kind: str, session: Any, slug: str) -> Any:
    loader: Callable[[Any, str], Any] = {
        "source": sources.get_source,
        "event": events.get_event,
        "figure": figures.get_figure,
    }[kind]
    return loader(session, slug)


class _Submitted(Protocol):
    """What ``create`` reads of a record's create body (SourceCreate, EventCreate, ...)."""

    reason: str | None

    def model_dump(self, **kwargs: Any) -> dict[str, Any]: ...


def _public(kind: str, view: Any, root: str) -> BaseModel:
    render: dict[str, Callable[[Any, str], BaseModel]] = {
        "source": SourcePublic.of,
        "event": EventDetail.of,
        "figure": FigurePublic.of,
    }
    return render[kind](view, root)


# The media types a PATCH body may have (the body guard accepts both as JSON).
PATCH_MEDIA_TYPES = ("application/merge-patch+json", "application/json")


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with every `$ref` to its own `$defs` replaced by the definition itself."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.rsplit("/", 1)[-1] in defs and len(node) == 1:
            return _inline(defs[ref.rsplit("/", 1)[-1]], defs)
        if isinstance(ref, str) and ref.rsplit("/", 1)[-1] in defs:
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return {**_inline(defs[ref.rsplit("/", 1)[-1]], defs), **_inline(rest, defs)}
        return {k: _inline(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    return node


def patch_schema(kind: str, create_model: type[BaseModel]) -> dict[str, Any]:
    """The merge patch a PATCH takes: the create fields, each optional, none defaulted.

    A field left out stays as it is; `null` clears it (a required field cannot be cleared);
    lists, such as the chain, are replaced whole. Inline: one component with no references.
    """
    shape = create_model.model_json_schema()
    defs = shape.pop("$defs", {})
    properties = {}
    for name, definition in _inline(shape["properties"], defs).items():
        properties[name] = {k: v for k, v in definition.items() if k not in ("default", "title")}
    properties["reason"] = {
        "anyOf": [{"type": "string", "maxLength": 2000}, {"type": "null"}],
        "description": "Why the record changes (or the `Sourced-Reason` header, which wins).",
    }
    properties["slug"]["description"] = (
        "A published record keeps its slug: only its own is accepted."
    )
    return {
        "title": patch_name(kind),
        "type": "object",
        "description": "JSON Merge Patch (RFC 7396): fields to change; `null` clears a field; "
        "lists (the chain) are replaced whole; unknown and server-owned fields are refused.",
        "properties": properties,
        "additionalProperties": False,
    }


# The merge-patch schemas, by component name: `document` puts them in the OpenAPI components.
PATCH_SCHEMAS: dict[str, dict[str, Any]] = {}


def patch_name(kind: str) -> str:
    return f"{kind.capitalize()}Patch"


def patch_body(kind: str) -> dict[str, Any]:
    """A PATCH body's media type entry: one named schema for both media types, so that a
    generated client has one model per body (an inline schema under two media types made two
    models of one name)."""
    return {
        "schema": {"$ref": f"#/components/schemas/{patch_name(kind)}"},
        "examples": {
            "correction": {
                "value": {"note": "Checked against the outlet's text.", "reason": "Added a note"}
            }
        },
    }


def document(schema: dict[str, Any]) -> None:
    """The parts of the writes' contract FastAPI cannot state from the signatures.

    The merge-patch schemas become components; `If-Match` is required on PATCH and DELETE.
    It is taken as optional by the functions so that its absence is the 428 problem that
    names it (RFC 6585), not a generic validation error; the contract says what is needed.
    """
    schema.setdefault("components", {}).setdefault("schemas", {}).update(PATCH_SCHEMAS)
    for path, methods in schema.get("paths", {}).items():
        if not re.fullmatch(r"/v1/(figures|events|sources)/\{slug\}", path):
            continue
        body = methods.get("patch", {}).get("requestBody", {}).get("content", {})
        for media in body.values():
            # Exactly the component: FastAPI's own schema of the raw body (an open object)
            # would otherwise sit beside the reference.
            media["schema"] = {"$ref": media["schema"]["$ref"]}
        for method in ("patch", "delete"):
            for parameter in methods.get(method, {}).get("parameters", []):
                if parameter["in"] == "header" and parameter["name"] == "If-Match":
                    parameter["required"] = True
                    parameter["schema"] = {
                        "type": "string",
                        "maxLength": IF_MATCH_MAX_LENGTH,
                        "examples": parameter["schema"].get("examples", []),
                    }


def respond(
    request: Request, kind: str, plural: str, session: Any, slug: str, status: int
) -> JSONResponse:
    view = _view(kind, session, slug)
    body = _public(kind, view, base_url(request)).model_dump(mode="json")
    headers = {"ETag": view.etag}
    if status == 201:
        headers["Location"] = f"{base_url(request)}v1/{plural}/{slug}"
    return JSONResponse(body, status_code=status, headers=headers)


def with_article(noun: str) -> str:
    """'an event', 'a figure': the summaries name the record as a sentence would."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def build(
    kind: str,
    plural: str,
    create_model: type[BaseModel],
    public_model: type[BaseModel],
    example: dict[str, Any],
) -> APIRouter:
    router = APIRouter(
        prefix=f"/v1/{plural}",
        tags=[plural],
        responses=problems.responses(
            400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429, 503, 507
        ),
        dependencies=[Depends(forbid_unknown_query_params)],
        route_class=ParsedBodyRoute,
    )
    slug_path = Annotated[
        str, Path(max_length=120, description=f"The {kind}'s slug.", examples=[example["slug"]])
    ]

    @router.post(
        "",
        status_code=201,
        summary=f"Add {with_article(kind)}",
        response_model=public_model,
        operation_id=f"create_{kind}",
        openapi_extra={"security": [{"ApiKey": []}]},
    )
    def create(
        request: Request,
        session: WriteSessionDep,
        key: EditorKey,
        payload: Annotated[create_model, Body(openapi_examples={"seeded": {"value": example}})],  # type: ignore[valid-type]  # the body's model is this kind's, chosen at runtime
        reason: ReasonHeader = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        submitted = cast(_Submitted, payload)
        body = submitted.model_dump(exclude={"reason"}, exclude_unset=True)
        why = reason or submitted.reason
        fingerprint = idempotency.fingerprint(kind, submitted.model_dump(mode="json"), why)
        assert key.id is not None  # an authenticated key is a stored row
        if idempotency_key is not None:
            earlier = idempotency.replay(session, key.id, idempotency_key, fingerprint)
            if earlier is not None:
                return Response(
                    earlier.body,
                    status_code=earlier.status,
                    headers=earlier.headers,
                    media_type="application/json",
                )
        row = editing.create(session, kind, body, key.name, why)
        response = respond(request, kind, plural, session, row.slug, 201)
        if idempotency_key is not None:
            headers = {k: response.headers[k] for k in ("location", "etag")}
            idempotency.remember(
                session,
                key.id,
                idempotency_key,
                fingerprint,
                201,
                headers,
                bytes(response.body).decode(),
            )
        return response

    create.__doc__ = (
        f"Adds {with_article(kind)}. Answers 201 with `Location` and `ETag`; "
        "a slug already taken is 409."
    )

    PATCH_SCHEMAS[patch_name(kind)] = patch_schema(kind, create_model)

    @router.patch(
        "/{slug}",
        summary=f"Correct {with_article(kind)} (JSON Merge Patch)",
        response_model=public_model,
        operation_id=f"update_{kind}",
        openapi_extra={
            "security": [{"ApiKey": []}],
            "requestBody": {
                "required": True,
                "content": dict.fromkeys(PATCH_MEDIA_TYPES, patch_body(kind)),
            },
        },
    )
    def update(
        request: Request,
        session: WriteSessionDep,
        key: EditorKey,
        slug: slug_path,
        # Taken raw, so that a field left out and a field set to null stay apart; the body's
        # schema is stated in `openapi_extra` above.
        patch: Annotated[dict[str, Any], Body()],
        if_match: IfMatch = None,
        reason: ReasonHeader = None,
    ) -> JSONResponse:
        # Locked first: the ETag is computed, compared and the change written under it.
        row = editing.find(session, kind, slug, lock=True)
        patch = dict(patch)
        # The body's reason is checked and taken out even when the header, which wins, is set;
        # like the fields, before the version, so a malformed body is a 422 with any ETag.
        from_body = editing.body_reason(patch.pop("reason", None))
        view = _view(kind, session, slug)
        # A GET's body sent back whole: its read-only fields must say what the record says.
        shown = _public(kind, view, base_url(request)).model_dump(mode="json")
        record = editing.patched(session, kind, row, editing.without_read_only(kind, patch, shown))
        editing.check_version(if_match, view.etag)
        why = editing.require_reason(reason or from_body)
        try:
            editing.update(session, kind, record, key.name, why)
        except PreconditionFailedError as stale:
            raise editing.with_current_etag(stale, _view(kind, session, slug).etag) from None
        return respond(request, kind, plural, session, slug, 200)

    update.__doc__ = (
        f"Changes the {kind}: every change is a revision with the key's name and the reason. "
        "Needs `If-Match` (428 without, 412 when stale)."
    )

    # Retracting a source pulls it out of every chain that cites it: an admin's decision.
    retract_key = Depends(admin if kind == "source" else editor)

    @router.delete(
        "/{slug}",
        summary=f"Retract {with_article(kind)}",
        response_model=public_model,
        operation_id=f"retract_{kind}",
        openapi_extra={"security": [{"ApiKey": []}]},
    )
    def retract(
        request: Request,
        session: WriteSessionDep,
        key: Annotated[ApiKey, retract_key],
        slug: slug_path,
        if_match: IfMatch = None,
        reason: ReasonHeader = None,
    ) -> JSONResponse:
        row = editing.find(session, kind, slug, lock=True)  # as for a PATCH
        editing.check_version(if_match, _view(kind, session, slug).etag)
        why = editing.require_reason(reason)
        try:
            editing.retract(session, kind, row, key.name, why)
        except PreconditionFailedError as stale:
            raise editing.with_current_etag(stale, _view(kind, session, slug).etag) from None
        return respond(request, kind, plural, session, slug, 200)

    @router.get(
        "/{slug}/history",
        summary=f"Every version of {with_article(kind)}",
        response_model=Page[RevisionPublic],
        operation_id=f"get_{kind}_history",
    )
    def record_history(
        request: Request,
        response: Response,
        session: SessionDep,
        slug: slug_path,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        count: Count = False,
    ) -> Page[RevisionPublic]:
        row = editing.find(session, kind, slug)
        page = history.record_page(
            session, kind, row.id, pagination.revision_cursor(cursor, "history"), limit, count
        )
        url = next_url(request, str(page.next_after) if page.next_after is not None else None)
        link_header(response, url)
        slugs = history.slugs_for(session, page.items)
        return Page[RevisionPublic](
            items=[RevisionPublic.of(r, slugs) for r in page.items], next=url, total=page.total
        )

    record_history.__doc__ = (
        f"Every create, correction and retraction of the {kind}"
        + (" and of the links of its chain" if kind != "source" else "")
        + ", oldest first, with time, actor, reason and the changed fields: a page of the "
        "list envelope (`items`, `next`, `total` with `count=true`)."
    )

    retract.__doc__ = (
        f"Marks the {kind} retracted with the reason. It stays readable, is left out of lists "
        "unless `include_retracted=true`, and is never deleted."
        + (" Needs an admin key (403 for an editor's)." if kind == "source" else "")
    )
    return router
