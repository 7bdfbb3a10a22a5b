"""CSV and NDJSON for every list: same filters, exact values, every row when streamed."""

import csv
import io
import json
from decimal import Decimal

import pytest

from app.api.formats import NDJSON
from app.services.present import tables
from app.services.present.tables import EVENT_COLUMNS, FIGURE_COLUMNS, SOURCE_COLUMNS
from tests import builders


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


class TestCsvOfTheSeed:
    # Nothing in this class writes: its tests share one seeded database (tests/conftest.py).
    @pytest.fixture(scope="class")
    @classmethod
    def engine(cls, class_engine):
        return class_engine

    @pytest.fixture(scope="class")
    @classmethod
    def seeded(cls, class_seeded):
        return class_seeded

    def test_every_figure_reads_back_exactly(self, seeded_client):
        response = seeded_client.get("/v1/figures?format=csv&sort=slug")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["content-disposition"] == (
            'attachment; filename="sourced-figures.csv"'
        )
        rows = read_csv(response.text)
        assert list(rows[0]) == list(FIGURE_COLUMNS)
        items = seeded_client.get("/v1/figures?sort=slug").json()["items"]
        assert [r["slug"] for r in rows] == [i["slug"] for i in items]
        by_slug = {r["slug"]: r for r in rows}
        deserters = by_slug["deserters-since-invasion"]
        assert {k: deserters[k] for k in ("value", "lower_bound", "upper_bound", "qualifier")} == {
            "value": "50000",
            "lower_bound": "50000",
            "upper_bound": "",
            "qualifier": "at_least",
        }
        assert (deserters["claimant"], deserters["claimant_party"]) == (
            "ru-mod-leaked-reports-2024",
            "RU",
        )
        assert (deserters["relays"], deserters["relay_names"]) == (
            "rfe-rl",
            "RadioFreeEurope/RadioLiberty",
        )
        assert deserters["publisher"] == "article-50000-deserters"
        assert deserters["quote"] == (
            "According to the leaked 2024 reports from Russia’s Ministry of Defence, at least "
            "50,000 service members have deserted since the invasion began."
        )
        assert deserters["citation"] == items[1]["citation"]
        assert by_slug["share-sentenced-to-death-1941"]["value"] == "1.5"
        assert Decimal(by_slug["sentenced-to-death-1941"]["value"]) == Decimal("10201")
        assert by_slug["sentenced-to-death-1941"]["stated_as"] == "10.201"
        # Every cell equals the JSON value, Unicode quotes and all.
        for item in items:
            row = by_slug[item["slug"]]
            for column in ("stated_as", "subject", "note", "citation", "period", "unit"):
                assert row[column] == (item[column] or ""), (item["slug"], column)

    def test_events_and_sources_have_their_own_columns(self, seeded_client):
        events = read_csv(seeded_client.get("/v1/events?format=csv").text)
        assert list(events[0]) == list(EVENT_COLUMNS)
        escape = next(e for e in events if e["slug"] == "leningrad-inmates-escape")
        assert (escape["place"], escape["country"], escape["tags"]) == (
            "Leningrad region",
            "RU",
            "russia-ukraine-war; convicts",
        )
        sources = read_csv(seeded_client.get("/v1/sources?format=csv&kind=news_service").text)
        assert list(sources[0]) == list(SOURCE_COLUMNS)
        assert [(s["slug"], s["parent"]) for s in sources] == [
            ("rfe-rl", ""),
            ("kavkaz-realii", "rfe-rl"),
        ]

    def test_filters_apply_as_in_json(self, seeded_client):
        rows = read_csv(seeded_client.get("/v1/figures?format=csv&exclude_party_claims=true").text)
        # Both belligerents' claims go: Ukraine's MoD and the leaked Russian MoD reports.
        assert {"russian-killed-or-wounded-ua-mod", "deserters-since-invasion"}.isdisjoint(
            r["slug"] for r in rows
        )
        assert len(rows) == 6
        rested = read_csv(seeded_client.get("/v1/sources/rfe-rl/figures?format=csv").text)
        assert sorted(r["slug"] for r in rested) == [
            "deserters-since-invasion",
            "leningrad-convoy-driver-killed",
            "leningrad-inmates-escaped",
        ]

    def test_bom_for_excel(self, seeded_client):
        body = seeded_client.get("/v1/sources?format=csv&bom=true").content
        assert body.startswith("\ufeffslug,url,name".encode())
        plain = seeded_client.get("/v1/sources?format=csv").content
        assert plain.startswith(b"slug,url,name")


