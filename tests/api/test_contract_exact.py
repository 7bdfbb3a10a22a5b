"""The OpenAPI contract says what the server does: required headers, exclusive parameters,
date patterns, read-only fields sent back, titled 409s, 412s with the ETag, CORS refusals and
the history list envelope."""

import re

import pytest
from sqlalchemy import event, func, select
from sqlmodel import Session

from app.models import Revision

# Contract checks, one seeded database per case: `make test-fast` leaves them out.
pytestmark = pytest.mark.slow

PROBLEM = "application/problem+json"
FIGURE = "/v1/figures/deserters-since-invasion"


@pytest.fixture
def api(seeded_client):
    return seeded_client


@pytest.fixture(scope="module")
def schema():
    from app.main import create_app
    from app.settings import Settings

    return create_app(Settings(database_url="sqlite://", _env_file=None)).openapi()


def parameter(schema, path, method, name):
    return next(p for p in schema["paths"][path][method]["parameters"] if p["name"] == name)


def revision_count(engine) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(Revision)).scalar_one()


class TestIfMatch:
    @pytest.mark.parametrize("plural", ["figures", "events", "sources"])
    @pytest.mark.parametrize("method", ["patch", "delete"])
    def test_the_contract_requires_it(self, schema, plural, method):
        declared = parameter(schema, f"/v1/{plural}/{{slug}}", method, "If-Match")
        assert (declared["in"], declared["required"]) == ("header", True)
        assert declared["schema"] == {
            "type": "string",
            "maxLength": 200,
            "examples": ['"2-1a2b3c4d5e6f"'],
        }

    def test_its_absence_is_still_the_428_that_names_it(self, api, seeded_editor):
        response = api.patch(
            FIGURE, json={"note": "x"}, headers={**seeded_editor, "Sourced-Reason": "why"}
        )
        assert response.status_code == 428
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["title"] == "Precondition required"
        assert response.json()["detail"].startswith("If-Match: send the record's current ETag")

    def test_an_etag_copied_without_its_quotes_is_the_same_etag(self, api, seeded_editor):
        etag = api.get(FIGURE).headers["etag"]
        response = api.patch(
            FIGURE,
            json={"note": "Unquoted"},
            headers={**seeded_editor, "If-Match": etag.strip('"'), "Sourced-Reason": "why"},
        )
        assert (response.status_code, response.json()["note"]) == (200, "Unquoted")

    def test_the_json_version_in_if_match_is_a_400_not_a_412(self, api, seeded_editor):
        etag = api.get(FIGURE).headers["etag"]
        response = api.patch(
            FIGURE,
            json={"note": "x"},
            headers={**seeded_editor, "If-Match": "1", "Sourced-Reason": "why"},
        )
        assert response.status_code == 400
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["detail"] == (
            "If-Match: '1' is not an ETag; send the `ETag` header of a GET of the record as it "
            f"is ({etag}), not its `version`"
        )
        assert response.json()["current_etag"] == etag


class TestExclusiveParameters:
    @pytest.mark.parametrize("plural", ["figures", "events", "sources"])
    def test_q_with_as_of_is_described_and_refused(self, schema, api, plural):
        q = parameter(schema, f"/v1/{plural}", "get", "q")["description"]
        as_of = parameter(schema, f"/v1/{plural}", "get", "as_of")["description"]
        assert q.endswith("Not with `as_of` (a 400): the search index holds today's texts only.")
        assert as_of.endswith(
            "On a list, `as_of` is ordered by id and excludes `q` and any other `sort` (a 400)."
        )
        response = api.get(f"/v1/{plural}", params={"q": "deserted", "as_of": "2026-01-01"})
        assert response.status_code == 400
        assert response.json()["detail"] == "q: full-text search is not available with as_of"


# (value, whether the server takes it as a year, a month or a day)
DATE_VALUES = [
    ("1941", True),
    ("1941-11", True),
    ("1941-11-30", True),
    ("0001", True),
    ("2024-02-29", True),
    ("2000-02-29", True),
    ("0000", False),
    ("7989-32-03", False),
    ("1941-13", False),
    ("1941-11-31", False),
    ("1900-02-29", False),
    ("2023-02-29", False),
    ("1941-1", False),
    ("\u0661\u0669\u0664\u0661", False),  # Arabic-Indic digits
    ("1941\n", False),
]


