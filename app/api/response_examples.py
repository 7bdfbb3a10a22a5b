"""Response examples for the docs page, recorded from the API itself serving the seeded data.

`make examples` rebuilds ``response_examples.json``: it migrates a throwaway SQLite database,
loads ``seed/`` through ``POST /v1/bundles``, then records one real response per operation.
A test replays the read requests on the seed and fails when the stored examples drift.
"""

import json
import sys
import tempfile
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
    "GET /health": "/health",
}
# Writes answer with the record as a read shows it.
WRITES: dict[str, str] = {
    f"{method} /v1/{kind}{suffix}": f"GET /v1/{kind}/{{slug}}"
    for kind in ("figures", "events", "sources")
    for method, suffix in (("POST", ""), ("PATCH", "/{slug}"), ("DELETE", "/{slug}"))
}
BUNDLE = "POST /v1/bundles"


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


def record(response: Any) -> dict[str, Any]:
    media_type = response.headers["content-type"].split(";")[0]
    body = response.json() if media_type.endswith("json") else response.text
    return {"media_type": media_type, "body": body}


def generate(seed_dir: Path) -> dict[str, Any]:  # pragma: no cover - run by `make examples`
    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from app import migrate
    from app.main import create_app
    from app.services import bundles, keys, seeding
    from app.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{folder}/examples.db", _env_file=None)
        migrate.upgrade(settings.database_url)
        app = create_app(settings)
        with Session(app.state.engine) as session:
            secret = keys.create(session, "seed script", "editor").secret
            session.commit()
        examples: dict[str, Any] = {}
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            auth = {"Authorization": f"Bearer {secret}"}
            loaded: list[seeding.LoadedFile] = []
            for path in seeding.discover([seed_dir]):
                read, _ = seeding.read_file(path)
                assert read is not None, path  # the seed is valid
                loaded.append(read)
            loaded.sort(key=lambda f: (f.data.document is not None, str(f.path)))
            for index, file in enumerate(loaded):
                response = client.post("/v1/bundles", json=bundles.from_file(file), headers=auth)
                response.raise_for_status()
                if index == 0:
                    examples[BUNDLE] = record(response)
            for name, url in READS.items():
                response = client.get(url)
                response.raise_for_status()
                examples[name] = record(response)
    return examples


def main() -> None:  # pragma: no cover - run by `make examples`
    seed_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("seed")
    FILE.write_text(
        json.dumps(generate(seed_dir), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {FILE.name}")


if __name__ == "__main__":
    main()
