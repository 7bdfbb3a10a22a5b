"""Editors' writes: create, correct with a merge patch, retract. Every change is a revision
with who and why; a write against a stale version is refused; nothing is ever hard-deleted."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import (
    ConflictError,
    InvalidParameterError,
    NotFoundError,
    PreconditionFailedError,
    PreconditionRequiredError,
    UnprocessableError,
)
from app.models import Event, Figure, Source
from app.models.records import Record
from app.models.vocab import Action, Entity, Status
from app.schemas.event import EventIn
from app.schemas.figure import FigureIn
from app.schemas.seed import SeedFile
from app.schemas.source import SourceWrite
from app.services.common import etags
from app.services.derived import after_write
from app.services.write import documents, ingest, revisions

# Fields the server owns: they appear in what is read, but a write may not set them.
SERVER_OWNED = frozenset(
    {
        "id",
        "url",
        "version",
        "status",
        "status_reason",
        "created_at",
        "updated_at",
        "citation",
        "has_text",
    }
)


@dataclass(frozen=True)
class Kind:
    entity: Entity
    model: type[Record]
    schema: type[SourceWrite | EventIn | FigureIn]
    section: str


KINDS = {
    "source": Kind(Entity.source, Source, SourceWrite, "sources"),
    "event": Kind(Entity.event, Event, EventIn, "events"),
    "figure": Kind(Entity.figure, Figure, FigureIn, "figures"),
}


def _problem_detail(errors: list[dict[str, str]]) -> str:
    return "; ".join(f"{e['field']}: {e['message']}" for e in errors)


def _validate(kind: Kind, document: dict[str, Any]) -> SourceWrite | EventIn | FigureIn:
    owned = sorted(SERVER_OWNED & set(document))
    if owned:
        errors = [{"field": f, "message": "set by the server; it cannot be written"} for f in owned]
        raise UnprocessableError(_problem_detail(errors), errors=errors)
    try:
        return kind.schema.model_validate(document)
    except ValidationError as exc:
        errors = []
        for item in exc.errors(include_url=False):
            field = ".".join(str(p) for p in item["loc"]) or "body"
            message = item["msg"].removeprefix("Value error, ")
            if field == "body" and ": " in message:
                field, message = message.split(": ", 1)
            errors.append({"field": field, "message": message})
        raise UnprocessableError(_problem_detail(errors), errors=errors) from None


def _check(session: Session, kind: Kind, record: BaseModel) -> ingest.LoadedFile:
    data = SeedFile.model_validate({kind.section: [record.model_dump()]})
    loaded = ingest.LoadedFile(path=Path("request"), data=data, texts=ingest.inline_texts(data))
    problems = ingest.check(session, [loaded])
    if problems:
        errors = [{"field": p.field, "message": p.message} for p in problems]
        raise UnprocessableError(_problem_detail(errors), errors=errors)
    return loaded


def find(session: Session, kind_name: str, slug: str, *, lock: bool = False) -> Any:
    """The record with this slug; with ``lock``, its row locked until the transaction ends.

    Why the lock: a record's ETag covers more than its own row (a figure's chain, the
    versions of its event and sources), so the ``UPDATE ... WHERE version = n`` of
    ``revisions.bump`` alone cannot guard a write that changes only the chain: under READ
    COMMITTED a second writer reads the first one's committed links and writes over them
    with 200. A write of a record takes this lock before it computes the ETag it compares
    with If-Match, so writers of one record go one at a time and each checks, then writes,
    what the one before it committed. FOR NO KEY UPDATE rather than FOR UPDATE: it keeps
    other writers of the row out, but not an INSERT elsewhere whose foreign key points at the
    row (a chain citing a source being corrected), so such writes neither wait nor deadlock.
    SQLite has no row locks; its writers already run one at a time (BEGIN IMMEDIATE).
    """
    kind = KINDS[kind_name]
    statement = select(kind.model).where(col(kind.model.slug) == slug)
    if lock:
        # populate_existing: the locked read's values replace any copy the session holds.
        statement = statement.with_for_update(key_share=True).execution_options(
            populate_existing=True
        )
    row = session.exec(statement).first()
    if row is None:
        raise NotFoundError(f"slug: no {kind_name} {slug!r}")
    return row


def document(session: Session, kind_name: str, row: Any) -> dict[str, Any]:
    render: dict[str, Callable[[Session, Any], dict[str, Any]]] = {
        "source": documents.source_document,
        "event": documents.event_document,
        "figure": documents.figure_document,
    }
    return render[kind_name](session, row)


MAX_REASON_LENGTH = 2000  # as the `Sourced-Reason` header and a POST body's `reason`


def body_reason(value: Any) -> str | None:
    """A `reason` field of a request body: a string of at most 2000 characters, or absent."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise UnprocessableError(
            f"reason: must be a string, not {type(value).__name__}",
            errors=[{"field": "reason", "message": "must be a string"}],
        )
    if len(value) > MAX_REASON_LENGTH:
        raise UnprocessableError(
            f"reason: at most {MAX_REASON_LENGTH} characters",
            errors=[{"field": "reason", "message": f"at most {MAX_REASON_LENGTH} characters"}],
        )
    return value


