"""Following changes: Atom feeds with permanent ids, entries that say what changed in words,
a feed per record and per measure, and `since` / `as_of` as plain dates."""

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import pytest
from sqlmodel import col, select

from app.db import unit_of_work
from app.models import Revision
from app.services.write import keys
from tests import builders
from tests.builders import NEW_FIGURE

A = "{http://www.w3.org/2005/Atom}"
ROOT = "http://testserver"
SEEDED_AT = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def api(engine, client, tmp_path):
    builders.load(engine, tmp_path / "seed", builders.dataset(2))
    restamp(engine, SEEDED_AT)
    return client


def restamp(engine, moment: datetime, after_id: int = 0) -> list[int]:
    """Move the revisions after ``after_id`` to ``moment``: the feeds' dates become exact."""
    with unit_of_work(engine) as session:
        rows = session.exec(select(Revision).where(col(Revision.id) > after_id)).all()
        for row in rows:
            row.at = moment
        return sorted(row.id for row in rows)


def newest_id(engine) -> int:
    with unit_of_work(engine) as session:
        return max(session.exec(select(Revision.id)).all())


def correct(api, editor, slug, patch, reason, kind="figures"):
    etag = api.get(f"/v1/{kind}/{slug}").headers["etag"]
    response = api.patch(
        f"/v1/{kind}/{slug}",
        json=patch,
        headers={**editor, "If-Match": etag, "Sourced-Reason": reason},
    )
    assert response.status_code == 200, response.text
    return response


def feed_of(api, path: str, **params) -> ET.Element:
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{A}entry")


def titles(feed: ET.Element) -> list[str]:
    return [e.findtext(f"{A}title") for e in entries(feed)]


def links(element: ET.Element) -> dict[str, str]:
    return {link.get("rel"): link.get("href") for link in element.findall(f"{A}link")}


class TestEntryIds:
    def test_every_id_is_a_tag_uri_named_after_its_revision(self, api, engine):
        feed = feed_of(api, "/v1/changes.atom")
        assert feed.findtext(f"{A}id") == "tag:sourced,2026:changes"
        ids = [e.findtext(f"{A}id") for e in entries(feed)]
        assert ids == [f"tag:sourced,2026:revision/{n}" for n in range(17, 0, -1)]

    def test_ids_do_not_depend_on_the_host_the_feed_was_read_through(self, api):
        here = feed_of(api, "/v1/changes.atom")
        there = ET.fromstring(
            api.get("/v1/changes.atom", headers={"host": "news.example:8443"}).content
        )
        assert links(there)["self"] == "http://news.example:8443/v1/changes.atom"
        assert [e.findtext(f"{A}id") for e in entries(there)] == [
            e.findtext(f"{A}id") for e in entries(here)
        ]
        assert there.findtext(f"{A}id") == here.findtext(f"{A}id")


