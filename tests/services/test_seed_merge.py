"""Seeding is a three-way merge: a re-seed never undoes an editor's correction, and a record
belongs to the document that made it (app/services/write/merge.py)."""

import copy
import shutil
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.cli import cli
from app.db import unit_of_work
from app.models import Event, Figure, Revision, SeedRecord, Source
from app.services.derived import figure_docs
from app.services.write import ingest
from app.services.write.ingest import forms
from tests.builders import MINIMAL, write_seed
from tests.conftest import SEED_DIR
from tests.helpers import counts

runner = CliRunner()
DOC_TEXT = "They said at least 50,000 fled."


def correct(client: TestClient, editor: dict[str, str], path: str, body: dict) -> None:
    etag = client.get(path).headers["etag"]
    response = client.patch(
        path, json=body, headers={**editor, "If-Match": etag, "Sourced-Reason": "desk fix"}
    )
    assert response.status_code == 200, response.text


def figure_note(engine, slug: str = "fled") -> str | None:
    with Session(engine) as session:
        return session.exec(select(Figure.note).where(Figure.slug == slug)).one()


def reasons(engine, slug: str) -> list[tuple[str, str, str]]:
    with Session(engine) as session:
        return [
            (r.action, r.actor, r.reason)
            for r in session.exec(
                select(Revision).where(Revision.entity_slug == slug).order_by(col(Revision.id))
            )
        ]


def with_note(data: dict, note: str) -> dict:
    changed = copy.deepcopy(data)
    changed["figures"][0]["note"] = note
    return changed


def seed_env(monkeypatch, engine) -> None:
    monkeypatch.setenv("SOURCED_DATABASE_URL", engine.url.render_as_string(hide_password=False))


