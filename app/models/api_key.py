"""ApiKey: who may write. Only the key's SHA-256 and its public prefix are stored."""

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field
from app.models.types import UTCDateTime


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"
    __table_args__ = (CheckConstraint("scope IN ('editor', 'admin')", name="scope"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, nullable=False, unique=True)
    prefix: str = Field(max_length=32, nullable=False, index=True)
    secret_hash: str = Field(max_length=64, nullable=False, unique=True)
    scope: str = Field(max_length=16, nullable=False)
    created_at: datetime = created_at_field()
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
