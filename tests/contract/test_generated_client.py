"""A client generated from the OpenAPI document builds without a warning and reads the API.

The generator runs on the document the app serves, offline (`--path`). Its one setting: an
Atom feed is XML, a media type it has no model for, so a feed is read as bytes.
"""

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = "sourced_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture
def generated(client, tmp_path):
    document = tmp_path / "openapi.json"
    document.write_text(client.get("/openapi.json").text, encoding="utf-8")
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {
                "content_type_overrides": {"application/atom+xml": "application/octet-stream"},
                "post_hooks": [],
            }
        ),
        encoding="utf-8",
    )
    run = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            *("--path", str(document)),
            *("--output-path", str(tmp_path / PACKAGE)),
            *("--config", str(config)),
            *("--meta", "none"),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    sys.path.insert(0, str(tmp_path))
    try:
        yield run, tmp_path / PACKAGE
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_the_client_generates_without_a_warning(generated):
    run, package = generated
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "warning" not in output.lower(), output
    assert "duplicate" not in output.lower(), output
    assert output.strip() == f"Generating {package}"


def test_each_operation_has_a_short_name(generated):
    _, package = generated
    figures = sorted(p.name for p in (package / "api" / "figures").glob("*.py"))
    assert figures == [
        "__init__.py",
        "create_figure.py",
        "get_figure.py",
        "get_figure_citation.py",
        "get_figure_history.py",
        "list_figures.py",
        "retract_figure.py",
        "update_figure.py",
    ]
    models = {p.stem for p in (package / "models").glob("*.py")}
    assert {"figure_patch", "event_patch", "source_patch", "figure_create"} <= models


def test_the_client_reads_a_figure_and_its_history(generated, seeded_client):
    client_module = importlib.import_module(f"{PACKAGE}.client")
    get_figure = importlib.import_module(f"{PACKAGE}.api.figures.get_figure")
    get_history = importlib.import_module(f"{PACKAGE}.api.figures.get_figure_history")
    client = client_module.Client(base_url="http://testserver")
    client.set_httpx_client(seeded_client)

    figure = get_figure.sync(slug="deserters-since-invasion", client=client)
    assert (figure.slug, figure.value, figure.stated_as) == (
        "deserters-since-invasion",
        50000,
        "at least 50,000",
    )
    assert [link.source.slug for link in figure.attributions] == [
        "ru-mod-leaked-reports-2024",
        "rfe-rl",
        "article-50000-deserters",
    ]
    history = get_history.sync(slug="deserters-since-invasion", client=client, limit=1)
    assert [r.action for r in history.items] == ["create"]
