"""`sourced export` and `sourced import`: the API's tables on disk, a valid Data Package, and
a CSV of figures loaded back through the seeding checks, all or nothing."""

import csv
import io
from pathlib import Path

import frictionless
import pytest
from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import cli
from app.models import Figure, Revision

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
    assert result.output.splitlines() == [
        "import refused: 2 problem(s), nothing written",
        "  line 3: value: not a number: '1,5'",
        "  line 6: slug: must not be empty",
    ]
    assert counts(seeded) == before
    # With the row-level problems fixed, the cross-record checks name their lines too.
    path.write_text("\r\n".join(BAD.split("\r\n")[:5]) + "\r\n", encoding="utf-8")
    path.write_text(path.read_text().replace('"1,5"', "1.5"), encoding="utf-8")
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "import refused: 2 problem(s), nothing written"
    assert lines[1].startswith("  line 4: event: ")
    assert lines[2].startswith("  line 5: attributions[1].quote: not found verbatim")
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
