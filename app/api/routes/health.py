"""Liveness and database health, for load balancers and the container HEALTHCHECK."""

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.api.deps import EngineDep
from app.services import health

router = APIRouter(tags=["health"])


class DatabaseState(BaseModel):
    ok: bool = Field(examples=[True])
    engine: str = Field(description="sqlite or postgresql", examples=["sqlite"])
    schema_revision: str | None = Field(description="Alembic revision the database is at.")
    error: str | None = Field(default=None, description="Why the database is unreachable.")


class Health(BaseModel):
    status: Literal["ok", "unavailable"] = Field(examples=["ok"])
    database: DatabaseState


@router.get(
    "/health",
    summary="Service and database health",
    response_model=Health,
    responses={503: {"model": Health, "description": "The database cannot be reached."}},
)
def get_health(engine: EngineDep) -> JSONResponse:
    """Answers 200 when the database answers a query, 503 (with `Retry-After`) when it does not."""
    state = health.check(engine)
    body = Health(
        status="ok" if state.ok else "unavailable", database=DatabaseState(**state.__dict__)
    )
    headers = None if state.ok else {"Retry-After": "5"}
    return JSONResponse(body.model_dump(), status_code=200 if state.ok else 503, headers=headers)