class TestACorrectionSurvivesAReSeed:
    def test_an_unchanged_file_leaves_an_edited_record_alone(
        self, engine, client, editor, tmp_path
    ):
        # The reproduction: correct a note over HTTP, then seed again (as `make run` does).
        path = write_seed(tmp_path, MINIMAL)
        ingest.run(engine, [path])
        correct(client, editor, "/v1/figures/fled", {"note": "Corrected by the desk."})
        before = counts(engine)

        changes = ingest.run(engine, [path])

        assert list(changes) == []
        assert changes.conflicts == []
        assert figure_note(engine) == "Corrected by the desk."
        assert counts(engine) == before

    def test_the_shipped_seed_keeps_a_correction_through_a_restart(
        self, seeded, client, editor, monkeypatch
    ):
        correct(client, editor, "/v1/figures/deserters-since-invasion", {"note": "Desk note."})
        seed_env(monkeypatch, seeded)

        result = runner.invoke(cli, ["seed", str(SEED_DIR)])

        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == ["changed 0 record(s)"]
        assert figure_note(seeded, "deserters-since-invasion") == "Desk note."

    def test_a_changed_record_nobody_edited_is_updated(self, engine, tmp_path):
        path = write_seed(tmp_path, MINIMAL)
        ingest.run(engine, [path])
        write_seed(tmp_path, with_note(MINIMAL, "Now with a note."))

        changes = ingest.run(engine, [path])

        assert [str(c) for c in changes] == ["update figure fled (note)"]
        assert changes.conflicts == []
        assert figure_note(engine) == "Now with a note."
        assert reasons(engine, "fled")[-1] == ("update", "seed", "seed update")

    def test_a_record_changed_in_the_file_and_edited_since_is_a_conflict(
        self, engine, client, editor, tmp_path
    ):
        path = write_seed(tmp_path, MINIMAL)
        ingest.run(engine, [path])
        correct(client, editor, "/v1/figures/fled", {"note": "Desk note."})
        changed = with_note(MINIMAL, "File note.")
        changed["events"][0]["title"] = "Flight, renamed"
        write_seed(tmp_path, changed)
        before = counts(engine)

        changes = ingest.run(engine, [path])

        # The event nobody edited is updated; the edited figure is left as the editor left it.
        assert [str(c) for c in changes] == ["update event flight (title)"]
        assert figure_note(engine) == "Desk note."
        assert counts(engine)["revision"] == before["revision"] + 1
        [conflict] = changes.conflicts
        assert (conflict.entity, conflict.slug, conflict.file) == ("figure", "fled", str(path))
        assert conflict.differences == ('note: database "Desk note.", file "File note."',)
        [edit] = conflict.edits
        assert (edit.actor, edit.reason) == ("Desk editor", "desk fix")
        text = str(conflict)
        assert text.startswith(f"conflict: figure fled ({path}): the file changed it")
        assert "sourced seed --take-file --reason" in text

    def test_a_conflict_stays_a_conflict_on_the_next_run(self, engine, client, editor, tmp_path):
        path = write_seed(tmp_path, MINIMAL)
        ingest.run(engine, [path])
        correct(client, editor, "/v1/figures/fled", {"note": "Desk note."})
        write_seed(tmp_path, with_note(MINIMAL, "File note."))
        ingest.run(engine, [path])

        again = ingest.run(engine, [path])

        assert [c.slug for c in again.conflicts] == ["fled"]
        assert figure_note(engine) == "Desk note."

    def test_a_file_that_now_says_what_the_editor_wrote_is_no_conflict(
        self, engine, client, editor, tmp_path
    ):
        path = write_seed(tmp_path, MINIMAL)
        ingest.run(engine, [path])
        correct(client, editor, "/v1/figures/fled", {"note": "Desk note."})
        write_seed(tmp_path, with_note(MINIMAL, "Desk note."))

        changes = ingest.run(engine, [path])

        assert (list(changes), changes.conflicts) == ([], [])
        write_seed(tmp_path, with_note(MINIMAL, "Later file note."))
        later = ingest.run(engine, [path])
        assert [str(c) for c in later] == ["update figure fled (note)"]

    def test_take_file_applies_the_file_over_the_edit_with_a_revision_saying_so(
        self, engine, client, editor, tmp_path
    ):
        path = write_seed(tmp_path, MINIMAL)
        ingest.run(engine, [path])
        correct(client, editor, "/v1/figures/fled", {"note": "Desk note."})
        write_seed(tmp_path, with_note(MINIMAL, "File note."))

        changes = ingest.run(engine, [path], take_file_reason="the article was re-read")

        assert [str(c) for c in changes] == ["update figure fled (note)"]
        assert changes.conflicts == []
        assert figure_note(engine) == "File note."
        assert reasons(engine, "fled")[-1] == (
            "update",
            "seed",
            "seed: the file applied over later edits (--take-file): the article was re-read",
        )
        # Taken: the next run over the same file has nothing to do.
        assert list(ingest.run(engine, [path])) == []

    def test_a_dry_run_reports_the_conflict_and_writes_nothing(
        self, engine, client, editor, tmp_path
    ):
        path = write_seed(tmp_path, MINIMAL)
        ingest.run(engine, [path])
        correct(client, editor, "/v1/figures/fled", {"note": "Desk note."})
        write_seed(tmp_path, with_note(MINIMAL, "File note."))
        before = counts(engine)

        changes = ingest.run(engine, [path], dry_run=True)

        assert [c.slug for c in changes.conflicts] == ["fled"]
        assert counts(engine) == before

    def test_a_retracted_record_is_not_brought_back_by_the_file(
        self, engine, client, editor, tmp_path
    ):
        path = write_seed(tmp_path, MINIMAL)
        ingest.run(engine, [path])
        etag = client.get("/v1/figures/fled").headers["etag"]
        response = client.delete(
            "/v1/figures/fled",
            headers={**editor, "If-Match": etag, "Sourced-Reason": "withdrawn by the ministry"},
        )
        assert response.status_code == 200, response.text
        write_seed(tmp_path, with_note(MINIMAL, "File note."))

        changes = ingest.run(engine, [path])

        assert [c.slug for c in changes.conflicts] == ["fled"]
        with Session(engine) as session:
            figure = session.exec(select(Figure).where(Figure.slug == "fled")).one()
            assert (figure.status, figure.note) == ("retracted", None)


