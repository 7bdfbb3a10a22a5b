"""History, as-of reads, the change feed, Atom, bundles and idempotent POSTs."""

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import pytest

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


def correct(api, editor, slug, patch, reason):
    etag = api.get(f"/v1/figures/{slug}").headers["etag"]
    response = api.patch(
        f"/v1/figures/{slug}",
        json=patch,
        headers={**editor, "If-Match": etag, "Sourced-Reason": reason},
    )
    assert response.status_code == 200, response.text
    return response


class TestTheJournalistsWalkthrough:
    def test_create_correct_history_as_of_retract(self, api, editor):
        created = api.post("/v1/figures", json=NEW_FIGURE, headers=editor)
        assert created.status_code == 201
        before_correction = datetime.now(UTC)
        correct(
            api,
            editor,
            "new-figure",
            {"value": 125, "stated_as": "about 125"},
            "Recounted from the report",
        )

        history = api.get("/v1/figures/new-figure/history").json()
        figure_revisions = [
            (r["entity"], r["version"], r["action"], r["actor"], r["reason"])
            for r in history
            if r["entity"] == "figure"
        ]
        assert figure_revisions == [
            ("figure", 1, "create", "Desk editor", "created by Desk editor"),
            ("figure", 2, "update", "Desk editor", "Recounted from the report"),
        ]
        assert history[-1]["changes"] == {
            "value": {"old": "120", "new": "125"},
            "stated_as": {"old": "about 120", "new": "about 125"},
        }
        assert [r["entity"] for r in history].count("attribution") == 2

        then = api.get(
            "/v1/figures/new-figure", params={"as_of": before_correction.isoformat()}
        ).json()
        assert (then["value"], then["stated_as"], then["version"]) == (120, "about 120", 1)
        assert [a["source"]["slug"] for a in then["attributions"]] == ["observers", "doc"]
        now = api.get("/v1/figures/new-figure").json()
        assert (now["value"], now["version"]) == (125, 2)

        etag = api.get("/v1/figures/new-figure").headers["etag"]
        retracted = api.delete(
            "/v1/figures/new-figure",
            headers={**editor, "If-Match": etag, "Sourced-Reason": "Withdrawn"},
        )
        assert retracted.json()["status"] == "retracted"
        assert api.get("/v1/figures/new-figure").json()["status_reason"] == "Withdrawn"

        feed = ET.fromstring(api.get("/v1/changes.atom").content)
        ns = {"a": "http://www.w3.org/2005/Atom"}
        titles = [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)]
        assert titles[:3] == [
            "retract figure new-figure (v3)",
            "update figure new-figure (v2)",
            "create attribution figure:" + titles[2].split(":")[1],
        ]
        first = feed.find("a:entry", ns)
        assert first.find("a:link", ns).get("href") == "http://testserver/v1/figures/new-figure"
        assert first.findtext("a:author/a:name", namespaces=ns) == "Desk editor"

    def test_an_event_as_of_shows_its_old_title_and_only_the_figures_it_had(self, api, editor):
        before = datetime.now(UTC)
        etag = api.get("/v1/events/flight").headers["etag"]
        patched = api.patch(
            "/v1/events/flight",
            json={"title": "Soldiers deserted"},
            headers={**editor, "If-Match": etag, "Sourced-Reason": "Sharper title"},
        )
        assert patched.status_code == 200, patched.text
        assert api.post("/v1/figures", json=NEW_FIGURE, headers=editor).status_code == 201

        now = api.get("/v1/events/flight").json()
        then = api.get("/v1/events/flight", params={"as_of": before.isoformat()}).json()
        assert (now["title"], then["title"]) == ("Soldiers deserted", "Soldiers fled")
        assert [f["slug"] for f in now["figures"]] == ["fig-0000", "new-figure"]
        assert [f["slug"] for f in then["figures"]] == ["fig-0000"]
        assert [a["source"]["slug"] for a in then["attributions"]] == [
            a["source"]["slug"] for a in now["attributions"]
        ]

    def test_a_source_as_of_shows_its_old_name_without_todays_counts(self, api, editor):
        before = datetime.now(UTC)
        etag = api.get("/v1/sources/desk").headers["etag"]
        patched = api.patch(
            "/v1/sources/desk",
            json={"name": "The agency's night desk"},
            headers={**editor, "If-Match": etag, "Sourced-Reason": "Renamed"},
        )
        assert patched.status_code == 200, patched.text
        then = api.get("/v1/sources/desk", params={"as_of": before.isoformat()}).json()
        assert (then["name"], then["version"], then["counts"]) == ("The agency's desk", 1, None)
        assert then["parent"] == "agency"
        assert api.get("/v1/sources/desk").json()["name"] == "The agency's night desk"

    def test_lists_as_of_show_the_records_and_values_of_that_moment(self, api, editor):
        before = datetime.now(UTC).isoformat()
        old = api.get("/v1/figures/fig-0000").json()["value"]
        correct(api, editor, "fig-0000", {"value": 999}, "Recounted")
        assert api.post("/v1/figures", json=NEW_FIGURE, headers=editor).status_code == 201

        now = api.get("/v1/figures").json()["items"]
        then = api.get("/v1/figures", params={"as_of": before}).json()["items"]
        assert [(f["slug"], f["value"]) for f in now][:1] == [("fig-0000", 999)]
        assert [(f["slug"], f["value"]) for f in then] == [("fig-0000", old), ("fig-0001", 10)]
        assert "new-figure" in [f["slug"] for f in now]
        # Filters apply to what the records said then.
        assert (
            api.get("/v1/figures", params={"as_of": before, "value_gte": 999}).json()["items"] == []
        )
        by_claimant = api.get("/v1/figures", params={"as_of": before, "claimant": "ministry"})
        assert [f["slug"] for f in by_claimant.json()["items"]] == ["fig-0000"]

    def test_list_pages_as_of_walk_every_record_once(self, api):
        later = datetime.now(UTC).isoformat()
        seen, url, params = [], "/v1/figures", {"as_of": later, "limit": 1}
        while url:
            body = api.get(url, params=params).json()
            seen += [f["slug"] for f in body["items"]]
            url, params = body["next"], None
        assert seen == ["fig-0000", "fig-0001"]

    def test_events_and_sources_lists_as_of(self, api):
        past = "2000-01-01T00:00:00Z"
        assert api.get("/v1/events", params={"as_of": past}).json()["items"] == []
        later = datetime.now(UTC).isoformat()
        kinds = api.get("/v1/sources", params={"as_of": later, "kind": "ngo"}).json()["items"]
        assert [s["slug"] for s in kinds] == ["observers"]
        events = api.get("/v1/events", params={"as_of": later, "source": "agency"})
        assert [e["slug"] for e in events.json()["items"]] == ["flight", "old-war"]

    @pytest.mark.parametrize(
        ("params", "field"), [({"q": "fled"}, "q"), ({"sort": "-value"}, "sort")]
    )
    def test_what_needs_the_live_index_is_a_400_with_as_of(self, api, params, field):
        response = api.get("/v1/figures", params={"as_of": "2030-01-01T00:00:00Z", **params})
        assert response.status_code == 400
        assert response.json()["detail"].startswith(f"{field}: ")

    def test_as_of_before_the_record_existed_is_404(self, api):
        response = api.get("/v1/figures/fig-0001", params={"as_of": "2000-01-01T00:00:00Z"})
        assert response.status_code == 404
        assert response.json()["detail"].startswith("as_of: ")

    def test_as_of_needs_a_time_zone(self, api):
        response = api.get("/v1/figures/fig-0001", params={"as_of": "2026-01-01T00:00:00"})
        assert response.status_code == 422
        assert response.json()["detail"].startswith("as_of: ")


