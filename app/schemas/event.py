"""What an editor or a seed file says about an event."""

import datetime as dt
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from app.models.vocab import EventType
from app.schemas.attribution import AttributionIn, AttributionPublic
from app.schemas.common import STRICT, CountryCode, EDTFString, Slug

if TYPE_CHECKING:
    from app.services.read.events import EventView


class EventIn(BaseModel):
    model_config = STRICT

    slug: Slug
    title: str = Field(min_length=1, max_length=500)
    summary: str | None = Field(default=None, max_length=20000)
    type: EventType
    date: EDTFString | None = None
    place: str | None = Field(default=None, max_length=500)
    country: CountryCode | None = None
    tags: list[str] = Field(default_factory=list, max_length=50)
    note: str | None = Field(default=None, max_length=20000)
    attributions: list[AttributionIn] = Field(default_factory=list, max_length=50)


class EventCreate(EventIn):
    reason: str | None = Field(
        default=None, max_length=2000, description="Why the record is added."
    )


class EventPublic(BaseModel):
    slug: str = Field(examples=["russian-desertions"])
    url: str
    title: str
    summary: str | None
    type: str = Field(examples=["desertion"])
    date: str | None = Field(description="EDTF date or interval.", examples=["../2024"])
    date_earliest: dt.date | None = Field(description="First day the date can mean; null if open.")
    date_latest: dt.date | None = Field(description="Last day the date can mean; null if open.")
    place: str | None
    country: str | None
    tags: list[str]
    note: str | None
    status: str
    status_reason: str | None = Field(
        default=None, description="Why it was retracted or corrected."
    )
    version: int
    updated_at: dt.datetime
    attributions: list[AttributionPublic] = Field(
        description="Who reports the event, claimant first."
    )

    @classmethod
    def fields_of(cls, view: "EventView", base_url: str) -> dict[str, Any]:
        e = view.event
        return {
            "slug": e.slug,
            "url": f"{base_url}v1/events/{e.slug}",
            "title": e.title,
            "summary": e.summary,
            "type": e.type,
            "date": e.date,
            "date_earliest": e.date_earliest,
            "date_latest": e.date_latest,
            "place": e.place,
            "country": e.country,
            "tags": e.tags,
            "note": e.note,
            "status": e.status,
            "status_reason": e.status_reason,
            "version": e.version,
            "updated_at": e.updated_at,
            "attributions": [AttributionPublic.of(link) for link in view.chain],
        }

    @classmethod
    def of(cls, view: "EventView", base_url: str) -> "EventPublic":
        return cls(**cls.fields_of(view, base_url))
