"""`sourced export` and `sourced import`: the API's tables on disk, a valid Data Package, and
a CSV of figures loaded back through the seeding checks, all or nothing."""

import csv
import io
import json
from pathlib import Path

import frictionless
import pytest
import yaml
from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import cli
from app.db import unit_of_work
from app.models import Figure, Revision
from app.services.derived import exporting
from app.services.write import importing, ingest
from tests.conftest import empty_tables

runner = CliRunner()


@pytest.fixture
def sourced(seeded, database_url, monkeypatch):
    monkeypatch.setenv("SOURCED_DATABASE_URL", database_url)

    def run(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return run


def counts(engine) -> tuple[int, int]:
    with Session(engine) as session:
        return (
            session.exec(select(func.count()).select_from(Figure)).one(),
            session.exec(select(func.count()).select_from(Revision)).one(),
        )


def test_the_export_is_what_the_api_serves(sourced, seeded_client, tmp_path):
    result = sourced(
        "export", "--format", "csv", "--out", str(tmp_path), "--base-url", "http://testserver/"
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "sources: 10 row(s)",
        "events: 12 row(s)",
        "figures: 8 row(s)",
        f"wrote csv to {tmp_path}",
    ]
    for table in ("sources", "events", "figures"):
        served = seeded_client.get(f"/v1/{table}?format=csv").content
        assert (tmp_path / f"{table}.csv").read_bytes() == served, table


def test_ndjson_export_has_one_line_per_record(sourced, tmp_path):
    assert sourced("export", "--format", "ndjson", "--out", str(tmp_path)).exit_code == 0
    assert len((tmp_path / "figures.ndjson").read_text().splitlines()) == 8


def test_the_data_package_validates_with_zero_errors(sourced, tmp_path):
    assert sourced("export", "--format", "datapackage", "--out", str(tmp_path)).exit_code == 0
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.stats["errors"] == 0, report.flatten(["rowNumber", "fieldName", "message"])
    assert report.valid


def test_the_validator_catches_a_dangling_claimant(sourced, tmp_path):
    # The check above could not pass by accident: a broken foreign key fails it.
    sourced("export", "--format", "datapackage", "--out", str(tmp_path))
    figures = tmp_path / "figures.csv"
    figures.write_bytes(figures.read_bytes().replace(b",ua-mod,", b",nobody,"))
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert [e.type for e in report.tasks[2].errors] == ["foreign-key"]


def test_an_export_imports_back_with_no_change(sourced, seeded, tmp_path):
    sourced("export", "--format", "csv", "--out", str(tmp_path))
    before = counts(seeded)
    result = sourced("import", str(tmp_path / "figures.csv"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["changed 0 record(s)"]
    assert counts(seeded) == before


def test_an_edited_row_is_an_update_with_the_reason(sourced, seeded, tmp_path):
    sourced("export", "--format", "csv", "--out", str(tmp_path))
    path = tmp_path / "figures.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    target = next(r for r in rows if r["slug"] == "leningrad-inmates-escaped")
    target["note"] = "Checked against the RFE/RL report."
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    result = sourced("import", str(path), "--reason", "Editor checked the note")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "update figure leningrad-inmates-escaped (note)",
        "changed 1 record(s)",
    ]
    with Session(seeded) as session:
        latest = session.exec(select(Revision).order_by(Revision.id.desc())).first()
    assert (latest.actor, latest.reason) == ("import figures.csv", "Editor checked the note")


BAD = (
    "slug,event,measure,value,qualifier,stated_as,unit,claimant,publisher,quote\r\n"
    "good-one,russian-desertions,deserters,10,exact,ten,persons,rfe-rl,,\r\n"
    'bad-number,russian-desertions,deserters,"1,5",exact,x,persons,rfe-rl,,\r\n'
    "no-event,nowhere,deserters,3,exact,three,persons,rfe-rl,,\r\n"
    "bad-quote,russian-desertions,deserters,4,exact,four,persons,rfe-rl,"
    "article-50000-deserters,Words the article never printed\r\n"
    ",russian-desertions,deserters,5,exact,five,persons,rfe-rl,,\r\n"
)


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(sourced, seeded, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    before = counts(seeded)
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 1
    # Cell problems and cross-record problems come together, in the order of the lines.
    assert result.output.splitlines() == [
        "import refused: 4 problem(s), nothing written",
        "  line 3: value: not a number: '1,5'",
        "  line 4: event: unknown event 'nowhere'",
        "  line 5: attributions[1].quote: not found verbatim in the stored text of source "
        "'article-50000-deserters'; no passage of the text resembles it",
        "  line 6: slug: must not be empty",
    ]
    assert counts(seeded) == before


def test_a_missing_column_is_named(sourced, tmp_path):
    path = tmp_path / "thin.csv"
    path.write_text("slug,event\r\nx,y\r\n", encoding="utf-8")
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 1
    assert "  line 1: measure: column missing" in result.output.splitlines()


def test_an_unreadable_file_is_a_clear_error(sourced, tmp_path):
    result = runner.invoke(cli, ["import", str(Path(tmp_path) / "missing.csv")])
    assert result.exit_code == 1
    assert result.output.splitlines()[1].startswith("  line 0: file: cannot be read")


# --- the round trip: an export imports back without losing any part of a chain -------------

ROUND_TRIP_TEXT = "They said at least 50,000 fled. Anna Analyst: “fifty thousand, at least.”"
ROUND_TRIP = {
    "document": "doc",
    "measures": [{"slug": "deserters", "label": "Deserters", "unit": "persons"}],
    "sources": [
        {"slug": "doc", "name": "A document", "kind": "document", "text_file": "doc.txt"},
        {"slug": "ministry", "name": "A ministry", "kind": "government_body"},
        {"slug": "anna", "name": "Anna Analyst", "kind": "person"},
        {"slug": "agency", "name": "An agency", "kind": "news_service"},
    ],
    "events": [{"slug": "flight", "title": "Flight", "type": "desertion", "date": "/2024"}],
}
FULL_CHAIN = [
    {"source": "ministry", "role": "claimant", "locator": "report 7"},
    {
        "source": "anna",
        "role": "quoted",
        "quote": "“fifty thousand, at least.”",
        "accessed": "2024-05-01",
    },
    {"source": "agency", "role": "relay"},
    {
        "source": "doc",
        "role": "publisher",
        "quote": "Words the stored text does not hold",
        "quote_unverified": True,
        "locator": "p. 3",
        "accessed": "2024-06-02",
    },
]
FIGURE = {
    "slug": "fled",
    "event": "flight",
    "measure": "deserters",
    "value": 50000,
    "lower_bound": 50000,
    "qualifier": "at_least",
    "stated_as": "at least 50,000",
    "unit": "persons",
    "period": "/2024",
    "attributions": FULL_CHAIN,
}


def load_seed(engine, folder: Path, data: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "doc.txt").write_text(ROUND_TRIP_TEXT, encoding="utf-8")
    (folder / "data.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    ingest.run(engine, [folder])


def export_figures(engine, out: Path) -> bytes:
    with Session(engine) as session:
        exporting.export(session, out, "csv", base_url="http://testserver/", licence="CC-BY-4.0")
    return (out / "figures.csv").read_bytes()


def import_figures(engine, path: Path) -> list:
    with unit_of_work(engine) as session:
        return importing.run(session, path, actor="import", reason="round trip")


def without_updated_at(data: bytes) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    return [{k: v for k, v in row.items() if k != "updated_at"} for row in rows]


def chain_of(client, slug: str) -> list[dict]:
    return [
        {
            k: link[k]
            for k in ("position", "role", "quote", "quote_unverified", "locator", "accessed")
        }
        | {"source": link["source"]["slug"]}
        for link in client.get(f"/v1/figures/{slug}").json()["attributions"]
    ]


class TestTheRoundTrip:
    def test_a_full_chain_survives_export_and_import_into_a_fresh_database(
        self, engine, client, tmp_path
    ):
        load_seed(engine, tmp_path / "a", {**ROUND_TRIP, "figures": [FIGURE]})
        before_chain = chain_of(client, "fled")
        exported = export_figures(engine, tmp_path / "out-a")
        row = without_updated_at(exported)[0]
        assert json.loads(row["chain"]) == [
            {
                "source": "ministry",
                "role": "claimant",
                "quote": None,
                "quote_unverified": False,
                "locator": "report 7",
                "accessed": None,
            },
            {
                "source": "anna",
                "role": "quoted",
                "quote": "“fifty thousand, at least.”",
                "quote_unverified": False,
                "locator": None,
                "accessed": "2024-05-01",
            },
            {
                "source": "agency",
                "role": "relay",
                "quote": None,
                "quote_unverified": False,
                "locator": None,
                "accessed": None,
            },
            {
                "source": "doc",
                "role": "publisher",
                "quote": "Words the stored text does not hold",
                "quote_unverified": True,
                "locator": "p. 3",
                "accessed": "2024-06-02",
            },
        ]
        assert (row["relays"], row["quote"], row["quote_unverified"]) == (
            "anna; agency",
            "Words the stored text does not hold",
            "true",
        )

        # A fresh database with the same sources and event, and no figure yet.
        empty_tables(engine)
        load_seed(engine, tmp_path / "b", ROUND_TRIP)
        changes = import_figures(engine, tmp_path / "out-a" / "figures.csv")
        assert [str(c) for c in changes] == [
            "create figure fled",
            *(f"create attribution fled#{i}" for i in range(4)),
        ]

        assert chain_of(client, "fled") == before_chain
        again = export_figures(engine, tmp_path / "out-b")
        # Only the time of the change differs: the import made the record anew.
        assert without_updated_at(again) == without_updated_at(exported)
        # Loading its own export back changes nothing, and the export stays byte-identical.
        assert import_figures(engine, tmp_path / "out-b" / "figures.csv") == []
        assert export_figures(engine, tmp_path / "out-c") == again

    def test_the_seeds_export_carries_every_quote_of_every_chain(self, sourced, tmp_path):
        sourced("export", "--format", "csv", "--out", str(tmp_path))
        rows = list(csv.DictReader(io.StringIO((tmp_path / "figures.csv").read_text("utf-8"))))
        chains = {r["slug"]: json.loads(r["chain"]) for r in rows}
        assert [link["source"] for link in chains["deserters-since-invasion"]] == [
            "ru-mod-leaked-reports-2024",
            "rfe-rl",
            "article-50000-deserters",
        ]
        assert {r["quote_unverified"] for r in rows} == {"false"}

    def test_a_readable_column_edited_without_the_chain_is_refused_not_dropped(
        self, engine, client, tmp_path
    ):
        load_seed(engine, tmp_path / "a", {**ROUND_TRIP, "figures": [FIGURE]})
        path = tmp_path / "out" / "figures.csv"
        text = export_figures(engine, tmp_path / "out").decode("utf-8")
        path.write_text(text.replace(",ministry,", ",agency,", 1), encoding="utf-8")
        with pytest.raises(importing.CsvImportError) as caught:
            import_figures(engine, path)
        assert [str(p) for p in caught.value.problems] == [
            "line 2: claimant: differs from the chain column, which says 'ministry': edit "
            "both, or empty the chain cell to build the chain from the readable columns"
        ]

    def test_without_the_chain_column_quote_unverified_still_comes_through(
        self, engine, client, tmp_path
    ):
        load_seed(engine, tmp_path / "a", ROUND_TRIP)
        path = tmp_path / "thin.csv"
        path.write_text(
            "slug,event,measure,value,qualifier,stated_as,unit,claimant,publisher,quote,"
            "quote_unverified\r\n"
            "thin,flight,deserters,7,exact,seven,persons,ministry,doc,Not in the text,true\r\n",
            encoding="utf-8",
        )
        import_figures(engine, path)
        assert chain_of(client, "thin") == [
            {
                "position": 0,
                "role": "claimant",
                "quote": None,
                "quote_unverified": False,
                "locator": None,
                "accessed": None,
                "source": "ministry",
            },
            {
                "position": 1,
                "role": "publisher",
                "quote": "Not in the text",
                "quote_unverified": True,
                "locator": None,
                "accessed": None,
                "source": "doc",
            },
        ]
