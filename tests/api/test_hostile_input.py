"""Requests crafted to break the API: numbers past any decimal context, moments past the
calendar once taken to UTC, cursors holding ids no column can hold, and lone surrogates in a
write's text. Each is a problem+json 4xx naming its field, and none changes the database."""

import json

import pytest

from tests.helpers import cursor, dump

# A matrix of hostile values on every parameter: `make test-fast` leaves it out.
pytestmark = pytest.mark.slow


NUMBER_RANGE = "must be above -1e16 and below 1e16"


@pytest.mark.parametrize("name", ["value_gte", "value_lte"])
@pytest.mark.parametrize("value", ["1e999999999", "-1e999999999", "9e999999"])
@pytest.mark.parametrize("format", ["json", "csv", "ndjson"])
def test_a_number_past_the_decimal_context_is_refused_naming_its_filter(api, format, name, value):
    response = api.get("/v1/figures", params={name: value, "format": format})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == f"{name}: {NUMBER_RANGE}"


@pytest.mark.parametrize("zero", ["0e-999999999", "-0e999999999", "0E+20"])
@pytest.mark.parametrize("name", ["value_gte", "value_lte"])
def test_a_zero_with_any_exponent_filters_as_zero(api, name, zero):
    response = api.get("/v1/figures", params={name: zero})
    assert response.status_code == 200, response.text
    assert response.json()["items"] == api.get("/v1/figures", params={name: "0"}).json()["items"]


def test_the_largest_number_below_the_limit_still_filters(api):
    response = api.get("/v1/figures", params={"value_lte": "9.99999999999999e15"})
    assert response.status_code == 200, response.text
    assert [item["slug"] for item in response.json()["items"]] == ["fig-0000", "fig-0001"]


LATE = "9999-12-31T23:59:59-12:00"
EARLY = "0001-01-01T00:00:00+14:00"
MOMENT_URLS = [
    ("/v1/figures", "as_of"),
    ("/v1/figures/fig-0001", "as_of"),
    ("/v1/figures/fig-0001/citation", "as_of"),
    ("/v1/events", "as_of"),
    ("/v1/events/flight", "as_of"),
    ("/v1/sources", "as_of"),
    ("/v1/sources/observers", "as_of"),
    ("/v1/changes", "since"),
    ("/v1/changes.atom", "since"),
    ("/v1/figures/fig-0001/history.atom", "since"),
    ("/v1/measures/deserters/changes.atom", "since"),
]


@pytest.mark.parametrize(("moment", "utc"), [(LATE, "10000-01-01"), (EARLY, "0000-12-31")])
@pytest.mark.parametrize(("path", "name"), MOMENT_URLS)
def test_a_moment_past_the_calendar_in_utc_is_refused_naming_its_parameter(
    api, path, name, moment, utc
):
    response = api.get(path, params={name: moment})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == (
        f"{name}: {moment} is outside the calendar once taken to UTC "
        "(0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z)"
    ), utc


@pytest.mark.parametrize(
    ("path", "name", "moment"),
    [
        ("/v1/figures", "as_of", "9999-12-31T23:59:59+00:00"),
        ("/v1/figures", "as_of", "9999-12-31T23:59:59+12:00"),
        ("/v1/changes", "since", "0001-01-01T00:00:00-14:00"),
    ],
)
def test_the_calendar_s_last_and_first_moments_in_utc_still_answer(api, path, name, moment):
    response = api.get(path, params={name: moment})
    assert response.status_code == 200, response.text
    assert response.json()["items"] == api.get(path).json()["items"]


NOT_A_CURSOR = "cursor: not a cursor this list handed out; use the `next` link of the previous page"
INT4_PAST = [2**31, -(2**31) - 1]


@pytest.mark.parametrize("value", INT4_PAST)
@pytest.mark.parametrize(
    "path",
    [
        "/v1/figures",
        "/v1/events",
        "/v1/sources",
        "/v1/figures?as_of=2030-01-01",
        "/v1/events?as_of=2030-01-01",
        "/v1/sources?as_of=2030-01-01",
        "/v1/figures?sort=slug",
    ],
)
def test_a_cursor_holding_an_id_no_column_can_hold_is_a_400(api, path, value):
    sort = "slug,id" if "sort=slug" in path else "id"
    values = [["s", "fig-0000"], ["i", value]] if sort == "slug,id" else [["i", value]]
    separator = "&" if "?" in path else "?"
    response = api.get(f"{path}{separator}cursor={cursor(sort, values)}")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == NOT_A_CURSOR


