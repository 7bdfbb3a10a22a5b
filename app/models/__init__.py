"""Table models. Importing this package registers every table on the shared metadata."""

from app.models.api_key import ApiKey
from app.models.attribution import Attribution
from app.models.base import metadata
from app.models.event import Event
from app.models.figure import Figure
from app.models.figure_doc import FigureDoc
from app.models.idempotency import IdempotencyRecord
from app.models.measure import Measure
from app.models.revision import Revision
from app.models.search import SearchEntry
from app.models.seed_record import SeedRecord
from app.models.source import Source

__all__ = [
    "ApiKey",
    "Attribution",
    "Event",
    "Figure",
    "FigureDoc",
    "IdempotencyRecord",
    "Measure",
    "Revision",
    "SearchEntry",
    "SeedRecord",
    "Source",
    "metadata",
]
