"""A request body's JSON, read once and exactly: the body guard parses it, the routes use that.

- Numbers are read as the decimals written: `0.30000000000000001` keeps its 17 digits and
  `1e-400` is not 0, so `ExactNumber`'s 15-digit rule judges a JSON number as it judges the
  same number in a string (the stdlib reads every JSON number with a point as a float).
- A number of more than ``MAX_NUMBER_DIGITS`` digits, written out, is refused: no field takes
  one (Python would refuse an integer of more than 4,300 digits with a bare ValueError, and a
  field typed int would expand `1e999999999` in full).
- A key twice in one object is refused: the stdlib silently keeps the last one, so the
  record written would not be the one read by whoever checked the body.

The routes that take a body read it through ``ParsedBodyRoute``, so FastAPI does not parse
it a second time, differently.
"""

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

MAX_NUMBER_DIGITS = 1000
# Where the guard leaves the parsed body for the route (an ASGI scope extension key).
SCOPE_KEY = "sourced.json_body"


class BodyError(ValueError):
    """A body that is not the JSON the API reads; ``detail`` names what is wrong."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def _too_long(literal: str) -> BodyError:
    shown = literal if len(literal) <= 20 else literal[:20] + "…"
    return BodyError(
        400,
        f"body: a number with more than {MAX_NUMBER_DIGITS} digits ({shown}); no field takes one",
    )


def _integer(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _too_long(literal)
    return int(literal)


def _decimal(literal: str) -> Decimal:
    if len(literal) > MAX_NUMBER_DIGITS:
        raise _too_long(literal)
    value = Decimal(literal)
    # The digits it would take written out: 1e999999999 is short, but not as a number.
    if abs(value.adjusted()) > MAX_NUMBER_DIGITS:
        raise _too_long(literal)
    return value


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise BodyError(
                    400,
                    f"body: the key {json.dumps(key)} appears twice in one object; send it once",
                )
            seen.add(key)
    return result


def loads(body: bytes) -> Any:
    """The body's JSON, numbers as ``int`` and ``Decimal``; ``BodyError`` for what is refused,
    ``json.JSONDecodeError``, ``UnicodeDecodeError`` and ``RecursionError`` as the stdlib's."""
    return json.loads(body, parse_float=_decimal, parse_int=_integer, object_pairs_hook=_object)


class ParsedBodyRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            if SCOPE_KEY in self.scope:
                self._json = self.scope[SCOPE_KEY]
            else:  # not through the guard (an app built without it): the same reading
                self._json = loads(await self.body())
        return self._json


class ParsedBodyRoute(APIRoute):
    """A route whose JSON body is the one the guard read (FastAPI's documented way to give a
    route its own Request class)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            return await handler(ParsedBodyRequest(request.scope, request.receive))

        return route
