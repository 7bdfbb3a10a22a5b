"""The ceiling of the stack: a bare Starlette app that returns a precomputed body.

BENCH_BODY_FILE=body.json uvicorn bench.ceiling:app --port 8093
"""

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = Path(os.environ.get("BENCH_BODY_FILE", "/dev/null")).read_bytes()


async def answer(request):  # type: ignore[no-untyped-def]
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/{path:path}", answer)])
