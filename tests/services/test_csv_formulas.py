"""No CSV the API writes makes a spreadsheet run a formula: a text cell that starts with
= + - @ tab or CR (or ') gets a ' in front (OWASP, "CSV Injection"), numbers are left as they
are, and `sourced import` removes the ' again (app/services/present/tables.py, escape_text)."""

import csv
import io
import json
from datetime import UTC
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import Session, select

from app import migrate
from app.db import unit_of_work
from app.models import Figure, FigureDoc
from app.models.vocab import Status
from app.services.derived import exporting, figure_docs
from app.services.present import tables
from app.services.present.tables import escape_text, unescape_text
from app.services.write import importing
from tests import builders
from tests.conftest import empty_tables

HYPERLINK = '=HYPERLINK("http://example.com","x")'
MIGRATION = "8d9a82e8d18d"


class TestTheEscape:
    @pytest.mark.parametrize(
        ("given_text", "written"),
        [
            ("=1+1", "'=1+1"),
            ("+44 20 7946 0000", "'+44 20 7946 0000"),
            ("-5 soldiers", "'-5 soldiers"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\t=1", "'\t=1"),
            ("\r\n=1", "'\r\n=1"),
            ("'=1+1", "''=1+1"),
            ("'Tis", "''Tis"),
            ("'", "''"),
            ("", ""),
            ("plain", "plain"),
            ("a=b", "a=b"),
            (" =1", " =1"),
            ("\n=1", "\n=1"),
        ],
    )
    def test_a_text_is_written_so_and_read_back_whole(self, given_text, written):
        assert escape_text(given_text) == written
        assert unescape_text(written) == given_text

    @given(st.text())
    @pytest.mark.slow
    def test_reading_back_gives_any_text_exactly(self, value):
        assert unescape_text(escape_text(value)) == value

    @given(st.text())
    def test_no_written_cell_starts_like_a_formula(self, value):
        assert not escape_text(value).startswith(("=", "+", "-", "@", "\t", "\r"))


# Any value a row's cell may hold, in every column (text and not): what ``tables._cells``
# writes out by hand must be what ``escape_text(cell(value))`` and ``cell(value)`` write.
_CELL_VALUES = st.one_of(
    st.none(),
    st.text(),
    st.sampled_from(list(Status)),
    st.booleans(),
    st.integers(),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.dates(),
    st.datetimes(timezones=st.just(UTC)),
    st.lists(st.one_of(st.none(), st.text(max_size=5)), max_size=3),
)


@given(st.fixed_dictionaries(dict.fromkeys(tables.FIGURE_COLUMNS, _CELL_VALUES)))
def test_a_rows_cells_are_each_cell_escaped(flat):
    assert tables._cells(tables.FIGURE_COLUMNS, flat) == [
        tables.cell(flat[c]) if c in tables.NOT_TEXT else escape_text(tables.cell(flat[c]))
        for c in tables.FIGURE_COLUMNS
    ]


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "source": st.fixed_dictionaries({"slug": st.text()}),
                "role": st.text(),
                "quote": st.none() | st.text(),
                "quote_unverified": st.booleans(),
                "locator": st.none() | st.text(),
                "accessed": st.none() | st.dates(),
            }
        ),
        max_size=4,
    )
)
def test_the_chain_cell_is_the_json_modules_compact_json(links):
    expected = json.dumps(
        [
            {
                "source": link["source"]["slug"],
                "role": link["role"],
                "quote": link["quote"],
                "quote_unverified": link["quote_unverified"],
                "locator": link["locator"],
                "accessed": tables.cell(link["accessed"]) or None,
            }
            for link in links
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    assert tables.chain_cell(links) == expected


def test_a_chain_with_a_lone_surrogate_is_written_as_the_json_module_writes_it():
    link = {"source": {"slug": "s"}, "role": "claimant", "quote": "a\ud800b"}
    link |= {"quote_unverified": False, "locator": None, "accessed": None}
    assert tables.chain_cell([link]) == (
        '[{"source":"s","role":"claimant","quote":"a\ud800b",'
        '"quote_unverified":false,"locator":null,"accessed":null}]'
    )


def formula_dataset() -> dict:
    data = builders.dataset(2, values=[-5, 10])
    first, second = data["figures"]
    first.update(note=HYPERLINK, stated_as="-5 on the count", subject="+3 deserters")
    second.update(note="'quoted' as typed")
    data["events"][0].update(summary="@desk: many fled", note="=1+1")
    data["sources"][2].update(description="-ish: an NGO", note="+ more to come")
    return data


def rows(body: bytes) -> dict[str, dict[str, str]]:
    reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""))
    return {row["slug"]: row for row in reader}


