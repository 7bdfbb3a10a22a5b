"""An in-process cache of whole GET responses, keyed by the request and the dataset's version.

A chart tool polling its CSV URL, or a thousand readers of one story, ask the same question
again and again; the answer only changes when the data does. Every write through this
process that may have changed data bumps the version at once, so the very next read is fresh;
a refused one (a 4xx: no key, a bad body, a stale ETag) changed nothing and keeps the cache. Writes made elsewhere
(another worker, `sourced seed`, `sourced import`) are noticed through the newest revision
id, read at most every ``recheck_seconds``: with several workers, another worker's write shows
within that time. Streamed exports are never cached; neither are errors.

The cache is bounded twice: in answers (``max_entries``) and in bytes (``max_bytes``: each
answer's body, headers and key), the least recently used going first; an answer larger than
the bytes bound, or than ``MAX_ENTRY_BYTES``, is not kept. (A bound in answers alone let a few
hundred distinct large answers hold hundreds of megabytes.)
"""

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import cast

import anyio
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.models import Revision
from app.services.common import etags

MAX_ENTRY_BYTES = 1024 * 1024
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class _Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: str | None
    size: int


def _size(key: tuple[object, ...], headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    """The bytes an answer holds: its body, its headers and the key's text."""
    key_bytes = sum(len(part) for part in key if isinstance(part, str | bytes))
    return len(body) + sum(len(name) + len(value) for name, value in headers) + key_bytes


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
            newest = conn.execute(select(func.coalesce(func.max(Revision.id), 0))).scalar_one()
            return int(cast(int, newest))  # coalesce: never NULL

    async def current(self) -> tuple[int, int]:
        now = time.monotonic()
        if now - self.checked_at >= self.recheck_seconds:
            self.newest_revision = await anyio.to_thread.run_sync(self._read_newest)
            self.checked_at = now
        return (self.newest_revision, self.local_writes)


class ResponseCache:
    def __init__(self, app: ASGIApp, version: DatasetVersion, max_entries: int, max_bytes: int):
        self.app = app
        self.version = version
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(MAX_ENTRY_BYTES, max_bytes)
        self.entries: OrderedDict[tuple[object, ...], _Entry] = OrderedDict()
        self.bytes = 0  # the sum of the entries' sizes
        self.hits = 0
        self.misses = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.max_entries <= 0 or self.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        if scope["method"] in WRITES:
            await self._write(scope, receive, send)
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

    async def _write(self, scope: Scope, receive: Receive, send: Send) -> None:
        status: int | None = None

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            # A 4xx was refused before anything was written (the unit of work rolls back on
            # any error); anything else, a 5xx or no answer at all included, may have changed
            # something: forget it all.
            if status is None or not 400 <= status < 500:
                self.version.bump()
                self.clear()

    def clear(self) -> None:
        self.entries.clear()
        self.bytes = 0

    async def _fill(
        self, key: tuple[object, ...], scope: Scope, receive: Receive, send: Send
    ) -> None:
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
                if len(body) > self.max_entry_bytes:
                    cacheable = False
                elif not message.get("more_body", False) and start is not None:
                    headers = list(start["headers"])
                    etag = Headers(raw=headers).get("etag")
                    size = _size(key, headers, bytes(body))
                    self._store(key, _Entry(200, headers, bytes(body), etag, size))
            await send(message)

        await self.app(scope, receive, capture)

    def _store(self, key: tuple[object, ...], entry: _Entry) -> None:
        if entry.size > self.max_bytes:
            return
        replaced = self.entries.pop(key, None)
        if replaced is not None:
            self.bytes -= replaced.size
        self.entries[key] = entry
        self.bytes += entry.size
        while len(self.entries) > self.max_entries or self.bytes > self.max_bytes:
            _, evicted = self.entries.popitem(last=False)
            self.bytes -= evicted.size

    @staticmethod
    async def _replay(entry: _Entry, request_headers: Headers, send: Send) -> None:
        if entry.etag is not None and etags.none_match(
            request_headers.get("if-none-match", ""), entry.etag
        ):
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
