"""Liveness and database health (primary and read replica), for load balancers and the
container HEALTHCHECK."""

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.api.deps import EngineDep, ReadEngineDep
from app.services.read import health

router = APIRouter(tags=["health"])


class DatabaseState(BaseModel):
    ok: bool = Field(examples=[True])
    engine: str = Field(description="sqlite or postgresql", examples=["sqlite"])
    schema_revision: str | None = Field(description="Alembic revision the database is at.")
    error: str | None = Field(default=None, description="Why the database is unreachable.")


class ReplicaState(DatabaseState):
    replay_lag_seconds: float | None = Field(
        default=None,
        description="How far a PostgreSQL hot standby's replay is behind: 0 when it has replayed "
        "all it received, else the age of the last transaction it replayed. Null elsewhere.",
        examples=[0.0],
    )


class Health(BaseModel):
    status: Literal["ok", "unavailable"] = Field(examples=["ok"])
    database: DatabaseState = Field(
        description="The primary: every write, and every read when there is no replica."
    )
    replica: ReplicaState | None = Field(
        default=None,
        description="The read replica that read-only requests use "
        "(`SOURCED_READ_DATABASE_URL`); null when reads use the primary.",
    )


@router.get(
    "/health",
    summary="Service and database health",
    response_model=Health,
    responses={
        503: {"model": Health, "description": "The database or the replica cannot be reached."}
    },
)
def get_health(engine: EngineDep, read_engine: ReadEngineDep) -> JSONResponse:
    """Answers 200 when the database (and the read replica, if there is one) answers a query,
    503 (with `Retry-After`) when either does not."""
    state = health.check(engine)
    replica = None if read_engine is engine else health.check_replica(read_engine)
    ok = state.ok and (replica is None or replica.ok)
    body = Health(
        status="ok" if ok else "unavailable",
        database=DatabaseState(**state.__dict__),
        replica=None if replica is None else ReplicaState(**replica.__dict__),
    )
    # Never kept, by this app's response cache or any other: the answer is about this moment.
    headers = {"Cache-Control": "no-store"}
    if not ok:
        headers["Retry-After"] = "5"
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503, headers=headers)
