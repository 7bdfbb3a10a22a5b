"""The catalogue of bad input: each gets a clear problem+json 4xx naming what is wrong, never a
500, and leaves the database exactly as it was (a dump before and after)."""

import json

import pytest

from app.api.guard import MAX_DEPTH
from tests.builders import NEW_FIGURE
from tests.helpers import cursor, dump

# The whole catalogue, a database dump per case: `make test-fast` leaves it out.
pytestmark = pytest.mark.slow


def figure(**changes) -> bytes:
    return json.dumps({**NEW_FIGURE, **changes}).encode()


JSON = {"Content-Type": "application/json"}
WRITES = [
    # (name, method, path, body, headers, status, detail prefix)
    ("malformed JSON", "POST", "/v1/figures", b'{"slug":', JSON, 400, "body: not valid JSON"),
    (
        "not JSON",
        "POST",
        "/v1/figures",
        b"slug=x",
        {"Content-Type": "text/plain"},
        415,
        "content-type: ",
    ),
    ("no content type", "POST", "/v1/figures", figure(), {}, 415, "content-type: "),
    (
        "form",
        "POST",
        "/v1/figures",
        b"a=1",
        {"Content-Type": "application/x-www-form-urlencoded"},
        415,
        "content-type: ",
    ),
    (
        "deep",
        "POST",
        "/v1/figures",
        b"[" * 5000 + b"]" * 5000,
        JSON,
        400,
        "body: JSON nested deeper",
    ),
    (
        "deep object",
        "POST",
        "/v1/figures",
        ('{"a":' * (MAX_DEPTH + 2) + "1" + "}" * (MAX_DEPTH + 2)).encode(),
        JSON,
        400,
        "body: JSON nested deeper",
    ),
    ("wrong type", "POST", "/v1/figures", figure(value="many"), JSON, 422, "value: "),
    ("unknown field", "POST", "/v1/figures", figure(colour="red"), JSON, 422, "colour: "),
    ("server-owned field", "POST", "/v1/figures", figure(version=7), JSON, 422, "version: "),
    (
        "NaN",
        "POST",
        "/v1/figures",
        figure().replace(b'"value": 120', b'"value": NaN'),
        JSON,
        422,
        "value: ",
    ),
    (
        "Infinity",
        "POST",
        "/v1/figures",
        figure().replace(b'"value": 120', b'"value": Infinity'),
        JSON,
        422,
        "value: ",
    ),
    (
        "1e309",
        "POST",
        "/v1/figures",
        figure().replace(b'"value": 120', b'"value": 1e309'),
        JSON,
        422,
        "value: ",
    ),
    (
        "400 digits",
        "POST",
        "/v1/figures",
        figure().replace(b'"value": 120', b'"value": ' + b"9" * 400),
        JSON,
        422,
        "value: ",
    ),
    (
        "16 digits",
        "POST",
        "/v1/figures",
        figure().replace(b'"value": 120', b'"value": 1234567890123456'),
        JSON,
        422,
        "value: ",
    ),
    ("impossible date", "POST", "/v1/figures", figure(period="2025-02-30"), JSON, 422, "period: "),
    ("bad EDTF", "POST", "/v1/figures", figure(period="soon"), JSON, 422, "period: "),
    (
        "NUL in text",
        "POST",
        "/v1/figures",
        figure(stated_as="about\u0000120"),
        JSON,
        422,
        "stated_as: NUL",
    ),
    (
        "NUL in a quote",
        "POST",
        "/v1/figures",
        figure(attributions=[{"source": "observers", "role": "claimant", "quote": "a\u0000"}]),
        JSON,
        422,
        "attributions[0].quote: NUL",
    ),
    (
        "lone surrogate",
        "POST",
        "/v1/figures",
        figure().replace(b'"about 120"', b'"about \\ud800"'),
        JSON,
        422,
        "stated_as: ",
    ),
    ("long text", "POST", "/v1/figures", figure(stated_as="x" * 600), JSON, 422, "stated_as: "),
    ("odd slug", "POST", "/v1/figures", figure(slug="../etc/passwd"), JSON, 422, "slug: "),
    ("bounds reversed", "POST", "/v1/figures", figure(lower_bound=500), JSON, 422, "lower_bound: "),
    ("no chain", "POST", "/v1/figures", figure(attributions=[]), JSON, 422, "attributions: "),
    (
        "unknown source",
        "POST",
        "/v1/figures",
        figure(attributions=[{"source": "nobody", "role": "claimant"}]),
        JSON,
        422,
        "attributions[0].source: ",
    ),
    ("a list, not an object", "POST", "/v1/figures", b"[1, 2]", JSON, 422, "body: "),
    ("empty body", "POST", "/v1/figures", b"", JSON, 422, "body: "),
    ("bundle of nonsense", "POST", "/v1/bundles", b'{"figures": 5}', JSON, 422, "file: figures: "),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "detail"),
    [case[1:] for case in WRITES],
    ids=[case[0] for case in WRITES],
)
def test_a_bad_write_is_a_clear_4xx_and_changes_nothing(
    api, engine, editor, method, path, body, headers, status, detail
):
    before = dump(engine)
    response = api.request(method, path, content=body, headers={**editor, **headers})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith(detail), response.json()["detail"]
    assert dump(engine) == before


