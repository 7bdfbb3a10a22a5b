"""The HTTP server's protocol: uvicorn's h11 with a bounded request head, refused with a 431.

uvicorn picks httptools when it is installed, and httptools buffers a request head of any
size: a header of tens of megabytes was read whole, stalling the worker's event loop, and a
few of them held hundreds of megabytes. Here the head is bounded by ``SOURCED_MAX_HEADER_BYTES`` (uvicorn's
`--h11-max-incomplete-event-size`) twice over: h11 stops buffering an unfinished head past it,
and a head that arrived whole in one read (up to 256 KiB) is measured once parsed. The bound
in bytes also bounds the number of header lines (each takes at least five bytes), so no
separate count is kept. uvicorn would answer h11's refusal with a plain-text 400; this answers
431 Request Header Fields Too Large (RFC 6585) in problem+json, as the API answers every
refusal, and closes the connection: the rest of the head is never read.
"""

import json
from typing import Any

import h11
from h11._connection import DEFAULT_MAX_INCOMPLETE_EVENT_SIZE  # uvicorn's default, from h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from app.api.problems import PROBLEM_JSON


def head_size(request: h11.Request) -> int:
    """The bytes of the request line and header lines as parsed (names lowercased, values
    without surrounding blanks)."""
    line = len(request.method) + len(request.target) + len(b"  HTTP/1.1\r\n")
    return line + sum(len(name) + len(value) + 4 for name, value in request.headers) + 2


class _BoundedConnection(h11.Connection):
    def __init__(self, limit: int):
        super().__init__(h11.SERVER, max_incomplete_event_size=limit)
        self.limit = limit
        self.head_too_large = False

    def next_event(self) -> Any:
        try:
            event = super().next_event()
        except h11.RemoteProtocolError as exc:
            # h11's own refusal of a head still unfinished past the limit.
            self.head_too_large = exc.error_status_hint == 431
            raise
        if isinstance(event, h11.Request) and head_size(event) > self.limit:
            self.head_too_large = True
            raise h11.RemoteProtocolError("request head too large", error_status_hint=431)
        return event


class BoundedHeadProtocol(H11Protocol):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.head_limit = self.config.h11_max_incomplete_event_size or (
            DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
        )
        self.conn = _BoundedConnection(self.head_limit)

    def send_400_response(self, msg: str) -> None:
        assert isinstance(self.conn, _BoundedConnection)
        if not self.conn.head_too_large:
            super().send_400_response(msg)  # a malformed request: uvicorn's own answer
            return
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Request header fields too large",
                "status": 431,
                "detail": f"headers: larger than the limit of {self.head_limit} bytes; "
                "send fewer or shorter headers",
            }
        ).encode()
        headers = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        response = h11.Response(
            status_code=431, headers=headers, reason=b"Request Header Fields Too Large"
        )
        for event in (response, h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self.transport.close()
