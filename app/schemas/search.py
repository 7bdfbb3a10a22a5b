"""Search results and the dataset's front page."""

from datetime import datetime

from pydantic import BaseModel, Field


class SearchHit(BaseModel):
    type: str = Field(description="figure, event or source.", examples=["figure"])
    slug: str = Field(examples=["deserters-since-invasion"])
    url: str
    title: str
    snippet: str = Field(
        description="Escaped HTML on one line: the matching text with `&`, `<`, `>` and quotes "
        "escaped, the matched words in `<mark>`, and no other markup.",
        examples=[
            "…leaked reports say 50,000 have <mark>deserted</mark> since &quot;the start&quot;…"
        ],
    )
    rank: float = Field(description="Relevance; higher is better. Comparable within one response.")


class DatasetIndex(BaseModel):
    name: str = Field(examples=["Sourced"])
    description: str
    licence: str = Field(examples=["CC-BY-4.0"])
    counts: dict[str, int] = Field(examples=[{"figures": 10, "events": 9, "sources": 14}])
    last_change: datetime | None = Field(description="Time of the latest revision (UTC).")
    links: dict[str, str] = Field(description="Every collection and the documentation.")