def test_a_body_over_the_limit_is_413_with_or_without_its_length(api, engine, editor, settings):
    before = dump(engine)
    big = b'{"slug": "' + b"x" * settings.max_body_bytes + b'"}'
    declared = api.post("/v1/figures", content=big, headers={**editor, **JSON})
    assert declared.status_code == 413

    def chunks():
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    streamed = api.post("/v1/figures", content=chunks(), headers={**editor, **JSON})
    assert "content-length" not in streamed.request.headers
    assert streamed.status_code == 413
    assert streamed.json()["detail"] == (
        f"body: larger than the limit of {settings.max_body_bytes} bytes"
    )
    assert dump(engine) == before


READS = [
    ("/v1/figures/a%00b", 400, "path: NUL"),
    ("/v1/search?q=a%00", 400, "q: NUL"),
    ("/v1/figures?measure=%00", 400, "measure: NUL"),
    ("/v1/figures?a%00b=1", 400, "ab: NUL"),
    ("/v1/search?q=%ED%A0%80", 400, "q: "),
    ("/v1/figures?limit=0", 422, "limit: "),
    ("/v1/figures?limit=-1", 422, "limit: "),
    ("/v1/figures?limit=1000000000000000000000000000000", 422, "limit: "),
    ("/v1/figures?cursor=not-a-cursor", 400, "cursor: "),
    ("/v1/figures?date_from=2025-02-30", 422, "date_from: "),
    ("/v1/figures?value_gte=NaN", 422, "value_gte: "),
    ("/v1/figures?q=" + "a" * 600, 422, "q: "),
    ("/v1/figures?mesure=deserters", 400, "mesure: "),
    ("/v1/figures/fig-0000?as_of=2026-01-01T00:00:00", 422, "as_of: "),
    ("/v1/figures/..%2F..%2Fetc%2Fpasswd", 404, ""),
    ("/v1/nothing-here", 404, "no resource at /v1/nothing-here"),
]


@pytest.mark.parametrize(("url", "status", "detail"), READS)
def test_a_bad_read_is_a_clear_4xx(api, url, status, detail):
    response = api.get(url)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith(detail)