class TestChangeFeed:
    def test_pages_through_every_revision_once(self, api):
        seen, url = [], "/v1/changes?limit=4"
        while url:
            body = api.get(url).json()
            seen += [r["id"] for r in body["items"]]
            url = body["next"]
        assert seen == list(range(1, 18))

    def test_since_filters_by_time(self, api, editor):
        mark = datetime.now(UTC).isoformat()
        correct(api, editor, "fig-0001", {"value": 99}, "fix")
        body = api.get("/v1/changes", params={"since": mark}).json()
        assert [(r["entity"], r["slug"], r["version"]) for r in body["items"]] == [
            ("figure", "fig-0001", 2)
        ]


class TestBundles:
    def bundle(self) -> dict:
        return {
            "sources": [
                {
                    "slug": "wire",
                    "name": "A wire",
                    "kind": "news_service",
                    "full_text": "The wire says 7 fled.",
                }
            ],
            "events": [],
            "figures": [
                {
                    "slug": "wire-figure",
                    "event": "flight",
                    "measure": "deserters",
                    "value": 7,
                    "qualifier": "exact",
                    "stated_as": "7",
                    "unit": "persons",
                    "attributions": [{"source": "wire", "role": "claimant", "quote": "7 fled"}],
                }
            ],
        }

    def test_applies_once_and_a_repeat_changes_nothing(self, api, editor, engine):
        first = api.post("/v1/bundles", json=self.bundle(), headers=editor)
        assert first.json() == {
            "changed": 3,
            "changes": [
                "create source wire",
                "create figure wire-figure",
                "create attribution wire-figure#0",
            ],
        }
        before = dump(engine)
        again = api.post("/v1/bundles", json=self.bundle(), headers=editor)
        assert again.json() == {"changed": 0, "changes": []}
        assert dump(engine) == before

    def test_every_problem_is_reported_and_nothing_is_written(self, api, editor, engine):
        bad = self.bundle()
        bad["figures"][0]["event"] = "nowhere"
        bad["figures"][0]["attributions"][0]["quote"] = "8 fled"
        bad["sources"].append({"slug": "x", "name": "X", "kind": "blog"})
        before = dump(engine)
        response = api.post("/v1/bundles", json=bad, headers=editor)
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {
                "record": "sources[1] x",
                "field": "kind",
                "message": response.json()["errors"][0]["message"],
            }
        ]
        bad["sources"].pop()
        response = api.post("/v1/bundles", json=bad, headers=editor)
        assert [(e["record"], e["field"]) for e in response.json()["errors"]] == [
            ("figures[0] wire-figure", "event"),
            ("figures[0] wire-figure", "attributions[0].quote"),
        ]
        assert dump(engine) == before


class TestIdempotency:
    def test_the_same_key_and_body_replay_the_first_answer(self, api, editor, engine):
        headers = {**editor, "Idempotency-Key": "abc-1"}
        first = api.post("/v1/figures", json=NEW_FIGURE, headers=headers)
        before = dump(engine)
        again = api.post("/v1/figures", json=NEW_FIGURE, headers=headers)
        assert (again.status_code, again.json(), again.headers["location"]) == (
            201,
            first.json(),
            first.headers["location"],
        )
        assert dump(engine) == before

    def test_the_same_key_with_another_body_is_422(self, api, editor):
        headers = {**editor, "Idempotency-Key": "abc-2"}
        api.post("/v1/figures", json=NEW_FIGURE, headers=headers)
        other = api.post(
            "/v1/figures", json={**NEW_FIGURE, "slug": "other-figure"}, headers=headers
        )
        assert other.status_code == 422
        assert other.json()["detail"].startswith("Idempotency-Key: ")
