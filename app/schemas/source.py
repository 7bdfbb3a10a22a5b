"""What an editor or a seed file says about a source."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, Field, model_validator

from app.models.vocab import SourceKind
from app.schemas.common import STRICT, CountryCode, EDTFString, HttpUrl, LanguageCode, Slug

if TYPE_CHECKING:
    from app.services.read.sources import SourceView


class SourceIn(BaseModel):
    model_config = STRICT

    slug: Slug
    name: str = Field(min_length=1, max_length=500, examples=["RadioFreeEurope/RadioLiberty"])
    short_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=120,
        description="The shorter name a newsroom writes; citations use it.",
        examples=["RFE/RL"],
    )
    aliases: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list,
        max_length=50,
        description="Other names the source goes by; the `source` and `claimant` filters and "
        "search accept them, as they accept the slug and the short name.",
        examples=[[]],
    )
    kind: SourceKind
    parent: Slug | None = Field(default=None, description="Slug of the organisation it belongs to.")
    website: HttpUrl | None = Field(
        default=None,
        description="The source's own web address (`url` is the API link, which the server sets).",
    )
    country: CountryCode | None = None
    language: LanguageCode | None = None
    party_to_conflict: CountryCode | None = Field(
        default=None,
        description="The belligerent this source speaks for (`RU`, `UA`); null if independent.",
    )
    description: str | None = Field(default=None, max_length=20000)
    published: EDTFString | None = Field(default=None, description="For documents: when published.")
    note: str | None = Field(default=None, max_length=20000, description="Editorial note.")

    @model_validator(mode="before")
    @classmethod
    def _url_is_the_api_link(cls, data: Any) -> Any:
        """`url` is the record's API link everywhere it is read; a web address given under
        that name is named, not dropped as an unknown field."""
        if isinstance(data, dict) and "url" in data:
            raise ValueError(
                "url: a source's web address is `website`; `url` is its API link, which the "
                "server sets"
            )
        return data


class SourceWrite(SourceIn):
    full_text: str | None = Field(
        default=None,
        max_length=2_000_000,
        description="A document's full text; quotes attributed to it are checked against it.",
    )


class SourceCreate(SourceWrite):
    reason: str | None = Field(
        default=None, max_length=2000, description="Why the record is added."
    )


class SourceCounts(BaseModel):
    claims: int = Field(description="Chains in which it is the original claimant (position 0).")
    relays: int = Field(description="Links in which it passes a claim on.")
    publishes: int = Field(description="Links in which it is where the claim was read.")
    quoted: int = Field(description="Links in which it is quoted.")
    figures: int = Field(description="Distinct figures whose chain includes it.")
    events: int = Field(description="Distinct events whose chain includes it.")
    children: int = Field(description="Sources that belong to it.")


class SourcePublic(BaseModel):
    slug: str = Field(examples=["rfe-rl"])
    url: str = Field(description="This source in the API.")
    name: str
    kind: str
    parent: str | None = Field(description="Slug of the organisation it belongs to.")
    parent_name: str | None
    website: str | None = Field(description="The source's own web address.")
    country: str | None
    language: str | None
    party_to_conflict: str | None
    description: str | None
    published: str | None = Field(description="For documents: EDTF date of publication.")
    has_text: bool = Field(
        description="Whether the document's full text is stored (quotes are checked against it)."
    )
    note: str | None
    status: str
    status_reason: str | None = Field(
        default=None, description="Why it was retracted or corrected."
    )
    version: int
    updated_at: datetime
    counts: SourceCounts | None = Field(default=None, description="Only on the detail endpoint.")
    short_name: str | None = Field(
        default=None, description="The shorter name a newsroom writes; citations use it."
    )
    aliases: list[str] = Field(default_factory=list, description="Other names it goes by.")

    @classmethod
    def of(cls, view: "SourceView", base_url: str) -> "SourcePublic":
        s = view.source
        return cls(
            slug=s.slug,
            url=f"{base_url}v1/sources/{s.slug}",
            name=s.name,
            kind=s.kind,
            parent=view.parent_slug,
            parent_name=view.parent_name,
            website=s.website,
            country=s.country,
            language=s.language,
            party_to_conflict=s.party_to_conflict,
            description=s.description,
            published=s.published,
            has_text=s.full_text is not None,
            note=s.note,
            status=s.status,
            status_reason=s.status_reason,
            version=s.version,
            updated_at=s.updated_at,
            counts=SourceCounts(**view.counts) if view.counts is not None else None,
            short_name=s.short_name,
            aliases=list(s.aliases or []),
        )