class TestTheCommandLine:
    def test_sourced_seed_exits_3_on_a_conflict_and_names_it(
        self, engine, client, editor, tmp_path, monkeypatch
    ):
        path = write_seed(tmp_path, MINIMAL)
        ingest.run(engine, [path])
        correct(client, editor, "/v1/figures/fled", {"note": "Desk note."})
        write_seed(tmp_path, with_note(MINIMAL, "File note."))
        seed_env(monkeypatch, engine)

        result = runner.invoke(cli, ["seed", str(path)])

        assert result.exit_code == 3
        assert result.stdout.splitlines() == ["changed 0 record(s)"]
        assert f"conflict: figure fled ({path})" in result.stderr
        assert result.stderr.splitlines()[-1] == "1 conflict(s): left those records as they are"
        assert figure_note(engine) == "Desk note."

    def test_take_file_needs_a_reason(self, engine, tmp_path, monkeypatch):
        seed_env(monkeypatch, engine)
        result = runner.invoke(cli, ["seed", "--take-file", str(write_seed(tmp_path, MINIMAL))])
        assert result.exit_code == 2
        assert (
            result.stderr.strip() == '--take-file needs --reason "why the file wins over the edits"'
        )

    def test_take_file_with_a_reason_writes_and_exits_0(
        self, engine, client, editor, tmp_path, monkeypatch
    ):
        path = write_seed(tmp_path, MINIMAL)
        ingest.run(engine, [path])
        correct(client, editor, "/v1/figures/fled", {"note": "Desk note."})
        write_seed(tmp_path, with_note(MINIMAL, "File note."))
        seed_env(monkeypatch, engine)

        result = runner.invoke(cli, ["seed", "--take-file", "--reason", "re-read", str(path)])

        assert result.exit_code == 0, result.output
        assert figure_note(engine) == "File note."


class TestDatabasesSeededBeforeSeedRecords:
    """A database seeded before seed records existed has none: its first run must not revert
    what editors changed, nor refuse what only seed files ever wrote."""

    def forget_seed_records(self, engine) -> None:
        with unit_of_work(engine) as session:
            session.exec(delete(SeedRecord))  # type: ignore[call-overload]

    def test_an_edited_record_is_a_conflict_not_a_revert(self, engine, client, editor, tmp_path):
        path = write_seed(tmp_path, MINIMAL)
        ingest.run(engine, [path])
        correct(client, editor, "/v1/figures/fled", {"note": "Desk note."})
        self.forget_seed_records(engine)

        changes = ingest.run(engine, [path])

        assert [c.slug for c in changes.conflicts] == ["fled"]
        assert figure_note(engine) == "Desk note."

    def test_records_only_seed_files_wrote_are_claimed_and_updated(self, engine, tmp_path):
        path = write_seed(tmp_path, MINIMAL)
        ingest.run(engine, [path])
        self.forget_seed_records(engine)
        write_seed(tmp_path, with_note(MINIMAL, "File note."))

        changes = ingest.run(engine, [path])

        assert [str(c) for c in changes] == ["update figure fled (note)"]
        with Session(engine) as session:
            assert session.exec(
                select(SeedRecord.entity, SeedRecord.slug, SeedRecord.owner).order_by(
                    SeedRecord.entity, SeedRecord.slug
                )
            ).all() == [
                ("event", "flight", True),
                ("figure", "fled", True),
                ("measure", "deserters", True),
                ("source", "doc", True),
                ("source", "ministry", True),
            ]


SECOND = {
    "document": "second-doc",
    "sources": [
        {
            "slug": "second-doc",
            "name": "A second article",
            "kind": "document",
            "text_file": "second.txt",
        },
    ],
    "events": [{"slug": "second-flight", "title": "Another flight", "type": "desertion"}],
    "figures": [
        {
            "slug": "fled",
            "event": "second-flight",
            "measure": "deserters",
            "value": 7,
            "qualifier": "exact",
            "stated_as": "7",
            "unit": "persons",
            "attributions": [{"source": "second-doc", "role": "publisher"}],
        }
    ],
}


def write_second(folder: Path, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "second.txt").write_text("Seven fled.", encoding="utf-8")
    path = folder / "second.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


