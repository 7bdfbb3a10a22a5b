"""Date filters and sorts that tell an open end from an unknown one, partial dates, claimants
under a source, and vocabulary values that do not exist."""

import re

import pytest

from app.api.params import PARTIAL_DATE_PATTERN
from tests import builders

# EDTF: `..` is an open end (unbounded), an empty end is unknown (somewhere up to the other).
DATES = [
    ("open-start", "../1941-12"),
    ("unknown-start", "/1941-12"),
    ("open-end", "1941-06/.."),
    ("unknown-end", "1941-06/"),
    ("year-1918", "1918"),
    ("undated", None),
    ("year-2024", "2024"),
]


def dated() -> dict:
    """One event and one figure per kind of date; reports sit under the ministry."""
    return {
        "document": "doc",
        "measures": [{"slug": "deserters", "label": "Deserters", "unit": "persons"}],
        "sources": [
            {"slug": "doc", "name": "The document", "kind": "document", "text_file": "doc.txt"},
            {"slug": "ministry", "name": "The ministry", "kind": "government_body"},
            {"slug": "reports", "name": "Reports", "kind": "document", "parent": "ministry"},
        ],
        "events": [
            {"slug": slug, "title": f"Event {slug}", "type": "desertion", "date": date}
            for slug, date in DATES
        ],
        "figures": [
            {
                "slug": f"fig-{slug}",
                "event": slug,
                "measure": "deserters",
                "value": index,
                "qualifier": "exact",
                "stated_as": str(index),
                "unit": "persons",
                "period": date,
                "attributions": [
                    {"source": "reports" if index % 2 else "ministry", "role": "claimant"},
                    {"source": "doc", "role": "publisher", "quote": "many fled"},
                ],
            }
            for index, (slug, date) in enumerate(DATES)
        ],
    }


# Nothing in this module writes: its tests share one database (tests/conftest.py).
@pytest.fixture(scope="module")
def engine(module_engine):
    return module_engine


@pytest.fixture(scope="module")
def dataset(engine, tmp_path_factory):
    builders.load(engine, tmp_path_factory.mktemp("seed"), dated())


@pytest.fixture
def api(dataset, client):
    return client


def slugs(response):
    assert response.status_code == 200, response.text
    return [item["slug"] for item in response.json()["items"]]


def walk(client, url):
    found = []
    while url:
        body = client.get(url).json()
        found += [item["slug"] for item in body["items"]]
        url = body["next"]
    return found


class TestDateFiltersCertainlyOverlap:
    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            # An open start reaches back for ever; an unknown one only to its known end.
            ("date_to=1940-01-01", ["open-start", "year-1918"]),
            ("date_from=1942-01-01", ["open-end", "year-2024"]),
            ("date_from=1941-07-01&date_to=1941-11-30", ["open-start", "open-end"]),
            (
                "date_from=1941-12-31&date_to=1941-12-31",
                ["open-start", "unknown-start", "open-end"],
            ),
            ("date_to=1941-06-01", ["open-start", "open-end", "unknown-end", "year-1918"]),
        ],
    )
    @pytest.mark.slow
    def test_events(self, api, query, expected):
        assert slugs(api.get(f"/v1/events?{query}")) == expected

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("date_to=1940-01-01", ["open-start", "year-1918"]),
            ("date_from=1942-01-01", ["open-end", "year-2024"]),
            ("date_from=1941-07-01&date_to=1941-11-30", ["open-start", "open-end"]),
        ],
    )
    @pytest.mark.slow
    def test_figures(self, api, query, expected):
        assert slugs(api.get(f"/v1/figures?{query}")) == [f"fig-{s}" for s in expected]

    def test_a_record_without_a_date_never_matches(self, api):
        assert "undated" not in slugs(api.get("/v1/events?date_from=0001-01-01"))
        assert "fig-undated" not in slugs(api.get("/v1/figures?date_to=9999-12-31"))


