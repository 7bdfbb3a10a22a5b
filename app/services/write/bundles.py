"""Bundles: a seed file sent over HTTP, checked whole and applied all or nothing."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, col, select

from app.errors import ConflictError, UnprocessableError
from app.models import Measure, Revision
from app.models.vocab import Status
from app.schemas.seed import SeedFile
from app.services.read import history
from app.services.write import editing, ingest
from app.services.write.ingest import merge

SECTIONS = {"measure": "measures", "source": "sources", "event": "events", "figure": "figures"}


def _refuse(problems: list[ingest.SeedProblem]) -> UnprocessableError:
    errors = [{"record": p.record, "field": p.field, "message": p.message} for p in problems]
    detail = "; ".join(f"{p.record}: {p.field}: {p.message}" for p in problems[:20])
    if len(problems) > 20:
        detail += f"; and {len(problems) - 20} more"
    return UnprocessableError(detail, errors=errors)


def split_reason(raw: Any, header: str | None) -> tuple[Any, str | None]:
    """The bundle without its top-level `reason`, and the reason (the header wins)."""
    if not isinstance(raw, dict) or "reason" not in raw:
        return raw, header
    rest = {key: value for key, value in raw.items() if key != "reason"}
    from_body = editing.body_reason(raw["reason"])
    return rest, header if header is not None else from_body


@contextmanager
def _collecting_revisions(session: Session) -> Iterator[list[Revision]]:
    """Every revision added to the session meanwhile (held here: the session forgets them).

    New records and their chains go in through ``bulk`` without ORM objects, so what is
    collected is every update, every removed link, and every record or link written one by one.
    """
    written: list[Revision] = []

    def collect(_session: Session, instance: object) -> None:
        if isinstance(instance, Revision):
            written.append(instance)

    event.listen(session, "after_attach", collect)
    try:
        yield written
    finally:
        event.remove(session, "after_attach", collect)


def _label(data: SeedFile, kind: str, slug: str) -> str:
    section = SECTIONS[kind]
    for index, item in enumerate(getattr(data, section)):
        if item.slug == slug:
            return f"{section}[{index}] {slug}"
    return f"{kind} {slug}"


def _check_changes(
    session: Session, data: SeedFile, written: list[Revision], reason: str | None
) -> None:
    created = {r.subject for r in written if r.action == "create" and r.entity != "attribution"}
    changed = sorted({r.subject for r in written if r.subject not in created})
    if not changed:
        return
    slugs = history.slugs_for(session, written)
    problems = []
    for subject in changed:
        kind, _, row_id = subject.partition(":")
        model = history.MODELS[kind]
        if not issubclass(model, Measure):  # measures have no status
            status = session.exec(select(model.status).where(col(model.id) == int(row_id))).one()
            if status == Status.retracted:
                slug = slugs.subject(subject) or subject
                problems.append(
                    ingest.SeedProblem(
                        "bundle",
                        _label(data, kind, slug),
                        "status",
                        f"the {kind} is retracted; a bundle does not rewrite a retracted "
                        "record (leave it out of the bundle)",
                    )
                )
    if problems:
        raise _refuse(problems)
    if reason is None or not reason.strip():
        names = ", ".join(f"{s.partition(':')[0]} {slugs.subject(s)}" for s in changed[:10])
        more = f" and {len(changed) - 10} more" if len(changed) > 10 else ""
        raise UnprocessableError(
            f"reason: the bundle changes records that exist ({names}{more}); say why "
            "(a top-level `reason` field or a `Sourced-Reason` header)",
            errors=[{"field": "reason", "message": "required for a change to an existing record"}],
        )


def split_take_file(raw: Any) -> tuple[Any, bool]:
    """The bundle without its top-level `take_file`, and whether it was true."""
    if not isinstance(raw, dict) or "take_file" not in raw:
        return raw, False
    value = raw["take_file"]
    if not isinstance(value, bool):
        raise UnprocessableError(
            f"take_file: must be true or false, not {type(value).__name__}",
            errors=[{"field": "take_file", "message": "must be a boolean"}],
        )
    return {key: item for key, item in raw.items() if key != "take_file"}, value


def _conflicts(conflicts: list[merge.Conflict]) -> ConflictError:
    errors = [
        {
            "record": f"{c.entity} {c.slug}",
            "field": "(record)",
            "message": "edited since the file last changed it; "
            + "; ".join([*(str(e) for e in c.edits), *c.differences]),
        }
        for c in conflicts
    ]
    names = ", ".join(f"{c.entity} {c.slug}" for c in conflicts[:10])
    more = f" and {len(conflicts) - 10} more" if len(conflicts) > 10 else ""
    return ConflictError(
        f"the bundle changes records edited since it last changed them ({names}{more}); "
        "nothing was written. Make the bundle say what the records now say, or send it with "
        '`"take_file": true` and a reason to apply it over those edits',
        title="Records edited since the bundle changed them",
        errors=errors,
    )


def apply(session: Session, raw: Any, actor: str, reason: str | None) -> list[ingest.Change]:
    """The same checks and the same merge as `sourced seed`; a repeat writes nothing.

    A bundle that changes a stored record needs a reason, and may not rewrite a retracted
    one; a record edited since the bundle's document last changed it is a conflict (409),
    unless the bundle says `take_file`. On any refusal the caller's unit of work rolls back
    what was written.
    """
    raw, reason = split_reason(raw, reason)
    raw, take_file = split_take_file(raw)
    # As `sourced seed`: the records valid on their own are checked against each other and
    # the database in the same pass, so every problem comes back in one answer.
    loaded, problems = ingest.parse("bundle", raw)
    if loaded is None:
        raise _refuse(problems)
    data = loaded.data
    loaded.texts = ingest.inline_texts(data)
    problems += [
        ingest.SeedProblem(
            "bundle",
            loaded.label("sources", i, s.slug),
            "text_file",
            "bundles carry full_text, not files",
        )
        for i, s in enumerate(data.sources)
        if s.text_file is not None
    ]
    problems += ingest.check(session, [loaded])
    reason = reason.strip() if reason is not None and reason.strip() else None
    if take_file and reason is None:
        raise UnprocessableError(
            "reason: `take_file` writes over editors' changes; say why (a top-level `reason` "
            "field or a `Sourced-Reason` header)",
            errors=[{"field": "reason", "message": "required with take_file"}],
        )
    if data.document is None:
        # Not a document's file but an editor's batch: like a PATCH, every change to a stored
        # record carries the editor's reason, and there is no file version to merge with.
        plan = merge.Plan(normal=[loaded])
    else:
        plan = merge.plan(session, [loaded], take_file=take_file)
    problems += [ingest.SeedProblem("bundle", p.record, p.field, p.message) for p in plan.problems]
    if problems:
        raise _refuse(problems)
    if plan.conflicts:
        raise _conflicts(plan.conflicts)
    groups: list[Any] = [*plan.normal, *plan.taken, *plan.amending]
    with _collecting_revisions(session) as written:
        changes = ingest.apply(session, groups, actor, reason) if groups else []
    _check_changes(session, data, written, reason)
    merge.record(session, plan.marks)
    return changes


def from_file(loaded: ingest.LoadedFile) -> dict[str, Any]:
    """A loaded seed file as a bundle: its documents' texts inline instead of file paths."""
    bundle = loaded.data.model_dump(mode="json", exclude_none=True)
    for source in bundle.get("sources", []):
        if source.pop("text_file", None) is not None:
            source["full_text"] = loaded.texts[source["slug"]]
    return bundle
