"""Every error leaves as ``application/problem+json`` (RFC 9457) with a detail naming the field."""

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import DomainError

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 5

log = logging.getLogger("sourced")

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    507: "Insufficient storage",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _clean(value: Any) -> Any:
    # Validation errors may echo the input; keep the body JSON-safe (no bytes, no surrogates).
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    return str(value) if not isinstance(value, int | float | bool | type(None)) else value


def _problem_only_openapi(app: FastAPI) -> None:
    """Error responses are documented as problem+json only (FastAPI adds application/json)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for methods in schema.get("paths", {}).values():
                for operation in methods.values():
                    for status, response in operation.get("responses", {}).items():
                        content = response.get("content", {})
                        if status[0] in "45" and PROBLEM_JSON in content:
                            for media in list(content):
                                if media != PROBLEM_JSON:
                                    del content[media]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend it


def _disk_full(exc: OperationalError) -> bool:
    """SQLite's SQLITE_FULL, or PostgreSQL's disk_full (SQLSTATE 53100)."""
    original = exc.orig
    return (
        "database or disk is full" in str(original) or getattr(original, "sqlstate", "") == "53100"
    )


def _cancelled(exc: OperationalError) -> bool:
    """PostgreSQL's query_canceled (SQLSTATE 57014): the statement timeout, or an operator's
    pg_cancel_backend."""
    return getattr(exc.orig, "sqlstate", "") == "57014"


def _allowed_methods(request: Request) -> str:
    """Every method the API documents at this path (the router names only its first match)."""
    path = request.url.path
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            methods |= {method.upper() for method in operations}
    return ", ".join(sorted(methods))


def install(app: FastAPI) -> None:
    _problem_only_openapi(app)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status == 503:
            headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return problem(
            exc.status,
            exc.detail,
            title=exc.title,
            instance=request.url.path,
            headers=headers,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for e in exc.errors():
            field, message = (
                _field_name(tuple(e["loc"])),
                _clean(e["msg"]).removeprefix("Value error, "),
            )
            # Whole-record rules name their field at the start of the message.
            if field == "body" and ": " in message:
                field, message = message.split(": ", 1)
            errors.append({"field": field, "message": message, "type": e["type"]})
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, detail, instance=request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = (
            exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
        )
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no resource at {request.url.path}"
        headers = exc.headers
        if exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
            headers = {**(exc.headers or {}), "Allow": _allowed_methods(request)}
        return problem(exc.status_code, detail, instance=request.url.path, headers=headers)

    @app.exception_handler(IntegrityError)
    async def _conflict(request: Request, exc: IntegrityError) -> JSONResponse:
        # Two requests raced for the same slug or idempotency key; the loser is told so.
        log.info("integrity conflict on %s", request.url.path)
        return problem(
            409,
            "the request conflicts with a change made at the same moment; read again and retry",
            title="Concurrent change",
            instance=request.url.path,
        )

    @app.exception_handler(OperationalError)
    async def _database_down(request: Request, exc: OperationalError) -> JSONResponse:
        if _disk_full(exc):
            # The transaction was rolled back by the unit of work; what was there stays.
            log.error("database full on %s", request.url.path)
            return problem(
                507,
                "the database has no room left for this change; nothing was written",
                instance=request.url.path,
            )
        if _cancelled(exc):
            # Nothing was written (the unit of work rolled back); the connection stays usable.
            limit = request.app.state.settings.statement_timeout_ms / 1000
            log.warning("query cancelled on %s (statement timeout %g s)", request.url.path, limit)
            return problem(
                503,
                f"the database took longer than {limit:g} s over this request and stopped it; "
                "nothing was changed. Try again shortly, or ask for less (a smaller limit, a "
                "narrower filter)",
                instance=request.url.path,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        log.warning("database unavailable: %s", exc.__class__.__name__)
        return problem(
            503,
            "the database cannot be reached; try again shortly",
            instance=request.url.path,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(
            500, "an unexpected error occurred; it has been logged", instance=request.url.path
        )


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(default="about:blank", examples=["about:blank"])
    title: str = Field(examples=["Invalid parameter"])
    status: int = Field(examples=[400])
    detail: str = Field(
        description="What went wrong, naming the field.",
        examples=["sort: unknown field 'password'; choose from id, slug, value"],
    )
    instance: str | None = Field(default=None, examples=["/v1/figures"])
    errors: list[dict[str, str]] | None = Field(
        default=None, description="On 422: each invalid field with its message."
    )


_DESCRIPTIONS = {
    400: "A parameter is not one this endpoint accepts (unknown filter, sort field or cursor).",
    401: "No key, or a key that is unknown or revoked (`WWW-Authenticate: Bearer`).",
    403: "The key's scope does not allow this operation.",
    404: "No record with that slug.",
    409: "A conflict, named by the title: a record with that slug already exists (`Slug "
    "already taken`), a bundle changes records edited since (`Records edited since the bundle "
    "changed them`), or a change made at the same moment (`Concurrent change`).",
    412: "`If-Match` is stale: the record changed since it was read; `current_etag` in the "
    "body is the record's ETag now.",
    428: "`If-Match` is missing: send the record's current ETag.",
    422: "A parameter or the body failed validation; `detail` names the field.",
    413: "The body is larger than the limit (`SOURCED_MAX_BODY_BYTES`).",
    415: "The body is not JSON.",
    429: "Too many writes for this key, or failed authentications from this address; "
    "retry after `Retry-After` seconds.",
    507: "The database has no room left for the change (disk full); nothing was written.",
    503: "The database cannot be reached, a query ran past the statement timeout "
    "(`SOURCED_STATEMENT_TIMEOUT_MS`), or the server is handling its limit of requests at "
    "once (`SOURCED_MAX_CONCURRENT_REQUESTS`); retry after `Retry-After` seconds.",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses an endpoint can give."""
    return {
        status: {
            "model": Problem,
            "description": _DESCRIPTIONS[status],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
