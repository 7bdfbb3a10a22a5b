"""Editorial writes: keys, corrections with reasons and ETags, retractions, nothing lost."""

import json
import threading

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.db import unit_of_work
from app.models import Revision
from app.services.write import keys
from tests import builders
from tests.builders import NEW_FIGURE
from tests.helpers import dump


@pytest.fixture
def api(engine, client, tmp_path):
    builders.load(engine, tmp_path / "seed", builders.dataset(3))
    return client


class TestKeys:
    def test_writes_need_a_key_and_every_bad_key_gets_the_same_401(self, api, engine):
        with unit_of_work(engine) as session:
            revoked = keys.create(session, "Former editor", "editor")
            keys.revoke(session, "Former editor")
        bodies = []
        for headers in (
            {},
            {"Authorization": "Bearer src_nope"},
            {"Authorization": f"Bearer {revoked.secret}"},
            {"Authorization": "Basic eDp5"},
        ):
            response = api.post("/v1/figures", json=NEW_FIGURE, headers=headers)
            assert response.status_code == 401
            assert response.headers["www-authenticate"] == 'Bearer realm="sourced"'
            assert response.headers["content-type"] == "application/problem+json"
            bodies.append(response.json()["detail"])
        assert len(set(bodies)) == 1
        assert revoked.secret not in str(bodies)

    def test_only_the_digest_is_stored(self, engine):
        with unit_of_work(engine) as session:
            made = keys.create(session, "Someone", "admin")
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT prefix, secret_hash FROM api_key")).all()
        assert made.secret.startswith(stored[0][0] + "_")
        assert made.secret not in str(stored)
        assert len(made.secret) > 40


class TestCreate:
    def test_a_figure_with_its_chain_is_201_with_location_and_etag(self, api, editor):
        response = api.post("/v1/figures", json=NEW_FIGURE, headers=editor)
        assert response.status_code == 201, response.text
        assert response.headers["location"] == "http://testserver/v1/figures/new-figure"
        body = response.json()
        assert body["value"] == 120
        assert [a["source"]["slug"] for a in body["attributions"]] == ["observers", "doc"]
        got = api.get("/v1/figures/new-figure")
        assert got.headers["etag"] == response.headers["etag"]

    def test_the_revision_names_the_key_and_the_reason(self, api, editor, engine):
        api.post(
            "/v1/figures",
            json={**NEW_FIGURE, "reason": "From the observers' report"},
            headers=editor,
        )
        with Session(engine) as session:
            revision = session.exec(
                select(Revision).where(
                    Revision.entity == "figure", Revision.entity_slug == "new-figure"
                )
            ).one()
        assert (revision.actor, revision.reason, revision.action) == (
            "Desk editor",
            "From the observers' report",
            "create",
        )

    def test_a_taken_slug_is_409(self, api, editor):
        response = api.post("/v1/figures", json={**NEW_FIGURE, "slug": "fig-0001"}, headers=editor)
        assert response.status_code == 409
        assert response.json()["detail"].startswith("slug: ")

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"value": "lots"}, "value"),
            ({"colour": "red"}, "colour"),
            ({"version": 7}, "version"),
            ({"event": "nowhere"}, "event"),
            ({"attributions": []}, "attributions"),
            ({"value": 5, "lower_bound": 10}, "lower_bound"),
            ({"period": "2025-02-30"}, "period"),
            ({"value": "NaN"}, "value"),
        ],
    )
    @pytest.mark.slow
    def test_bad_fields_are_a_422_naming_the_field_and_change_nothing(
        self, api, editor, engine, change, field
    ):
        before = dump(engine)
        response = api.post("/v1/figures", json={**NEW_FIGURE, **change}, headers=editor)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"].startswith(f"{field}"), response.json()["detail"]
        assert dump(engine) == before

    @pytest.mark.parametrize(
        "raw", ["NaN", "Infinity", "-Infinity", "1e309", "9" * 400, "0." + "1" * 30]
    )
    @pytest.mark.slow
    def test_numbers_json_cannot_carry_exactly_are_a_422(self, api, editor, engine, raw):
        before = dump(engine)
        body = json.dumps({**NEW_FIGURE, "value": "__RAW__"}).replace('"__RAW__"', raw)
        response = api.post(
            "/v1/figures", content=body, headers={**editor, "Content-Type": "application/json"}
        )
        assert response.status_code == 422, response.text
        assert response.json()["detail"].startswith(("value", "body")), response.json()["detail"]
        assert dump(engine) == before

    def test_a_quote_not_in_the_publishers_text_is_refused_unless_marked_unverified(
        self, api, editor, engine
    ):
        chain = [
            NEW_FIGURE["attributions"][0],
            {"source": "doc", "role": "publisher", "quote": "Observers counted fewer."},
        ]
        before = dump(engine)
        refused = api.post(
            "/v1/figures", json={**NEW_FIGURE, "attributions": chain}, headers=editor
        )
        assert refused.status_code == 422
        assert refused.json()["detail"] == (
            "attributions[1].quote: not found verbatim in the stored text of source 'doc'; "
            "closest passage: “Observers counted more.”; the text has “more” where the quote "
            "has “fewer”"
        )
        assert dump(engine) == before
        chain[1]["quote_unverified"] = True
        accepted = api.post(
            "/v1/figures", json={**NEW_FIGURE, "attributions": chain}, headers=editor
        )
        assert accepted.status_code == 201
        assert accepted.json()["attributions"][1]["quote_unverified"] is True