class TestARecordBelongsToItsDocument:
    def test_another_documents_figure_under_the_same_slug_is_refused_naming_both(
        self, engine, tmp_path
    ):
        # The reproduction: a second article's file reuses the first article's figure slug.
        first = write_seed(tmp_path / "one", MINIMAL)
        ingest.run(engine, [first])
        second = write_second(tmp_path / "two", SECOND)
        before = counts(engine)

        with pytest.raises(ingest.SeedError) as refused:
            ingest.run(engine, [second])

        [problem] = refused.value.problems
        assert (problem.file, problem.record, problem.field) == (
            str(second),
            "figures[0] fled",
            "slug",
        )
        assert problem.message.startswith(
            f"{first} (document doc) made it; a record belongs to the document that made it: "
        )
        assert 'event: database "flight", file "second-flight"' in problem.message
        assert problem.message.endswith(
            "List it under `amends: figures:` to change it from this file, or pick another slug"
        )
        assert counts(engine) == before
        with Session(engine) as session:
            assert session.exec(select(Event.slug).order_by(Event.slug)).all() == ["flight"]

    def test_the_dry_run_refuses_it_too(self, engine, tmp_path):
        ingest.run(engine, [write_seed(tmp_path / "one", MINIMAL)])
        with pytest.raises(ingest.SeedError):
            ingest.run(engine, [write_second(tmp_path / "two", SECOND)], dry_run=True)

    def test_a_file_that_says_it_amends_the_record_may_change_it(self, engine, tmp_path):
        ingest.run(engine, [write_seed(tmp_path / "one", MINIMAL)])
        data = copy.deepcopy(SECOND)
        data["amends"] = {"figures": ["fled"]}
        second = write_second(tmp_path / "two", data)

        changes = ingest.run(engine, [second])

        assert [str(c) for c in changes] == [
            "create source second-doc",
            "create event second-flight",
            "update figure fled (event_id, lower_bound, qualifier, stated_as, value)",
            "update attribution fled#0 (role, source_id)",
            "delete attribution fled#1",
        ]
        assert reasons(engine, "fled")[-1] == (
            "update",
            "seed",
            f"seed: amended by {second} (second-doc)",
        )

    def test_amends_must_name_a_record_of_the_file(self, engine, tmp_path):
        data = copy.deepcopy(MINIMAL)
        data["amends"] = {"events": ["elsewhere"]}
        with pytest.raises(ingest.SeedError) as refused:
            ingest.run(engine, [write_seed(tmp_path, data)])
        assert [str(p) for p in refused.value.problems] == [
            f"{tmp_path / 'doc.yaml'}: file: amends.events: 'elsewhere' is not among this "
            "file's events: list only records the file changes"
        ]

    def test_a_shared_source_declared_identically_by_a_second_document_is_fine(
        self, engine, tmp_path
    ):
        ingest.run(engine, [write_seed(tmp_path / "one", MINIMAL)])
        data = copy.deepcopy(SECOND)
        data["sources"].append(copy.deepcopy(MINIMAL["sources"][1]))  # the ministry, as is
        data["figures"][0]["slug"] = "seven-fled"
        data["figures"][0]["attributions"].insert(0, {"source": "ministry", "role": "claimant"})
        second = write_second(tmp_path / "two", data)

        changes = ingest.run(engine, [second])

        assert "ministry" not in {c.key for c in changes}
        with Session(engine) as session:
            assert session.exec(
                select(SeedRecord.document, SeedRecord.owner)
                .where(SeedRecord.slug == "ministry")
                .order_by(SeedRecord.document)
            ).all() == [("doc", True), ("second-doc", False)]

    def test_a_shared_source_declared_differently_names_both_versions(self, engine, tmp_path):
        first = write_seed(tmp_path / "one", MINIMAL)
        ingest.run(engine, [first])
        data = copy.deepcopy(SECOND)
        ministry = copy.deepcopy(MINIMAL["sources"][1]) | {"party_to_conflict": "UA"}
        data["sources"].append(ministry)
        data["figures"][0]["slug"] = "seven-fled"
        second = write_second(tmp_path / "two", data)

        with pytest.raises(ingest.SeedError) as refused:
            ingest.run(engine, [second])

        assert [str(p) for p in refused.value.problems] == [
            f"{second}: sources[1] ministry: slug: {first} (document doc) declares it "
            'differently: party_to_conflict: database "RU", file "UA". List it under '
            "`amends: sources:` to change it from this file, or pick another slug"
        ]

    def test_a_file_may_point_at_records_another_file_holds(self, engine, tmp_path):
        ingest.run(engine, [write_seed(tmp_path / "one", MINIMAL)])
        data = copy.deepcopy(SECOND)
        data["figures"][0]["slug"] = "seven-fled"
        data["figures"][0]["event"] = "flight"
        data["figures"][0]["attributions"].insert(0, {"source": "ministry", "role": "claimant"})
        del data["events"]

        changes = ingest.run(engine, [write_second(tmp_path / "two", data)])

        assert [str(c) for c in changes if c.entity == "figure"] == ["create figure seven-fled"]

    def test_two_files_in_one_run_may_share_a_source_declared_identically(self, engine, tmp_path):
        first = write_seed(tmp_path / "one", MINIMAL)
        data = copy.deepcopy(SECOND)
        data["sources"].append(copy.deepcopy(MINIMAL["sources"][1]))
        data["figures"][0]["slug"] = "seven-fled"
        second = write_second(tmp_path / "two", data)

        ingest.run(engine, [first, second])

        with Session(engine) as session:
            assert session.exec(select(Source.slug).order_by(Source.slug)).all() == [
                "doc",
                "ministry",
                "second-doc",
            ]

    def test_two_files_in_one_run_declaring_a_source_differently_are_refused(
        self, engine, tmp_path
    ):
        first = write_seed(tmp_path / "one", MINIMAL)
        data = copy.deepcopy(SECOND)
        data["sources"].append(copy.deepcopy(MINIMAL["sources"][1]) | {"name": "Other"})
        data["figures"][0]["slug"] = "seven-fled"
        second = write_second(tmp_path / "two", data)

        with pytest.raises(ingest.SeedError) as refused:
            ingest.run(engine, [first, second])

        assert [str(p) for p in refused.value.problems] == [
            f"{second}: sources[1] ministry: slug: declared differently in {first}: "
            'name: there "A ministry", here "Other"'
        ]


