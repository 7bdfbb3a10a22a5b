"""Measure: the controlled vocabulary that makes competing figures comparable."""

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, updated_at_field, version_field


class Measure(SQLModel, table=True):
    __tablename__ = "measure"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, nullable=False)
    label: str = Field(max_length=200, nullable=False)
    description: str | None = Field(default=None, sa_type=Text)
    unit: str | None = Field(default=None, max_length=32)
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
