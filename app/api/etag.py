"""ETags on every GET, 304 on a matching If-None-Match, and caching headers for a public dataset.

A pure ASGI middleware: it buffers only responses that declare their length, so streamed
exports pass through untouched.
"""

from blake3 import blake3
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.services.common import etags

# Readers may keep a copy but must check it is still current: corrections show at once,
# and the check costs a 304 with no body.
CACHE_CONTROL = "public, max-age=0, must-revalidate"


def body_tag(body: bytes) -> str:
    """A strong ETag of a response's bytes: the first 128 bits of their BLAKE3. A list page of
    90 kB is hashed on every request, on the event loop; BLAKE3 hashes it several times faster
    than SHA-256 and is as strong a hash (bench/README.md, "Hot reads")."""
    return '"' + blake3(body).hexdigest(16) + '"'


def _vary_accept(headers: MutableHeaders) -> None:
    """Every GET may answer differently by `Accept` (JSON, CSV, the reader's HTML page)."""
    vary = headers.get("vary", "")
    if "accept" not in (part.strip().lower() for part in vary.split(",")):
        headers["Vary"] = f"{vary}, Accept" if vary else "Accept"


class ETagMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        start: Message | None = None
        # The body's parts; most responses send one, kept as it is, without a copy.
        parts: list[bytes] = []
        passthrough: bool | None = False

        async def wrapped(message: Message) -> None:
            nonlocal start, passthrough
            if passthrough is None:
                return
            if passthrough:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                if message["status"] == 200 and "etag" in headers:
                    # The route tagged the record itself (a version-based tag).
                    if etags.none_match(request_headers.get("if-none-match", ""), headers["etag"]):
                        await self._not_modified(message, send)
                        passthrough = None  # drop the body that follows
                        return
                    passthrough = True
                    tagged = MutableHeaders(raw=list(message["headers"]))
                    tagged.setdefault("Cache-Control", CACHE_CONTROL)
                    _vary_accept(tagged)
                    await send({**message, "headers": tagged.raw})
                    return
                if message["status"] != 200 or "content-length" not in headers:
                    passthrough = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] == "http.response.body" and start is not None:
                parts.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = parts[0] if len(parts) == 1 else b"".join(parts)
                await self._finish(start, bytes(body), request_headers, send)
                return
            await send(message)

        await self.app(scope, receive, wrapped)

    @staticmethod
    async def _not_modified(start: Message, send: Send) -> None:
        headers = MutableHeaders(raw=list(start["headers"]))
        for name in ("content-length", "content-type"):
            if name in headers:
                del headers[name]
        headers.setdefault("Cache-Control", CACHE_CONTROL)
        _vary_accept(headers)
        await send({"type": "http.response.start", "status": 304, "headers": headers.raw})
        await send({"type": "http.response.body", "body": b""})

    @staticmethod
    async def _finish(start: Message, body: bytes, request_headers: Headers, send: Send) -> None:
        etag = body_tag(body)
        headers = MutableHeaders(raw=list(start["headers"]))
        headers["ETag"] = etag
        headers.setdefault("Cache-Control", CACHE_CONTROL)
        _vary_accept(headers)
        if etags.none_match(request_headers.get("if-none-match", ""), etag):
            await ETagMiddleware._not_modified({**start, "headers": headers.raw}, send)
            return
        await send({**start, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})
