"""The data package stays valid after retractions: retracted records stay in it, with status."""

import csv
import io
import json
from pathlib import Path

import frictionless
import pytest
from sqlmodel import Session

from app.db import unit_of_work
from app.services.derived import exporting
from app.services.write import keys

RETRACTED = {
    "events": ("russian-personnel-killed-or-wounded", "The toll was misattributed"),
    "sources": ("ua-mod", "Not the ministry's own statement"),
}


@pytest.fixture
def retracted(seeded, client):
    """The seed with an event and a source retracted; the figure naming both stays published."""
    with unit_of_work(seeded) as session:
        admin = {"Authorization": f"Bearer {keys.create(session, 'Chief', 'admin').secret}"}
    for table, (slug, reason) in RETRACTED.items():
        etag = client.get(f"/v1/{table}/{slug}").headers["etag"]
        response = client.delete(
            f"/v1/{table}/{slug}",
            headers={**admin, "If-Match": etag, "Sourced-Reason": reason},
        )
        assert (response.status_code, response.json()["status"]) == (200, "retracted")
    figure = client.get("/v1/figures/russian-killed-or-wounded-ua-mod").json()
    assert figure["status"] == "published"
    return client


def rows(path: Path) -> dict[str, dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    return {row["slug"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}


def validate(descriptor: Path) -> frictionless.Report:
    report = frictionless.validate(str(descriptor))
    assert report.stats["errors"] == 0, report.flatten(["rowNumber", "fieldName", "message"])
    return report


def assert_retractions_are_visible(folder: Path) -> None:
    for table, (slug, reason) in RETRACTED.items():
        row = rows(folder / f"{table}.csv")[slug]
        assert (row["status"], row["status_reason"]) == ("retracted", reason)
    figure = rows(folder / "figures.csv")["russian-killed-or-wounded-ua-mod"]
    assert (figure["event"], figure["claimant"], figure["status"]) == (
        "russian-personnel-killed-or-wounded",
        "ua-mod",
        "published",
    )


class TestTheLivePackage:
    def test_it_validates_after_retracting_an_event_and_a_source(self, retracted, tmp_path):
        descriptor = retracted.get("/v1/datapackage.json").json()
        # The package's own URLs, fetched from the app and validated as files.
        for resource in descriptor["resources"]:
            url = resource["path"]
            assert url == (
                f"http://testserver/v1/{resource['name']}?format=csv&include_retracted=true"
            )
            response = retracted.get(url.removeprefix("http://testserver"))
            assert response.status_code == 200
            (tmp_path / f"{resource['name']}.csv").write_bytes(response.content)
            resource["path"] = f"{resource['name']}.csv"
        (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")

        assert validate(tmp_path / "datapackage.json").valid
        assert_retractions_are_visible(tmp_path)

    def test_the_plain_lists_still_leave_retracted_records_out(self, retracted):
        events = retracted.get("/v1/events?format=csv").text
        sources = retracted.get("/v1/sources?format=csv").text
        assert "\r\nrussian-personnel-killed-or-wounded," not in events
        assert "\r\nua-mod," not in sources


class TestTheExportedPackage:
    def test_it_validates_after_retracting_an_event_and_a_source(self, retracted, seeded, tmp_path):
        with Session(seeded) as session:
            counts = exporting.export(
                session, tmp_path, "datapackage", base_url="http://testserver/", licence="CC-BY-4.0"
            )
        assert counts == {"sources": 10, "events": 12, "figures": 8}
        assert validate(tmp_path / "datapackage.json").valid
        assert_retractions_are_visible(tmp_path)

    def test_a_csv_export_is_still_what_the_lists_serve(self, retracted, seeded, tmp_path):
        with Session(seeded) as session:
            counts = exporting.export(
                session, tmp_path, "csv", base_url="http://testserver/", licence="CC-BY-4.0"
            )
        assert counts == {"sources": 9, "events": 11, "figures": 8}
