"""IdempotencyRecord: the first response to a POST carrying an Idempotency-Key, for replay."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("api_key_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    api_key_id: int = Field(foreign_key="api_key.id", nullable=False)
    key: str = Field(max_length=200, nullable=False)
    request_hash: str = Field(max_length=64, nullable=False)
    status: int = Field(nullable=False)
    headers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    body: str = Field(sa_type=Text, nullable=False)
    created_at: datetime = created_at_field()
