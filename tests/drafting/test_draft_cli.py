"""`sourced draft` end to end: an article drafted into a folder, refused by `sourced seed` while
it is a draft, seeded once the editor removes the mark, and served with its chains and quotes;
and `sourced draft --check`."""

import re
import shutil

import pytest
import yaml
from typer.testing import CliRunner

from app.cli import cli
from tests.conftest import SEED_DIR

runner = CliRunner()
ARTICLE = SEED_DIR / "documents" / "article-50000-deserters.txt"
CURATED = SEED_DIR / "article-50000-deserters.yaml"


@pytest.fixture
def configured(engine, database_url, monkeypatch):
    """The commands run against the (emptied) test database."""
    monkeypatch.setenv("SOURCED_DATABASE_URL", database_url)
    return engine


def test_draft_refused_then_seeded_and_served(configured, client, tmp_path):
    article = tmp_path / "article-50000-deserters.txt"
    shutil.copy(ARTICLE, article)
    out = tmp_path / "seed" / "article-50000-deserters.yaml"
    out.parent.mkdir()
    drafted = runner.invoke(cli, ["draft", str(article), "--out", str(out)])
    assert drafted.exit_code == 0, drafted.output
    assert re.search(
        r"drafted 8 figure\(s\) from \d+ sentence\(s\): 7 with a named claimant", drafted.output
    )
    text_file = out.parent / "documents" / "article-50000-deserters.txt"
    assert text_file.read_text(encoding="utf-8") == ARTICLE.read_text(encoding="utf-8")

    refused = runner.invoke(cli, ["seed", str(out.parent)])
    assert refused.exit_code == 1
    assert "seed refused" in refused.output
    assert f"{out}: file: draft: a draft, not yet checked" in refused.output
    assert re.search(r"figures\[\d+\] [a-z0-9-]+: review: read '10.201' as 10201", refused.output)

    # The editor has checked the records: the draft line goes, the review notes may stay.
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    kept, skipping = [], False
    for line in lines:
        if line.startswith("draft:"):
            skipping = True
            continue
        if skipping and line.startswith("  "):
            continue
        skipping = False
        kept.append(line)
    out.write_text("".join(kept), encoding="utf-8")
    seeded = runner.invoke(cli, ["seed", str(out.parent)])
    assert seeded.exit_code == 0, seeded.output

    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    by_stated = {f["stated_as"]: f for f in data["figures"]}
    deserters = by_stated["at least 50,000"]
    served = client.get(f"/v1/figures/{deserters['slug']}")
    assert served.status_code == 200, served.text
    body = served.json()
    assert body["qualifier"] == "at_least"
    assert body["stated_as"] == "at least 50,000"
    chain = [(link["source"]["slug"], link["role"]) for link in body["attributions"]]
    assert chain == [
        ("leaked-2024-reports-from-russias-ministry-of-defence", "claimant"),
        ("article-50000-deserters", "publisher"),
    ]
    quote = body["attributions"][-1]["quote"]
    assert quote == (
        "According to the leaked 2024 reports from Russia’s Ministry of Defence, at least 50,000 "
        "service members have deserted since the invasion began."
    )
    assert quote in ARTICLE.read_text(encoding="utf-8")
    nine = client.get(f"/v1/figures/{by_stated['nine']['slug']}").json()
    assert [link["source"]["slug"] for link in nine["attributions"]] == [
        "rfe-rl",
        "article-50000-deserters",
    ]


def test_draft_to_standard_output_inlines_the_text(configured, tmp_path):
    article = tmp_path / "flood.txt"
    article.write_text(
        "Floods killed at least 37 people, the emergency service said.\n", encoding="utf-8"
    )
    result = runner.invoke(
        cli, ["draft", str(article), "--title", "Floods", "--published", "2026-03"]
    )
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.stdout)
    assert data["draft"]
    document = data["sources"][0]
    assert (document["slug"], document["name"], document["published"]) == (
        "flood",
        "Floods",
        "2026-03",
    )
    assert document["full_text"] == article.read_text(encoding="utf-8")
    assert [(f["value"], f["qualifier"]) for f in data["figures"]] == [(37, "at_least")]


def test_a_bad_option_is_refused_naming_it(configured, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Nine inmates escaped.\n", encoding="utf-8")
    result = runner.invoke(cli, ["draft", str(article), "--published", "last spring"])
    assert result.exit_code == 1
    assert "draft refused: published: not an EDTF date" in result.output


def test_an_existing_out_file_is_not_overwritten(configured, tmp_path):
    out = tmp_path / "x.yaml"
    out.write_text("edited by hand\n", encoding="utf-8")
    result = runner.invoke(cli, ["draft", str(ARTICLE), "--out", str(out)])
    assert result.exit_code == 1
    assert out.read_text(encoding="utf-8") == "edited by hand\n"


def test_check_of_the_curated_seed_reports_nothing_missing():
    result = runner.invoke(cli, ["draft", "--check", str(CURATED), str(ARTICLE)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "8 numeric claim(s) in the article, 8 covered by the seed file, 0 missing"
    )


def test_check_lists_each_missing_claim_with_its_sentence(tmp_path):
    data = yaml.safe_load(CURATED.read_text(encoding="utf-8"))
    data["figures"] = [
        f for f in data["figures"] if f["slug"] != "russian-killed-or-wounded-ua-mod"
    ]
    shutil.copytree(SEED_DIR / "documents", tmp_path / "documents")
    partial = tmp_path / "partial.yaml"
    partial.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(cli, ["draft", "--check", str(partial), str(ARTICLE)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "missing: 'more than a million' in: Numbers from the Ministry of Defense of Ukraine say "
        "more than a million Russian personnel have been killed or wounded, a toll that has "
        "strained units already battling exhaustion and low morale.",
        "8 numeric claim(s) in the article, 7 covered by the seed file, 1 missing",
    ]