class TestEntriesSayWhatChanged:
    def test_a_correction_names_each_field_with_its_old_and_new_value(self, api, editor):
        correct(
            api, editor, "fig-0001", {"note": "Checked", "value": 11}, "The outlet corrected it"
        )
        (entry, *_) = entries(feed_of(api, "/v1/changes.atom"))
        assert entry.findtext(f"{A}title") == "Figure fig-0001 corrected: note, value"
        content = entry.find(f"{A}content")
        assert content.get("type") == "text"
        assert content.text == (
            "Corrected by Desk editor. Why: The outlet corrected it\n"
            'note: (none) → "Checked"\n'
            'value: "10" → "11"'
        )
        assert entry.findtext(f"{A}author/{A}name") == "Desk editor"

    def test_a_moved_figure_reads_with_the_slugs_of_its_events(self, api, editor):
        correct(api, editor, "fig-0001", {"event": "flight"}, "Wrong event")
        (entry, *_) = entries(feed_of(api, "/v1/changes.atom"))
        assert entry.findtext(f"{A}title") == "Figure fig-0001 corrected: event"
        assert entry.findtext(f"{A}content").splitlines()[1:] == [
            'event: "old-war" → "flight"',
        ]

    def test_a_long_value_is_shortened_with_an_ellipsis(self, api, editor):
        unbroken, words = "x" * 500, "word " * 100
        correct(api, editor, "fig-0001", {"note": unbroken}, "Long note")
        correct(api, editor, "fig-0001", {"note": words.strip()}, "Long words")
        newer, older = entries(feed_of(api, "/v1/changes.atom"))[:2]
        assert older.findtext(f"{A}content").splitlines()[1] == (f'note: (none) → "{"x" * 199}…"')
        assert newer.findtext(f"{A}content").splitlines()[1] == (
            f'note: "{"x" * 199}…" → "{("word " * 39).strip()}…"'
        )

    def test_an_addition_says_added_and_lists_what_it_says(self, api, editor):
        assert api.post("/v1/figures", json=NEW_FIGURE, headers=editor).status_code == 201
        feed = feed_of(api, "/v1/changes.atom")
        assert titles(feed)[:3] == [
            "Figure new-figure chain: publisher doc added",
            "Figure new-figure chain: claimant observers added",
            "Figure new-figure added",
        ]
        lines = entries(feed)[2].findtext(f"{A}content").splitlines()
        assert lines[0] == "Added by Desk editor. Why: created by Desk editor"
        assert 'value: "120"' in lines
        assert 'stated_as: "about 120"' in lines
        assert 'event: "flight"' in lines
        assert not any(line.startswith(("event_id:", "id:")) for line in lines)
        assert entries(feed)[1].findtext(f"{A}content").splitlines() == [
            "Added by Desk editor. Why: created by Desk editor",
            "position: 0",
            "quote_unverified: false",
            'role: "claimant"',
            'source: "observers"',
        ]

    def test_a_retraction_gives_its_reason_in_the_title(self, api, editor):
        etag = api.get("/v1/figures/fig-0001").headers["etag"]
        retracted = api.delete(
            "/v1/figures/fig-0001",
            headers={**editor, "If-Match": etag, "Sourced-Reason": "The outlet withdrew it"},
        )
        assert retracted.status_code == 200
        (entry, *_) = entries(feed_of(api, "/v1/changes.atom"))
        assert entry.findtext(f"{A}title") == "Figure fig-0001 retracted: The outlet withdrew it"
        assert entry.findtext(f"{A}content").splitlines()[0] == (
            "Retracted by Desk editor. Why: The outlet withdrew it"
        )

    def test_a_link_removed_from_a_chain_says_removed(self, api, editor):
        chain = api.get("/v1/figures/fig-0001").json()["attributions"]
        kept = [{"source": a["source"]["slug"], "role": a["role"]} for a in chain[:2]]
        correct(api, editor, "fig-0001", {"attributions": kept}, "No such document")
        (entry, *_) = entries(feed_of(api, "/v1/changes.atom"))
        assert entry.findtext(f"{A}title") == "Figure fig-0001 chain: publisher doc removed"
        assert entry.findtext(f"{A}content") == "Removed by Desk editor. Why: No such document"

    def test_a_corrected_link_is_named_as_it_was(self, api, editor):
        chain = api.get("/v1/figures/fig-0001").json()["attributions"]
        links = [{"source": a["source"]["slug"], "role": a["role"]} for a in chain]
        links[0]["source"] = "ministry"
        links[2]["quote"] = "many fled"
        correct(api, editor, "fig-0001", {"attributions": links}, "The ministry said it first")
        (entry, *_) = entries(feed_of(api, "/v1/changes.atom"))
        assert (
            entry.findtext(f"{A}title")
            == "Figure fig-0001 chain: claimant observers corrected: source"
        )
        assert entry.findtext(f"{A}content").splitlines() == [
            "Corrected by Desk editor. Why: The ministry said it first",
            'source: "observers" → "ministry"',
        ]

    def test_a_source_text_is_not_repeated(self, api, engine):
        with unit_of_work(engine) as session:
            admin = {"Authorization": f"Bearer {keys.create(session, 'Chief', 'admin').secret}"}
        correct(api, admin, "doc", {"full_text": "A new text: many fled."}, "Re-read", "sources")
        (entry, *_) = entries(feed_of(api, "/v1/changes.atom"))
        assert entry.findtext(f"{A}title").startswith("Source doc corrected: ")
        assert "full_text: (the stored text changed; not repeated here)" in (
            entry.findtext(f"{A}content").splitlines()
        )