class TestDatePatterns:
    @pytest.mark.parametrize("name", ["date_from", "date_to"])
    def test_the_pattern_admits_exactly_what_the_server_accepts(self, schema, api, name):
        declared = parameter(schema, "/v1/figures", "get", name)["schema"]["anyOf"]
        assert declared[1] == {"type": "null"}
        pattern = declared[0]["pattern"]
        # As ECMA-262 (JSON Schema's regex) reads it: `$` is the end of the text, never a
        # final newline as Python's `$` allows.
        assert (pattern[0], pattern[-1]) == ("^", "$")
        admitted = [value for value, _ in DATE_VALUES if re.fullmatch(pattern[1:-1], value)]
        accepted = [
            value
            for value, _ in DATE_VALUES
            if api.get("/v1/figures", params={name: value}).status_code == 200
        ]
        expected = [value for value, ok in DATE_VALUES if ok]
        assert admitted == expected
        assert accepted == expected


class TestAGetBodySentBack:
    def test_the_whole_body_patched_back_is_200_and_changes_nothing(
        self, api, seeded_editor, seeded
    ):
        for path in (FIGURE, "/v1/events/leningrad-inmates-escape", "/v1/sources/rfe-rl"):
            read = api.get(path)
            before = revision_count(seeded)
            response = api.patch(
                path,
                json={**read.json(), "reason": "Sent back as read"},
                headers={**seeded_editor, "If-Match": read.headers["etag"]},
            )
            assert response.status_code == 200, response.text
            assert response.json() == read.json()
            assert response.headers["etag"] == read.headers["etag"]
            assert revision_count(seeded) == before

    def test_a_changed_position_is_a_422_naming_it(self, api, seeded_editor):
        read = api.get(FIGURE)
        body = read.json()
        body["attributions"][1]["position"] = 5
        response = api.patch(
            FIGURE,
            json=body,
            headers={**seeded_editor, "If-Match": read.headers["etag"], "Sourced-Reason": "why"},
        )
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {
                "field": "attributions.1.position",
                "message": "read-only: a link's position is its place in the list (1), not 5; "
                "reorder the list to move it",
            }
        ]

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("version", 7, "read-only: it is 1 and a write cannot set it"),
            ("status", "retracted", "read-only: it is 'published' and a write cannot set it"),
            (
                "url",
                "http://testserver/v1/figures/other",
                "read-only: it is 'http://testserver/v1/figures/deserters-since-invasion' "
                "and a write cannot set it",
            ),
        ],
    )
    def test_a_changed_read_only_field_is_a_422_naming_it(
        self, api, seeded_editor, field, value, message
    ):
        read = api.get(FIGURE)
        response = api.patch(
            FIGURE,
            json={**read.json(), field: value},
            headers={**seeded_editor, "If-Match": read.headers["etag"], "Sourced-Reason": "why"},
        )
        assert response.status_code == 422
        assert response.json()["errors"] == [{"field": field, "message": message}]

    def test_a_changed_nested_source_is_a_422_naming_it(self, api, seeded_editor):
        read = api.get(FIGURE)
        body = read.json()
        body["attributions"][0]["source"]["name"] = "Someone else"
        response = api.patch(
            FIGURE,
            json=body,
            headers={**seeded_editor, "If-Match": read.headers["etag"], "Sourced-Reason": "why"},
        )
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {
                "field": "attributions.0.source",
                "message": "give the source's slug; an object is taken only as the record's GET "
                "shows it",
            }
        ]


