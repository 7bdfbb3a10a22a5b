"""`sourced seed`: all or nothing, idempotent, and every change is a revision."""

import shutil

import pytest
import yaml
from sqlmodel import Session, select

from app.models import Figure, Revision, Source
from app.services.write import ingest
from tests.builders import MINIMAL, write_seed
from tests.conftest import SEED_DIR
from tests.helpers import counts


class TestSeedingAFile:
    def test_writes_every_record_with_a_revision_each(self, engine, tmp_path):
        changes = ingest.run(engine, [write_seed(tmp_path, MINIMAL)])
        assert [str(c) for c in changes] == [
            "create measure deserters",
            "create source doc",
            "create source ministry",
            "create event flight",
            "create figure fled",
            "create attribution fled#0",
            "create attribution fled#1",
        ]
        assert counts(engine) == {
            "measure": 1,
            "source": 2,
            "event": 1,
            "figure": 1,
            "attribution": 2,
            "revision": 7,
        }
        with Session(engine) as session:
            revision = session.exec(select(Revision).where(Revision.entity == "figure")).one()
            doc = session.exec(select(Source).where(Source.slug == "doc")).one()
        assert (revision.actor, revision.reason, revision.version) == (
            "seed",
            "seed: loaded from doc.yaml",
            1,
        )
        assert revision.snapshot["value"] == "50000"
        assert doc.full_text == "They said at least 50,000 fled."

    def test_a_second_run_changes_nothing_and_writes_no_revision(self, engine, tmp_path):
        path = write_seed(tmp_path, MINIMAL)
        ingest.run(engine, [path])
        before = counts(engine)
        assert ingest.run(engine, [path]) == []
        assert counts(engine) == before

    def test_an_edited_value_is_an_update_with_the_reason_seed_update(self, engine, tmp_path):
        path = write_seed(tmp_path, MINIMAL)
        ingest.run(engine, [path])
        edited = yaml.safe_load(path.read_text(encoding="utf-8"))
        edited["figures"][0]["value"] = 50001
        path.write_text(yaml.safe_dump(edited), encoding="utf-8")

        changes = ingest.run(engine, [path])

        assert [str(c) for c in changes] == ["update figure fled (value)"]
        with Session(engine) as session:
            figure = session.exec(select(Figure)).one()
            latest = session.exec(
                select(Revision)
                .where(Revision.entity == "figure")
                .order_by(Revision.version.desc())
            ).first()
        assert (figure.version, str(figure.value)) == (2, "50001")
        assert (latest.version, latest.action, latest.reason) == (2, "update", "seed update")
        assert latest.changes == {"value": {"old": "50000", "new": "50001"}}

    def test_a_shortened_chain_drops_the_extra_link_with_a_revision(self, engine, tmp_path):
        path = write_seed(tmp_path, MINIMAL)
        ingest.run(engine, [path])
        edited = yaml.safe_load(path.read_text(encoding="utf-8"))
        edited["figures"][0]["attributions"] = edited["figures"][0]["attributions"][1:]
        path.write_text(yaml.safe_dump(edited), encoding="utf-8")

        changes = ingest.run(engine, [path])

        assert [str(c) for c in changes] == [
            "update attribution fled#0 (quote, role, source_id)",
            "delete attribution fled#1",
        ]
        assert counts(engine)["attribution"] == 1

    def test_dry_run_reports_but_writes_nothing(self, engine, tmp_path):
        changes = ingest.run(engine, [write_seed(tmp_path, MINIMAL)], dry_run=True)
        assert len(changes) == 7
        assert counts(engine) == dict.fromkeys(counts(engine), 0)


