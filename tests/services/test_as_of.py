"""Lists as of now answer as the live lists do: the same dates, claimants and vocabulary."""

from datetime import UTC, datetime

import pytest

from tests import builders

# Periods with every kind of end: closed, open (`..`, unbounded) and unknown (empty).
PERIODS = ["2024", "../2023", "/2023", "2025/..", "2025/", "1941"]


def dataset() -> dict:
    data = builders.dataset(len(PERIODS))
    data["sources"].append(
        {
            "slug": "ministry-press",
            "name": "The ministry's press office",
            "kind": "government_body",
            "parent": "ministry",
        }
    )
    for figure, period in zip(data["figures"], PERIODS, strict=True):
        figure["period"] = period
    # Its start unknown: it may have begun any time before the end of 1940, not certainly by 1939.
    data["events"].append({"slug": "long-ago", "title": "Long ago", "type": "war", "date": "/1940"})
    # A claimant under the ministry: `claimant=ministry` must find it, as live lists do.
    data["figures"][2]["attributions"][0]["source"] = "ministry-press"
    return data


@pytest.fixture
def api(engine, client, tmp_path):
    builders.load(engine, tmp_path / "seed", dataset())
    return client


def slugs(api, path: str, params: dict) -> list[str]:
    response = api.get(path, params={**params, "limit": 100})
    assert response.status_code == 200, response.text
    return [item["slug"] for item in response.json()["items"]]


class TestFigureListsAsOfNow:
    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"date_from": "2024-06-01"}, ["fig-0000", "fig-0003", "fig-0004"]),
            ({"date_to": "2023-06-01"}, ["fig-0001", "fig-0005"]),
            ({"date_from": "2025-03-01"}, ["fig-0003"]),
            ({"date_to": "2022-01-01"}, ["fig-0001", "fig-0005"]),
            ({"date_from": "2026-01-01"}, ["fig-0003"]),
            (
                {"date_from": "2023-12-01", "date_to": "2025-01-31"},
                ["fig-0000", "fig-0001", "fig-0002", "fig-0003", "fig-0004"],
            ),
            ({"claimant": "ministry"}, ["fig-0000", "fig-0002", "fig-0004"]),
            ({"claimant": "ministry-press"}, ["fig-0002"]),
        ],
    )
    @pytest.mark.slow
    def test_the_same_filters_give_the_same_figures(self, api, params, expected):
        now = datetime.now(UTC).isoformat()
        assert slugs(api, "/v1/figures", params) == expected
        assert slugs(api, "/v1/figures", {**params, "as_of": now}) == expected

    @pytest.mark.parametrize(
        ("params", "detail"),
        [
            (
                {"measure": "desserters"},
                "measure: unknown value 'desserters'; choose from deserters, people_killed",
            ),
            ({"unit": "people"}, "unit: unknown value 'people'; choose from persons"),
            (
                {"claimant": "nobody"},
                "claimant: unknown value 'nobody'; no source has that slug, short name or alias",
            ),
            (
                {"source": "nobody"},
                "source: unknown value 'nobody'; no source has that slug, short name or alias",
            ),
            ({"event": "nowhere"}, "event: unknown value 'nowhere'; no event has that slug"),
        ],
    )
    def test_an_unknown_measure_unit_or_record_is_the_same_400(self, api, params, detail):
        now = datetime.now(UTC).isoformat()
        live = api.get("/v1/figures", params=params)
        then = api.get("/v1/figures", params={**params, "as_of": now})
        assert (live.status_code, live.json()["detail"]) == (400, detail)
        assert (then.status_code, then.json()["detail"]) == (400, detail)


class TestEventListsAsOfNow:
    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"date_from": "1941-12-15"}, ["flight", "old-war"]),
            ({"date_from": "1942-01-01"}, ["flight"]),
            ({"date_to": "1941-06-30"}, ["old-war", "long-ago"]),
            ({"date_to": "1939-01-01"}, []),
            ({"source": "ministry"}, ["flight"]),
            ({"source": "agency"}, ["flight", "old-war"]),
        ],
    )
    @pytest.mark.slow
    def test_the_same_filters_give_the_same_events(self, api, params, expected):
        now = datetime.now(UTC).isoformat()
        assert slugs(api, "/v1/events", params) == expected
        assert slugs(api, "/v1/events", {**params, "as_of": now}) == expected
