"""Records the docs page's response examples (`make examples`), from the API itself: it
migrates a throwaway SQLite database, loads ``seed/`` through ``POST /v1/bundles``, then keeps
one real response per operation in app/api/response_examples.json. It sits above the app (it
starts one), so the schema hook in app/api/response_examples.py never imports it.
"""

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app import migrate
from app.api.response_examples import BUNDLE, DRAFT, FILE, READS
from app.api.routes.drafts import EXAMPLE_TITLE, EXCERPT
from app.main import create_app
from app.services.write import bundles, ingest, keys
from app.settings import Settings


def record(response: Any) -> dict[str, Any]:
    media_type = response.headers["content-type"].split(";")[0]
    body = response.json() if media_type.endswith("json") else response.text
    return {"media_type": media_type, "body": body}


def generate(seed_dir: Path) -> dict[str, Any]:
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
            loaded = [ingest.read_file(path)[0] for path in ingest.discover([seed_dir])]
            loaded.sort(key=lambda f: (f.data.document is not None, str(f.path)))  # type: ignore[union-attr]
            for index, file in enumerate(loaded):
                response = client.post("/v1/bundles", json=bundles.from_file(file), headers=auth)  # type: ignore[arg-type]
                response.raise_for_status()
                if index == 0:
                    examples[BUNDLE] = record(response)
            response = client.post(
                "/v1/drafts", json={"article": EXCERPT, "title": EXAMPLE_TITLE}, headers=auth
            )
            response.raise_for_status()
            examples[DRAFT] = record(response)
            for name, url in READS.items():
                response = client.get(url)
                response.raise_for_status()
                examples[name] = record(response)
    return examples


def main() -> None:
    seed_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("seed")
    FILE.write_text(
        json.dumps(generate(seed_dir), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {FILE.name}")


if __name__ == "__main__":
    main()
