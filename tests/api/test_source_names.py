"""Sources go by a short name and aliases: filters and search accept every name, the JSON and
the exports carry them, and a name that matches nothing is a 400, never an empty list."""

import csv
import io
from datetime import UTC, datetime

import pytest

from tests import builders


@pytest.fixture
def api(engine, client, tmp_path):
    data = builders.dataset(4)
    observers = data["sources"][2]
    observers["short_name"] = "OBS"
    observers["aliases"] = ["Watchers", "Observer Group"]
    builders.load(engine, tmp_path / "seed", data)
    return client


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["slug"] for item in response.json()["items"]]


def problem(response) -> tuple[int, str, str]:
    return (response.status_code, response.headers["content-type"], response.json()["detail"])


class TestFiltersAcceptEveryName:
    @pytest.mark.parametrize("name", ["observers", "OBS", "obs", "Watchers", "observer group"])
    @pytest.mark.slow
    def test_a_claimant_by_slug_short_name_or_alias_in_any_case(self, api, name):
        assert slugs(api.get("/v1/figures", params={"claimant": name})) == [
            "fig-0001",
            "fig-0003",
        ]

    def test_a_source_by_its_alias_on_figures_and_events(self, api):
        assert slugs(api.get("/v1/figures?source=WATCHERS")) == ["fig-0001", "fig-0003"]
        assert slugs(api.get("/v1/events?source=watchers")) == ["old-war"]

    def test_the_seeded_short_name_of_rfe_rl(self, seeded_client):
        assert slugs(seeded_client.get("/v1/figures?claimant=rfe/rl")) == [
            "leningrad-inmates-escaped",
            "leningrad-convoy-driver-killed",
        ]
        assert slugs(seeded_client.get("/v1/figures?source=RFE/RL&claimant=ru-mod")) == [
            "deserters-since-invasion"
        ]

    @pytest.mark.slow
    def test_a_slug_is_matched_exactly(self, api):
        # Slugs are lower-case by rule: `Observers` is not a slug, and no source is called so.
        response = api.get("/v1/figures?source=Observers")
        assert problem(response) == (
            400,
            "application/problem+json",
            "source: unknown value 'Observers'; no source has that slug, short name or alias",
        )


class TestUnknownNamesAreA400:
    @pytest.mark.parametrize(
        ("query", "detail"),
        [
            (
                "claimant=ru-mdo",
                "claimant: unknown value 'ru-mdo'; no source has that slug, short name or alias",
            ),
            (
                "source=nobody",
                "source: unknown value 'nobody'; no source has that slug, short name or alias",
            ),
            (
                "source=ministry&source=nobody",
                "source: unknown value 'nobody'; no source has that slug, short name or alias",
            ),
            ("event=flihgt", "event: unknown value 'flihgt'; no event has that slug"),
        ],
    )
    def test_on_the_figures_list_live_and_as_of(self, api, query, detail):
        assert problem(api.get(f"/v1/figures?{query}")) == (400, "application/problem+json", detail)
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        response = api.get(f"/v1/figures?{query}&as_of={now}")
        assert problem(response) == (400, "application/problem+json", detail)

    def test_in_every_format(self, api):
        for fmt in ("csv", "ndjson"):
            response = api.get(f"/v1/figures?format={fmt}&claimant=nobody")
            assert response.status_code == 400

    def test_on_the_events_list_live_and_as_of(self, api):
        detail = "source: unknown value 'nobody'; no source has that slug, short name or alias"
        assert problem(api.get("/v1/events?source=nobody")) == (
            400,
            "application/problem+json",
            detail,
        )
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        response = api.get(f"/v1/events?source=nobody&as_of={now}")
        assert problem(response) == (400, "application/problem+json", detail)


class TestTheNamesInTheRecords:
    def test_a_source_shows_its_short_name_and_aliases(self, api):
        body = api.get("/v1/sources/observers").json()
        assert (body["short_name"], body["aliases"]) == ("OBS", ["Watchers", "Observer Group"])
        ministry = api.get("/v1/sources/ministry").json()
        assert (ministry["short_name"], ministry["aliases"]) == (None, [])

    def test_a_chain_names_the_short_name_and_the_citation_uses_it(self, api):
        body = api.get("/v1/figures/fig-0001").json()
        claimant = body["attributions"][0]["source"]
        assert (claimant["short_name"], claimant["aliases"]) == (
            "OBS",
            ["Watchers", "Observer Group"],
        )
        assert body["citation"].startswith("10 soldiers, according to OBS cited by ")

    def test_the_sources_csv_ends_with_both(self, api):
        rows = list(csv.reader(io.StringIO(api.get("/v1/sources?format=csv").text)))
        assert rows[0][-2:] == ["short_name", "aliases"]
        observers = next(row for row in rows if row[0] == "observers")
        assert observers[-2:] == ["OBS", "Watchers; Observer Group"]

    def test_search_finds_a_source_by_any_of_its_names(self, api):
        for q in ("watchers", "OBS"):
            items = api.get("/v1/search", params={"q": q, "type": "source"}).json()["items"]
            assert [(item["type"], item["slug"]) for item in items] == [("source", "observers")]

    def test_a_correction_keeps_the_names_and_can_change_them(self, api, editor):
        etag = api.get("/v1/sources/observers").headers["etag"]
        response = api.patch(
            "/v1/sources/observers",
            json={"note": "Counted by hand", "reason": "Add a note"},
            headers={**editor, "If-Match": etag},
        )
        assert response.status_code == 200, response.text
        body = api.get("/v1/sources/observers").json()
        assert (body["short_name"], body["aliases"], body["note"]) == (
            "OBS",
            ["Watchers", "Observer Group"],
            "Counted by hand",
        )
        response = api.patch(
            "/v1/sources/observers",
            json={"short_name": None, "aliases": ["Monitors"], "reason": "Renamed"},
            headers={**editor, "If-Match": response.headers["etag"]},
        )
        assert response.status_code == 200, response.text
        assert slugs(api.get("/v1/figures?claimant=monitors")) == ["fig-0001", "fig-0003"]
        assert problem(api.get("/v1/figures?claimant=watchers"))[0] == 400
        citation = api.get("/v1/figures/fig-0001/citation").text
        assert citation.startswith("10 soldiers, according to Observers cited by ")

    @pytest.mark.parametrize(
        ("field", "value", "detail"),
        [
            ("short_name", "", "short_name: "),
            ("aliases", [""], "aliases.0: "),
            ("aliases", "Watchers", "aliases: "),
        ],
    )
    def test_bad_names_are_a_422(self, api, editor, field, value, detail):
        etag = api.get("/v1/sources/observers").headers["etag"]
        response = api.patch(
            "/v1/sources/observers",
            json={field: value, "reason": "x"},
            headers={**editor, "If-Match": etag},
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"].startswith(detail)
