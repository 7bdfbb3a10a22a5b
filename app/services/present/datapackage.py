"""Descriptions of the dataset for other tools: a Frictionless Data Package and schema.org JSON-LD.

Both describe the CSV tables of ``app/services/present/tables.py``: the same columns, in the same
order, with types, descriptions, primary and foreign keys.

The package's tables hold retracted records too, each with its `status` and `status_reason`:
a retracted event or source is still named by figures that stay published (their foreign
keys must resolve), and a journalist comparing two downloads should see a retraction, not a
row that silently disappeared.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Event, Figure
from app.models.vocab import EventType, Qualifier, SourceKind, Status
from app.services.present.tables import EVENT_COLUMNS, FIGURE_COLUMNS, SOURCE_COLUMNS

NAME = "sourced"
TITLE = "Sourced: events, figures and the sources behind every figure"
DESCRIPTION = (
    "Events, the numeric figures reported about them, and the chain of sources behind every "
    "figure: who said it first, who relayed it, where it was published, in their own words."
)
LICENCE_URLS = {"CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/"}

_STATUS = {"enum": [s.value for s in Status]}
# Query of every table the package describes: every status, retracted records included.
QUERY = "format=csv&include_retracted=true"
_CHAIN = (
    "The whole chain as compact JSON, claimant first: one object per link with `source` "
    "(slug), `role`, `quote`, `quote_unverified`, `locator` and `accessed`. "
    "`sourced import` reads it back."
)
_SLUG = "Stable public id."
_LINK = "This record in the API."

# column -> (Table Schema type, description, constraints)
FIELDS: dict[str, dict[str, tuple[str, str, dict[str, Any]]]] = {
    "figures": {
        "slug": ("string", _SLUG, {"required": True, "unique": True}),
        "url": ("string", _LINK, {}),
        "event": ("string", "Slug of the event the figure is about.", {"required": True}),
        "event_title": ("string", "The event's title.", {}),
        "event_date": ("string", "The event's date, EDTF.", {}),
        "measure": ("string", "What is counted, from the measure vocabulary.", {"required": True}),
        "value": ("number", "The best figure; empty when only bounds are known.", {}),
        "lower_bound": ("number", "Lowest value the source's words allow.", {}),
        "upper_bound": ("number", "Highest value the source's words allow.", {}),
        "qualifier": (
            "string",
            "How exact the figure is.",
            {"required": True, "enum": [q.value for q in Qualifier]},
        ),
        "stated_as": ("string", "The words the source used, verbatim.", {"required": True}),
        "unit": ("string", "Unit of the figure (persons, percent...).", {"required": True}),
        "subject": ("string", "Who or what is counted.", {}),
        "period": ("string", "Period the figure covers, EDTF.", {}),
        "period_earliest": ("date", "First day the period can mean.", {}),
        "period_latest": ("date", "Last day the period can mean.", {}),
        "derived_from": ("string", "Slug of the figure this one is computed from.", {}),
        "claimant": ("string", "Slug of the source that said it first.", {}),
        "claimant_name": ("string", "Name of the claimant.", {}),
        "claimant_party": (
            "string",
            "The claimant's side in the conflict (RU, UA); empty if independent.",
            {},
        ),
        "relays": (
            "string",
            "Slugs of the sources that passed it on, in order, `; `-separated.",
            {},
        ),
        "relay_names": ("string", "Names of the relays, in order, `; `-separated.", {}),
        "publisher": ("string", "Slug of the source where it was read.", {}),
        "publisher_name": ("string", "Name of the publisher.", {}),
        "quote": (
            "string",
            "The publisher's words, verbatim (else the first quote of the chain).",
            {},
        ),
        "citation": ("string", "A ready-to-paste sentence naming the claimant first.", {}),
        "note": ("string", "Editorial note: vagueness, inconsistencies, readings.", {}),
        "status": ("string", "published, corrected or retracted.", _STATUS),
        "status_reason": ("string", "Why it was retracted or corrected.", {}),
        "version": ("integer", "Version number; every change adds one.", {}),
        "updated_at": ("datetime", "Last change, UTC.", {}),
        "chain": ("array", _CHAIN, {}),
        "quote_unverified": (
            "boolean",
            "True when the words in `quote` could not be checked against a stored text.",
            {},
        ),
    },
    "events": {
        "slug": ("string", _SLUG, {"required": True, "unique": True}),
        "url": ("string", _LINK, {}),
        "title": ("string", "What happened.", {"required": True}),
        "summary": ("string", "A short account.", {}),
        "type": ("string", "Kind of event.", {"enum": [t.value for t in EventType]}),
        "date": ("string", "When, EDTF; empty when the sources do not say.", {}),
        "date_earliest": ("date", "First day the date can mean.", {}),
        "date_latest": ("date", "Last day the date can mean.", {}),
        "place": ("string", "Where, as the sources put it.", {}),
        "country": ("string", "ISO 3166-1 alpha-2 code.", {}),
        "tags": ("string", "Tags, `; `-separated.", {}),
        "claimant": ("string", "Slug of the source that reports it first.", {}),
        "claimant_name": ("string", "Name of the claimant.", {}),
        "claimant_party": ("string", "The claimant's side in the conflict.", {}),
        "publisher": ("string", "Slug of the source where it was read.", {}),
        "publisher_name": ("string", "Name of the publisher.", {}),
        "note": ("string", "Editorial note.", {}),
        "status": ("string", "published, corrected or retracted.", _STATUS),
        "status_reason": ("string", "Why it was retracted or corrected.", {}),
        "version": ("integer", "Version number.", {}),
        "updated_at": ("datetime", "Last change, UTC.", {}),
        "chain": ("array", _CHAIN.removesuffix(" `sourced import` reads it back."), {}),
    },
    "sources": {
        "slug": ("string", _SLUG, {"required": True, "unique": True}),
        "url": ("string", _LINK, {}),
        "name": ("string", "Name.", {"required": True}),
        "kind": ("string", "Kind of source.", {"enum": [k.value for k in SourceKind]}),
        "parent": ("string", "Slug of the organisation it belongs to.", {}),
        "parent_name": ("string", "Name of that organisation.", {}),
        "website": ("string", "The source's own URL.", {}),
        "country": ("string", "ISO 3166-1 alpha-2 code.", {}),
        "language": ("string", "Language code.", {}),
        "party_to_conflict": (
            "string",
            "The belligerent it speaks for (RU, UA); empty if independent.",
            {},
        ),
        "description": ("string", "Who or what it is.", {}),
        "published": ("string", "For documents: when published, EDTF.", {}),
        "has_text": ("boolean", "Whether the document's full text is stored.", {}),
        "note": ("string", "Editorial note.", {}),
        "status": ("string", "published, corrected or retracted.", _STATUS),
        "status_reason": ("string", "Why it was retracted or corrected.", {}),
        "version": ("integer", "Version number.", {}),
        "updated_at": ("datetime", "Last change, UTC.", {}),
        "short_name": ("string", "The shorter name a newsroom writes; citations use it.", {}),
        "aliases": ("string", "Other names it goes by, `; `-separated.", {}),
    },
}
COLUMNS = {"figures": FIGURE_COLUMNS, "events": EVENT_COLUMNS, "sources": SOURCE_COLUMNS}
FOREIGN_KEYS = {
    "figures": [
        ("event", "events"),
        ("derived_from", "figures"),
        ("claimant", "sources"),
        ("publisher", "sources"),
    ],
    "events": [("claimant", "sources"), ("publisher", "sources")],
    "sources": [("parent", "sources")],
}
DESCRIPTIONS = {
    "figures": "One row per figure, with its attribution chain flattened and its citation. "
    "Retracted figures are included, with their status.",
    "events": "One row per event, with the source that reports it first. Retracted events "
    "are included, with their status.",
    "sources": "One row per source: outlets, agencies, ministries, people and documents. "
    "Retracted sources are included, with their status.",
}


def _field(name: str, spec: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    kind, description, constraints = spec
    field: dict[str, Any] = {"name": name, "type": kind, "description": description}
    if kind == "datetime":
        field["format"] = "%Y-%m-%dT%H:%M:%S.%fZ"
    if kind == "boolean":
        field.update(trueValues=["true"], falseValues=["false"])
    if constraints:
        field["constraints"] = constraints
    return field


def _schema(table: str) -> dict[str, Any]:
    assert list(FIELDS[table]) == list(COLUMNS[table]), table  # one list of columns
    return {
        "fields": [_field(name, FIELDS[table][name]) for name in COLUMNS[table]],
        "missingValues": [""],
        "primaryKey": ["slug"],
        "foreignKeys": [
            {
                "fields": [column],
                "reference": {"resource": "" if target == table else target, "fields": ["slug"]},
            }
            for column, target in FOREIGN_KEYS[table]
        ],
    }


def package(paths: dict[str, str], licence: str, homepage: str) -> dict[str, Any]:
    """The Data Package: ``paths`` maps each table to its CSV (a URL or a relative path)."""
    return {
        "profile": "tabular-data-package",
        "name": NAME,
        "title": TITLE,
        "description": DESCRIPTION,
        "homepage": homepage,
        "licenses": [
            {"name": licence, "path": LICENCE_URLS.get(licence, homepage), "title": licence}
        ],
        "sources": [{"title": "Sourced API", "path": homepage}],
        "resources": [
            {
                "name": table,
                "path": paths[table],
                "profile": "tabular-data-resource",
                "title": table.capitalize(),
                "description": DESCRIPTIONS[table],
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": _schema(table),
            }
            for table in ("sources", "events", "figures")
        ],
    }


def _coverage(session: Session) -> str | None:
    """The span of the figures' periods and the events' dates, as an ISO 8601 interval."""
    bounds = [
        session.exec(select(func.min(Event.date_earliest), func.max(Event.date_latest))).one(),
        session.exec(
            select(func.min(Figure.period_earliest), func.max(Figure.period_latest)).where(
                col(Figure.status) != "retracted"
            )
        ).one(),
    ]
    starts = [b[0] for b in bounds if b[0] is not None]
    ends = [b[1] for b in bounds if b[1] is not None]
    if not starts and not ends:
        return None
    start = min(starts).isoformat() if starts else ".."
    end = max(ends).isoformat() if ends else ".."
    return f"{start}/{end}"


def jsonld(
    session: Session, base_url: str, licence: str, last_change: datetime | None
) -> dict[str, Any]:
    """schema.org ``Dataset`` metadata, so that search engines can index the dataset."""
    api = f"{base_url}v1"
    document: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": TITLE,
        "description": DESCRIPTION,
        "url": api,
        "license": LICENCE_URLS.get(licence, licence),
        "isAccessibleForFree": True,
        "keywords": ["war", "casualties", "desertion", "sources", "attribution", "fact-checking"],
        "distribution": [
            {
                "@type": "DataDownload",
                "name": f"{table} ({fmt.upper()})",
                "encodingFormat": media,
                "contentUrl": f"{api}/{table}?format={fmt}",
            }
            for table in ("figures", "events", "sources")
            for fmt, media in (("csv", "text/csv"), ("ndjson", "application/x-ndjson"))
        ]
        + [
            {
                "@type": "DataDownload",
                "name": "Frictionless Data Package",
                "encodingFormat": "application/json",
                "contentUrl": f"{api}/datapackage.json",
            }
        ],
    }
    coverage = _coverage(session)
    if coverage:
        document["temporalCoverage"] = coverage
    if last_change is not None:
        document["dateModified"] = last_change.isoformat().replace("+00:00", "Z")
    return document
