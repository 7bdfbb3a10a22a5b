"""Reading seed files: finding them, parsing YAML or JSON, validating every record."""

import contextlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.schemas.seed import SeedFile
from app.services.write.ingest.records import SECTIONS, SEED_SUFFIXES, LoadedFile, SeedProblem

# The C loader when libyaml is there: the same safe subset of YAML, several times faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# --- reading -------------------------------------------------------------------------------


def discover(paths: Iterable[Path]) -> list[Path]:
    """Seed files named by ``paths``: files as given, folders searched for YAML and JSON."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in SEED_SUFFIXES))
        else:
            found.append(path)
    return found


def _record_label(raw: Any, loc: tuple[Any, ...]) -> tuple[str, str]:
    """Split a pydantic error location into the record ('figures[2] deserters') and its field."""
    if len(loc) < 2 or not isinstance(loc[1], int):
        return "file", ".".join(str(p) for p in loc) or "(top level)"
    section, index = loc[0], loc[1]
    item = None
    with contextlib.suppress(KeyError, IndexError, TypeError):
        item = raw[section][index]
    return _label(section, index, item, loc[2:])


def _label(section: str, index: int, item: Any, rest: tuple[Any, ...]) -> tuple[str, str]:
    """The record ('figures[2] deserters', numbered as in the file) and its field."""
    slug = item.get("slug") if isinstance(item, dict) else None
    record = f"{section}[{index}]" + (f" {slug}" if isinstance(slug, str) else "")
    field_name = ""
    for part in rest:
        field_name += (
            f"[{part}]" if isinstance(part, int) else (f".{part}" if field_name else str(part))
        )
    return record, field_name or "(record)"


def _problem(name: str, record: str, field_name: str, message: str) -> SeedProblem:
    message = message.removeprefix("Value error, ")
    # Whole-record rules name their field at the start of the message ("value: ...").
    if field_name == "(record)" and ": " in message:
        field_name, message = message.split(": ", 1)
    return SeedProblem(name, record, field_name, message)


def validation_problems(name: str, raw: Any, error: ValidationError) -> list[SeedProblem]:
    problems = []
    for item in error.errors(include_url=False):
        record, field_name = _record_label(raw, tuple(item["loc"]))
        problems.append(_problem(name, record, field_name, item["msg"]))
    return problems


def validate_record(
    name: str, section: str, index: int, item: Any
) -> tuple[Any | None, list[SeedProblem]]:
    """One record of a section, alone (a file read as a stream): the record, or its problems
    labelled as the whole file's validation labels them."""
    model = SECTIONS[section][0]
    try:
        return model.model_validate(item), []
    except ValidationError as exc:
        return None, [
            _problem(name, *_label(section, index, item, tuple(error["loc"])), error["msg"])
            for error in exc.errors(include_url=False)
        ]


def draft_marks(name: str, raw: Any) -> tuple[Any, list[SeedProblem]]:
    """A file `sourced draft` wrote: while it has its top-level ``draft`` mark it is refused,
    naming each ``review`` note its records still carry. The notes are never loaded: once the
    editor removes the mark, any left are the editor's own remarks in the file."""
    if not isinstance(raw, dict) or not ("draft" in raw or _has_reviews(raw)):
        return raw, []
    raw = dict(raw)
    is_draft = "draft" in raw
    raw.pop("draft", None)
    notes: list[SeedProblem] = []
    for section in SECTIONS:
        items = raw.get(section)
        if not isinstance(items, list):
            continue
        raw[section] = [
            {k: v for k, v in item.items() if k != "review"} if isinstance(item, dict) else item
            for item in items
        ]
        for index, item in enumerate(items):
            if not isinstance(item, dict) or "review" not in item:
                continue
            slug = item.get("slug")
            record = f"{section}[{index}]" + (f" {slug}" if isinstance(slug, str) else "")
            review = item["review"]
            for note in review if isinstance(review, list) else [review]:
                notes.append(SeedProblem(name, record, "review", str(note)))
    if not is_draft:
        return raw, []
    marked = len({note.record for note in notes})
    summary = SeedProblem(
        name,
        "file",
        "draft",
        f"a draft, not yet checked: {marked} record(s) still carry review notes; check each "
        "record against the document, then remove the `draft` mark",
    )
    return raw, [summary, *notes]


def _has_reviews(raw: dict[str, Any]) -> bool:
    return any(
        isinstance(item, dict) and "review" in item
        for section in SECTIONS
        if isinstance(raw.get(section), list)
        for item in raw[section]
    )


def parse(name: str, raw: Any) -> tuple[LoadedFile | None, list[SeedProblem]]:
    """Validate a file's records; with problems, keep the records that are valid on their own.

    The file is validated whole first, so problems read as they always have; only when that
    fails is each record validated alone, so that the cross-record checks can still run on the
    good ones in the same pass."""
    path = Path(name)
    raw, marks = draft_marks(name, raw)
    try:
        return LoadedFile(path=path, data=SeedFile.model_validate(raw)), marks
    except ValidationError as exc:
        problems = marks + validation_problems(name, raw, exc)
    if not isinstance(raw, dict):
        return None, problems
    kept: dict[str, list[Any]] = {}
    loaded = LoadedFile(path=path, data=SeedFile())
    for section, (model, kind) in SECTIONS.items():
        items = raw.get(section)
        if not isinstance(items, list):
            continue
        kept[section], loaded.positions[section] = [], []
        for index, item in enumerate(items):
            try:
                kept[section].append(model.model_validate(item))
                loaded.positions[section].append(index)
            except ValidationError:
                slug = item.get("slug") if isinstance(item, dict) else None
                if isinstance(slug, str):
                    loaded.invalid.setdefault(kind, set()).add(slug)
    document = raw.get("document")
    with contextlib.suppress(ValidationError):
        loaded.data = SeedFile.model_validate({"document": document} if document else {})
    loaded.data = loaded.data.model_copy(update=kept)
    return loaded, problems


def read_file(path: Path) -> tuple[LoadedFile | None, list[SeedProblem]]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [SeedProblem(name, "file", "(file)", f"cannot be read: {exc}")]
    try:
        raw = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_YAML_LOADER)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        return None, [SeedProblem(name, "file", "(syntax)", " ".join(str(exc).split()))]
    loaded, problems = parse(name, raw if raw is not None else {})
    if loaded is None:
        return None, problems
    loaded.path = path
    problems.extend(read_texts(loaded))
    return loaded, problems


def read_texts(loaded: LoadedFile) -> list[SeedProblem]:
    """The sources' texts: given inline, or read from their ``text_file`` beside the file."""
    problems = []
    data = loaded.data
    loaded.texts.update(inline_texts(data))
    for index, source in enumerate(data.sources):
        if source.text_file is None:
            continue
        text_path = loaded.path.parent / source.text_file
        try:
            loaded.texts[source.slug] = text_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(
                SeedProblem(
                    str(loaded.path),
                    loaded.label("sources", index, source.slug),
                    "text_file",
                    f"cannot be read: {exc}",
                )
            )
    return problems


def inline_texts(data: SeedFile) -> dict[str, str]:
    """Full texts given inline (bundles sent over HTTP carry no files)."""
    return {s.slug: s.full_text for s in data.sources if s.full_text is not None}
