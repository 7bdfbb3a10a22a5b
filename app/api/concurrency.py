"""A cap on the requests one worker handles at once: past it, an immediate 503 with Retry-After.

Without a cap, a burst queues inside the worker (threads, database connections) until every
client times out at once. Refusing the excess at the door keeps the admitted requests fast
and tells the others when to come back. ``/health`` is never refused: a load balancer must
be able to tell a busy worker from a dead one.

A pure ASGI middleware. The event loop runs one coroutine at a time, and nothing awaits
between the check and the count, so a plain counter is exact.
"""

from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.problems import problem

RETRY_AFTER_SECONDS = 1
EXEMPT_PATHS = frozenset({"/health"})


class ConcurrencyLimit:
    def __init__(self, app: ASGIApp, max_requests: int):
        self.app = app
        self.max_requests = max_requests
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.max_requests <= 0 or scope.get("path") in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_requests:
            response = problem(
                503,
                f"too many requests in progress on this server (limit {self.max_requests}); "
                f"retry in {RETRY_AFTER_SECONDS} s",
                instance=scope.get("path"),
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
            await response(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
