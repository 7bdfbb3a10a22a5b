"""Bundles: a seed file sent over HTTP, checked whole and applied all or nothing."""

from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from app.errors import UnprocessableError
from app.schemas.seed import SeedFile
from app.services import seeding


def _refuse(problems: list[seeding.SeedProblem]) -> UnprocessableError:
    errors = [{"record": p.record, "field": p.field, "message": p.message} for p in problems]
    detail = "; ".join(f"{p.record}: {p.field}: {p.message}" for p in problems[:20])
    if len(problems) > 20:
        detail += f"; and {len(problems) - 20} more"
    return UnprocessableError(detail, errors=errors)


def apply(session: Session, raw: Any, actor: str, reason: str | None) -> list[seeding.Change]:
    """The same checks and the same apply step as `sourced seed`; a repeat writes nothing."""
    try:
        data = SeedFile.model_validate(raw)
    except ValidationError as exc:
        raise _refuse(seeding.validation_problems("bundle", raw, exc)) from None
    problems = [
        seeding.SeedProblem(
            "bundle", f"sources[{i}] {s.slug}", "text_file", "bundles carry full_text, not files"
        )
        for i, s in enumerate(data.sources)
        if s.text_file is not None
    ]
    loaded = seeding.LoadedFile(path=Path("bundle"), data=data, texts=seeding.inline_texts(data))
    problems += seeding.check(session, [loaded])
    if problems:
        raise _refuse(problems)
    return seeding.apply(session, [loaded], actor, reason)


def from_file(loaded: seeding.LoadedFile) -> dict[str, Any]:
    """A loaded seed file as a bundle: its documents' texts inline instead of file paths."""
    bundle = loaded.data.model_dump(mode="json", exclude_none=True)
    for source in bundle.get("sources", []):
        if source.pop("text_file", None) is not None:
            source["full_text"] = loaded.texts[source["slug"]]
    return bundle