def test_the_largest_id_a_column_holds_is_still_a_cursor(api):
    response = api.get("/v1/figures?cursor=" + cursor("id", [["i", 2**31 - 1]]))
    assert (response.status_code, response.json()["items"]) == (200, [])


@pytest.mark.parametrize("value", ["2147483648", "999999999999999999", "\uff11"])
def test_a_changes_cursor_past_a_revision_id_is_a_400(api, value):
    response = api.get("/v1/changes", params={"cursor": value})
    assert response.status_code == 400, response.text
    assert response.json()["detail"] == (
        "cursor: not a cursor this feed handed out; use the `next` link"
    )


SURROGATE = "a lone surrogate (\\ud800 to \\udfff) is not text; send UTF-8 or paired escapes"
WIRE_BUNDLE = {
    "sources": [{"slug": "wire", "name": "A wire", "kind": "news_service"}],
    "events": [],
    "figures": [],
}


def _raw(body: dict) -> bytes:
    """The body as JSON with each `@` written as the escape of a lone surrogate."""
    return json.dumps(body).replace("@", "\\ud800").encode()


# (name, method, path, body with @ for the surrogate, extra headers, the field named)
SURROGATE_WRITES = [
    ("reason of a patch", "PATCH", "/v1/figures/fig-0001", {"note": "z", "reason": "why@"}, {}, "reason"),
    ("reason beside a header", "PATCH", "/v1/figures/fig-0001", {"note": "z", "reason": "@"}, {"Sourced-Reason": "why"}, "reason"),
    ("reason of an event patch", "PATCH", "/v1/events/flight", {"note": "z", "reason": "@"}, {}, "reason"),
    ("reason of a source patch", "PATCH", "/v1/sources/observers", {"note": "z", "reason": "@"}, {}, "reason"),
    ("a tag", "PATCH", "/v1/events/flight", {"tags": ["war@"]}, {"Sourced-Reason": "why"}, "tags[0]"),
    ("reason of a retraction", "DELETE", "/v1/figures/fig-0001", {"reason": "@"}, {}, "reason"),
    ("reason of a bundle", "POST", "/v1/bundles", {**WIRE_BUNDLE, "reason": "new@"}, {}, "reason"),
    ("a bundle's record", "POST", "/v1/bundles", {**WIRE_BUNDLE, "sources": [{**WIRE_BUNDLE["sources"][0], "name": "@"}]}, {}, "sources[0].name"),
    ("a key of the body", "PATCH", "/v1/figures/fig-0001", {"note@": "z"}, {"Sourced-Reason": "why"}, repr("note\\ud800")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "field"),
    [case[1:] for case in SURROGATE_WRITES],
    ids=[case[0] for case in SURROGATE_WRITES],
)
def test_a_lone_surrogate_in_a_write_is_a_422_naming_the_field_and_changes_nothing(
    api, engine, editor, method, path, body, headers, field
):
    etag = {} if method == "POST" else {"If-Match": api.get(path).headers["etag"]}
    before = dump(engine)
    response = api.request(
        method,
        path,
        content=_raw(body),
        headers={**editor, **etag, "Content-Type": "application/json", **headers},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == f"{field}: {SURROGATE}"
    assert dump(engine) == before


def test_a_surrogate_pair_is_text_and_is_stored(api, editor):
    etag = api.get("/v1/figures/fig-0001").headers["etag"]
    response = api.patch(
        "/v1/figures/fig-0001",
        content=b'{"note": "\\ud83d\\ude00", "reason": "a pair: \\ud83d\\ude00"}',
        headers={**editor, "If-Match": etag, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["note"] == "\U0001f600"
    history = api.get("/v1/figures/fig-0001/history").json()["items"]
    assert history[-1]["reason"] == "a pair: \U0001f600"
