"""History, as-of reads, the change feed, Atom, bundles and idempotent POSTs."""

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import pytest
from sqlmodel import select

from app.db import unit_of_work
from app.models import Revision
from app.services.write import keys
from tests.builders import NEW_FIGURE
from tests.helpers import dump


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

        history = api.get("/v1/figures/new-figure/history").json()["items"]
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
            "value": {"old": 120, "new": 125},
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
            "Figure new-figure retracted: Withdrawn",
            "Figure new-figure corrected: stated_as, value",
            "Figure new-figure chain: publisher doc added",
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

    def test_every_problem_is_reported_in_one_answer_and_nothing_is_written(
        self, api, editor, engine
    ):
        bad = self.bundle()
        bad["sources"].append({"slug": "x", "name": "X", "kind": "blog"})
        bad["figures"][0]["measure"] = "desserters"
        bad["figures"].append(
            {
                **bad["figures"][0],
                "slug": "wire-figure-2",
                "measure": "deserters",
                "attributions": [{"source": "wire", "role": "claimant", "quote": "8 fled"}],
            }
        )
        before = dump(engine)
        response = api.post("/v1/bundles", json=bad, headers=editor)
        assert response.status_code == 422, response.text
        errors = response.json()["errors"]
        assert errors == [
            {"record": "sources[1] x", "field": "kind", "message": errors[0]["message"]},
            {
                "record": "figures[0] wire-figure",
                "field": "measure",
                "message": "unknown measure 'desserters'",
            },
            {
                "record": "figures[1] wire-figure-2",
                "field": "attributions[0].quote",
                "message": "not found verbatim in the stored text of source 'wire'; closest "
                "passage: “7 fled”; the text has 7 (digit seven) where the quote has 8 "
                "(digit eight)",
            },
        ]
        assert errors[0]["message"].startswith("Input should be 'news_outlet', ")
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


ATOM_NS = "http://www.w3.org/2005/Atom"


def atom_entries(api, **params) -> tuple[ET.Element, list[ET.Element]]:
    response = api.get("/v1/changes.atom", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    return feed, feed.findall(f"{{{ATOM_NS}}}entry")


def is_rfc3339(text: str) -> bool:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).tzinfo is not None


class TestAtomFeed:
    def test_the_feed_is_valid_atom_and_every_entry_links_to_a_readable_record(self, api, editor):
        assert api.post("/v1/figures", json=NEW_FIGURE, headers=editor).status_code == 201
        correct(api, editor, "fig-0001", {"value": 11}, "Recount")
        feed, entries = atom_entries(api)
        atom = f"{{{ATOM_NS}}}"
        assert feed.tag == f"{atom}feed"
        assert feed.findtext(f"{atom}id") == "tag:sourced,2026:changes"
        assert feed.findtext(f"{atom}title") == "Sourced: changes"
        assert is_rfc3339(feed.findtext(f"{atom}updated"))
        assert feed.find(f"{atom}link[@rel='self']").get("href") == (
            "http://testserver/v1/changes.atom"
        )
        assert feed.findtext(f"{atom}author/{atom}name") == "Sourced"
        assert len(entries) == 21  # 17 seeded, the figure and its 2 links, the correction
        ids = [entry.findtext(f"{atom}id") for entry in entries]
        assert len(set(ids)) == len(ids)
        for entry in entries:
            assert entry.findtext(f"{atom}id").startswith("tag:sourced,2026:revision/")
            assert entry.findtext(f"{atom}title")
            assert "figure:" not in entry.findtext(f"{atom}title")
            assert is_rfc3339(entry.findtext(f"{atom}updated"))
            assert entry.findtext(f"{atom}author/{atom}name")
            (link,) = entry.findall(f"{atom}link")
            assert link.get("rel") == "alternate"
            href = link.get("href")
            assert href.startswith("http://testserver/v1/")
            assert api.get(href.removeprefix("http://testserver")).status_code == 200, href
        assert feed.findtext(f"{atom}updated") == entries[0].findtext(f"{atom}updated")

    def test_a_link_of_a_chain_is_titled_with_slugs_and_links_to_its_figure(self, api, editor):
        assert api.post("/v1/figures", json=NEW_FIGURE, headers=editor).status_code == 201
        _, entries = atom_entries(api)
        atom = f"{{{ATOM_NS}}}"
        newest = [
            (e.findtext(f"{atom}title"), e.find(f"{atom}link").get("href")) for e in entries[:3]
        ]
        assert newest == [
            (
                "Figure new-figure chain: publisher doc added",
                "http://testserver/v1/figures/new-figure",
            ),
            (
                "Figure new-figure chain: claimant observers added",
                "http://testserver/v1/figures/new-figure",
            ),
            ("Figure new-figure added", "http://testserver/v1/figures/new-figure"),
        ]

    def test_since_keeps_only_later_changes(self, api, editor):
        mark = datetime.now(UTC).isoformat()
        correct(api, editor, "fig-0001", {"value": 99}, "fix")
        _, entries = atom_entries(api, since=mark)
        assert [e.findtext(f"{{{ATOM_NS}}}title") for e in entries] == [
            "Figure fig-0001 corrected: value"
        ]
        _, none = atom_entries(api, since="2999-01-01T00:00:00Z")
        assert none == []

    def test_since_needs_a_time_zone(self, api):
        response = api.get("/v1/changes.atom", params={"since": "2026-01-01T00:00:00"})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"].startswith("since: ")


