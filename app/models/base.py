"""Shared metadata (with a naming convention, so migrations name every constraint) and columns."""

from typing import Any

from sqlalchemy import Column, Integer
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = SQLModel.metadata

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MAX = 120


# Field() returns Any (its FieldInfo stands in for the column's value type), so do these.
def created_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def updated_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def version_field() -> Any:
    # The version is the optimistic-locking counter behind ETags and the revision number.
    return Field(default=1, sa_column_kwargs={"nullable": False}, sa_type=Integer)


__all__ = ["SLUG_MAX", "SLUG_PATTERN", "Column", "metadata"]