@pytest.mark.parametrize("q", ["%", "_", "\\", "' OR 1=1 --", "a%b_c", '"', "*", "NEAR(a b)"])
def test_sql_and_like_wildcards_in_q_are_just_text(api, q):
    response = api.get("/v1/figures", params={"q": q})
    assert response.status_code in (200, 400), response.text
    if response.status_code == 200:
        assert response.json()["items"] == []


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/v1/figures", "GET, POST"),
        ("/v1/figures/fig-0000", "DELETE, GET, PATCH"),
        ("/v1/changes", "GET"),
        ("/v1/bundles", "POST"),
    ],
)
def test_a_wrong_method_is_405_naming_every_allowed_one(api, path, allowed):
    response = api.put(path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.headers["content-type"] == "application/problem+json"


NOT_A_CURSOR = "cursor: not a cursor this list handed out; use the `next` link of the previous page"
NUMBER_RANGE = "must be above -1e16 and below 1e16"
OVERFLOWS = [
    ("/v1/figures?value_gte=1e309", 422, f"value_gte: {NUMBER_RANGE}"),
    ("/v1/figures?value_gte=-1e309", 422, f"value_gte: {NUMBER_RANGE}"),
    ("/v1/figures?value_gte=1e400", 422, f"value_gte: {NUMBER_RANGE}"),
    ("/v1/figures?value_gte=999e9999", 422, f"value_gte: {NUMBER_RANGE}"),
    ("/v1/figures?value_lte=1e309", 422, f"value_lte: {NUMBER_RANGE}"),
    ("/v1/figures?value_lte=-1e16", 422, f"value_lte: {NUMBER_RANGE}"),
    ("/v1/figures?value_lte=1e-400", 422, "value_lte: must be 0 or at least 1e-15 in magnitude"),
    ("/v1/figures?value_gte=" + "9" * 400, 422, f"value_gte: {NUMBER_RANGE}"),
    ("/v1/figures?cursor=" + cursor("id", [["i", 10**28]]), 400, NOT_A_CURSOR),
    ("/v1/figures?cursor=" + cursor("id", [["i", -(2**63) - 1]]), 400, NOT_A_CURSOR),
    ("/v1/figures?cursor=" + cursor("id", [["i", 2**63]]), 400, NOT_A_CURSOR),
    (
        "/v1/figures?sort=value&cursor=" + cursor("value,id", [["D", "9" * 400], ["i", 1]]),
        400,
        NOT_A_CURSOR,
    ),
    (
        "/v1/figures?sort=value&cursor=" + cursor("value,id", [["D", "1e400"], ["i", 1]]),
        400,
        NOT_A_CURSOR,
    ),
    (
        "/v1/figures?sort=period&cursor=" + cursor("period,id", [["d", "99999-01-01"], ["i", 1]]),
        400,
        NOT_A_CURSOR,
    ),
    (
        "/v1/figures?sort=updated_at&cursor="
        + cursor("updated_at,id", [["t", "9999-12-31T23:59:59-14:00"], ["i", 1]]),
        400,
        NOT_A_CURSOR,
    ),
    (
        "/v1/figures?sort=updated_at&cursor="
        + cursor("updated_at,id", [["t", "2026-01-01T00:00:00"], ["i", 1]]),
        400,
        NOT_A_CURSOR,
    ),
    (
        "/v1/figures?sort=slug&cursor=" + cursor("slug,id", [["s", "\ud800"], ["i", 1]]),
        400,
        NOT_A_CURSOR,
    ),
    (
        "/v1/figures?sort=slug&cursor=" + cursor("slug,id", [["s", "a\u0000"], ["i", 1]]),
        400,
        NOT_A_CURSOR,
    ),
    ("/v1/events?cursor=" + cursor("id", [["i", 10**28]]), 400, NOT_A_CURSOR),
    ("/v1/sources?cursor=" + cursor("id", [["i", 10**28]]), 400, NOT_A_CURSOR),
    # A lone surrogate in a path segment reaches the route as U+FFFD: no such record.
    ("/v1/figures/%ED%A0%80", 404, "slug: no figure '\ufffd\ufffd\ufffd'"),
    ("/v1/events/a%ED%A0%80", 404, "slug: no event 'a\ufffd\ufffd\ufffd'"),
    ("/v1/sources/%ED%A0%80/history", 404, "slug: no source '\ufffd\ufffd\ufffd'"),
]


@pytest.mark.parametrize(("url", "status", "detail"), OVERFLOWS)
def test_numbers_and_cursors_no_column_can_hold_are_a_clear_4xx(api, url, status, detail):
    response = api.get(url)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == detail


def test_the_largest_filter_a_stored_number_allows_still_answers(api):
    response = api.get("/v1/figures", params={"value_gte": "9999999999999999", "value_lte": "0"})
    assert (response.status_code, response.json()["items"]) == (200, [])


# (record, a stored field, a wrong value for it, a field it must have)
RECORDS = [
    ("figures", "fig-0001", "value", "many", "stated_as"),
    ("events", "flight", "date", 2024, "title"),
    ("sources", "observers", "kind", 3, "name"),
]
BAD_PATCHES = [
    # (name, body without the record's own fields, headers, detail prefix)
    ("reason a number", {"note": "z", "reason": 7}, {}, "reason: must be a string, not int"),
    ("reason a boolean", {"note": "z", "reason": True}, {}, "reason: must be a string, not bool"),
    ("reason a list", {"note": "z", "reason": ["x"]}, {}, "reason: must be a string, not list"),
    ("reason an object", {"note": "z", "reason": {}}, {}, "reason: must be a string, not dict"),
    ("reason too long", {"note": "z", "reason": "x" * 5000}, {}, "reason: at most 2000"),
    (
        "reason of the wrong type beside a header",
        {"note": "z", "reason": 7},
        {"Sourced-Reason": "why"},
        "reason: must be a string",
    ),
    ("reason null and no header", {"note": "z", "reason": None}, {}, "reason: say why"),
    ("reason blank", {"note": "z", "reason": "  "}, {}, "reason: say why"),
    ("unknown field", {"colour": "red"}, {"Sourced-Reason": "why"}, "colour: "),
    ("server-owned field", {"version": 9}, {"Sourced-Reason": "why"}, "version: "),
    # A GET's body may carry its read-only fields back unchanged; a changed one is refused.
    ("status", {"status": "retracted"}, {"Sourced-Reason": "why"}, "status: read-only: "),
    ("note of the wrong type", {"note": 5}, {"Sourced-Reason": "why"}, "note: "),
    ("another slug", {"slug": "other"}, {"Sourced-Reason": "why"}, "slug: "),
]


@pytest.mark.parametrize(("plural", "slug", "field", "wrong", "required"), RECORDS)
@pytest.mark.parametrize(
    ("body", "headers", "detail"),
    [case[1:] for case in BAD_PATCHES],
    ids=[case[0] for case in BAD_PATCHES],
)
def test_a_bad_patch_is_a_422_naming_the_field_and_changes_nothing(
    api, engine, editor, plural, slug, field, wrong, required, body, headers, detail
):
    etag = api.get(f"/v1/{plural}/{slug}").headers["etag"]
    before = dump(engine)
    response = api.patch(
        f"/v1/{plural}/{slug}", json=body, headers={**editor, "If-Match": etag, **headers}
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith(detail), response.json()["detail"]
    assert dump(engine) == before


@pytest.mark.parametrize(("plural", "slug", "field", "wrong", "required"), RECORDS)
@pytest.mark.parametrize("what", ["wrong type", "required field set to null"])
def test_a_patch_with_a_wrong_field_is_a_422_naming_it_and_changes_nothing(
    api, engine, editor, plural, slug, field, wrong, required, what
):
    body = {field: wrong} if what == "wrong type" else {required: None}
    etag = api.get(f"/v1/{plural}/{slug}").headers["etag"]
    before = dump(engine)
    response = api.patch(
        f"/v1/{plural}/{slug}",
        json=body,
        headers={**editor, "If-Match": etag, "Sourced-Reason": "why"},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    named = field if what == "wrong type" else required
    assert response.json()["detail"].startswith(f"{named}: "), response.json()["detail"]
    assert dump(engine) == before


@pytest.mark.parametrize(("plural", "slug", "field", "wrong", "required"), RECORDS)
def test_a_null_clears_a_field_and_an_absent_one_stays(
    api, editor, plural, slug, field, wrong, required
):
    first = api.get(f"/v1/{plural}/{slug}")
    noted = api.patch(
        f"/v1/{plural}/{slug}",
        json={"note": "Checked", "reason": "note"},
        headers={**editor, "If-Match": first.headers["etag"]},
    )
    assert (noted.status_code, noted.json()["note"]) == (200, "Checked"), noted.text
    kept = noted.json()[required]
    cleared = api.patch(
        f"/v1/{plural}/{slug}",
        json={"note": None},
        headers={**editor, "If-Match": noted.headers["etag"], "Sourced-Reason": "unnote"},
    )
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["note"], cleared.json()[required]) == (None, kept)


@pytest.mark.parametrize(("plural", "slug"), [("figures", "fig-0001"), ("events", "flight")])
@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_if_match_star_is_428_and_changes_nothing(api, engine, editor, plural, slug, method):
    etag = api.get(f"/v1/{plural}/{slug}").headers["etag"]
    before = dump(engine)
    response = api.request(
        method,
        f"/v1/{plural}/{slug}",
        json={"note": "z"} if method == "PATCH" else None,
        headers={**editor, "If-Match": "*", "Sourced-Reason": "why"},
    )
    assert response.status_code == 428, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == (
        "If-Match: send the ETag you read (from a GET of the record), not *; "
        "a write must name the version it changes"
    )
    assert response.json()["current_etag"] == etag
    assert dump(engine) == before
