"""A request is read exactly as it was sent: a body's numbers as the decimals written, each key
once, a number too long for any field refused before anything else; the `Sourced-Reason`
header as UTF-8 text. Whatever is refused is a problem+json 4xx naming it, and changes nothing."""

import json

import anyio
import httpx
import pytest
from fastapi.routing import APIRoute

from app.api.jsonbody import MAX_NUMBER_DIGITS, ParsedBodyRoute
from tests import builders
from tests.builders import NEW_FIGURE
from tests.helpers import dump, route_contexts

JSON = {"Content-Type": "application/json"}


def _with_value(template: bytes, literal: str) -> bytes:
    assert template.count(b"__VALUE__") == 1
    return template.replace(b'"__VALUE__"', literal.encode())


def _bundle(**figure_fields) -> dict:
    data = builders.dataset(1)
    data["figures"][0].update(figure_fields)
    for source in data["sources"]:
        source.pop("text_file", None)
    return data


# (name, method, path template, body with "__VALUE__" where the number goes, needs an ETag)
WRITES = [
    ("create a figure", "POST", "/v1/figures", {**NEW_FIGURE, "value": "__VALUE__"}, False),
    (
        "correct a figure",
        "PATCH",
        "/v1/figures/fig-0001",
        {"value": "__VALUE__", "reason": "Recount"},
        True,
    ),
    ("send a bundle", "POST", "/v1/bundles", _bundle(value="__VALUE__"), False),
]
WRITE_IDS = [case[0] for case in WRITES]


def _send(api, headers, method, path, body, needs_etag, literal):
    if needs_etag:
        headers = {**headers, "If-Match": api.get(path).headers["etag"]}
    content = _with_value(json.dumps(body).encode(), literal)
    return api.request(method, path, content=content, headers={**JSON, **headers})


