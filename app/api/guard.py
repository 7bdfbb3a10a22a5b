"""What a request must be before any route sees it: a problem+json 4xx otherwise.

- A query string of at most ``max_query_bytes`` (no filter needs more): 400. (Not 414: 400 is
  the refusal every operation documents, and clients handle it.)
- No NUL character in the path or the query (PostgreSQL cannot store or compare one): 400.
- A write's body is JSON (`application/json`, `application/merge-patch+json`, `*/*+json`): 415.
- A body is at most ``max_body_bytes``, whether or not it declares its length: 413.
- A JSON body parses, nests at most ``MAX_DEPTH`` levels, and has no NUL or lone surrogate in
  any string: 400 or 422 naming the field.

A JSON body is parsed once, exactly (numbers as the decimals written, each key once:
app/api/jsonbody.py). A pure ASGI middleware: the body it checks is handed on unchanged to the
route, with what it parsed, which the route reads instead of parsing again.
"""

import json
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.jsonbody import SCOPE_KEY, BodyError, loads
from app.api.problems import problem

MAX_DEPTH = 32
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON_TYPES = ("application/json", "application/merge-patch+json")


class _RefusedError(Exception):
    def __init__(self, status: int, detail: str, **extra: Any):
        self.status, self.detail, self.extra = status, detail, extra


def _is_json(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return media in JSON_TYPES or media.endswith("+json")


_NUL = "NUL characters (\\u0000) are not allowed in text"
_SURROGATE = "a lone surrogate (\\ud800 to \\udfff) is not text; send UTF-8 or paired escapes"


def _flaw(text: str) -> str | None:
    """Why a string cannot be stored: PostgreSQL holds no NUL, and neither driver can encode
    a lone surrogate (a JSON escape such as \\ud800 without its pair), which failed the
    write as it reached the database."""
    if "\x00" in text:
        return _NUL
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE
    return None


def _bad_text_in(value: Any, path: str, depth: int) -> tuple[str, str] | None:
    """The dotted path of the first string that cannot be stored, and why, checking the
    depth on the way."""
    if depth > MAX_DEPTH:
        raise _RefusedError(400, f"body: JSON nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        flaw = _flaw(value)
        return (path or "body", flaw) if flaw else None
    if isinstance(value, dict):
        for key, item in value.items():
            flaw = _flaw(key)
            if flaw:
                name = key.encode("utf-8", "backslashreplace").decode()
                return (f"{path}.{name!r}" if path else repr(name), flaw)
            found = _bad_text_in(item, f"{path}.{key}" if path else key, depth + 1)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _bad_text_in(item, f"{path}[{index}]" if path else f"[{index}]", depth + 1)
            if found:
                return found
    return None


def check_body(body: bytes) -> Any:
    """The body's JSON, checked; ``_RefusedError`` naming what is wrong."""
    try:
        parsed = loads(body)
    except BodyError as exc:
        raise _RefusedError(exc.status, exc.detail) from None
    except RecursionError:
        raise _RefusedError(400, f"body: JSON nested deeper than {MAX_DEPTH} levels") from None
    except UnicodeDecodeError:
        raise _RefusedError(400, "body: not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise _RefusedError(
            400, f"body: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    found = _bad_text_in(parsed, "", 0)
    if found:
        raise _RefusedError(422, f"{found[0]}: {found[1]}")
    return parsed


class RequestGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int, max_query_bytes: int = 8 * 1024):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_query_bytes = max_query_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            replay = await self._check(scope, receive)
        except _RefusedError as refused:
            response = problem(
                refused.status, refused.detail, instance=scope.get("path"), **refused.extra
            )
            await response(scope, receive, send)
            return
        await self.app(scope, replay or receive, send)

    async def _check(self, scope: Scope, receive: Receive) -> Receive | None:
        if "\x00" in scope.get("path", ""):
            raise _RefusedError(400, "path: NUL characters are not allowed")
        query = scope.get("query_string", b"")
        if len(query) > self.max_query_bytes:
            raise _RefusedError(
                400,
                f"query: {len(query)} bytes, longer than the limit of {self.max_query_bytes}; "
                "send fewer or shorter parameters",
            )
        if b"\x00" in unquote_to_bytes(query):
            pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
            name = next((k for k, v in pairs if "\x00" in k + v), "query")
            raise _RefusedError(400, f"{name.replace(chr(0), '')}: NUL characters are not allowed")
        if scope["method"] not in WRITES:
            return None
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            raise _RefusedError(413, self._too_large())
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            body.extend(message.get("body", b""))
            if len(body) > self.max_body_bytes:
                raise _RefusedError(413, self._too_large())
            if not message.get("more_body", False):
                break
        if body:
            content_type = headers.get("content-type", "")
            if not _is_json(content_type):
                raise _RefusedError(
                    415,
                    f"content-type: send JSON (application/json), not {content_type or 'nothing'}",
                )
            scope[SCOPE_KEY] = check_body(bytes(body))
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        return replay

    def _too_large(self) -> str:
        return f"body: larger than the limit of {self.max_body_bytes} bytes"
