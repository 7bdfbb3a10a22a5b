"""Figure: a numeric claim about an event, with its bounds, precision and the words used."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Text, text
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, updated_at_field, version_field
from app.models.types import ExactDecimal
from app.models.vocab import VISIBLE, Qualifier, Status, in_check

# The partial index's condition for what lists hide, written out with literals: a planner
# uses a partial index only for a query with the same condition.
HIDDEN = "status NOT IN ({})".format(", ".join(f"'{s}'" for s in VISIBLE))


class Figure(SQLModel, table=True):
    __tablename__ = "figure"
    __table_args__ = (
        CheckConstraint(in_check("qualifier", Qualifier), name="qualifier"),
        CheckConstraint(in_check("status", Status), name="status"),
        CheckConstraint(
            "value IS NOT NULL OR lower_bound IS NOT NULL OR upper_bound IS NOT NULL",
            name="has_number",
        ),
        CheckConstraint(
            "lower_bound IS NULL OR value IS NULL OR lower_bound <= value", name="lower_le_value"
        ),
        CheckConstraint(
            "upper_bound IS NULL OR value IS NULL OR value <= upper_bound", name="value_le_upper"
        ),
        CheckConstraint(
            "lower_bound IS NULL OR upper_bound IS NULL OR lower_bound <= upper_bound",
            name="lower_le_upper",
        ),
        CheckConstraint(
            "period_earliest IS NULL OR period_latest IS NULL OR period_earliest <= period_latest",
            name="period_order",
        ),
        CheckConstraint("derived_from_id IS NULL OR derived_from_id <> id", name="not_own_origin"),
        Index("ix_figure_measure_id_id", "measure_id", "id"),
        Index("ix_figure_period_range", "period_earliest", "period_latest"),
        # Only the figures lists leave out (retracted, superseded, ...): a handful, so the
        # vocabulary's visible counts are every figure (the covering index above) minus
        # these, instead of reading the status of every figure.
        Index(
            "ix_figure_hidden_measure_id",
            "measure_id",
            sqlite_where=text(HIDDEN),
            postgresql_where=text(HIDDEN),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, nullable=False)
    event_id: int = Field(
        sa_column_args=[ForeignKey("event.id")], sa_type=Integer, nullable=False, index=True
    )
    measure_id: int = Field(
        sa_column_args=[ForeignKey("measure.id")], sa_type=Integer, nullable=False
    )
    value: Decimal | None = Field(default=None, sa_type=ExactDecimal)
    lower_bound: Decimal | None = Field(default=None, sa_type=ExactDecimal)
    upper_bound: Decimal | None = Field(default=None, sa_type=ExactDecimal)
    qualifier: str = Field(max_length=32, nullable=False)
    stated_as: str = Field(max_length=500, nullable=False)
    unit: str = Field(max_length=32, nullable=False)
    subject: str | None = Field(default=None, max_length=500)
    period: str | None = Field(default=None, max_length=100)
    period_earliest: date | None = Field(default=None)
    period_latest: date | None = Field(default=None)
    derived_from_id: int | None = Field(
        default=None, sa_column_args=[ForeignKey("figure.id")], sa_type=Integer, index=True
    )
    note: str | None = Field(default=None, sa_type=Text)
    status_reason: str | None = Field(default=None, sa_type=Text)
    status: str = Field(default=Status.published, max_length=16, nullable=False)
    version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
