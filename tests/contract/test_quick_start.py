"""The README's quick start runs: pandas reads the live CSV URL and prints what the README shows."""

import contextlib
import io
import re

import pandas as pd

from tests.conftest import ROOT
from tests.serving import free_port, serving

README = (ROOT / "README.md").read_text(encoding="utf-8")


def pandas_recipe() -> tuple[str, str]:
    after = README.split("<!-- pandas:", 1)[1]
    code, output = re.findall(r"```(?:python|text)\n(.*?)```", after, re.DOTALL)[:2]
    return code, output


def test_the_pandas_recipe_prints_what_the_readme_shows(seeded, database_url):
    code, shown = pandas_recipe()
    port = free_port()
    command = ["uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1"]
    with serving([*command, "--port", str(port)], {"SOURCED_DATABASE_URL": database_url}, port):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(code.replace("127.0.0.1:8000", f"127.0.0.1:{port}"), {})
        figures = pd.read_csv(f"http://127.0.0.1:{port}/v1/figures?format=csv", dtype=str)
    assert printed.getvalue() == shown
    # Read as text, every value is exactly as stored, quotes with their curly apostrophes.
    row = figures.set_index("slug").loc["deserters-since-invasion"]
    assert (row["value"], row["stated_as"], row["claimant_party"]) == (
        "50000",
        "at least 50,000",
        "RU",
    )
    assert row["quote"].startswith("According to the leaked 2024 reports from Russia’s Ministry")
    assert figures.set_index("slug").loc["share-sentenced-to-death-1941", "value"] == "1.5"