class TestPartialDates:
    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            # date_from takes the first day of a year or month, date_to the last.
            ("date_from=2024", ["open-end", "year-2024"]),
            ("date_to=1918", ["open-start", "year-1918"]),
            ("date_from=1941-12", ["open-start", "unknown-start", "open-end", "year-2024"]),
            ("date_to=1941-06", ["open-start", "open-end", "unknown-end", "year-1918"]),
            ("date_from=1941-07&date_to=1941-11", ["open-start", "open-end"]),
        ],
    )
    @pytest.mark.slow
    def test_years_and_months_are_accepted(self, api, query, expected):
        assert slugs(api.get(f"/v1/events?{query}")) == expected
        assert slugs(api.get(f"/v1/figures?{query}")) == [f"fig-{s}" for s in expected]

    def test_a_leap_february_ends_on_the_29th(self, api):
        assert slugs(api.get("/v1/events?date_from=2024-02&date_to=2024-02")) == [
            "open-end",
            "year-2024",
        ]

    @pytest.mark.parametrize("value", ["1941-13", "1941-02-30", "41", "1941-1", "1941-06-22T00:00"])
    @pytest.mark.slow
    def test_anything_else_is_a_422_naming_the_parameter(self, api, value):
        response = api.get(f"/v1/events?date_from={value}")
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"].startswith("date_from: ")

    def test_openapi_documents_the_partial_forms(self, api):
        schema = api.get("/openapi.json").json()
        for path in ("/v1/figures", "/v1/events"):
            params = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
            for name in ("date_from", "date_to"):
                schema_of = params[name]["schema"]["anyOf"][0]
                assert schema_of == {"type": "string", "pattern": PARTIAL_DATE_PATTERN}
                pattern = re.compile(schema_of["pattern"])
                assert [bool(pattern.match(d)) for d in ("1941", "1941-11", "2024-02-29")] == [
                    True,
                    True,
                    True,
                ]
                assert [bool(pattern.match(d)) for d in ("0000", "7989-32-03", "2023-02-29")] == [
                    False,
                    False,
                    False,
                ]
                assert "`1941-11`" in params[name]["description"]


class TestSortByBestKnownDate:
    ASCENDING = (
        "year-1918",
        "open-end",
        "unknown-end",
        "open-start",
        "unknown-start",
        "year-2024",
        "undated",
    )
    DESCENDING = (
        "year-2024",
        "unknown-start",
        "open-start",
        "unknown-end",
        "open-end",
        "year-1918",
        "undated",
    )

    @pytest.mark.parametrize("limit", [2, 50])
    def test_events_by_date_keep_undated_last_both_ways(self, api, limit):
        assert walk(api, f"/v1/events?sort=date&limit={limit}") == list(self.ASCENDING)
        assert walk(api, f"/v1/events?sort=-date&limit={limit}") == list(self.DESCENDING)

    @pytest.mark.parametrize("limit", [2, 50])
    def test_figures_by_period_keep_undated_last_both_ways(self, api, limit):
        assert walk(api, f"/v1/figures?sort=period&limit={limit}") == [
            f"fig-{s}" for s in self.ASCENDING
        ]
        assert walk(api, f"/v1/figures?sort=-period&limit={limit}") == [
            f"fig-{s}" for s in self.DESCENDING
        ]


class TestClaimantUnderASource:
    def test_a_claimant_matches_the_sources_under_it(self, api):
        assert slugs(api.get("/v1/figures?claimant=ministry")) == [
            f"fig-{slug}" for slug, _ in DATES
        ]
        assert slugs(api.get("/v1/figures?claimant=reports")) == [
            "fig-unknown-start",
            "fig-unknown-end",
            "fig-undated",
        ]

    def test_the_parameter_says_so(self, api):
        schema = api.get("/openapi.json").json()
        params = {p["name"]: p for p in schema["paths"]["/v1/figures"]["get"]["parameters"]}
        assert "or a source under it" in params["claimant"]["description"]


class TestUnknownVocabularyValues:
    @pytest.mark.parametrize(
        ("query", "detail"),
        [
            ("measure=desserters", "measure: unknown value 'desserters'; choose from deserters"),
            (
                "measure=deserters&measure=killed",
                "measure: unknown value 'killed'; choose from deserters",
            ),
            ("unit=people", "unit: unknown value 'people'; choose from persons"),
        ],
    )
    def test_are_a_400_listing_the_allowed_ones(self, api, query, detail):
        response = api.get(f"/v1/figures?{query}")
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == detail

    def test_an_unknown_event_type_is_a_422_listing_the_types(self, api):
        response = api.get("/v1/events?type=desertions")
        assert response.status_code == 422
        assert response.json()["detail"].startswith("type.0: Input should be 'desertion', ")