class TestRefusingABadFile:
    def bad(self) -> dict:
        data = yaml.safe_load(yaml.safe_dump(MINIMAL))
        data["figures"][0]["value"] = 40000  # below its lower bound
        data["events"][0]["date"] = "2025-02-30"
        data["figures"][0]["attributions"][1]["quote"] = "fifty thousand fled"
        data["figures"].append(
            dict(data["figures"][0], slug="other", event="nowhere", value=60000, period=None)
        )
        data["sources"][1]["kind"] = "blog"
        return data

    def test_reports_every_problem_with_file_record_and_field(self, engine, tmp_path):
        path = write_seed(tmp_path, self.bad())
        with pytest.raises(ingest.SeedError) as caught:
            ingest.run(engine, [path])
        reported = {(p.record, p.field) for p in caught.value.problems}
        # The records that pass their own schema are checked across records in the same run;
        # nothing points at the refused ones (an event, a source) as if they did not exist.
        assert reported == {
            ("sources[1] ministry", "kind"),
            ("events[0] flight", "date"),
            ("figures[0] fled", "lower_bound"),
            ("figures[1] other", "event"),
            ("figures[1] other", "attributions[1].quote"),
        }
        assert all(p.file == str(path) for p in caught.value.problems)

    def test_cross_record_problems_are_reported_together(self, engine, tmp_path):
        data = yaml.safe_load(yaml.safe_dump(MINIMAL))
        data["figures"][0]["attributions"][1]["quote"] = "fifty thousand fled"
        data["figures"].append(
            dict(data["figures"][0], slug="other", event="nowhere", measure="unknown_measure")
        )
        data["sources"].append({"slug": "doc", "name": "Again", "kind": "ngo"})
        path = write_seed(tmp_path, data)
        with pytest.raises(ingest.SeedError) as caught:
            ingest.run(engine, [path])
        assert sorted(str(p).removeprefix(f"{path}: ") for p in caught.value.problems) == [
            "figures[0] fled: attributions[1].quote: not found verbatim in the stored text of "
            "source 'doc'; no passage of the text resembles it",
            "figures[1] other: attributions[1].quote: not found verbatim in the stored text of "
            "source 'doc'; no passage of the text resembles it",
            "figures[1] other: event: unknown event 'nowhere'",
            "figures[1] other: measure: unknown measure 'unknown_measure'",
            "sources[2] doc: slug: duplicate: also in " + str(path),
        ]

    def test_schema_and_cross_record_problems_of_the_shipped_seed_come_in_one_run(
        self, engine, tmp_path
    ):
        copy = tmp_path / "seed"
        shutil.copytree(SEED_DIR, copy)
        path = copy / "article-50000-deserters.yaml"
        text = path.read_text(encoding="utf-8")
        for old, new in (
            # a lower bound above the value
            (
                "    lower_bound: 50000\n    qualifier: at_least",
                "    lower_bound: 60000\n    qualifier: at_least",
            ),
            # not a decimal: a thousands separator, as in a spreadsheet
            ("    value: 10201\n", '    value: "10,201"\n'),
            # a typo in a measure
            ("    measure: inmates_escaped\n", "    measure: inmates_escapd\n"),
            # a straight apostrophe where the article has a curly one
            ("“That doesn’t make them", "“That doesn't make them"),
        ):
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")

        with pytest.raises(ingest.SeedError) as caught:
            ingest.run(engine, [copy])

        assert [(p.file, p.record, p.field, p.message) for p in caught.value.problems] == [
            (
                str(path),
                "figures[0] deserters-since-invasion",
                "lower_bound",
                "must not exceed value",
            ),
            (str(path), "figures[6] sentenced-to-death-1941", "value", "not a decimal number"),
            (
                str(path),
                "events[5] kochegin-on-survival-instincts",
                "attributions[0].quote",
                "not found verbatim in the stored text of the file's document; closest passage: "
                "““That doesn’t make them anti-war activists; it just means they understand "
                "what’s happening. They’re sane people who can see how this ends — and they "
                "don’t want to be part of it.””; the text has ’ (right single quotation mark) "
                "where the quote has ' (apostrophe)",
            ),
            (
                str(path),
                "figures[4] leningrad-inmates-escaped",
                "measure",
                "unknown measure 'inmates_escapd'",
            ),
        ]
        # share-sentenced-to-death-1941 is derived from the refused figure: no second problem.
        assert counts(engine) == dict.fromkeys(counts(engine), 0)

    def test_nothing_is_written_when_any_file_is_bad(self, engine, tmp_path):
        good = write_seed(tmp_path / "good", MINIMAL)
        broken = tmp_path / "broken.yaml"
        broken.write_text("figures: [\n  {slug: oops", encoding="utf-8")
        with pytest.raises(ingest.SeedError) as caught:
            ingest.run(engine, [good, broken])
        assert [(p.file, p.field) for p in caught.value.problems] == [(str(broken), "(syntax)")]
        assert counts(engine) == dict.fromkeys(counts(engine), 0)

    def test_unknown_fields_are_refused(self, engine, tmp_path):
        data = yaml.safe_load(yaml.safe_dump(MINIMAL))
        data["events"][0]["dated"] = "2024"
        with pytest.raises(ingest.SeedError) as caught:
            ingest.run(engine, [write_seed(tmp_path, data)])
        assert [(p.record, p.field, p.message) for p in caught.value.problems] == [
            ("events[0] flight", "dated", "Extra inputs are not permitted")
        ]


def test_the_shipped_seed_loads_twice_without_change(engine, tmp_path):
    copy = tmp_path / "seed"
    shutil.copytree(SEED_DIR, copy)
    assert ingest.run(engine, [copy])
    before = counts(engine)
    assert ingest.run(engine, [copy]) == []
    assert counts(engine) == before