class TestReadableChanges:
    def test_a_link_of_a_chain_names_the_record_it_belongs_to(self, api):
        items = api.get("/v1/changes", params={"limit": 500}).json()["items"]
        links = [(r["entity"], r["slug"], r["subject_slug"]) for r in items][-3:]
        assert links == [
            ("attribution", None, "fig-0001"),
            ("attribution", None, "fig-0001"),
            ("attribution", None, "fig-0001"),
        ]
        figures = {(r["slug"], r["subject_slug"]) for r in items if r["entity"] == "figure"}
        assert figures == {("fig-0000", "fig-0000"), ("fig-0001", "fig-0001")}

    def test_moving_a_figure_to_another_event_reads_with_slugs(self, api, editor):
        correct(api, editor, "fig-0001", {"event": "flight"}, "Wrong event")
        history = api.get("/v1/figures/fig-0001/history").json()["items"]
        assert history[-1]["subject_slug"] == "fig-0001"
        changes = history[-1]["changes"]
        assert changes["event"] == {"old": "old-war", "new": "flight"}
        assert changes["event_id"]["old"] != changes["event_id"]["new"]
        created = next(r for r in history if r["entity"] == "figure")["changes"]
        assert created["event"] == {"old": None, "new": "old-war"}
        assert created["measure"] == {"old": None, "new": "deserters"}

    @pytest.mark.slow
    def test_a_changed_link_reads_with_its_source_slugs(self, api, editor):
        chain = api.get("/v1/figures/fig-0001").json()["attributions"]
        links = [{"source": a["source"]["slug"], "role": a["role"]} for a in chain]
        links[0]["source"] = "ministry"
        links[-1]["quote"] = "many fled"
        correct(api, editor, "fig-0001", {"attributions": links}, "The ministry said it first")
        history = api.get("/v1/figures/fig-0001/history").json()["items"]
        assert history[-1]["entity"] == "attribution"
        assert history[-1]["changes"]["source"] == {"old": "observers", "new": "ministry"}
        assert history[-1]["subject_slug"] == "fig-0001"

    @pytest.mark.slow
    def test_stored_revisions_keep_their_ids_only(self, api, editor, engine):
        correct(api, editor, "fig-0001", {"event": "flight"}, "Wrong event")
        with unit_of_work(engine) as session:
            stored = session.exec(
                select(Revision).where(Revision.entity_slug == "fig-0001", Revision.version == 2)
            ).one()
            assert set(stored.changes) == {"event_id"}