def require_reason(reason: str | None) -> str:
    if reason is None or not reason.strip():
        raise UnprocessableError(
            "reason: say why the record changes (a `reason` field or a `Sourced-Reason` header)",
            errors=[{"field": "reason", "message": "required for a change to an existing record"}],
        )
    return reason.strip()


def check_version(if_match: str | None, current: str) -> None:
    if if_match is None:
        raise PreconditionRequiredError(
            "If-Match: send the record's current ETag so that no one else's change is overwritten",
            current_etag=current,
        )
    tags = etags.listed(if_match)
    # An ETag copied without its quotes (from a JSON body or a log) names the same version.
    candidates = {tag if tag == "*" or _quoted(tag) else f'"{tag}"' for tag in tags}
    if "*" in candidates:
        # `*` matches any version, so it would let a write overwrite a change it never saw.
        raise PreconditionRequiredError(
            "If-Match: send the ETag you read (from a GET of the record), not *; "
            "a write must name the version it changes",
            current_etag=current,
        )
    if current not in candidates and not all(_quoted(tag) for tag in tags):
        unquoted = next(tag for tag in tags if not _quoted(tag))
        raise InvalidParameterError(
            f"If-Match: {unquoted[:100]!r} is not an ETag; send the `ETag` header of a GET "
            f"of the record as it is ({current}), not its `version`",
            current_etag=current,
        )
    if current not in candidates:
        raise PreconditionFailedError(
            "If-Match: the record changed since that ETag; read it again and re-apply the change",
            current_etag=current,
        )


def _quoted(tag: str) -> bool:
    return len(tag) >= 2 and tag.startswith('"') and tag.endswith('"')


def with_current_etag(error: PreconditionFailedError, current: str) -> PreconditionFailedError:
    """A stale version found as the change was written (the conditional UPDATE matched no
    row) says, as every 412 does, what the record's ETag is now."""
    extra = {k: v for k, v in error.extra.items() if k != "current_version"}
    return PreconditionFailedError(error.detail, **extra, current_etag=current)


def create(
    session: Session, kind_name: str, body: dict[str, Any], actor: str, reason: str | None
) -> Any:
    kind = KINDS[kind_name]
    record = _validate(kind, body)
    slug = record.slug
    taken = ConflictError(
        f"slug: a {kind_name} {slug!r} already exists; PATCH it to change it",
        title="Slug already taken",
    )
    if session.exec(select(kind.model.id).where(col(kind.model.slug) == slug)).first() is not None:
        raise taken
    loaded = _check(session, kind, record)
    # A create that commits after the check above is seen by the apply step (READ COMMITTED),
    # which writes a record it finds as an update: only a create of this slug among the
    # changes proves that this request made the record. One that commits while this one
    # runs makes its INSERT fail on the unique slug; and its row changed under an update
    # fails that update's version check. Each of these is the same 409; the caller's unit of
    # work rolls back whatever was written, so the first create stands untouched.
    try:
        changes = ingest.apply(session, [loaded], actor, reason or f"created by {actor}")
    except IntegrityError as exc:
        if not _slug_taken(exc, kind):
            raise
        raise taken from None
    except PreconditionFailedError:
        raise taken from None
    if not any(
        c.entity == kind.entity and c.key == slug and c.action == Action.create.value
        for c in changes
    ):
        raise taken
    return find(session, kind_name, slug)


