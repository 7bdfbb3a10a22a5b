from datetime import date

import pytest

from app.edtf import EDTFError, bounds, certainly_overlaps


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1918", (date(1918, 1, 1), date(1918, 12, 31))),
        ("1941-10", (date(1941, 10, 1), date(1941, 10, 31))),
        ("2022-02-24/2024", (date(2022, 2, 24), date(2024, 12, 31))),
        ("1941-06-22/1941-12", (date(1941, 6, 22), date(1941, 12, 31))),
        ("2024?", (date(2024, 1, 1), date(2024, 12, 31))),
        ("../2024", (None, date(2024, 12, 31))),
        ("/1941-12", (None, date(1941, 12, 31))),
        ("1941/", (date(1941, 1, 1), None)),
        ("2022-02-24/..", (date(2022, 2, 24), None)),
        ("1941-12-XX", (date(1941, 12, 1), date(1941, 12, 31))),
        ("2024-02", (date(2024, 2, 1), date(2024, 2, 29))),
    ],
)
def test_bounds_cover_every_day_the_text_can_mean(text, expected):
    assert bounds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2025-02-30",
        "2024-13",
        "x",
        "..",
        "/",
        "2022/2021",
        "1941/1942/1943",
        " 1941",
        "",
        "2024-02-24T10:00",
    ],
)
def test_invalid_dates_are_refused(text):
    with pytest.raises(EDTFError):
        bounds(text)


@pytest.mark.parametrize(
    ("text", "date_from", "date_to", "expected"),
    [
        # An open start reaches back for ever; an unknown start may be as late as the end.
        ("../2024", None, date(1940, 1, 1), True),
        ("/2024", None, date(1940, 1, 1), False),
        ("/2024", None, date(2024, 12, 31), True),
        ("../2024", date(2025, 1, 1), None, False),
        # Symmetrically for the end.
        ("1941/..", date(2000, 1, 1), None, True),
        ("1941/", date(2000, 1, 1), None, False),
        ("1941/", date(1941, 1, 1), None, True),
        ("1941/..", None, date(1940, 12, 31), False),
        ("1941-10", date(1941, 10, 31), date(1941, 10, 31), True),
        ("1941-10", date(1941, 11, 1), None, False),
        (None, date(1, 1, 1), None, False),
        (None, None, None, True),
    ],
)
def test_certainly_overlaps_tells_open_from_unknown_ends(text, date_from, date_to, expected):
    assert certainly_overlaps(text, date_from, date_to) is expected
