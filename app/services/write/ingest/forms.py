"""How a seed record is compared: its canonical form and hash, a file's and the
database's, and the fields where they differ."""

import hashlib
import json
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel
from sqlmodel import Session

from app.models import Event, Figure, Measure, Source
from app.models.records import Record
from app.models.vocab import Entity
from app.schemas.event import EventIn
from app.schemas.figure import FigureIn
from app.schemas.measure import MeasureIn
from app.schemas.seed import SeedFile, SeedSource
from app.services.write import documents

SEED_ACTOR = "seed"
# Entities in the order a file is written, with their section, table and write schema.
ENTITIES: dict[Entity, tuple[str, type[Record], type[BaseModel]]] = {
    Entity.measure: ("measures", Measure, MeasureIn),
    Entity.source: ("sources", Source, SeedSource),
    Entity.event: ("events", Event, EventIn),
    Entity.figure: ("figures", Figure, FigureIn),
}
# Records many documents may declare: identical declarations are one record.
SHARED = frozenset({Entity.measure, Entity.source})


class SeedInput(Protocol):
    """What the merge needs of a read seed file (``seeding.LoadedFile``)."""

    path: Path
    data: SeedFile
    texts: dict[str, str]

    def label(self, section: str, index: int, slug: str) -> str:
        """``figures[4] slug``, numbered as in the file."""
        ...


def document_key(loaded: SeedInput) -> str:
    """The document a file speaks for: its ``document`` slug, else its file name."""
    return loaded.data.document or f"file:{loaded.path.name}"


def canonical(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(record: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(record).encode("utf-8")).hexdigest()


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_record(entity: Entity, item: BaseModel, texts: dict[str, str]) -> dict[str, Any]:
    """A file's record in the form that is hashed and compared: defaults left out (a field added
    to the format later does not change the hash), a document's text by its digest."""
    record = item.model_dump(mode="json", exclude_defaults=True)
    if entity is Entity.source:
        record.pop("text_file", None)
        record.pop("full_text", None)
        slug = record["slug"]
        if slug in texts:
            record["full_text_sha256"] = _text_digest(texts[slug])
    return record


def stored_record(session: Session, entity: Entity, row: Any) -> dict[str, Any]:
    """The record as the database holds it, in the same form as ``file_record``."""
    _, _, schema = ENTITIES[entity]
    if entity is Entity.measure:
        document: dict[str, Any] = {
            "slug": row.slug,
            "label": row.label,
            "description": row.description,
            "unit": row.unit,
        }
    elif entity is Entity.source:
        document = documents.source_document(session, row)
    elif entity is Entity.event:
        document = documents.event_document(session, row)
    else:
        document = documents.figure_document(session, row)
    record = schema.model_validate(document).model_dump(mode="json", exclude_defaults=True)
    if entity is Entity.source and row.full_text is not None:
        record["full_text_sha256"] = _text_digest(row.full_text)
    return record


def _shorten(value: Any, limit: int = 120) -> str:
    text = canonical(value) if not isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def differences(stored: dict[str, Any], incoming: dict[str, Any]) -> list[str]:
    """``field: stored X, file Y`` for every field where the two versions differ."""
    lines = []
    for key in sorted(set(stored) | set(incoming)):
        if key == "slug" or stored.get(key) == incoming.get(key):
            continue
        name = "text (digest)" if key == "full_text_sha256" else key
        lines.append(
            f"{name}: database {_shorten(stored.get(key))}, file {_shorten(incoming.get(key))}"
        )
    return lines
