"""What the database holds for the records a seed run names: their ids, the seed records
(what each document last said of them), their latest revisions and who edited them since;
the rows a run may write are locked before anyone's edits are read."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Revision, SeedRecord
from app.models.vocab import Entity
from app.services.common import batching
from app.services.write.ingest.forms import ENTITIES, SEED_ACTOR, SeedInput, document_key


@dataclass(frozen=True)
class Edit:
    revision_id: int
    at: str
    actor: str
    reason: str

    def __str__(self) -> str:
        return f"revision {self.revision_id} by {self.actor} at {self.at}: {self.reason!r}"


@dataclass
class Stored:
    """What the database holds for the slugs the files name: ids, seed records, edits."""

    ids: dict[tuple[Entity, str], int] = field(default_factory=dict)
    seeds: dict[tuple[Entity, str], list[SeedRecord]] = field(default_factory=dict)
    latest: dict[str, int] = field(default_factory=dict)
    edited: set[str] = field(default_factory=set)


# A file record's compared form and its hash, by the id of the parsed record.
Forms = dict[int, tuple[dict[str, Any], str]]


def subject(entity: Entity, row_id: int) -> str:
    return f"{entity}:{row_id}"


def latest_revisions(session: Session, subjects: Iterable[str]) -> dict[str, int]:
    """Each subject's latest revision id (its history includes its chain's)."""
    latest: dict[str, int] = {}
    for page in batching.chunks(sorted(set(subjects))):
        for subject, newest in session.exec(
            select(Revision.subject, func.max(Revision.id))
            .where(col(Revision.subject).in_(page))
            .group_by(col(Revision.subject))
        ):
            assert newest is not None  # the max of the subject's revisions
            latest[subject] = newest
    return latest


def edited_by_others(session: Session, subjects: Iterable[str]) -> set[str]:
    """Subjects with a revision not written by a seed file: made or edited over HTTP."""
    edited: set[str] = set()
    for page in batching.chunks(sorted(set(subjects))):
        edited.update(
            session.exec(
                select(Revision.subject)
                .where(col(Revision.subject).in_(page), Revision.actor != SEED_ACTOR)
                .distinct()
            )
        )
    return edited


def edits_since(session: Session, subject: str, after: int) -> tuple[Edit, ...]:
    rows = session.exec(
        select(Revision.id, Revision.at, Revision.actor, Revision.reason)
        .where(Revision.subject == subject, col(Revision.id) > after)
        .order_by(col(Revision.id))
        .limit(5)
    ).all()
    return tuple(
        Edit(row_id or 0, at.isoformat().replace("+00:00", "Z"), actor, reason)
        for row_id, at, actor, reason in rows
    )


def lock_changing(
    session: Session, files: Sequence[SeedInput], stored: Stored, forms: Forms
) -> None:
    """Lock the stored rows this run may write, in id order, before asking who wrote them.

    Without the lock, an editor's PATCH committing between the question "edited since?" and
    the write would be overwritten though the merge promises a conflict. Only records whose
    file version differs from what this document last applied are locked: a re-seed of
    unchanged files holds no lock over what editors are correcting. The lock is the one an
    editor's write takes (``FOR NO KEY UPDATE``); SQLite runs one writer at a time anyway."""
    wanted: dict[Entity, set[int]] = {}
    for loaded in files:
        document = document_key(loaded)
        for entity, (section, _, _) in ENTITIES.items():
            for item in getattr(loaded.data, section):
                row_id = stored.ids.get((entity, item.slug))
                if row_id is None:
                    continue
                mine = next(
                    (
                        s
                        for s in stored.seeds.get((entity, item.slug), [])
                        if s.document == document
                    ),
                    None,
                )
                if mine is None or mine.hash != forms[id(item)][1]:
                    wanted.setdefault(entity, set()).add(row_id)
    for entity, ids in wanted.items():
        model = ENTITIES[entity][1]
        for page in batching.chunks(sorted(ids)):
            session.exec(
                select(model.id)
                .where(col(model.id).in_(page))
                .order_by(col(model.id))
                .with_for_update(key_share=True)
            ).all()


def load_stored(session: Session, files: Sequence[SeedInput], forms: Forms) -> Stored:
    stored = Stored()
    for entity, (section, model, _) in ENTITIES.items():
        slugs = sorted({item.slug for f in files for item in getattr(f.data, section)})
        for page in batching.chunks(slugs):
            for slug, row_id in session.exec(
                select(model.slug, model.id).where(col(model.slug).in_(page))
            ):
                assert row_id is not None  # ids are never NULL
                stored.ids[(entity, slug)] = row_id
            for seed in session.exec(
                select(SeedRecord).where(
                    SeedRecord.entity == entity, col(SeedRecord.slug).in_(page)
                )
            ):
                stored.seeds.setdefault((entity, seed.slug), []).append(seed)
    lock_changing(session, files, stored, forms)
    subjects = [subject(entity, row_id) for (entity, _), row_id in stored.ids.items()]
    stored.latest = latest_revisions(session, subjects)
    # Stored records no seed file has claimed yet: made before seed records existed, or over
    # HTTP. Only those need to know whether anyone but a seed file ever wrote them.
    unclaimed = [
        subject(entity, row_id)
        for (entity, slug), row_id in stored.ids.items()
        if not any(s.owner for s in stored.seeds.get((entity, slug), []))
    ]
    stored.edited = edited_by_others(session, unclaimed)
    return stored


def row(session: Session, entity: Entity, row_id: int) -> Any:
    model = ENTITIES[entity][1]
    return session.get(model, row_id)