class TestCorrect:
    def test_needs_if_match(self, api, editor):
        response = api.patch(
            "/v1/figures/fig-0001", json={"value": 11, "reason": "typo"}, headers=editor
        )
        assert response.status_code == 428
        assert response.json()["current_etag"] == api.get("/v1/figures/fig-0001").headers["etag"]

    def test_a_stale_etag_is_412_with_the_current_one(self, api, editor):
        etag = api.get("/v1/figures/fig-0001").headers["etag"]
        first = api.patch(
            "/v1/figures/fig-0001",
            json={"value": 11, "reason": "typo"},
            headers={**editor, "If-Match": etag},
        )
        assert first.status_code == 200
        second = api.patch(
            "/v1/figures/fig-0001",
            json={"value": 12, "reason": "typo"},
            headers={**editor, "If-Match": etag},
        )
        assert second.status_code == 412
        assert second.json()["current_etag"] == first.headers["etag"]
        assert api.get("/v1/figures/fig-0001").json()["value"] == 11

    def test_a_correction_needs_a_reason(self, api, editor, engine):
        etag = api.get("/v1/figures/fig-0001").headers["etag"]
        before = dump(engine)
        response = api.patch(
            "/v1/figures/fig-0001", json={"value": 11}, headers={**editor, "If-Match": etag}
        )
        assert response.status_code == 422
        assert response.json()["detail"].startswith("reason: ")
        assert dump(engine) == before

    def test_a_correction_is_a_revision_with_old_and_new_values(self, api, editor, engine):
        etag = api.get("/v1/figures/fig-0001").headers["etag"]
        response = api.patch(
            "/v1/figures/fig-0001",
            json={"value": 11, "note": "Recounted"},
            headers={**editor, "If-Match": etag, "Sourced-Reason": "The outlet corrected it"},
        )
        assert response.status_code == 200, response.text
        assert (response.json()["value"], response.json()["version"]) == (11, 2)
        with Session(engine) as session:
            latest = session.exec(
                select(Revision)
                .where(Revision.entity == "figure", Revision.entity_slug == "fig-0001")
                .order_by(Revision.version.desc())
            ).first()
        assert (latest.version, latest.actor, latest.reason) == (
            2,
            "Desk editor",
            "The outlet corrected it",
        )
        assert latest.changes == {
            "value": {"old": "10", "new": "11"},
            "note": {"old": None, "new": "Recounted"},
        }

    def test_the_slug_cannot_change(self, api, editor):
        etag = api.get("/v1/figures/fig-0001").headers["etag"]
        response = api.patch(
            "/v1/figures/fig-0001",
            json={"slug": "other", "reason": "x"},
            headers={**editor, "If-Match": etag},
        )
        assert response.status_code == 422
        assert response.json()["detail"].startswith("slug: ")

    def test_concurrent_patches_with_one_etag_end_in_exactly_one_win(self, api, editor):
        etag = api.get("/v1/figures/fig-0002").headers["etag"]
        statuses: list[int] = []
        barrier = threading.Barrier(8)

        def patch(value: int) -> None:
            barrier.wait()
            response = api.patch(
                "/v1/figures/fig-0002",
                json={"value": value, "reason": f"edit {value}"},
                headers={**editor, "If-Match": etag},
            )
            statuses.append(response.status_code)

        threads = [threading.Thread(target=patch, args=(100 + i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [200] + [412] * 7
        assert api.get("/v1/figures/fig-0002").json()["version"] == 2


class TestRetract:
    def test_retracting_a_source_needs_an_admin_key(self, api, engine, editor):
        with unit_of_work(engine) as session:
            admin = {"Authorization": f"Bearer {keys.create(session, 'Chief', 'admin').secret}"}
        etag = api.get("/v1/sources/observers").headers["etag"]
        headers = {"If-Match": etag, "Sourced-Reason": "Not a real group"}
        refused = api.delete("/v1/sources/observers", headers={**editor, **headers})
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["detail"] == "this operation needs a key with the admin scope"
        assert api.get("/v1/sources/observers").json()["status"] == "published"
        done = api.delete("/v1/sources/observers", headers={**admin, **headers})
        assert (done.status_code, done.json()["status"]) == (200, "retracted")

    def test_a_retracted_figure_stays_readable_with_its_reason_and_leaves_lists(self, api, editor):
        etag = api.get("/v1/figures/fig-0001").headers["etag"]
        response = api.delete(
            "/v1/figures/fig-0001",
            headers={**editor, "If-Match": etag, "Sourced-Reason": "Source withdrew it"},
        )
        assert response.status_code == 200
        body = api.get("/v1/figures/fig-0001").json()
        assert (body["status"], body["status_reason"]) == ("retracted", "Source withdrew it")
        listed = [f["slug"] for f in api.get("/v1/figures").json()["items"]]
        assert listed == ["fig-0000", "fig-0002"]
        assert [f["slug"] for f in api.get("/v1/figures?status=retracted").json()["items"]] == [
            "fig-0001"
        ]
        everything = api.get("/v1/figures?include_retracted=true").json()["items"]
        assert [(f["slug"], f["status"]) for f in everything] == [
            ("fig-0000", "published"),
            ("fig-0001", "retracted"),
            ("fig-0002", "published"),
        ]


class TestCorrectionBodies:
    def test_a_body_reason_beside_the_header_is_taken_out_and_the_header_wins(
        self, api, editor, engine
    ):
        etag = api.get("/v1/figures/fig-0001").headers["etag"]
        response = api.patch(
            "/v1/figures/fig-0001",
            json={"note": "Recounted", "reason": "from the body"},
            headers={**editor, "If-Match": etag, "Sourced-Reason": "from the header"},
        )
        assert response.status_code == 200, response.text
        with Session(engine) as session:
            latest = session.exec(
                select(Revision)
                .where(Revision.entity == "figure", Revision.entity_slug == "fig-0001")
                .order_by(Revision.version.desc())
            ).first()
        assert (latest.reason, latest.changes) == (
            "from the header",
            {"note": {"old": None, "new": "Recounted"}},
        )

    def test_a_body_reason_of_2000_characters_is_kept_whole(self, api, editor):
        etag = api.get("/v1/events/flight").headers["etag"]
        response = api.patch(
            "/v1/events/flight",
            json={"note": "x", "reason": "r" * 2000},
            headers={**editor, "If-Match": etag},
        )
        assert response.status_code == 200, response.text
        assert api.get("/v1/events/flight/history").json()["items"][-1]["reason"] == "r" * 2000

    def test_a_merge_patch_media_type_is_accepted(self, api, editor):
        etag = api.get("/v1/sources/observers").headers["etag"]
        response = api.patch(
            "/v1/sources/observers",
            content=json.dumps({"note": "Counted at the border", "reason": "Context"}),
            headers={
                **editor,
                "If-Match": etag,
                "Content-Type": "application/merge-patch+json",
            },
        )
        assert (response.status_code, response.json()["note"]) == (200, "Counted at the border")

    @pytest.mark.parametrize(
        ("plural", "fields"),
        [
            ("figures", {"value", "attributions", "stated_as", "derived_from", "note"}),
            ("events", {"title", "date", "attributions", "note"}),
            ("sources", {"name", "kind", "parent", "full_text", "note"}),
        ],
    )
    @pytest.mark.slow
    def test_openapi_states_the_merge_patch_with_its_fields_and_reason(self, api, plural, fields):
        document = api.get("/openapi.json").json()
        operation = document["paths"][f"/v1/{plural}/{{slug}}"]["patch"]
        content = operation["requestBody"]["content"]
        assert sorted(content) == ["application/json", "application/merge-patch+json"]
        # One named model for both media types, so a generated client has one.
        name = f"{plural.removesuffix('s').capitalize()}Patch"
        reference = {"$ref": f"#/components/schemas/{name}"}
        assert content["application/merge-patch+json"]["schema"] == reference
        assert content["application/json"]["schema"] == reference
        schema = document["components"]["schemas"][name]
        assert (schema["type"], schema["additionalProperties"]) == ("object", False)
        assert "required" not in schema
        assert fields <= set(schema["properties"])
        assert schema["properties"]["reason"] == {
            "anyOf": [{"type": "string", "maxLength": 2000}, {"type": "null"}],
            "description": "Why the record changes (or the `Sourced-Reason` header, which wins).",
        }
        assert "$ref" not in json.dumps(schema)
        assert all("default" not in p for p in schema["properties"].values())

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"note": "x", "reason": "r" * 2001}, "reason"),
            ({"note": "x" * 20001}, "note"),
            ({"colour": "red"}, "colour"),
            ({"stated_as": None}, "stated_as"),
        ],
    )
    @pytest.mark.parametrize("if_match", [None, '"1-stale"'])
    @pytest.mark.slow
    def test_a_malformed_patch_is_422_whatever_etag_it_carries(
        self, api, editor, engine, body, field, if_match
    ):
        headers = {**editor, "Sourced-Reason": "why"}
        if if_match is not None:
            headers["If-Match"] = if_match
        before = dump(engine)
        response = api.patch("/v1/figures/fig-0001", json=body, headers=headers)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"].startswith(f"{field}: ")
        assert dump(engine) == before
