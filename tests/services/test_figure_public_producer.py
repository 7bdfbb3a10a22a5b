"""A figure's public fields are mapped from its view in one place (``FigureRecord``); the
public model validates that mapping and refuses a field it does not declare, so adding a field
to one and not the other fails at once."""

import pytest
from pydantic import ValidationError
from sqlmodel import Session

from app.schemas import figure_json
from app.schemas.figure import FigurePublic
from app.services.read import figures
from app.services.read.figures import FigureQuery

ROOT = "http://testserver/"


def test_the_record_has_exactly_the_public_model_s_fields(seeded):
    with Session(seeded) as session:
        view = figures.list_figures(session, FigureQuery(), limit=1).items[0]
    record = figure_json.FigureRecord.of(view, ROOT)
    assert list(record.data) == list(FigurePublic.model_fields)
    assert (
        FigurePublic.of(view, ROOT).model_dump()
        == FigurePublic.model_validate(record.data).model_dump()
    )


def test_a_field_the_model_does_not_declare_is_refused(seeded):
    with Session(seeded) as session:
        view = figures.list_figures(session, FigureQuery(), limit=1).items[0]
    data = {**figure_json.FigureRecord.of(view, ROOT).data, "confidence": "high"}
    with pytest.raises(ValidationError) as refused:
        FigurePublic.model_validate(data)
    assert [e["loc"] for e in refused.value.errors()] == [("confidence",)]