def test_every_seeded_record_reads_back_as_its_file_says(seeded):
    """What the merge compares: the stored form of each record equals the file's, so a record
    edited back to what the file says is recognised as no conflict."""
    files = [ingest.read_file(path)[0] for path in ingest.discover([SEED_DIR])]
    with Session(seeded) as session:
        compared = 0
        for loaded in files:
            assert loaded is not None
            for entity, (section, model, _) in forms.ENTITIES.items():
                for item in getattr(loaded.data, section):
                    row = session.exec(select(model).where(model.slug == item.slug)).one()  # type: ignore[attr-defined]
                    assert forms.stored_record(session, entity, row) == (
                        forms.file_record(entity, item, loaded.texts)
                    )
                    compared += 1
        assert compared > 30  # every measure, source, event and figure of the seed


def test_a_moved_seed_folder_is_no_change(engine, tmp_path):
    shutil.copytree(SEED_DIR, tmp_path / "a")
    ingest.run(engine, [tmp_path / "a"])
    shutil.copytree(SEED_DIR, tmp_path / "b")
    assert list(ingest.run(engine, [tmp_path / "b"])) == []


def as_bundle(data: dict, **extra: object) -> dict:
    bundle = copy.deepcopy(data)
    for source in bundle["sources"]:
        if source.pop("text_file", None) is not None:
            source["full_text"] = DOC_TEXT
    return bundle | extra


