"""The ceiling of the stack: a bare Starlette app that returns precomputed bodies.

BENCH_BODY_DIR=bodies/ uvicorn bench.ceiling:app --port 8093   # GET /3 answers bodies/3.json

Each benchmark case writes the body Sourced answered; the ceiling serves it back with no
work at all, so "Sourced / ceiling" is the share of the stack's best that Sourced reaches
for a body of exactly that size.
"""

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODIES = {
    path.stem: path.read_bytes()
    for path in Path(os.environ.get("BENCH_BODY_DIR", ".")).glob("*.json")
}


async def answer(request):  # type: ignore[no-untyped-def]
    body = BODIES.get(request.path_params["name"])
    if body is None:
        return Response(status_code=404)
    return Response(body, media_type="application/json")


app = Starlette(routes=[Route("/{name}", answer)])
