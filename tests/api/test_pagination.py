"""Keyset pagination: every record exactly once, whatever the sort, with `next` and `Link`."""

import pytest

from tests import builders


@pytest.fixture
def many(engine, client, tmp_path):
    values = [(i % 5) * 10 if i % 11 else None for i in range(53)]
    builders.load(engine, tmp_path / "seed", builders.dataset(53, values=values))
    return client


def walk(client, url):
    slugs, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        slugs += [item["slug"] for item in body["items"]]
        link = response.headers.get("link")
        assert (link is None) == (body["next"] is None)
        if link:
            assert link == f'<{body["next"]}>; rel="next"'
        url = body["next"]
        pages += 1
    return slugs, pages


@pytest.mark.parametrize(
    "sort", [None, "value", "-value", "period,-value", "slug", "-updated_at", "lower_bound"]
)
@pytest.mark.slow
def test_walking_every_page_returns_every_figure_exactly_once(many, sort):
    url = "/v1/figures?limit=7" + (f"&sort={sort}" if sort else "")
    slugs, pages = walk(many, url)
    assert sorted(slugs) == [f"fig-{i:04d}" for i in range(53)]
    assert pages == 8


def test_sorting_by_value_puts_figures_without_one_last(many):
    slugs, _ = walk(many, "/v1/figures?limit=10&sort=-value")
    items = [many.get(f"/v1/figures/{s}").json() for s in slugs]
    values = [item["value"] for item in items]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=True)
    assert values[len(present) :] == [None] * (53 - len(present))
    assert len(present) == 48


def test_count_is_only_given_when_asked(many):
    assert many.get("/v1/figures?limit=1").json()["total"] is None
    assert many.get("/v1/figures?limit=1&count=true").json()["total"] == 53
    assert many.get("/v1/figures?limit=1&count=true&measure=people_killed").json()["total"] == 18


def test_the_next_url_keeps_the_filters(many):
    first = many.get("/v1/figures?limit=5&measure=deserters").json()
    assert "measure=deserters" in first["next"]
    assert first["next"].startswith("http://testserver/v1/figures?")
    slugs, _ = walk(many, "/v1/figures?limit=5&measure=deserters")
    assert len(slugs) == 35


@pytest.mark.parametrize(
    ("cursor", "field"),
    [
        ("not-a-cursor", "cursor"),
        ("eyJzIjoiaWQiLCJ2IjpbWyJzIiwieCJdXX0", "cursor"),  # right sort, wrong type
        ("eyJzIjoiLXZhbHVlLGlkIiwidiI6W1siaSIsMV0sWyJpIiwxXV19", "cursor"),  # another sort's cursor
        ("%00", "cursor"),
    ],
)
@pytest.mark.slow
def test_forged_or_foreign_cursors_are_a_400(many, cursor, field):
    response = many.get(f"/v1/figures?cursor={cursor}")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith(f"{field}: ")


@pytest.mark.parametrize("limit", ["0", "-1", "501", "1000000000000000000000000000000", "ten"])
@pytest.mark.slow
def test_out_of_range_limits_are_a_422_naming_the_field(many, limit):
    response = many.get(f"/v1/figures?limit={limit}")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("limit: ")


def test_unknown_sort_fields_are_a_400_listing_the_allowed_ones(many):
    response = many.get("/v1/figures?sort=password")
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "sort: unknown field 'password'; choose from created_at, id, lower_bound, period, slug, "
        "updated_at, upper_bound, value"
    )