class TestBundlesMergeAsSeedFilesDo:
    def test_a_resent_bundle_leaves_an_editors_correction(self, engine, client, editor):
        assert (
            client.post("/v1/bundles", json=as_bundle(MINIMAL), headers=editor).status_code == 200
        )
        correct(client, editor, "/v1/figures/fled", {"note": "Desk note."})

        again = client.post(
            "/v1/bundles", json=as_bundle(MINIMAL, reason="re-send"), headers=editor
        )

        assert again.status_code == 200, again.text
        assert again.json() == {"changed": 0, "changes": []}
        assert figure_note(engine) == "Desk note."

    def test_a_changed_bundle_over_an_edit_is_a_409_and_writes_nothing(
        self, engine, client, editor
    ):
        client.post("/v1/bundles", json=as_bundle(MINIMAL), headers=editor)
        correct(client, editor, "/v1/figures/fled", {"note": "Desk note."})
        changed = as_bundle(with_note(MINIMAL, "File note."), reason="new note")
        changed["events"][0]["title"] = "Flight, renamed"
        before = counts(engine)

        response = client.post("/v1/bundles", json=changed, headers=editor)

        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["detail"].startswith(
            "the bundle changes records edited since it last changed them (figure fled); "
            "nothing was written."
        )
        [error] = problem["errors"]
        assert error["record"] == "figure fled"
        assert error["message"].endswith('note: database "Desk note.", file "File note."')
        assert counts(engine) == before

    def test_take_file_with_a_reason_applies_the_bundle_over_the_edit(self, engine, client, editor):
        client.post("/v1/bundles", json=as_bundle(MINIMAL), headers=editor)
        correct(client, editor, "/v1/figures/fled", {"note": "Desk note."})
        bundle = as_bundle(with_note(MINIMAL, "File note."), take_file=True)

        refused = client.post("/v1/bundles", json=bundle, headers=editor)
        taken = client.post("/v1/bundles", json=bundle | {"reason": "re-read"}, headers=editor)

        assert refused.status_code == 422
        assert refused.json()["detail"].startswith("reason: `take_file` writes over editors'")
        assert taken.status_code == 200, taken.text
        assert taken.json()["changes"] == ["update figure fled (note)"]
        assert figure_note(engine) == "File note."

    def test_a_bundle_may_not_take_over_another_documents_figure(
        self, engine, client, editor, tmp_path
    ):
        ingest.run(engine, [write_seed(tmp_path, MINIMAL)])
        bundle = copy.deepcopy(SECOND)
        bundle["sources"][0].pop("text_file")
        bundle["sources"][0]["full_text"] = "Seven fled."

        response = client.post("/v1/bundles", json=bundle, headers=editor)

        assert response.status_code == 422
        assert [(e["record"], e["field"]) for e in response.json()["errors"]] == [
            ("figures[0] fled", "slug")
        ]
        assert figure_note(engine) is None


@pytest.mark.postgres_only
def test_an_edit_committing_while_the_seed_runs_is_a_conflict_not_an_error(engine, tmp_path):
    """The merge locks what it may write before asking who wrote it: an edit that holds the
    figure's row when the seed starts, and commits while the seed waits, is seen as an edit.
    (Without the lock the seed read "not edited", then failed on the changed version.)"""
    import threading
    import time

    from sqlalchemy import text

    path = write_seed(tmp_path, MINIMAL)
    ingest.run(engine, [path])
    write_seed(tmp_path, with_note(MINIMAL, "File note."))
    outcome: dict[str, object] = {}

    def seed() -> None:
        try:
            outcome["result"] = ingest.run(engine, [path])
        except Exception as exc:  # the assertion below names it
            outcome["error"] = exc

    with engine.connect() as editor:
        editor.execute(text("UPDATE figure SET note = 'Desk note.', version = version + 1"))
        editor.execute(
            text(
                "INSERT INTO revision (entity, entity_id, entity_slug, subject, version, action, "
                "at, actor, reason, snapshot, changes) SELECT 'figure', id, slug, "
                "'figure:' || id, version, 'update', now(), 'Desk editor', 'desk fix', '{}', "
                "'{}' FROM figure"
            )
        )
        runner_thread = threading.Thread(target=seed)
        runner_thread.start()
        time.sleep(1.5)  # the seed is waiting for the figure's row
        editor.commit()
    runner_thread.join(timeout=60)

    assert "error" not in outcome, outcome.get("error")
    result = outcome["result"]
    assert isinstance(result, ingest.Seeded)
    assert [c.slug for c in result.conflicts] == ["fled"]
    assert figure_note(engine) == "Desk note."
    with unit_of_work(engine) as session:  # the raw edit above wrote no stored text
        figure_docs.refresh(session, set(session.exec(select(Figure.id)).all()))
