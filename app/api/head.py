"""HEAD on every GET route: the GET's status and headers (ETag, Content-Length, Link), no body.

A pure ASGI middleware rather than a second route per path: the request goes on as a GET
(so the response cache, the ETag and 304 logic and the route see a GET), and only the body
is dropped on the way out. Streamed exports stay streams; their chunks are discarded.

It also hands the layers outside it (CORS) a copy of each response's header list: they edit
that list in place, and the response cache inside keeps the list it sent, so without a copy
a cached answer would gain another `Vary: Origin` on every replay.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            # A copy: the server keeps its own scope, and with it the knowledge that no body
            # may follow the headers.
            scope = {**scope, "method": "GET"}

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                await send({**message, "headers": list(message.get("headers", []))})
                return
            if head and message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, wrapped)