class TestFeedPerRecord:
    @pytest.mark.parametrize(
        ("path", "alternate", "feed_id", "title", "newest"),
        [
            (
                "/v1/figures/fig-0001/history.atom",
                "/v1/figures/fig-0001",
                "tag:sourced,2026:figures/fig-0001/history",
                "Sourced: figure fig-0001",
                "Figure fig-0001 corrected: note",
            ),
            (
                "/v1/events/old-war/history.atom",
                "/v1/events/old-war",
                "tag:sourced,2026:events/old-war/history",
                "Sourced: event old-war",
                "Event old-war added",
            ),
            (
                "/v1/sources/observers/history.atom",
                "/v1/sources/observers",
                "tag:sourced,2026:sources/observers/history",
                "Sourced: source observers",
                "Source observers added",
            ),
            (
                "/v1/measures/deserters/changes.atom",
                "/v1/measures/deserters",
                "tag:sourced,2026:measures/deserters/changes",
                "Sourced: figures of measure deserters",
                "Figure fig-0001 corrected: note",
            ),
        ],
    )
    def test_the_feed_of_one_record(self, api, editor, path, alternate, feed_id, title, newest):
        correct(api, editor, "fig-0001", {"note": "Checked"}, "Checked")
        feed = feed_of(api, path)
        assert feed.findtext(f"{A}id") == feed_id
        assert feed.findtext(f"{A}title") == title
        assert links(feed) == {"self": f"{ROOT}{path}", "alternate": f"{ROOT}{alternate}"}
        assert titles(feed)[0] == newest

    def test_a_figures_feed_holds_its_own_revisions_and_its_chains_newest_first(self, api, editor):
        correct(api, editor, "fig-0001", {"value": 11}, "Recount")
        correct(api, editor, "fig-0000", {"value": 1}, "Recount")
        assert titles(feed_of(api, "/v1/figures/fig-0001/history.atom")) == [
            "Figure fig-0001 corrected: value",
            "Figure fig-0001 chain: publisher doc added",
            "Figure fig-0001 chain: relay desk added",
            "Figure fig-0001 chain: claimant observers added",
            "Figure fig-0001 added",
        ]

    def test_a_measures_feed_holds_the_changes_to_its_figures_only(self, api, editor):
        correct(api, editor, "fig-0000", {"value": 1}, "Recount")
        feed = feed_of(api, "/v1/measures/people_killed/changes.atom")
        assert titles(feed) == [
            "Figure fig-0000 corrected: value",
            "Figure fig-0000 chain: publisher doc added",
            "Figure fig-0000 chain: relay desk added",
            "Figure fig-0000 chain: claimant ministry added",
            "Figure fig-0000 added",
        ]

    @pytest.mark.parametrize(
        ("path", "detail"),
        [
            ("/v1/figures/nope/history.atom", "slug: no figure 'nope'"),
            ("/v1/events/nope/history.atom", "slug: no event 'nope'"),
            ("/v1/sources/nope/history.atom", "slug: no source 'nope'"),
            ("/v1/measures/nope/changes.atom", "measure: no measure 'nope'"),
        ],
    )
    @pytest.mark.slow
    def test_an_unknown_record_is_a_404_problem(self, api, path, detail):
        response = api.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == detail

    @pytest.mark.parametrize(
        "path",
        [
            "/v1/figures/fig-0001/history.atom",
            "/v1/measures/deserters/changes.atom",
            "/v1/changes.atom",
        ],
    )
    def test_since_keeps_only_later_changes(self, api, editor, engine, path):
        seeded = newest_id(engine)
        correct(api, editor, "fig-0001", {"value": 11}, "Recount")
        restamp(engine, datetime(2026, 12, 1, 8, 0, tzinfo=UTC), after_id=seeded)
        later = feed_of(api, path, since="2026-12-01T07:59:59Z")
        assert titles(later) == ["Figure fig-0001 corrected: value"]
        assert titles(feed_of(api, path, since="2026-12-01T08:00:00Z")) == []


def day_boundaries(api, editor, engine) -> None:
    """Three corrections of fig-0001's value: 11 just before 1 December (UTC), 12 at its
    first instant, 13 at its last, and 14 at the first instant of 2 December."""
    moments = [
        datetime(2026, 11, 30, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 12, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 12, 2, 0, 0, tzinfo=UTC),
    ]
    for value, moment in zip((11, 12, 13, 14), moments, strict=True):
        before = newest_id(engine)
        correct(api, editor, "fig-0001", {"value": value}, f"Now {value}")
        restamp(engine, moment, after_id=before)