@pytest.mark.parametrize("authenticated", [False, True], ids=["no key", "editor"])
@pytest.mark.parametrize(
    ("method", "path", "body", "needs_etag"), [w[1:] for w in WRITES], ids=WRITE_IDS
)
@pytest.mark.slow
def test_a_number_longer_than_any_field_takes_is_a_400_before_authentication(
    api, engine, editor, authenticated, method, path, body, needs_etag
):
    before = dump(engine)
    response = _send(
        api, editor if authenticated else {}, method, path, body, needs_etag, "9" * 5000
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "connection" not in response.headers
    assert response.json()["detail"] == (
        f"body: a number with more than {MAX_NUMBER_DIGITS} digits (99999999999999999999…); "
        "no field takes one"
    )
    assert dump(engine) == before


def test_a_number_of_huge_magnitude_is_refused_before_any_field_reads_it(api, engine):
    before = dump(engine)
    for literal in ("1e999999999", "-1.5E-999999999"):
        response = api.post(
            "/v1/figures",
            content=_with_value(json.dumps({**NEW_FIGURE, "value": "__VALUE__"}).encode(), literal),
            headers=JSON,
        )
        assert response.status_code == 400, response.text
        assert response.json()["detail"] == (
            f"body: a number with more than {MAX_NUMBER_DIGITS} digits ({literal}); "
            "no field takes one"
        )
    assert dump(engine) == before


@pytest.mark.parametrize(
    ("method", "path", "body", "needs_etag"), [w[1:] for w in WRITES], ids=WRITE_IDS
)
@pytest.mark.parametrize("literal", ["0.30000000000000001", "1e-400", "1234567890123456.5"])
@pytest.mark.slow
def test_a_json_number_meets_the_same_rule_as_the_same_number_in_a_string(
    api, engine, editor, method, path, body, needs_etag, literal
):
    before = dump(engine)
    as_number = _send(api, editor, method, path, body, needs_etag, literal)
    as_string = _send(api, editor, method, path, body, needs_etag, json.dumps(literal))
    assert as_number.status_code == as_string.status_code == 422, as_number.text
    assert as_number.json()["detail"] == as_string.json()["detail"]
    assert "at most 15 significant digits" in as_number.json()["detail"]
    assert dump(engine) == before


@pytest.mark.parametrize(
    ("literal", "stored"),
    [
        ("0.1", 0.1),
        ("123456789012.345", 123456789012.345),
        ("1.5e3", 1500),
        ("-0.000000000000001", -1e-15),
    ],
)
@pytest.mark.slow
def test_a_json_number_with_at_most_15_digits_is_stored_as_written(api, editor, literal, stored):
    etag = api.get("/v1/figures/fig-0001").headers["etag"]
    response = api.patch(
        "/v1/figures/fig-0001",
        content=b'{"value": ' + literal.encode() + b', "lower_bound": null, "reason": "x"}',
        headers={**editor, **JSON, "If-Match": etag},
    )
    assert response.status_code == 200, response.text
    assert response.json()["value"] == stored
    assert api.get("/v1/figures/fig-0001").json()["value"] == stored


@pytest.mark.parametrize(
    ("method", "path", "content", "key"),
    [
        ("POST", "/v1/figures", b'{"slug": "a", "slug": "b"}', "slug"),
        (
            "POST",
            "/v1/figures",
            json.dumps({**NEW_FIGURE, "attributions": "__CHAIN__"})
            .replace(
                '"__CHAIN__"', '[{"source": "observers", "role": "claimant", "role": "relay"}]'
            )
            .encode(),
            "role",
        ),
        ("PATCH", "/v1/figures/fig-0001", b'{"note": "a", "reason": "x", "note": "b"}', "note"),
        ("POST", "/v1/bundles", b'{"figures": [], "figures": []}', "figures"),
        ("POST", "/v1/figures", b'{"a": {"b": {"c": 1, "c": 1}}}', "c"),
    ],
    ids=["top level", "in a chain link", "patch", "bundle", "deep"],
)
def test_a_key_sent_twice_in_one_object_is_a_400_naming_it(
    api, engine, editor, method, path, content, key
):
    headers = {**editor, **JSON}
    if method == "PATCH":
        headers["If-Match"] = api.get(path).headers["etag"]
    before = dump(engine)
    for sent in (headers, JSON):  # with a key and without: the body is read first
        response = api.request(method, path, content=content, headers=sent)
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == (
            f'body: the key "{key}" appears twice in one object; send it once'
        )
    assert dump(engine) == before


def _latest_revision(api, record: str) -> dict:
    history = api.get(f"{record}/history").json()
    # A page of the list envelope, or (before it) the bare list.
    return (history["items"] if isinstance(history, dict) else history)[-1]


def _raw_request(app, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes):
    """Headers exactly as the bytes given: the test client would re-encode them as UTF-8."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as ac:
            return await ac.request(method, path, headers=headers, content=body)

    return anyio.run(go)


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("Café au lait".encode(), "Café au lait"),
        ("Запис уточнено".encode(), "Запис уточнено"),
        (b"UTF-8''Caf%C3%A9%20au%20lait", "Café au lait"),
        (b"utf-8'uk'%D0%97%D0%B0%D0%BF%D0%B8%D1%81", "Запис"),
        (b"ISO-8859-1''Caf%E9", "Café"),
        (b"Plain ASCII", "Plain ASCII"),
    ],
    ids=["UTF-8", "Cyrillic", "RFC 8187", "RFC 8187 with a language", "RFC 8187 Latin-1", "ASCII"],
)
@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
@pytest.mark.slow
def test_the_reason_header_is_read_as_utf_8(api, editor, method, sent, stored):
    etag = api.get("/v1/figures/fig-0001").headers["etag"]
    headers = [
        (b"authorization", editor["Authorization"].encode()),
        (b"if-match", etag.encode()),
        (b"content-type", b"application/json"),
        (b"sourced-reason", sent),
    ]
    body = b'{"note": "Checked"}' if method == "PATCH" else b""
    response = _raw_request(api.app, method, "/v1/figures/fig-0001", headers, body)
    assert response.status_code == 200, response.text
    latest = _latest_revision(api, "/v1/figures/fig-0001")
    assert (latest["reason"], latest["actor"]) == (stored, "Desk editor")


@pytest.mark.parametrize(
    "sent",
    [b"Caf\xe9", b"\xff\xfe", b"UTF-8''Caf%E9", b"UTF-8''%C3"],
    ids=["Latin-1 bytes", "not text", "RFC 8187 not UTF-8", "RFC 8187 cut short"],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [("PATCH", "/v1/figures/fig-0001"), ("POST", "/v1/figures"), ("POST", "/v1/bundles")],
)
@pytest.mark.slow
def test_a_reason_header_that_is_not_utf_8_is_a_400_naming_it(
    api, engine, editor, sent, method, path
):
    headers = [
        (b"authorization", editor["Authorization"].encode()),
        (b"content-type", b"application/json"),
        (b"sourced-reason", sent),
    ]
    if method == "PATCH":
        headers.append((b"if-match", api.get(path).headers["etag"].encode()))
    body = {
        "PATCH": b'{"note": "Checked"}',
        "POST": json.dumps(NEW_FIGURE if path == "/v1/figures" else _bundle()).encode(),
    }[method]
    before = dump(engine)
    response = _raw_request(api.app, method, path, headers, body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == (
        "Sourced-Reason: not UTF-8 text; send UTF-8, or RFC 8187's UTF-8''percent-encoded form"
    )
    assert dump(engine) == before


def test_a_reason_header_is_bounded_in_characters_not_bytes(api, editor):
    etag = api.get("/v1/figures/fig-0001").headers["etag"]
    longest = "я" * 2000  # 4,000 bytes of UTF-8
    base = [
        (b"authorization", editor["Authorization"].encode()),
        (b"content-type", b"application/json"),
    ]
    too_long = _raw_request(
        api.app,
        "PATCH",
        "/v1/figures/fig-0001",
        [*base, (b"if-match", etag.encode()), (b"sourced-reason", (longest + "я").encode())],
        b'{"note": "Checked"}',
    )
    assert too_long.status_code == 422, too_long.text
    assert too_long.json()["detail"] == "Sourced-Reason: at most 2000 characters"
    fits = _raw_request(
        api.app,
        "PATCH",
        "/v1/figures/fig-0001",
        [*base, (b"if-match", etag.encode()), (b"sourced-reason", longest.encode())],
        b'{"note": "Checked"}',
    )
    assert fits.status_code == 200, fits.text
    assert _latest_revision(api, "/v1/figures/fig-0001")["reason"] == longest


def test_every_route_that_takes_a_body_reads_the_one_the_guard_parsed(client):
    taking_a_body = {}
    for route in route_contexts(client.app):
        original = getattr(route, "original_route", route)
        if isinstance(original, APIRoute) and original.body_field is not None:
            for method in route.methods:
                taking_a_body[route.path, method] = isinstance(original, ParsedBodyRoute)
    assert taking_a_body == {
        ("/v1/bundles", "POST"): True,
        ("/v1/drafts", "POST"): True,
        ("/v1/events", "POST"): True,
        ("/v1/events/{slug}", "PATCH"): True,
        ("/v1/figures", "POST"): True,
        ("/v1/figures/{slug}", "PATCH"): True,
        ("/v1/sources", "POST"): True,
        ("/v1/sources/{slug}", "PATCH"): True,
    }
