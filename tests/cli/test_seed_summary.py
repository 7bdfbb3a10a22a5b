"""`sourced seed` prints a summary of what it wrote (every record with --verbose), the time it
took and its rate; a long load's progress goes to stderr, as plain lines when not on a
terminal (app/cli/common.py)."""

import copy
import gc
import io
from collections import Counter

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.cli import seed as seed_command
from app.cli.common import ProgressReport, summary_lines
from tests.builders import MINIMAL, write_seed

runner = CliRunner()

CREATED = [
    "create measure deserters",
    "create source doc",
    "create source ministry",
    "create event flight",
    "create figure fled",
    "create attribution fled#0",
    "create attribution fled#1",
]
SUMMARY = [
    "created: 1 measure, 2 sources, 1 event, 1 figure, 2 attributions",
    "changed 7 record(s)",
]


@pytest.fixture
def seed(engine, monkeypatch):
    """Run `sourced seed ARGS` against the test database; every run takes half a second."""
    monkeypatch.setenv("SOURCED_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    ticks = iter([100.0, 100.5] * 10)
    monkeypatch.setattr(seed_command, "perf_counter", lambda: next(ticks))

    def run(*args: str):
        return runner.invoke(cli, ["seed", *args])

    return run


def test_a_load_prints_a_summary_instead_of_a_line_per_record(seed, tmp_path):
    result = seed(str(write_seed(tmp_path, MINIMAL)))

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == SUMMARY
    assert result.stderr == ""  # a small load: its time only with --verbose


def test_verbose_lists_every_record_before_the_summary(seed, tmp_path):
    result = seed(str(write_seed(tmp_path, MINIMAL)), "--verbose")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == CREATED + SUMMARY
    assert result.stderr.splitlines() == ["took 0.5 s, 2 figures/s"]


def test_a_dry_run_says_would(seed, tmp_path):
    result = seed(str(write_seed(tmp_path, MINIMAL)), "--dry-run", "-v")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        *(f"would {line}" for line in CREATED),
        "would create: 1 measure, 2 sources, 1 event, 1 figure, 2 attributions",
        "would change 7 record(s)",
    ]


def test_an_update_counts_what_was_left_unchanged(seed, tmp_path):
    seed(str(write_seed(tmp_path, MINIMAL)))
    changed = copy.deepcopy(MINIMAL)
    changed["figures"][0]["note"] = "Now with a note."
    result = seed(str(write_seed(tmp_path, changed)), "--verbose")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "update figure fled (note)",
        "updated: 1 figure",
        "changed 1 record(s)",
    ]
    assert result.stderr.splitlines() == [
        "took 0.5 s, 2 figures/s; unchanged: 1 measure, 2 sources, 1 event"
    ]


def test_a_long_load_says_its_time_and_rate_without_verbose(seed, tmp_path, monkeypatch):
    monkeypatch.setattr(seed_command, "LONG_LOAD", 6)  # the file holds 5 records
    assert seed(str(write_seed(tmp_path, MINIMAL))).stderr == ""
    monkeypatch.setattr(seed_command, "LONG_LOAD", 5)
    result = seed(str(write_seed(tmp_path, MINIMAL)))
    assert result.stdout.splitlines() == ["changed 0 record(s)"]
    assert result.stderr.splitlines() == [
        "took 0.5 s, 2 figures/s; unchanged: 1 measure, 2 sources, 1 event, 1 figure"
    ]


def test_nothing_changed_is_one_line():
    assert summary_lines(Counter(), dry_run=False) == ["changed 0 record(s)"]


def test_deletes_and_updates_have_their_own_lines():
    counts = Counter({("attribution", "delete"): 2, ("figure", "update"): 1_500})
    assert summary_lines(counts, dry_run=False) == [
        "updated: 1,500 figures",
        "deleted: 2 attributions",
        "changed 1502 record(s)",
    ]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_off_a_terminal_is_a_line_per_tenth_and_every_ten_seconds():
    out, clock = io.StringIO(), Clock()
    report = ProgressReport(out, tty=False, clock=clock)
    clock.now = 2.0
    report("new figures", 5_000, 100_000)  # under a tenth: nothing yet
    clock.now = 4.0
    report("new figures", 10_000, 100_000)
    clock.now = 5.0
    report("new figures", 15_000, 100_000)  # the same tenth, and under ten seconds
    clock.now = 16.0
    report("new figures", 19_000, 100_000)  # the same tenth, but ten seconds later
    clock.now = 40.0
    report("new figures", 100_000, 100_000)
    clock.now = 45.0
    report("figure texts", 50_000, 100_000)  # a new step counts from the last one's end
    report("small step", 5, 10)  # fewer records than a long load's: not shown
    report.close()

    assert out.getvalue().splitlines() == [
        "new figures: 10,000/100,000 (10 %), 2,500/s, about 36 s left",
        "new figures: 19,000/100,000 (19 %), 1,188/s, about 68 s left",
        "new figures: 100,000/100,000 (100 %), 2,500/s",
        "figure texts: 50,000/100,000 (50 %), 10,000/s, about 5 s left",
    ]


def test_progress_on_a_terminal_is_a_bar_with_rate_and_time_left():
    out, clock = io.StringIO(), Clock()
    report = ProgressReport(out, tty=True, clock=clock)
    clock.now = 4.0
    report("new figures", 20_000, 100_000)
    report.close()

    text = out.getvalue()
    assert "new figures" in text
    assert "20000/100000" in text
    assert "5,000/s" in text


def test_the_cycle_collector_is_off_during_a_load_and_on_after_it(seed, tmp_path, monkeypatch):
    from app.services.write import ingest

    during: list[bool] = []
    run = ingest.run

    def watched(*args, **kwargs):
        during.append(gc.isenabled())
        return run(*args, **kwargs)

    monkeypatch.setattr(ingest, "run", watched)
    assert seed(str(write_seed(tmp_path / "good", MINIMAL))).exit_code == 0
    assert gc.isenabled()
    bad = copy.deepcopy(MINIMAL)
    bad["figures"][0]["event"] = "nowhere"
    assert seed(str(write_seed(tmp_path / "bad", bad))).exit_code == 1
    assert gc.isenabled()
    assert during == [False, False]
