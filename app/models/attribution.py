"""Attribution: one link of a figure's or an event's chain, from the claimant to the publisher."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, updated_at_field, version_field
from app.models.vocab import Role, in_check


class Attribution(SQLModel, table=True):
    __tablename__ = "attribution"
    __table_args__ = (
        CheckConstraint(in_check("role", Role), name="role"),
        CheckConstraint(
            "(figure_id IS NOT NULL AND event_id IS NULL)"
            " OR (figure_id IS NULL AND event_id IS NOT NULL)",
            name="one_subject",
        ),
        CheckConstraint("position >= 0", name="position_non_negative"),
        UniqueConstraint("figure_id", "position"),
        UniqueConstraint("event_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    figure_id: int | None = Field(
        default=None,
        sa_column_args=[ForeignKey("figure.id", ondelete="CASCADE")],
        sa_type=Integer,
        index=True,
    )
    event_id: int | None = Field(
        default=None,
        sa_column_args=[ForeignKey("event.id", ondelete="CASCADE")],
        sa_type=Integer,
        index=True,
    )
    source_id: int = Field(
        sa_column_args=[ForeignKey("source.id")], sa_type=Integer, nullable=False, index=True
    )
    role: str = Field(max_length=16, nullable=False)
    position: int = Field(nullable=False)
    quote: str | None = Field(default=None, sa_type=Text)
    quote_unverified: bool = Field(default=False, nullable=False)
    locator: str | None = Field(default=None, max_length=200)
    accessed: date | None = Field(default=None)
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
