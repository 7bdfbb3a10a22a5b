"""Event: something that happened, dated in EDTF with derived bounds for range queries."""

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Index, Text
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, updated_at_field, version_field
from app.models.vocab import EventType, Status, in_check


class Event(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint(in_check("type", EventType), name="type"),
        CheckConstraint(in_check("status", Status), name="status"),
        CheckConstraint("country IS NULL OR length(country) = 2", name="country"),
        CheckConstraint(
            "date_earliest IS NULL OR date_latest IS NULL OR date_earliest <= date_latest",
            name="date_order",
        ),
        Index("ix_event_date_range", "date_earliest", "date_latest"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, nullable=False)
    title: str = Field(max_length=500, nullable=False)
    summary: str | None = Field(default=None, sa_type=Text)
    type: str = Field(max_length=32, nullable=False, index=True)
    date: str | None = Field(default=None, max_length=100)
    date_earliest: dt.date | None = Field(default=None)
    date_latest: dt.date | None = Field(default=None)
    place: str | None = Field(default=None, max_length=500)
    country: str | None = Field(default=None, max_length=2, index=True)
    tags: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    note: str | None = Field(default=None, sa_type=Text)
    status_reason: str | None = Field(default=None, sa_type=Text)
    status: str = Field(default=Status.published, max_length=16, nullable=False)
    version: int = version_field()
    created_at: dt.datetime = created_at_field()
    updated_at: dt.datetime = updated_at_field()
