"""Explicit builders for test data, loaded through the real seeding path."""

from pathlib import Path

import yaml

from app.services.write import ingest

DOCUMENT_TEXT = "The ministry said many fled. Observers counted more. Nobody agreed."


def dataset(figures: int, *, values: list[int | None] | None = None) -> dict:
    """Two claimants (one a party to the conflict), two measures, ``figures`` figures."""
    values = values or [(i % 7) * 10 for i in range(figures)]
    return {
        "document": "doc",
        "measures": [
            {"slug": "deserters", "label": "Deserters", "unit": "persons"},
            {"slug": "people_killed", "label": "People killed", "unit": "persons"},
        ],
        "sources": [
            {"slug": "doc", "name": "The document", "kind": "document", "text_file": "doc.txt"},
            {
                "slug": "ministry",
                "name": "The ministry",
                "kind": "government_body",
                "party_to_conflict": "UA",
            },
            {"slug": "observers", "name": "Observers", "kind": "ngo"},
            {
                "slug": "agency",
                "name": "The agency",
                "kind": "news_service",
                "website": "https://agency.example/",
            },
            {
                "slug": "desk",
                "name": "The agency's desk",
                "kind": "news_outlet",
                "parent": "agency",
            },
        ],
        "events": [
            {
                "slug": "flight",
                "title": "Soldiers fled",
                "type": "desertion",
                "date": "2024",
                "tags": ["front"],
            },
            {"slug": "old-war", "title": "An old war", "type": "war", "date": "1941-06-22/1941-12"},
        ],
        "figures": [
            {
                "slug": f"fig-{i:04d}",
                "event": "flight" if i % 2 == 0 else "old-war",
                "measure": "deserters" if i % 3 else "people_killed",
                "value": value,
                "lower_bound": None if value is not None else 5,
                "qualifier": "exact" if value is not None else "at_least",
                "stated_as": f"{value} soldiers" if value is not None else "many",
                "unit": "persons",
                "period": "2024" if i % 2 == 0 else "1941",
                "attributions": [
                    {"source": "ministry" if i % 2 == 0 else "observers", "role": "claimant"},
                    {"source": "desk", "role": "relay"},
                    {"source": "doc", "role": "publisher", "quote": "many fled"},
                ],
            }
            for i, value in enumerate(values)
        ],
    }


def load(engine, folder: Path, data: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "doc.txt").write_text(DOCUMENT_TEXT, encoding="utf-8")
    (folder / "data.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    ingest.run(engine, [folder])


NEW_FIGURE = {
    "slug": "new-figure",
    "event": "flight",
    "measure": "deserters",
    "value": 120,
    "qualifier": "approximately",
    "stated_as": "about 120",
    "unit": "persons",
    "attributions": [
        {"source": "observers", "role": "claimant"},
        {"source": "doc", "role": "publisher", "quote": "Observers counted more."},
    ],
}


MINIMAL = {
    "document": "doc",
    "measures": [{"slug": "deserters", "label": "Deserters", "unit": "persons"}],
    "sources": [
        {"slug": "doc", "name": "A document", "kind": "document", "text_file": "doc.txt"},
        {
            "slug": "ministry",
            "name": "A ministry",
            "kind": "government_body",
            "party_to_conflict": "RU",
        },
    ],
    "events": [{"slug": "flight", "title": "Flight", "type": "desertion", "date": "2024"}],
    "figures": [
        {
            "slug": "fled",
            "event": "flight",
            "measure": "deserters",
            "value": 50000,
            "lower_bound": 50000,
            "qualifier": "at_least",
            "stated_as": "at least 50,000",
            "unit": "persons",
            "attributions": [
                {"source": "ministry", "role": "claimant"},
                {"source": "doc", "role": "publisher", "quote": "at least 50,000 fled"},
            ],
        }
    ],
}


def write_seed(folder: Path, data: dict, text: str = "They said at least 50,000 fled.") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "doc.txt").write_text(text, encoding="utf-8")
    path = folder / "doc.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