class TestTheExports:
    def test_figures_text_cells_are_escaped_and_numbers_are_not(self, engine, client, tmp_path):
        builders.load(engine, tmp_path, formula_dataset())
        body = client.get("/v1/figures?format=csv").content
        assert b',"\'=HYPERLINK(""http://example.com"",""x"")",' in body
        figures = rows(body)
        first, second = figures["fig-0000"], figures["fig-0001"]
        assert (first["note"], first["stated_as"], first["subject"], first["value"]) == (
            "'" + HYPERLINK,
            "'-5 on the count",
            "'+3 deserters",
            "-5",
        )
        assert (second["note"], second["value"]) == ("''quoted' as typed", "10")

    def test_events_and_sources_text_cells_are_escaped(self, engine, client, tmp_path):
        builders.load(engine, tmp_path, formula_dataset())
        event = rows(client.get("/v1/events?format=csv").content)["flight"]
        assert (event["summary"], event["note"]) == ("'@desk: many fled", "'=1+1")
        source = rows(client.get("/v1/sources?format=csv").content)["observers"]
        assert (source["description"], source["note"]) == ("'-ish: an NGO", "'+ more to come")

    def test_the_data_package_tables_are_escaped_too(self, engine, tmp_path):
        builders.load(engine, tmp_path / "seed", formula_dataset())
        with Session(engine) as session:
            exporting.export(
                session, tmp_path / "out", "datapackage", base_url="http://t/", licence="CC-BY-4.0"
            )
        figures = rows((tmp_path / "out" / "figures.csv").read_bytes())
        assert figures["fig-0000"]["note"] == "'" + HYPERLINK
        events = rows((tmp_path / "out" / "events.csv").read_bytes())
        assert events["flight"]["note"] == "'=1+1"


def export_figures(engine, out: Path) -> bytes:
    with Session(engine) as session:
        exporting.export(session, out, "csv", base_url="http://testserver/", licence="CC-BY-4.0")
    return (out / "figures.csv").read_bytes()


def import_figures(engine, path: Path) -> list:
    with unit_of_work(engine) as session:
        return importing.run(session, path, actor="import", reason="round trip")


def without_updated_at(body: bytes) -> dict[str, dict[str, str]]:
    return {
        slug: {k: v for k, v in row.items() if k != "updated_at"}
        for slug, row in rows(body).items()
    }


class TestTheImport:
    def test_an_export_imports_into_a_fresh_database_as_the_original_texts(
        self, engine, client, tmp_path
    ):
        data = formula_dataset()
        builders.load(engine, tmp_path / "a", data)
        exported = export_figures(engine, tmp_path / "out-a")

        empty_tables(engine)
        builders.load(engine, tmp_path / "b", {**data, "figures": []})
        changes = import_figures(engine, tmp_path / "out-a" / "figures.csv")
        assert [str(c) for c in changes if "attribution" not in str(c)] == [
            "create figure fig-0000",
            "create figure fig-0001",
        ]
        first = client.get("/v1/figures/fig-0000").json()
        assert (first["note"], first["stated_as"], first["subject"], first["value"]) == (
            HYPERLINK,
            "-5 on the count",
            "+3 deserters",
            -5,
        )
        assert client.get("/v1/figures/fig-0001").json()["note"] == "'quoted' as typed"

        again = export_figures(engine, tmp_path / "out-b")
        assert without_updated_at(again) == without_updated_at(exported)
        assert import_figures(engine, tmp_path / "out-b" / "figures.csv") == []
        assert export_figures(engine, tmp_path / "out-c") == again

    def test_a_leading_quote_in_a_text_cell_is_removed(self, seeded, client, tmp_path):
        path = tmp_path / "figures.csv"
        path.write_text(
            "slug,event,measure,value,qualifier,stated_as,unit,claimant,note\r\n"
            "formula-note,russian-desertions,deserters,-10,exact,'-10,persons,rfe-rl,'=1+1\r\n",
            encoding="utf-8",
        )
        changes = import_figures(seeded, path)
        assert str(changes[0]) == "create figure formula-note"
        with Session(seeded) as session:
            figure = session.exec(select(Figure).where(Figure.slug == "formula-note")).one()
            assert (figure.note, figure.stated_as, figure.value) == ("=1+1", "-10", Decimal(-10))


@pytest.mark.slow
class TestTheMigration:
    def test_stored_rows_written_before_the_escape_are_dropped_and_written_again(
        self, engine, migrated, client, tmp_path
    ):
        data = builders.dataset(2, values=[0, 10])
        data["figures"][0]["note"] = "=1+1"
        builders.load(engine, tmp_path, data)
        with Session(engine) as session:
            ids = tuple(session.exec(select(Figure.id).order_by(Figure.id)))
        # What the code before the escape stored: the cell bare (rendered by today's code
        # before stepping back, since later migrations change the tables it reads).
        with Session(engine) as session:
            fresh = figure_docs.render(session, list(ids))
        old_csv = fresh[ids[0]].csv.decode().replace(",'=1+1,", ",=1+1,")
        assert old_csv != fresh[ids[0]].csv.decode()
        migrate.downgrade(migrated, f"{MIGRATION}-1")
        with unit_of_work(engine) as session:
            for figure_id, csv_text in ((ids[0], old_csv), (ids[1], fresh[ids[1]].csv.decode())):
                session.execute(
                    text(
                        "INSERT INTO figure_doc (figure_id, body, csv, etag)"
                        " VALUES (:id, :body, :csv, :etag)"
                    ),
                    {
                        "id": figure_id,
                        "body": fresh[figure_id].body.decode(),
                        "csv": csv_text,
                        "etag": fresh[figure_id].etag,
                    },
                )
        migrate.upgrade(migrated, MIGRATION)
        with Session(engine) as session:
            assert list(session.exec(select(FigureDoc.figure_id))) == [ids[1]]
        migrate.upgrade(migrated)
        body = client.get("/v1/figures?format=csv").content
        assert rows(body)["fig-0000"]["note"] == "'=1+1"