class TestPlainDates:
    @pytest.mark.parametrize(
        ("since", "values"),
        [
            ("2026-11-30", [11, 12, 13, 14]),
            ("2026-12-01", [12, 13, 14]),
            ("2026-12-02", [14]),
            ("2026-12-03", []),
        ],
    )
    @pytest.mark.slow
    def test_since_a_date_means_from_the_start_of_that_day_utc(
        self, api, editor, engine, since, values
    ):
        day_boundaries(api, editor, engine)
        items = api.get("/v1/changes", params={"since": since}).json()["items"]
        assert [r["changes"]["value"]["new"] for r in items] == values
        expected = ["Figure fig-0001 corrected: value"] * len(values)
        assert titles(feed_of(api, "/v1/changes.atom", since=since)) == expected
        history = feed_of(api, "/v1/figures/fig-0001/history.atom", since=since)
        assert titles(history) == expected

    @pytest.mark.parametrize(
        ("as_of", "value"),
        [
            ("2026-11-29", 10),
            ("2026-11-30", 11),
            ("2026-12-01", 13),
            ("2026-12-02", 14),
            ("2026-12-01T00:00:00Z", 12),
        ],
    )
    @pytest.mark.slow
    def test_as_of_a_date_means_at_the_end_of_that_day_utc(self, api, editor, engine, as_of, value):
        day_boundaries(api, editor, engine)
        figure = api.get("/v1/figures/fig-0001", params={"as_of": as_of})
        assert figure.status_code == 200, figure.text
        assert figure.json()["value"] == value
        listed = api.get("/v1/figures", params={"as_of": as_of}).json()["items"]
        assert [(f["slug"], f["value"]) for f in listed] == [("fig-0000", 0), ("fig-0001", value)]
        event = api.get("/v1/events/old-war", params={"as_of": as_of}).json()
        assert [(f["slug"], f["value"]) for f in event["figures"]] == [("fig-0001", value)]

    def test_as_of_a_day_before_anything_existed_is_a_404(self, api):
        for path in ("/v1/figures/fig-0001", "/v1/events/old-war", "/v1/sources/doc"):
            response = api.get(path, params={"as_of": "2026-10-31"})
            assert response.status_code == 404, path
            assert response.json()["detail"].startswith("as_of: ")
        for path in ("/v1/figures", "/v1/events", "/v1/sources"):
            assert api.get(path, params={"as_of": "2026-10-31"}).json()["items"] == []
            listed = api.get(path, params={"as_of": "2026-11-01"}).json()["items"]
            assert listed != [], path

    @pytest.mark.parametrize(
        ("path", "name", "value"),
        [
            ("/v1/changes", "since", "2026-02-30"),
            ("/v1/changes.atom", "since", "2026-13-01"),
            ("/v1/figures/fig-0001/history.atom", "since", "2026-1-01"),
            ("/v1/measures/deserters/changes.atom", "since", "0001-01-01"),
            ("/v1/events", "as_of", "9999-12-31"),
            ("/v1/figures/fig-0001", "as_of", "2026-02-30"),
            ("/v1/figures", "as_of", "2026-00-10"),
            ("/v1/sources/doc", "as_of", "2026-12-01T00:00:00"),
        ],
    )
    @pytest.mark.slow
    def test_a_date_that_is_not_a_day_is_a_422_naming_the_parameter(self, api, path, name, value):
        response = api.get(path, params={name: value})
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"].startswith(f"{name}: ")

    @pytest.mark.slow
    def test_the_parameters_say_what_a_plain_date_means(self, api):
        spec = api.get("/openapi.json").json()
        described = {}
        for methods in spec["paths"].values():
            for param in methods.get("get", {}).get("parameters", []):
                if param["name"] in ("since", "as_of"):
                    described.setdefault(param["name"], set()).add(param["description"])
        assert {name: len(texts) for name, texts in described.items()} == {
            "since": 1,
            "as_of": 1,
        }
        (since,) = described["since"]
        (as_of,) = described["as_of"]
        assert "`2026-12-01`" in since
        assert "start of that day (UTC)" in since
        assert "`2026-12-01`" in as_of
        assert "end of that day (UTC)" in as_of


FEEDS = [
    "/v1/changes.atom",
    "/v1/figures/fig-0001/history.atom",
    "/v1/events/flight/history.atom",
    "/v1/sources/desk/history.atom",
    "/v1/measures/deserters/changes.atom",
]


class TestFeedStructure:
    @pytest.mark.parametrize("path", FEEDS)
    @pytest.mark.slow
    def test_every_link_resolves_and_every_id_is_unique_and_permanent(
        self, api, editor, engine, path
    ):
        assert api.post("/v1/figures", json=NEW_FIGURE, headers=editor).status_code == 201
        correct(api, editor, "fig-0001", {"note": "Checked"}, "Checked")
        etag = api.get("/v1/figures/new-figure").headers["etag"]
        retracted = api.delete(
            "/v1/figures/new-figure",
            headers={**editor, "If-Match": etag, "Sourced-Reason": "Withdrawn"},
        )
        assert retracted.status_code == 200
        feed = feed_of(api, path)
        assert feed.tag == f"{A}feed"
        assert set(links(feed)) == {"self", "alternate"}
        ids = [feed.findtext(f"{A}id")]
        hrefs = list(links(feed).values())
        assert entries(feed) != []
        for entry in entries(feed):
            ids.append(entry.findtext(f"{A}id"))
            assert entry.findtext(f"{A}title")
            assert entry.findtext(f"{A}updated")
            assert entry.findtext(f"{A}author/{A}name")
            assert entry.find(f"{A}content").get("type") == "text"
            hrefs += [link.get("href") for link in entry.findall(f"{A}link")]
        assert len(set(ids)) == len(ids)
        for entry_id in ids:
            assert entry_id.startswith("tag:") or (
                api.get(entry_id.removeprefix(ROOT)).status_code == 200
            ), entry_id
        for href in hrefs:
            assert href.startswith(f"{ROOT}/v1/"), href
            assert api.get(href.removeprefix(ROOT)).status_code == 200, href
