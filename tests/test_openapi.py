"""Docs are part of the feature: every endpoint and parameter is described, with an example."""

import pytest

from app.main import create_app
from app.settings import Settings


@pytest.fixture(scope="module")
def schema():
    return create_app(Settings(database_url="sqlite://", _env_file=None)).openapi()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_every_endpoint_has_a_summary_and_a_description(schema):
    missing = [
        name
        for name, op in operations(schema)
        if not op.get("summary") or not op.get("description")
    ]
    assert missing == []


def test_every_parameter_has_a_description_and_an_example(schema):
    missing = []
    for name, op in operations(schema):
        for param in op.get("parameters", []):
            has_example = (
                "example" in param or "examples" in param or "examples" in param.get("schema", {})
            )
            if not param.get("description") or not has_example:
                missing.append(f"{name} {param['name']}")
    assert missing == []


def test_every_error_response_is_problem_json(schema):
    wrong = []
    for name, op in operations(schema):
        for status, response in op["responses"].items():
            is_error = status.startswith(("4", "5")) and name != "GET /health"
            if is_error and list(response.get("content", {})) != ["application/problem+json"]:
                wrong.append(f"{name} {status}")
    assert wrong == []