def _slug_taken(error: IntegrityError, kind: Kind) -> bool:
    """Whether ``error`` is the unique slug of ``kind``'s table (PostgreSQL names the
    constraint; SQLite says ``UNIQUE constraint failed: figure.slug``)."""
    table = kind.model.__tablename__
    constraint: str | None = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    if constraint is not None:
        return constraint == f"uq_{table}_slug"
    return f"{table}.slug" in str(error.orig)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch: null removes, objects merge, everything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result[key] = None
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def patched(session: Session, kind_name: str, row: Any, patch: dict[str, Any]) -> BaseModel:
    """The record with the merge patch applied, validated: checked before the version, so
    that a malformed patch is a 422 whatever ETag came with it."""
    kind = KINDS[kind_name]
    if "slug" in patch and patch["slug"] != row.slug:
        raise UnprocessableError(
            "slug: a published record keeps its slug; create a new record instead",
            errors=[{"field": "slug", "message": "cannot be changed"}],
        )
    return _validate(kind, merge_patch(document(session, kind_name, row), patch))


def _read_only_error(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


def _chain_link(index: int, link: Any, current: dict[str, Any], errors: list[Any]) -> Any:
    """A link of the chain as a GET shows it, in the write's shape: its `position` must be its
    place in the list, and a `source` object one the chain shows (it is written as its slug)."""
    if not isinstance(link, dict):
        return link
    link = dict(link)
    if "position" in link:
        position = link.pop("position")
        if position != index:
            errors.append(
                _read_only_error(
                    f"attributions.{index}.position",
                    f"read-only: a link's position is its place in the list ({index}), "
                    f"not {position!r}; reorder the list to move it",
                )
            )
    source = link.get("source")
    if isinstance(source, dict):
        shown = {
            shown_link["source"]["slug"]: shown_link["source"]
            for shown_link in current.get("attributions") or []
        }
        if source.get("slug") in shown and source == shown[source["slug"]]:
            link["source"] = source["slug"]
        else:
            errors.append(
                _read_only_error(
                    f"attributions.{index}.source",
                    "give the source's slug; an object is taken only as the record's GET shows it",
                )
            )
    return link


def without_read_only(
    kind_name: str, patch: dict[str, Any], current: dict[str, Any]
) -> dict[str, Any]:
    """The patch without what a GET of the record returns but a write does not take.

    A record read with GET can be sent back whole: each read-only field (its `url`, `version`,
    `status`, `updated_at`, `citation`, a link's `position`, the event or a source as an
    object...) is accepted when it equals what the record shows now, and dropped; a different
    value is a 422 naming the field, since the server would not write it. ``current`` is the
    record's public JSON, as its GET answers it.
    """
    writable = set(KINDS[kind_name].schema.model_fields)
    result: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for key, value in patch.items():
        if key == "attributions" and isinstance(value, list):
            result[key] = [_chain_link(i, link, current, errors) for i, link in enumerate(value)]
        elif key == "event" and isinstance(value, dict) and kind_name == "figure":
            if value == current.get("event"):
                result[key] = value["slug"]
            else:
                errors.append(
                    _read_only_error(
                        "event",
                        "give the event's slug; an object is taken only as the GET shows it",
                    )
                )
        elif key in writable or key not in current:
            result[key] = value  # a field a write takes; an unknown one is named by _validate
        elif value != current[key]:
            message = f"read-only: it is {current[key]!r} and a write cannot set it"
            if key == "url" and kind_name == "source":
                message += "; a source's web address is `website`"
            errors.append(_read_only_error(key, message))
    if errors:
        raise UnprocessableError(_problem_detail(errors), errors=errors)
    return result


def update(
    session: Session, kind_name: str, record: BaseModel, actor: str, reason: str
) -> list[ingest.Change]:
    """Write a record from ``patched``: its references are checked, then the changes saved."""
    loaded = _check(session, KINDS[kind_name], record)
    return ingest.apply(session, [loaded], actor, reason)


def retract(session: Session, kind_name: str, row: Any, actor: str, reason: str) -> Any:
    kind = KINDS[kind_name]
    if row.status == Status.retracted:
        return row
    revisions.save(
        session,
        entity=kind.entity,
        model=kind.model,
        existing=row,
        values={"status": Status.retracted.value, "status_reason": reason},
        actor=actor,
        create_reason=reason,
        update_reason=reason,
        action=Action.retract,
    )
    after_write.refresh(session, [(kind_name, row.id)])
    return row
