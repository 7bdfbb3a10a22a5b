"""Response examples for the docs page: which requests they are, and putting them into the
OpenAPI schema. They are recorded from the API itself serving the seeded data by
app/record_examples.py (`make examples`); a test replays the reads and fails on drift.
"""

import json
from pathlib import Path
from typing import Any

FILE = Path(__file__).with_name("response_examples.json")

# The request whose response illustrates each read operation (small pages keep the page light).
READS: dict[str, str] = {
    "GET /v1": "/v1",
    "GET /v1/figures": "/v1/figures?measure=deserters&limit=1",
    "GET /v1/figures/{slug}": "/v1/figures/deserters-since-invasion",
    "GET /v1/figures/{slug}/citation": "/v1/figures/deserters-since-invasion/citation",
    "GET /v1/figures/{slug}/history": "/v1/figures/leningrad-inmates-escaped/history",
    "GET /v1/events": "/v1/events?type=incident&limit=1",
    "GET /v1/events/{slug}": "/v1/events/leningrad-inmates-escape",
    "GET /v1/events/{slug}/history": "/v1/events/leningrad-inmates-escape/history",
    "GET /v1/sources": "/v1/sources?kind=ngo&limit=1",
    "GET /v1/sources/{slug}": "/v1/sources/rfe-rl",
    "GET /v1/sources/{slug}/history": "/v1/sources/dozor/history",
    "GET /v1/sources/{slug}/figures": "/v1/sources/ua-mod/figures?limit=1",
    "GET /v1/measures": "/v1/measures",
    "GET /v1/measures/{measure}": "/v1/measures/killed_or_wounded",
    "GET /v1/search": "/v1/search?q=deserted&limit=2",
    "GET /v1/changes": "/v1/changes?limit=2",
    "GET /v1/changes.atom": "/v1/changes.atom",
    "GET /v1/datapackage.json": "/v1/datapackage.json",
    "GET /v1/dataset.jsonld": "/v1/dataset.jsonld",
    "GET /oembed": "/oembed?url=http%3A%2F%2F127.0.0.1%3A8000%2Fv1%2Ffigures%2Fdeserters-since-invasion",
    "GET /health": "/health",
}
# Writes answer with the record as a read shows it.
WRITES: dict[str, str] = {
    f"{method} /v1/{kind}{suffix}": f"GET /v1/{kind}/{{slug}}"
    for kind in ("figures", "events", "sources")
    for method, suffix in (("POST", ""), ("PATCH", "/{slug}"), ("DELETE", "/{slug}"))
}
BUNDLE = "POST /v1/bundles"
# A draft of one sentence of the seed article, drafted against the seeded dataset.
DRAFT = "POST /v1/drafts"


def load() -> dict[str, Any]:
    return json.loads(FILE.read_text(encoding="utf-8")) if FILE.exists() else {}


def attach(schema: dict[str, Any]) -> None:
    """Put each stored example on its operation's success response."""
    stored = load()
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            name = f"{method.upper()} {path}"
            example = stored.get(WRITES.get(name, name))
            if example is None:
                continue
            for status, response in operation.get("responses", {}).items():
                if status.startswith("2"):
                    media = response.setdefault("content", {}).setdefault(example["media_type"], {})
                    media["example"] = example["body"]