class TestProblems:
    def test_a_taken_slug_is_a_409_with_its_own_title(self, api, seeded_editor):
        body = {
            k: v
            for k, v in api.get("/v1/sources/rfe-rl").json().items()
            if k in ("slug", "name", "kind")
        }
        response = api.post("/v1/sources", json=body, headers=seeded_editor)
        assert response.status_code == 409
        assert response.json()["title"] == "Slug already taken"

    def test_a_version_lost_as_the_change_is_written_is_a_412_with_the_etag(
        self, api, seeded_editor, seeded
    ):
        # Another writer's change lands between the If-Match check and the conditional UPDATE:
        # made here by bumping the version on the request's own connection just before it.
        engine = api.app.state.engine
        bumped = []

        def concurrent_write(conn, cursor, statement, parameters, context, executemany):
            if statement.startswith("UPDATE figure SET") and not bumped:
                bumped.append(True)
                cursor.execute(
                    "UPDATE figure SET version = version + 1 WHERE slug = 'deserters-since-invasion'"
                )

        read = api.get(FIGURE)
        event.listen(engine, "before_cursor_execute", concurrent_write)
        try:
            response = api.patch(
                FIGURE,
                json={"note": "Lost"},
                headers={
                    **seeded_editor,
                    "If-Match": read.headers["etag"],
                    "Sourced-Reason": "why",
                },
            )
        finally:
            event.remove(engine, "before_cursor_execute", concurrent_write)
        assert bumped == [True]
        assert response.status_code == 412
        body = response.json()
        assert "current_version" not in body
        assert re.fullmatch(r'"2-[0-9a-f]{12}"', body["current_etag"])
        assert body["detail"] == (
            "the record changed since it was read; read it again and re-apply the change"
        )

    @pytest.mark.parametrize("plural", ["figures", "events", "sources"])
    def test_writes_declare_507(self, schema, plural):
        for path, method in ((f"/v1/{plural}", "post"), (f"/v1/{plural}/{{slug}}", "patch")):
            declared = schema["paths"][path][method]["responses"]["507"]
            assert declared["description"] == (
                "The database has no room left for the change (disk full); nothing was written."
            )
        assert "507" in schema["paths"][f"/v1/{plural}/{{slug}}"]["delete"]["responses"]

    @pytest.mark.parametrize(
        ("headers", "detail"),
        [
            (
                {"Access-Control-Request-Method": "TRACE"},
                "Access-Control-Request-Method: 'TRACE' is not allowed; "
                "allowed: GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE",
            ),
            (
                {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "X-Foo"},
                "Access-Control-Request-Headers: x-foo is not allowed; allowed: accept, "
                "accept-language, authorization, cache-control, content-language, "
                "content-type, idempotency-key, if-match, if-none-match, sourced-reason",
            ),
        ],
    )
    def test_a_refused_cors_preflight_is_a_problem(self, api, headers, detail):
        response = api.options("/v1/figures", headers={"Origin": "https://x.example", **headers})
        assert response.status_code == 400
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["title"] == "CORS preflight refused"
        assert response.json()["detail"] == detail


class TestHistoryEnvelope:
    def test_a_history_is_a_page_of_the_list_envelope(self, api, seeded_editor):
        read = api.get(FIGURE)
        api.patch(
            FIGURE,
            json={"value": 51000.5, "lower_bound": 51000.5},
            headers={
                **seeded_editor,
                "If-Match": read.headers["etag"],
                "Sourced-Reason": "Recounted",
            },
        )
        whole = api.get(f"{FIGURE}/history", params={"count": "true"}).json()
        assert sorted(whole) == ["items", "next", "total"]
        assert (whole["next"], whole["total"]) == (None, len(whole["items"]))
        latest = whole["items"][-1]
        assert latest["changes"] == {
            "value": {"old": 50000, "new": 51000.5},
            "lower_bound": {"old": 50000, "new": 51000.5},
        }
        first = api.get(f"{FIGURE}/history", params={"limit": 1})
        assert first.json()["items"] == whole["items"][:1]
        assert first.json()["total"] is None
        assert first.headers["link"] == f'<{first.json()["next"]}>; rel="next"'
        pages = [first.json()["items"]]
        url = first.json()["next"]
        while url is not None:
            page = api.get(url).json()
            pages.append(page["items"])
            url = page["next"]
        assert [r for items in pages for r in items] == whole["items"]
        assert len(pages) == len(whole["items"])

    def test_a_cursor_it_did_not_hand_out_is_a_400(self, api):
        response = api.get(f"{FIGURE}/history", params={"cursor": "abc"})
        assert response.status_code == 400
        assert response.json()["detail"] == (
            "cursor: not a cursor this history handed out; use the `next` link"
        )
