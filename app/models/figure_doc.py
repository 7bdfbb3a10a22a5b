"""FigureDoc: a figure's public representation, written when the figure or anything it shows
changes, so that reads send stored text instead of rebuilding it per request.

A figure's JSON embeds its event, measure, chain, sources and citation: building it is most of
a list page's time (a few SQL lookups, then Python work per figure). The stored texts are derived data, like the search index: the records and
their revisions stay the truth, ``sourced docs rebuild`` rewrites every text from them, and a
figure without a stored text is rendered on the fly (app/services/derived/figure_docs.py).

URLs are stored relative (``v1/figures/{slug}``); a read puts its own base URL in front.
"""

from sqlalchemy import ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel


class FigureDoc(SQLModel, table=True):
    __tablename__ = "figure_doc"

    figure_id: int = Field(
        sa_type=Integer,
        primary_key=True,
        sa_column_args=[ForeignKey("figure.id", ondelete="CASCADE")],
    )
    body: str = Field(sa_type=Text, nullable=False, description="FigurePublic as JSON.")
    csv: str = Field(sa_type=Text, nullable=False, description="The figure's CSV row, CRLF-ended.")
    etag: str = Field(max_length=40, nullable=False)
