"""The catalogue of bad input: each gets a clear problem+json 4xx naming what is wrong, never a
500, and leaves the database exactly as it was (a dump before and after)."""

import json

import pytest

from app.api.guard import MAX_DEPTH
from app.db import unit_of_work
from app.services import keys
from tests import builders
from tests.api.test_writes import NEW_FIGURE, dump


@pytest.fixture
def api(engine, client, tmp_path):
    builders.load(engine, tmp_path / "seed", builders.dataset(2))
    return client


@pytest.fixture
def editor(engine):
    with unit_of_work(engine) as session:
        made = keys.create(session, "Desk editor", "editor")
    return {"Authorization": f"Bearer {made.secret}"}


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
