"""One link of an attribution chain as written by an editor or a seed file."""

from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from app.models.vocab import Role
from app.schemas.common import STRICT, Slug

if TYPE_CHECKING:
    from app.services.common import views


class AttributionIn(BaseModel):
    model_config = STRICT

    source: Slug = Field(description="Slug of the source at this link of the chain.")
    role: Role = Field(
        description="claimant: said it first; relay: passed it on; publisher: where we read it; "
        "quoted: a person quoted."
    )
    quote: str | None = Field(
        default=None,
        min_length=1,
        max_length=20000,
        description="Verbatim text from the publisher's document.",
    )
    quote_unverified: bool = Field(
        default=False, description="True when the quote could not be checked against stored text."
    )
    locator: str | None = Field(default=None, max_length=200, examples=["paragraph 4"])
    accessed: date | None = Field(default=None, description="When the source was read.")


class SourceRef(BaseModel):
    slug: str = Field(examples=["rfe-rl"])
    name: str = Field(examples=["RadioFreeEurope/RadioLiberty"])
    kind: str = Field(examples=["news_service"])
    party_to_conflict: str | None = Field(
        description="`RU`, `UA`: the belligerent this source speaks for; null if independent.",
        examples=[None],
    )
    website: str | None = Field(default=None, description="The source's own web address.")
    parent: str | None = Field(
        description="Name of the organisation it belongs to.", examples=[None]
    )
    parent_slug: str | None = None
    short_name: str | None = Field(
        default=None,
        description="The shorter name a newsroom writes; citations use it.",
        examples=["RFE/RL"],
    )
    aliases: list[str] = Field(default_factory=list, description="Other names it goes by.")

    @classmethod
    def of(cls, ref: "views.SourceRef") -> "SourceRef":
        return cls(
            slug=ref.slug,
            name=ref.name,
            kind=ref.kind,
            party_to_conflict=ref.party_to_conflict,
            website=ref.website,
            parent=ref.parent_name,
            parent_slug=ref.parent_slug,
            short_name=ref.short_name,
            aliases=list(ref.aliases),
        )


class AttributionPublic(BaseModel):
    position: int = Field(description="0 is the original claimant.", examples=[0])
    role: str = Field(examples=["claimant"])
    quote: str | None = Field(description="Verbatim from the publisher's text.")
    quote_unverified: bool
    locator: str | None = None
    accessed: date | None = None
    source: SourceRef

    @classmethod
    def of(cls, link: "views.Link") -> "AttributionPublic":
        return cls(
            position=link.position,
            role=link.role,
            quote=link.quote,
            quote_unverified=link.quote_unverified,
            locator=link.locator,
            accessed=link.accessed,
            source=SourceRef.of(link.source),
        )
