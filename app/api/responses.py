"""Public models written straight to JSON bytes.

A route that returns a model has FastAPI dump it to Python objects, validate those against
the response model again and encode the result: for a page of 50 figures with their chains
that is most of the request's time. The models the routes build are already the response
model, so the hot routes hand pydantic's serializer the model and send its bytes (the same
JSON: by alias, compact, UTF-8). The response model stays declared for the OpenAPI document.
"""

from fastapi import Response
from pydantic import BaseModel


def json_response(model: BaseModel, headers_from: Response | None = None) -> Response:
    """``model`` as JSON, with the headers a route already set on its ``Response``."""
    headers = dict(headers_from.headers) if headers_from is not None else None
    return Response(
        model.__pydantic_serializer__.to_json(model, by_alias=True),
        media_type="application/json",
        headers=headers,
    )