class TestNegotiation:
    # Nothing in this class writes: its tests share one seeded database (tests/conftest.py).
    @pytest.fixture(scope="class")
    @classmethod
    def engine(cls, class_engine):
        return class_engine

    @pytest.fixture(scope="class")
    @classmethod
    def seeded(cls, class_seeded):
        return class_seeded

    @pytest.mark.parametrize(
        ("accept", "expected"),
        [
            ("text/csv", "text/csv; charset=utf-8"),
            ("application/x-ndjson", "application/x-ndjson"),
            ("application/json", "application/json"),
            # A browser names text/html: it gets the reader's page (tests/web/).
            ("text/html,*/*;q=0.8", "text/html; charset=utf-8"),
            ("text/html;q=0.5, application/json", "application/json"),
            ("", "application/json"),
            # The highest q wins, wherever it stands in the header.
            ("text/csv;q=0.5, application/json", "application/json"),
            ("application/json;q=0.4, application/x-ndjson;q=0.9", "application/x-ndjson"),
            ("text/csv;q=0.1, application/json;q=0.2, application/x-ndjson;q=0.3", NDJSON),
            ("application/ndjson", "application/x-ndjson"),
            # Ties go to the type named first.
            ("text/csv, application/json", "text/csv; charset=utf-8"),
            ("application/json, text/csv", "application/json"),
            ("text/csv;q=0.7, application/x-ndjson;q=0.7", "text/csv; charset=utf-8"),
            # q=0 refuses a type, even one a wildcard would allow.
            ("text/csv;q=0, */*", "application/json"),
            ("application/json;q=0, text/*", "text/csv; charset=utf-8"),
            # A more specific range decides over a wildcard: */* here, text/csv below it.
            ("*/*;q=0.9, text/csv", "text/csv; charset=utf-8"),
            # Wildcards mean JSON; a type within one is still chosen by name.
            ("*/*", "application/json"),
            ("application/*", "application/json"),
            ("text/*", "text/csv; charset=utf-8"),
            ("application/xml, text/csv;q=0.2", "text/csv; charset=utf-8"),
            # A malformed q-value drops its range, as if it were not there.
            ("text/csv;q=high, application/json;q=0.1", "application/json"),
        ],
    )
    @pytest.mark.slow
    def test_the_accept_header_chooses(self, seeded_client, accept, expected):
        response = seeded_client.get("/v1/sources", headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"] == expected

    def test_no_accept_header_at_all_is_json(self, seeded_client):
        request = seeded_client.build_request("GET", "/v1/figures")
        del request.headers["accept"]
        response = seeded_client.send(request)
        assert (response.status_code, response.headers["content-type"]) == (
            200,
            "application/json",
        )

    @pytest.mark.parametrize(
        "accept",
        ["application/xml", "image/png, application/pdf", "*/*;q=0", "application/json;q=0"],
    )
    def test_nothing_acceptable_is_a_406_problem_listing_what_is_offered(
        self, seeded_client, accept
    ):
        response = seeded_client.get("/v1/figures", headers={"Accept": accept})
        assert response.status_code == 406
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["vary"] == "Accept, Origin"  # CORS adds Origin
        assert response.json() == {
            "type": "about:blank",
            "title": "Not acceptable",
            "status": 406,
            "detail": "Accept: none of the types offered is acceptable; ask for one of "
            "application/json, text/csv, application/x-ndjson, text/html "
            "(or use ?format=json|csv|ndjson|html)",
            "instance": "/v1/figures",
            "available": ["application/json", "text/csv", "application/x-ndjson", "text/html"],
        }

    def test_format_wins_over_an_unacceptable_accept(self, seeded_client):
        response = seeded_client.get("/v1/events?format=csv", headers={"Accept": "application/xml"})
        assert (response.status_code, response.headers["content-type"]) == (
            200,
            "text/csv; charset=utf-8",
        )

    @pytest.mark.slow
    def test_the_406_is_documented_on_every_list(self, client):
        paths = client.get("/openapi.json").json()["paths"]
        lists = ["/v1/figures", "/v1/events", "/v1/sources", "/v1/sources/{slug}/figures"]
        assert [list(paths[path]["get"]["responses"]["406"]["content"]) for path in lists] == [
            ["application/problem+json"]
        ] * 4

    def test_format_wins_over_accept(self, seeded_client):
        response = seeded_client.get("/v1/sources?format=ndjson", headers={"Accept": "text/csv"})
        assert response.headers["content-type"] == "application/x-ndjson"

    def test_an_unknown_format_is_a_422_naming_it(self, seeded_client):
        response = seeded_client.get("/v1/figures?format=xlsx")
        assert response.status_code == 422
        assert response.json()["detail"].startswith("format: ")

    @pytest.mark.slow
    def test_a_bad_sort_is_still_a_400_problem(self, seeded_client):
        response = seeded_client.get("/v1/figures?format=csv&sort=bogus")
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"


class TestStreaming:
    @pytest.fixture
    def big(self, engine, client, tmp_path, monkeypatch):
        # Small batches so that a few dozen rows already cross several of them.
        monkeypatch.setattr(tables, "BATCH", 5)
        count = tables.BATCH * 4 + 3
        builders.load(engine, tmp_path / "seed", builders.dataset(count))
        return client, count

    def test_without_limit_every_row_streams_once(self, big):
        client, count = big
        lines = client.get("/v1/figures?format=ndjson").text.splitlines()
        slugs = [json.loads(line)["slug"] for line in lines]
        assert slugs == [f"fig-{i:04d}" for i in range(count)]
        rows = read_csv(client.get("/v1/figures?format=csv&sort=-slug").text)
        assert [r["slug"] for r in rows] == [f"fig-{i:04d}" for i in reversed(range(count))]

    def test_with_limit_one_page_and_a_link(self, big):
        client, _ = big
        response = client.get("/v1/figures?format=ndjson&limit=3")
        assert [json.loads(x)["slug"] for x in response.text.splitlines()] == [
            "fig-0000",
            "fig-0001",
            "fig-0002",
        ]
        following = response.headers["link"].split(">")[0].lstrip("<")
        page2 = client.get(following)
        assert [json.loads(x)["slug"] for x in page2.text.splitlines()] == [
            "fig-0003",
            "fig-0004",
            "fig-0005",
        ]

    def test_ndjson_lines_are_the_json_items(self, big):
        client, _ = big
        lines = client.get("/v1/figures?format=ndjson&limit=5").text.splitlines()
        assert [json.loads(x) for x in lines] == client.get("/v1/figures?limit=5").json()["items"]
