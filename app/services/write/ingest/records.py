"""What ingesting reads and reports: a loaded file, a problem, a change."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.models.vocab import Entity
from app.schemas.event import EventIn
from app.schemas.figure import FigureIn
from app.schemas.measure import MeasureIn
from app.schemas.seed import SeedFile, SeedSource

UPDATE_REASON = "seed update"
SEED_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class SeedProblem:
    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.record}: {self.field}: {self.message}"


class SeedError(Exception):
    def __init__(self, problems: list[SeedProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Change:
    entity: Entity
    key: str
    action: str
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        detail = f" ({', '.join(self.fields)})" if self.fields and self.action == "update" else ""
        return f"{self.action} {self.entity} {self.key}{detail}"


# Each section of a seed file, the schema of one of its records and the kind of slug it holds.
SECTIONS: dict[str, tuple[type[Any], Entity]] = {
    "measures": (MeasureIn, Entity.measure),
    "sources": (SeedSource, Entity.source),
    "events": (EventIn, Entity.event),
    "figures": (FigureIn, Entity.figure),
}


@dataclass
class LoadedFile:
    """A read file. When some of its records were invalid, ``data`` holds the valid ones only
    (to be checked, never written): ``positions`` gives each kept record's index in the file,
    and ``invalid`` the slugs of the records left out, which references may still name."""

    path: Path
    data: SeedFile
    texts: dict[str, str] = field(default_factory=dict)
    positions: dict[str, list[int]] = field(default_factory=dict)
    invalid: dict[Entity, set[str]] = field(default_factory=dict)

    def label(self, section: str, index: int, slug: str) -> str:
        """``figures[4] slug``, numbered as in the file."""
        kept = self.positions.get(section)
        return f"{section}[{kept[index] if kept is not None else index}] {slug}"
