"""Integrity lives in the database: these inserts bypass Python validation on purpose."""

from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.models import Attribution, Event, Figure, Measure, Source


def _base(session: Session) -> tuple[Source, Event, Measure]:
    source = Source(slug="outlet", name="Outlet", kind="news_outlet")
    event = Event(slug="event", title="Event", type="incident")
    measure = Measure(slug="deserters", label="Deserters")
    session.add_all([source, event, measure])
    session.flush()
    return source, event, measure


def _figure(event: Event, measure: Measure, **values) -> Figure:
    fields = {
        "slug": "fig",
        "event_id": event.id,
        "measure_id": measure.id,
        "qualifier": "exact",
        "stated_as": "1",
        "unit": "persons",
        "value": Decimal(1),
    }
    fields.update(values)
    return Figure(**fields)


@pytest.mark.parametrize(
    "values",
    [
        {"lower_bound": Decimal(5), "value": Decimal(4)},
        {"upper_bound": Decimal(3), "value": Decimal(4)},
        {"value": None, "lower_bound": Decimal(5), "upper_bound": Decimal(4)},
        {"value": None},
        {"qualifier": "roughly"},
        {"status": "deleted"},
    ],
)
def test_figure_checks_refuse_inconsistent_rows(engine, values):
    with Session(engine) as session:
        _, event, measure = _base(session)
        session.add(_figure(event, measure, **values))
        with pytest.raises(IntegrityError):
            session.flush()


def test_attribution_must_point_at_exactly_one_figure_or_event(engine):
    with Session(engine) as session:
        source, event, measure = _base(session)
        figure = _figure(event, measure)
        session.add(figure)
        session.flush()
        session.add(
            Attribution(
                figure_id=figure.id,
                event_id=event.id,
                source_id=source.id,
                role="claimant",
                position=0,
            )
        )
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()


def test_attribution_needs_a_subject(engine):
    with Session(engine) as session:
        source, _, _ = _base(session)
        session.add(Attribution(source_id=source.id, role="claimant", position=0))
        with pytest.raises(IntegrityError):
            session.flush()


def test_foreign_keys_are_enforced(engine):
    with Session(engine) as session:
        _base(session)
        session.add(Source(slug="child", name="Child", kind="person", parent_id=9999))
        with pytest.raises(IntegrityError):
            session.flush()


def test_unknown_source_kind_is_refused(engine):
    with Session(engine) as session:
        session.add(Source(slug="x", name="X", kind="blog"))
        with pytest.raises(IntegrityError):
            session.flush()


def test_slugs_are_unique(engine):
    with Session(engine) as session:
        session.add(Source(slug="x", name="X", kind="ngo"))
        session.flush()
        session.add(Source(slug="x", name="Y", kind="ngo"))
        with pytest.raises(IntegrityError):
            session.flush()


@pytest.mark.parametrize("number", ["10201", "1.5", "0.1", "123456789012345", "0.000001", "-3.25"])
def test_decimals_read_back_exactly(engine, number):
    with Session(engine) as session:
        _, event, measure = _base(session)
        session.add(_figure(event, measure, value=Decimal(number)))
        session.commit()
    with Session(engine) as session:
        stored = session.exec(select(Figure.value)).one()
    assert str(stored) == number
