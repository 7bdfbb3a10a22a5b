"""The hot path's figures (dictionaries written by orjson) are byte for byte FigurePublic's.

``FigurePublic`` is what the OpenAPI document promises; ``figure_json`` is what the figure
routes send. If a field is added to one and not the other, or a value is written another
way (a decimal, a timestamp, a date), these tests fail.
"""

from decimal import Decimal

from sqlmodel import Session

from app.schemas import figure_json
from app.schemas.common import Page
from app.schemas.figure import FigurePublic
from app.services.read import figures
from app.services.read.figures import FigureQuery
from tests import builders

ROOT = "http://testserver/"


def _pydantic_bytes(views) -> bytes:  # type: ignore[no-untyped-def]
    page = Page[FigurePublic](
        items=[FigurePublic.of(v, ROOT) for v in views], next=f"{ROOT}v1/figures?cursor=x", total=3
    )
    return page.__pydantic_serializer__.to_json(page, by_alias=True)


def _fast_bytes(views) -> bytes:  # type: ignore[no-untyped-def]
    records = [figure_json.FigureRecord.of(v, ROOT) for v in views]
    return figure_json.dumps(figure_json.page(records, f"{ROOT}v1/figures?cursor=x", 3))


def test_every_seeded_figure_is_written_exactly_as_the_public_model(seeded):
    with Session(seeded) as session:
        views = figures.list_figures(session, FigureQuery(), limit=500).items
        assert len(views) == 8
        assert _fast_bytes(views) == _pydantic_bytes(views)
        for view in views:
            one = figure_json.FigureRecord.of(view, ROOT)
            public = FigurePublic.of(view, ROOT)
            assert figure_json.dumps(one.data) == public.__pydantic_serializer__.to_json(
                public, by_alias=True
            )
            # The CSV encoder reads model_dump(): the same Python values as the model's.
            assert one.model_dump() == public.model_dump()
            assert one.model_dump_json() == public.model_dump_json()


def test_fractions_dates_locators_and_retractions_are_written_the_same(engine, tmp_path):
    data = builders.dataset(2, values=[None, 7])
    data["figures"][0]["value"] = "1.5"
    data["figures"][0]["lower_bound"] = "0.25"
    data["figures"][0]["upper_bound"] = "10201"
    data["figures"][0]["qualifier"] = "range"
    data["figures"][0]["attributions"][1].update(
        {"locator": "paragraph 4", "accessed": "2024-02-29"}
    )
    data["figures"][1]["note"] = "“Curly” quotes, a dash — and ünïcödé"
    builders.load(engine, tmp_path, data)
    with Session(engine) as session:
        views = figures.list_figures(session, FigureQuery(), limit=500).items
        first = views[0].figure
        assert (first.value, first.lower_bound, first.upper_bound) == (
            Decimal("1.5"),
            Decimal("0.25"),
            Decimal("10201"),
        )
        assert _fast_bytes(views) == _pydantic_bytes(views)
        written = figure_json.dumps(figure_json.FigureRecord.of(views[0], ROOT).data)
        assert b'"value":1.5,"lower_bound":0.25,"upper_bound":10201,' in written
        assert b'"locator":"paragraph 4","accessed":"2024-02-29"' in written
