"""Request examples for the docs page, taken from the seeded article's records."""

SOURCE = {
    "slug": "dozor",
    "name": "Dozor",
    "kind": "ngo",
    "description": "Volgograd-based rights group",
    "reason": "Added from the article",
}

EVENT = {
    "slug": "leningrad-inmates-escape",
    "title": "Nine inmates killed a convoy driver and escaped",
    "type": "incident",
    "place": "Leningrad region",
    "country": "RU",
    "tags": ["convicts"],
    "attributions": [
        {"source": "rfe-rl", "role": "claimant"},
        {"source": "article-50000-deserters", "role": "publisher"},
    ],
}

FIGURE = {
    "slug": "deserters-since-invasion",
    "event": "russian-desertions",
    "measure": "deserters",
    "value": 50000,
    "lower_bound": 50000,
    "qualifier": "at_least",
    "stated_as": "at least 50,000",
    "unit": "persons",
    "subject": "Russian service members",
    "attributions": [
        {"source": "ru-mod-leaked-reports-2024", "role": "claimant"},
        {"source": "rfe-rl", "role": "relay"},
        {
            "source": "article-50000-deserters",
            "role": "publisher",
            "quote": "at least 50,000 service members have deserted since the invasion began",
        },
    ],
}
