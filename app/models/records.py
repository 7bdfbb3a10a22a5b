"""The table models the history, editing and seeding code handles generically, as types."""

from app.models.attribution import Attribution
from app.models.event import Event
from app.models.figure import Figure
from app.models.measure import Measure
from app.models.source import Source

# Records with a slug and a version: what the API and the seed files name.
Record = Source | Event | Figure | Measure
# Every row a revision is written for: the records and the links of their chains.
Versioned = Record | Attribution


def stored_id(row: Versioned) -> int:
    """A stored row's id: ``id`` is None only on a new row before its first flush."""
    assert row.id is not None, "the row is not stored yet"
    return row.id
