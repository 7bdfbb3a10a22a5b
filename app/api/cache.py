"""An in-process cache of whole GET responses, keyed by the request and the dataset's version.

A chart tool polling its CSV URL, or a thousand readers of one story, ask the same question
again and again; the answer only changes when the data does. Every write through this
process bumps the version at once, so the very next read is fresh. Writes made elsewhere
(another worker, `sourced seed`, `sourced import`) are noticed through the newest revision
id, read at most every ``recheck_seconds``: with several workers, another worker's write shows
within that time. Streamed exports are never cached; neither are errors.
"""

import time
from collections import OrderedDict
from dataclasses import dataclass

import anyio
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.models import Revision

MAX_ENTRY_BYTES = 1024 * 1024
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class _Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: str | None


class DatasetVersion:
    """This process's view of the dataset's version: (newest revision id, local write count)."""

    def __init__(self, engine: Engine, recheck_seconds: float):
        self.engine = engine
        self.recheck_seconds = recheck_seconds
        self.local_writes = 0
        self.newest_revision = -1
        self.checked_at = float("-inf")

    def bump(self) -> None:
        self.local_writes += 1

    def _read_newest(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.coalesce(func.max(Revision.id), 0))).scalar_one())

    async def current(self) -> tuple[int, int]:
        now = time.monotonic()
        if now - self.checked_at >= self.recheck_seconds:
            self.newest_revision = await anyio.to_thread.run_sync(self._read_newest)
            self.checked_at = now
        return (self.newest_revision, self.local_writes)


class ResponseCache:
    def __init__(self, app: ASGIApp, version: DatasetVersion, max_entries: int):
        self.app = app
        self.version = version
        self.max_entries = max_entries
        self.entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self.hits = 0
        self.misses = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.max_entries <= 0:
            await self.app(scope, receive, send)
            return
        if scope["method"] in WRITES:
            try:
                await self.app(scope, receive, send)
            finally:
                # Even a write that ends in an error may have changed something: forget it all.
                self.version.bump()
                self.entries.clear()
            return
        if scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if "authorization" in headers or "no-cache" in headers.get("cache-control", ""):
            await self.app(scope, receive, send)
            return
        try:
            version = await self.version.current()
        except SQLAlchemyError:
            # The database is away: no version, no cache; the route answers 503 itself.
            await self.app(scope, receive, send)
            return
        key = (
            scope["method"],
            scope.get("scheme"),
            headers.get("host"),
            scope.get("root_path", ""),
            scope["path"],
            scope.get("query_string", b""),
            headers.get("accept", ""),
            version,
        )
        entry = self.entries.get(key)
        if entry is not None:
            self.hits += 1
            self.entries.move_to_end(key)
            await self._replay(entry, headers, send)
            return
        self.misses += 1
        await self._fill(key, scope, receive, send)

    async def _fill(self, key: tuple, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        body = bytearray()
        cacheable = True

        async def capture(message: Message) -> None:
            nonlocal start, cacheable
            if message["type"] == "http.response.start":
                start = message
                response_headers = Headers(raw=message["headers"])
                cacheable = (
                    message["status"] == 200
                    and "content-length" in response_headers
                    # /health: its answer changes without the dataset changing.
                    and "no-store" not in response_headers.get("cache-control", "")
                )
            elif message["type"] == "http.response.body" and cacheable:
                body.extend(message.get("body", b""))
                if len(body) > MAX_ENTRY_BYTES:
                    cacheable = False
                elif not message.get("more_body", False) and start is not None:
                    etag = Headers(raw=start["headers"]).get("etag")
                    self._store(key, _Entry(200, list(start["headers"]), bytes(body), etag))
            await send(message)

        await self.app(scope, receive, capture)

    def _store(self, key: tuple, entry: _Entry) -> None:
        self.entries[key] = entry
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)

    @staticmethod
    async def _replay(entry: _Entry, request_headers: Headers, send: Send) -> None:
        if entry.etag is not None:
            candidates = {
                tag.strip().removeprefix("W/")
                for tag in request_headers.get("if-none-match", "").split(",")
            }
            if entry.etag.removeprefix("W/") in candidates or "*" in candidates:
                headers = MutableHeaders(raw=list(entry.headers))
                for name in ("content-length", "content-type"):
                    if name in headers:
                        del headers[name]
                await send({"type": "http.response.start", "status": 304, "headers": headers.raw})
                await send({"type": "http.response.body", "body": b""})
                return
        await send(
            {"type": "http.response.start", "status": entry.status, "headers": entry.headers}
        )
        await send({"type": "http.response.body", "body": entry.body})
