"""The ETag a response gets from its bytes (app/api/etag.py): strong, stable, and exactly the
first 128 bits of the bytes' BLAKE3, however many parts the body was sent in."""

import asyncio
from typing import Any

import pytest
from blake3 import blake3
from starlette.types import Message, Receive, Scope, Send

from app.api.etag import ETagMiddleware


def tag(body: bytes) -> str:
    return '"' + blake3(body).hexdigest(16) + '"'


def answer(parts: list[bytes], if_none_match: str | None = None) -> list[Message]:
    """What ETagMiddleware sends for an app that sends ``parts`` with a declared length."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        length = str(sum(map(len, parts))).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", length)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for i, part in enumerate(parts):
            await send(
                {"type": "http.response.body", "body": part, "more_body": i < len(parts) - 1}
            )

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.request", "body": b"", "more_body": False}

    headers = [] if if_none_match is None else [(b"if-none-match", if_none_match.encode())]
    scope = {"type": "http", "method": "GET", "path": "/", "headers": headers}
    asyncio.run(ETagMiddleware(app)(scope, receive, send))
    return sent


@pytest.mark.parametrize(
    "parts", [[b'{"items":[]}'], [b'{"items":', b"[]", b"}"], [b""], [b"x" * 90_000]]
)
def test_the_tag_is_the_bytes_blake3(parts):
    body = b"".join(parts)
    start, sent = answer(parts)[0], answer(parts)[1]
    assert start["status"] == 200
    assert dict(start["headers"])[b"etag"] == tag(body).encode()
    assert sent == {"type": "http.response.body", "body": body}


def test_the_tag_of_an_empty_body_is_blake3s_published_one():
    # BLAKE3's test vector for the empty input, its first 16 bytes.
    assert dict(answer([b""])[0]["headers"])[b"etag"] == b'"af1349b9f5f9a1a6a0404dea36dcc949"'


def test_a_matching_if_none_match_is_a_304_without_a_body():
    start, sent = answer([b"[1,2]"], if_none_match=tag(b"[1,2]"))
    assert start["status"] == 304
    assert dict(start["headers"])[b"etag"] == tag(b"[1,2]").encode()
    assert b"content-length" not in dict(start["headers"])
    assert sent == {"type": "http.response.body", "body": b""}


def test_a_list_page_is_tagged_by_its_bytes(seeded_client):
    first = seeded_client.get("/v1/figures?measure=deserters&limit=1")
    again = seeded_client.get("/v1/figures?measure=deserters&limit=1")
    assert first.headers["etag"] == tag(first.content)
    assert again.headers["etag"] == first.headers["etag"]