class TestBundleChanges:
    def renamed(self) -> dict:
        return {"sources": [{"slug": "observers", "name": "Border observers", "kind": "ngo"}]}

    def test_changing_a_stored_record_without_a_reason_is_422_and_changes_nothing(
        self, api, editor, engine
    ):
        before = dump(engine)
        response = api.post("/v1/bundles", json=self.renamed(), headers=editor)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == (
            "reason: the bundle changes records that exist (source observers); say why "
            "(a top-level `reason` field or a `Sourced-Reason` header)"
        )
        assert response.json()["errors"] == [
            {"field": "reason", "message": "required for a change to an existing record"}
        ]
        assert dump(engine) == before

    def test_growing_a_stored_chain_without_a_reason_is_422(self, api, editor, engine):
        figure = api.get("/v1/figures/fig-0001").json()
        bundle = {
            "figures": [
                {
                    **{k: figure[k] for k in ("slug", "measure", "qualifier", "stated_as")},
                    **{k: figure[k] for k in ("unit", "period", "value")},
                    "event": figure["event"]["slug"],
                    "attributions": [
                        *(
                            {"source": a["source"]["slug"], "role": a["role"], "quote": a["quote"]}
                            for a in figure["attributions"]
                        ),
                        {"source": "agency", "role": "relay"},
                    ],
                }
            ]
        }
        before = dump(engine)
        response = api.post("/v1/bundles", json=bundle, headers=editor)
        assert response.status_code == 422, response.text
        assert response.json()["detail"].startswith(
            "reason: the bundle changes records that exist (figure fig-0001)"
        )
        assert dump(engine) == before

    @pytest.mark.parametrize("where", ["body", "header"])
    def test_a_reason_in_the_body_or_the_header_is_the_revisions(self, api, editor, where):
        bundle, headers = self.renamed(), dict(editor)
        if where == "body":
            bundle["reason"] = "The group renamed itself"
        else:
            headers["Sourced-Reason"] = "The group renamed itself"
        response = api.post("/v1/bundles", json=bundle, headers=headers)
        assert response.json() == {"changed": 1, "changes": ["update source observers (name)"]}
        latest = api.get("/v1/sources/observers/history").json()["items"][-1]
        assert (latest["reason"], latest["changes"]["name"]["new"]) == (
            "The group renamed itself",
            "Border observers",
        )

    @pytest.mark.parametrize(
        ("reason", "detail"),
        [(7, "reason: must be a string, not int"), ("x" * 2001, "reason: at most 2000")],
    )
    def test_a_body_reason_of_the_wrong_shape_is_422(self, api, editor, engine, reason, detail):
        before = dump(engine)
        response = api.post(
            "/v1/bundles", json={**self.renamed(), "reason": reason}, headers=editor
        )
        assert response.status_code == 422
        assert response.json()["detail"].startswith(detail)
        assert dump(engine) == before

    def test_a_retracted_record_is_not_rewritten(self, api, editor, engine):
        etag = api.get("/v1/sources/observers").headers["etag"]
        with unit_of_work(engine) as session:
            admin = {"Authorization": f"Bearer {keys.create(session, 'Chief', 'admin').secret}"}
        retracted = api.delete(
            "/v1/sources/observers",
            headers={**admin, "If-Match": etag, "Sourced-Reason": "Not a real group"},
        )
        assert retracted.status_code == 200
        before = dump(engine)
        response = api.post(
            "/v1/bundles", json={**self.renamed(), "reason": "Rename"}, headers=editor
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"] == [
            {
                "record": "sources[0] observers",
                "field": "status",
                "message": "the source is retracted; a bundle does not rewrite a retracted "
                "record (leave it out of the bundle)",
            }
        ]
        assert dump(engine) == before
        unchanged = {"sources": [{"slug": "observers", "name": "Observers", "kind": "ngo"}]}
        again = api.post("/v1/bundles", json=unchanged, headers=editor)
        assert again.json() == {"changed": 0, "changes": []}

    def test_an_idempotency_key_replays_the_first_answer(self, api, editor, engine):
        headers = {**editor, "Idempotency-Key": "bundle-1", "Sourced-Reason": "Rename"}
        first = api.post("/v1/bundles", json=self.renamed(), headers=headers)
        assert first.json() == {"changed": 1, "changes": ["update source observers (name)"]}
        before = dump(engine)
        again = api.post("/v1/bundles", json=self.renamed(), headers=headers)
        assert (again.status_code, again.json()) == (200, first.json())
        assert again.headers["content-type"] == "application/json"
        assert dump(engine) == before
        other = api.post("/v1/bundles", json={**self.renamed(), "reason": "other"}, headers=headers)
        assert other.status_code == 422
        assert other.json()["detail"].startswith("Idempotency-Key: ")
        assert dump(engine) == before

    def test_openapi_states_the_bundle_reason_and_idempotency_key(self, api):
        spec = api.get("/openapi.json").json()
        operation = spec["paths"]["/v1/bundles"]["post"]
        assert {p["name"] for p in operation["parameters"]} == {
            "Sourced-Reason",
            "Idempotency-Key",
        }
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        bundle = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
        assert bundle["properties"]["reason"]["anyOf"][0] == {"type": "string", "maxLength": 2000}
        assert {"measures", "sources", "events", "figures"} <= set(bundle["properties"])
