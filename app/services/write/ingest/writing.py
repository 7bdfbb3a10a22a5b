"""Writing checked files: each record created or updated with its revision, chains
replaced, derived texts refreshed."""

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from sqlmodel import Session, col, delete, select

from app import edtf
from app.models import Attribution, Event, Figure, Measure, Source
from app.models.records import Record, Versioned
from app.models.vocab import Action, Entity
from app.schemas.attribution import AttributionIn
from app.schemas.figure import FigureIn
from app.schemas.seed import SeedSource
from app.services.common import batching
from app.services.common.views import SourceRef
from app.services.derived import figure_docs
from app.services.read import chains as chains_
from app.services.write import bulk, revisions
from app.services.write.ingest.checking import parents_first
from app.services.write.ingest.forms import SEED_ACTOR, SeedInput
from app.services.write.ingest.records import UPDATE_REASON, Change

R = TypeVar("R", bound=Record)

# Told how far a long step has come: its name, records done, records in all.
Progress = Callable[[str, int, int], None]
# New records written per page: bounds what one page of rows and revisions holds in memory.
PAGE = 5_000


# --- writing -------------------------------------------------------------------------------


class Writer:
    """Writes checked records; ``reason`` (an editor's) replaces the seed's default reasons."""

    def __init__(
        self,
        session: Session,
        actor: str = SEED_ACTOR,
        reason: str | None = None,
        *,
        keep_changes: bool = True,
        progress: Progress | None = None,
    ):
        self.session = session
        self.actor = actor
        self.reason = reason
        # Every change as a line when kept; always counted by (entity, action): a million
        # figures make four million lines, which a summary does not need.
        self.keep_changes = keep_changes
        self.changes: list[Change] = []
        self.counts: Counter[tuple[str, str]] = Counter()
        self.progress = progress
        self.touched: set[tuple[Entity, int]] = set()
        # slug -> id of records already looked up: a chain names the same few sources again
        # and again, and ids never change (records are retracted, never deleted).
        self.ids: dict[tuple[str, str], int] = {}
        # New figures whose stored texts are written (``_figure_texts``), and what they show
        # of the events and sources they name, read once per writer.
        self.rendered: set[int] = set()
        self.event_refs: dict[int, figure_docs.EventRef] = {}
        self.source_refs: dict[int, SourceRef] = {}

    def _one(self, model: type[Record], slug: str) -> Any:
        return self.session.exec(select(model).where(col(model.slug) == slug)).first()

    def _id(self, model: type[Record], slug: str | None) -> int | None:
        if slug is None:
            return None
        key = (model.__name__, slug)
        if key not in self.ids:
            row_id = self.session.exec(select(model.id).where(col(model.slug) == slug)).one()
            assert row_id is not None  # ids are never NULL
            self.ids[key] = row_id
        return self.ids[key]

    def _save(
        self,
        entity: Entity,
        model: type[Versioned],
        key: str,
        existing: Any,
        values: dict[str, Any],
        source_file: str,
    ) -> Any:
        row, changed = revisions.save(
            self.session,
            entity=entity,
            model=model,
            existing=existing,
            values=values,
            actor=self.actor,
            create_reason=self.reason or f"seed: loaded from {source_file}",
            update_reason=self.reason or UPDATE_REASON,
        )
        if changed is not None:
            action = "create" if existing is None else "update"
            self._note(Change(entity, key, action, tuple(sorted(changed))))
            self._touch(entity, row)
        return row

    def _note(self, change: Change) -> None:
        self.counts[(change.entity.value, change.action)] += 1
        if self.keep_changes:
            self.changes.append(change)

    def _touch(self, entity: Entity, row: Any) -> None:
        if entity is Entity.attribution:
            owner = (
                (Entity.figure, row.figure_id) if row.figure_id else (Entity.event, row.event_id)
            )
            self.touched.add(owner)
        elif entity is not Entity.measure:
            self.touched.add((entity, row.id))
        if entity is Entity.source:
            # Chains name their sources, so their searchable text changes with the name.
            for figure_id, event_id in self.session.exec(
                select(Attribution.figure_id, Attribution.event_id).where(
                    Attribution.source_id == row.id
                )
            ).all():
                # A link without a figure has an event (a check constraint).
                self.touched.add(
                    (Entity.figure, figure_id) if figure_id else (Entity.event, cast(int, event_id))
                )

    def _stored(self, model: type[R], slugs: Iterable[str]) -> dict[str, R]:
        """Stored records with these slugs (the ones to update), a page of slugs at a time."""
        rows = {
            row.slug: row
            for page in batching.chunks(sorted(set(slugs)))
            for row in self.session.exec(select(model).where(col(model.slug).in_(page)))
        }
        self.ids.update(((model.__name__, slug), cast(int, row.id)) for slug, row in rows.items())
        return rows

    def _prefetch(self, model: type[Record], slugs: Iterable[str | None]) -> None:
        """Ids of the stored records these slugs name, a page of slugs at a time."""
        name = model.__name__
        wanted = sorted({s for s in slugs if s is not None and (name, s) not in self.ids})
        for page in batching.chunks(wanted):
            for slug, row_id in self.session.exec(
                select(model.slug, model.id).where(col(model.slug).in_(page))
            ):
                assert row_id is not None  # ids are never NULL
                self.ids[(name, slug)] = row_id

    def _in_order(self, start: int, items: list[Any]) -> None:
        """Report changes in the order of the records, a record's chain right after it."""
        order = {item.slug: index for index, item in enumerate(items)}
        self.changes[start:] = sorted(
            self.changes[start:], key=lambda c: order.get(c.key.split("#")[0], len(order))
        )

    def _create(
        self,
        entity: Entity,
        model: type[Record],
        owner: str,
        records: list[tuple[Any, dict[str, Any]]],
        source_file: str,
    ) -> None:
        """New events or figures and their chains, written a page at a time (``bulk``)."""
        for start in range(0, len(records), PAGE):
            self._create_page(entity, model, owner, records[start : start + PAGE], source_file)
            if self.progress is not None:
                done = min(start + PAGE, len(records))
                self.progress(f"new {entity.value}s", done, len(records))

    def _create_page(
        self,
        entity: Entity,
        model: type[Record],
        owner: str,
        records: list[tuple[Any, dict[str, Any]]],
        source_file: str,
    ) -> None:
        reason = self.reason or f"seed: loaded from {source_file}"
        created = bulk.create(
            self.session,
            entity=entity,
            model=model,
            records=[values for _, values in records],
            key=("slug",),
            actor=self.actor,
            reason=reason,
        )
        links = []
        for (item, _), (row_id, _, changed) in zip(records, created, strict=True):
            self.ids[(model.__name__, item.slug)] = row_id
            self.touched.add((entity, row_id))
            self._created(entity, item.slug, changed)
            for position, link in enumerate(item.attributions):
                values = link.model_dump(exclude={"source"})
                values.update(
                    {
                        owner: row_id,
                        "position": position,
                        "source_id": self._id(Source, link.source),
                    }
                )
                links.append((f"{item.slug}#{position}", values))
        made = bulk.create(
            self.session,
            entity=Entity.attribution,
            model=Attribution,
            records=[values for _, values in links],
            key=(owner, "position"),
            actor=self.actor,
            reason=reason,
        )
        for (key, _), (_, _, changed) in zip(links, made, strict=True):
            self._created(Entity.attribution, key, changed)
        if entity is Entity.figure:
            self._figure_texts(records, created, [row for _, row, _ in made])

    def _figure_texts(
        self,
        records: list[tuple[Any, dict[str, Any]]],
        figures: list[tuple[int, dict[str, Any], tuple[str, ...]]],
        links: list[dict[str, Any]],
    ) -> None:
        """The stored texts of a page of new figures, from the rows just written rather than
        read back (``figure_docs.of_new``): the refresh after the write leaves them out
        (``rendered``). Everything they show is written before them: a group writes its
        sources and events first, and a later group's change to one re-renders its figures."""
        chains: dict[int, list[dict[str, Any]]] = {}
        for link in links:
            chains.setdefault(link["figure_id"], []).append(link)
        events = {values["event_id"] for _, values in records}
        sources = {link["source_id"] for link in links}
        self.event_refs.update(
            figure_docs.event_refs(self.session, sorted(events - set(self.event_refs)))
        )
        self.source_refs.update(
            chains_.source_refs(self.session, sorted(sources - set(self.source_refs)))
        )
        texts = figure_docs.of_new(
            [
                figure_docs.NewFigure(
                    row={"id": row_id, **row},
                    event=self.event_refs[row["event_id"]],
                    measure=item.measure,
                    derived_from=item.derived_from,
                    chain=[(link, self.source_refs[link["source_id"]]) for link in chains[row_id]],
                )
                for (item, _), (row_id, row, _) in zip(records, figures, strict=True)
            ]
        )
        figure_docs.write(self.session, texts)
        self.rendered.update(text.id for text in texts)

    def _created(self, entity: Entity, key: str, changed: tuple[str, ...]) -> None:
        if self.keep_changes:
            self._note(Change(entity, key, "create", changed))
        else:
            self.counts[(entity.value, "create")] += 1

    def measures(self, loaded: SeedInput) -> None:
        for item in loaded.data.measures:
            values = item.model_dump()
            self._save(
                Entity.measure,
                Measure,
                item.slug,
                self._one(Measure, item.slug),
                values,
                loaded.path.name,
            )

    def sources(self, loaded: SeedInput) -> None:
        for item in parents_first(loaded.data.sources, "parent"):
            self._source(item, loaded)

    def _source(self, item: SeedSource, loaded: SeedInput) -> None:
        values = item.model_dump(exclude={"parent", "text_file", "full_text"})
        values["parent_id"] = self._id(Source, item.parent)
        values["published_earliest"], values["published_latest"] = _bounds(item.published)
        existing = self._one(Source, item.slug)
        if item.slug in loaded.texts:
            values["full_text"] = loaded.texts[item.slug]
        elif existing is not None:
            values["full_text"] = existing.full_text
        self._save(Entity.source, Source, item.slug, existing, values, loaded.path.name)

    def events(self, loaded: SeedInput) -> None:
        """New events go in a page at a time; stored ones are compared and updated one by one."""
        items, start = loaded.data.events, len(self.changes)
        stored = self._stored(Event, (item.slug for item in items))
        self._prefetch(Source, (link.source for item in items for link in item.attributions))
        fresh = []
        for item in items:
            values = item.model_dump(exclude={"attributions"})
            values["date_earliest"], values["date_latest"] = _bounds(item.date)
            if item.slug not in stored:
                fresh.append((item, values))
                continue
            row = self._save(
                Entity.event, Event, item.slug, stored[item.slug], values, loaded.path.name
            )
            self._chain("event_id", row, item.attributions, loaded.path.name)
        self._create(Entity.event, Event, "event_id", fresh, loaded.path.name)
        self._in_order(start, items)

    def figures(self, loaded: SeedInput) -> None:
        """As events; a new figure derived from another new one waits for its origin's id."""
        items = list(parents_first(loaded.data.figures, "derived_from"))
        start = len(self.changes)
        stored = self._stored(Figure, (item.slug for item in items))
        self._prefetch(Event, (item.event for item in items))
        self._prefetch(Measure, (item.measure for item in items))
        self._prefetch(Figure, (item.derived_from for item in items))
        self._prefetch(Source, (link.source for item in items for link in item.attributions))
        fresh, rest = [], []
        for item in items:
            ready = item.derived_from is None or ("Figure", item.derived_from) in self.ids
            if item.slug not in stored and ready:
                fresh.append((item, self._figure_values(item)))
            else:
                rest.append(item)
        self._create(Entity.figure, Figure, "figure_id", fresh, loaded.path.name)
        for item in rest:
            row = self._save(
                Entity.figure,
                Figure,
                item.slug,
                stored.get(item.slug),
                self._figure_values(item),
                loaded.path.name,
            )
            self._chain("figure_id", row, item.attributions, loaded.path.name)
        self._in_order(start, items)

    def _figure_values(self, item: FigureIn) -> dict[str, Any]:
        values = item.model_dump(exclude={"attributions", "event", "measure", "derived_from"})
        values["event_id"] = self._id(Event, item.event)
        values["measure_id"] = self._id(Measure, item.measure)
        values["derived_from_id"] = self._id(Figure, item.derived_from)
        values["period_earliest"], values["period_latest"] = _bounds(item.period)
        return values

    def _chain(self, owner: str, row: Any, links: list[AttributionIn], source_file: str) -> None:
        # The record's row first, as an editor's write does (editing.find): the links are read
        # under it, and every writer locks record, links, stored texts in one order.
        model = type(row)
        self.session.exec(
            select(model.id).where(col(model.id) == row.id).with_for_update(key_share=True)
        )
        owner_column = getattr(Attribution, owner)
        existing = {
            a.position: a
            for a in self.session.exec(select(Attribution).where(owner_column == row.id)).all()
        }
        for position, link in enumerate(links):
            values = link.model_dump(exclude={"source"})
            values.update(
                {owner: row.id, "position": position, "source_id": self._id(Source, link.source)}
            )
            self._save(
                Entity.attribution,
                Attribution,
                f"{row.slug}#{position}",
                existing.get(position),
                values,
                source_file,
            )
        for position in sorted(p for p in existing if p >= len(links)):
            self._drop_link(existing[position], f"{row.slug}#{position}")

    def _drop_link(self, link: Attribution, key: str) -> None:
        before = revisions.snapshot(link)
        link.version += 1
        revisions.record(
            self.session,
            entity=Entity.attribution,
            row=link,
            action=Action.delete,
            actor=self.actor,
            reason=self.reason or UPDATE_REASON,
            before=before,
        )
        self._touch(Entity.attribution, link)
        self.session.exec(delete(Attribution).where(col(Attribution.id) == link.id))
        self._note(Change(Entity.attribution, key, "delete"))


def _bounds(text: str | None) -> tuple[Any, Any]:
    return (None, None) if text is None else edtf.bounds(text)
