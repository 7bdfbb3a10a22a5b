"""docs/seed-format.md documents every field of the seed format, section by section."""

import re

import pytest
from pydantic import BaseModel

from app.schemas.attribution import AttributionIn
from app.schemas.event import EventIn
from app.schemas.figure import FigureIn
from app.schemas.measure import MeasureIn
from app.schemas.seed import SeedFile, SeedSource
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "seed-format.md").read_text(encoding="utf-8")


def documented(heading: str) -> list[str]:
    """The fields in the table under ``## heading``, in order."""
    section = DOC.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE)


@pytest.mark.parametrize(
    ("heading", "model"),
    [
        ("Top level", SeedFile),
        ("`measures`", MeasureIn),
        ("`sources`", SeedSource),
        ("`events`", EventIn),
        ("`figures`", FigureIn),
        ("`attributions` (a chain's links)", AttributionIn),
    ],
)
def test_every_field_is_documented_once(heading: str, model: type[BaseModel]) -> None:
    fields = documented(heading)
    assert sorted(fields) == sorted(model.model_fields)


def test_the_readme_points_to_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/seed-format.md" in readme
