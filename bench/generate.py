"""A deterministic synthetic dataset, loaded through the project's own import path.

Shape per 1,000,000 figures (scaled down linearly for smaller runs): 5,000 sources, 100,000
events, ~200 measures, three attribution links per figure (claimant, relay, publisher), with
quotes and summaries of varied text. Measures are skewed as in a real dataset, where a few
(killed, wounded, deserters) gather most figures: ``measure_000`` holds about 5.5 % of them
(1,000+ pages of 50 at a million figures), the others share the rest evenly. Written in bundles of ``BATCH`` figures through
``app.services.write.bundles.apply``: the same validation and apply step as `sourced seed` and
`POST /v1/bundles`, so the measured rate is the import path's.

    python -m bench.generate --db sqlite:///bench/data/bench.db --figures 20000

``--seed-file PATH`` writes the same records as one JSON seed file instead (a document source
and everything it names), the input `sourced seed` is measured on:

    python -m bench.generate --seed-file bench/data/seed-100000.json --figures 100000
"""

import argparse
import itertools
import json
import random
import time
from typing import Any

from app import migrate
from app.db import build_engine, unit_of_work, writer
from app.services.write import bundles
from app.settings import Settings

BATCH = 2_000
WORDS = [
    "soldiers",
    "deserted",
    "front",
    "regiment",
    "ministry",
    "report",
    "leaked",
    "convoy",
    "inmates",
    "escaped",
    "casualties",
    "wounded",
    "killed",
    "recruits",
    "convicts",
    "barrier",
    "troops",
    "retreat",
    "directive",
    "letter",
    "archive",
    "agency",
    "outlet",
    "statement",
    "officials",
    "estimate",
    "according",
    "reported",
    "relayed",
    "cited",
    "region",
    "border",
    "village",
    "city",
    "province",
    "brigade",
    "battalion",
    "commander",
    "documents",
    "records",
    "month",
    "year",
    "spring",
    "autumn",
    "winter",
    "summer",
    "offensive",
    "defence",
    "losses",
    "prisoners",
    "exchange",
]
QUALIFIERS = ("exact", "at_least", "more_than", "approximately", "at_most")
KINDS = ("news_outlet", "news_service", "government_body", "military_body", "ngo", "person")


def sizes(figures: int) -> dict[str, int]:
    return {
        "figures": figures,
        "events": max(1, figures // 10),
        "sources": max(3, figures // 200),
        "measures": max(1, min(200, figures // 50)),
    }


# Text as in real prose: a vocabulary of a few thousand words whose frequencies follow
# Zipf's law (the n-th most common word is n times rarer than the first). Drawing evenly
# from 51 words would put every word in four records of ten, which no real dataset does
# and which makes every search term a stop word. The WORDS above are the most common;
# the rest are made from syllables; "deserted", the benchmark's search term, is a word
# of middling rank (in about 1 % of the records, as a topical word is).
_SYLLABLES = ("ka", "ro", "mi", "sel", "tor", "van", "dre", "pol", "nik", "ust", "ar", "lem")
SEARCH_WORD = "deserted"
SEARCH_WORD_RANK = 150


def _lexicon(size: int = 3000) -> list[str]:
    made = [a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in _SYLLABLES]
    common = [w for w in WORDS if w != SEARCH_WORD]
    words = common + made[: size - len(common) - 1]
    words.insert(SEARCH_WORD_RANK - 1, SEARCH_WORD)
    return words


LEXICON = _lexicon()
_WEIGHTS = list(itertools.accumulate(1 / rank for rank in range(1, len(LEXICON) + 1)))


def _text(rng: random.Random, low: int, high: int) -> str:
    count = rng.randint(low, high)
    return " ".join(rng.choices(LEXICON, cum_weights=_WEIGHTS, k=count))


def _vocabulary(n: dict[str, int], rng: random.Random) -> dict[str, Any]:
    return {
        "measures": [
            {"slug": f"measure_{m:03d}", "label": f"Measure {m}", "unit": "persons"}
            for m in range(n["measures"])
        ],
        "sources": [
            {
                "slug": f"src-{s:05d}",
                "name": f"Source {s} {_text(rng, 1, 3)}",
                "kind": KINDS[s % len(KINDS)],
                "party_to_conflict": ("RU", "UA", None, None)[s % 4],
                "description": _text(rng, 5, 15),
            }
            for s in range(n["sources"])
        ],
    }


def _events(n: dict[str, int], rng: random.Random, start: int, stop: int) -> list[dict[str, Any]]:
    return [
        {
            "slug": f"evt-{e:06d}",
            "title": _text(rng, 3, 8),
            "summary": _text(rng, 10, 30),
            "type": "casualties",
            "date": f"{2000 + e % 25}-{1 + e % 12:02d}",
            "tags": [_text(rng, 1, 1)],
        }
        for e in range(start, stop)
    ]


def measure_of(figure: int, n: dict[str, int]) -> int:
    """One figure in 20 counts the big measure (0); the rest go round all of them."""
    return 0 if figure % 20 == 0 else figure % n["measures"]


def _figures(n: dict[str, int], rng: random.Random, start: int, stop: int) -> list[dict[str, Any]]:
    rows = []
    for f in range(start, stop):
        value = rng.randint(1, 2_000_000)
        claimant, relay, publisher = (rng.randrange(n["sources"]) for _ in range(3))
        rows.append(
            {
                "slug": f"fig-{f:07d}",
                "event": f"evt-{f % n['events']:06d}",
                "measure": f"measure_{measure_of(f, n):03d}",
                "value": value,
                "qualifier": QUALIFIERS[f % len(QUALIFIERS)],
                "stated_as": f"{value:,} {_text(rng, 1, 1)}",
                "unit": "persons",
                "subject": _text(rng, 2, 5),
                "period": f"{2000 + f % 25}",
                "attributions": [
                    {"source": f"src-{claimant:05d}", "role": "claimant"},
                    {"source": f"src-{relay:05d}", "role": "relay"},
                    {
                        "source": f"src-{publisher:05d}",
                        "role": "publisher",
                        "quote": _text(rng, 8, 25),
                    },
                ],
            }
        )
    return rows


def generate(
    database_url: str, figures: int, seed: int = 1, quiet: bool = False
) -> dict[str, float]:
    """Load the dataset; returns counts and the import rate in figures per second."""
    migrate.upgrade(database_url)
    engine = build_engine(Settings(database_url=database_url, _env_file=None))  # type: ignore[call-arg]
    rng = random.Random(seed)
    n = sizes(figures)
    started = time.perf_counter()
    try:
        with unit_of_work(writer(engine)) as session:
            bundles.apply(session, _vocabulary(n, rng), "bench", "synthetic vocabulary")
        for start in range(0, n["events"], BATCH * 5):
            stop = min(n["events"], start + BATCH * 5)
            with unit_of_work(writer(engine)) as session:
                bundles.apply(session, {"events": _events(n, rng, start, stop)}, "bench", "events")
        # Only the import path is timed (validation, checks, rows, revisions, search index,
        # commit), not the making of the synthetic records.
        elapsed = 0.0
        for start in range(0, figures, BATCH):
            stop = min(figures, start + BATCH)
            bundle = {"figures": _figures(n, rng, start, stop)}
            began = time.perf_counter()
            with unit_of_work(writer(engine)) as session:
                bundles.apply(session, bundle, "bench", "figures")
            elapsed += time.perf_counter() - began
            if not quiet:
                print(f"  {stop:>9,} figures  {stop / elapsed:,.0f}/s", flush=True)
    finally:
        engine.dispose()
    return {
        **{k: float(v) for k, v in n.items()},
        "figures_per_second": figures / elapsed,
        "seconds": time.perf_counter() - started,
    }


def write_seed_file(path: str, figures: int, seed: int = 1) -> dict[str, int]:
    """The same records as ``generate`` (same random draws, same order) as one JSON seed file:
    a document of its own, declared among the sources, so every record belongs to it.

    The figures are written a batch at a time, so a million-figure file needs the memory of
    one batch, not of the file (the bytes are those ``json.dump`` of the whole would write)."""
    rng = random.Random(seed)
    n = sizes(figures)
    data: dict[str, Any] = {"document": "bench-document", **_vocabulary(n, rng)}
    data["sources"].append({"slug": "bench-document", "name": "Bench document", "kind": "document"})
    data["events"] = _events(n, rng, 0, n["events"])
    compact = (",", ":")
    with open(path, "w", encoding="utf-8") as out:
        out.write(json.dumps(data, separators=compact)[:-1] + ',"figures":[')
        for start in range(0, figures, BATCH):
            batch = _figures(n, rng, start, min(figures, start + BATCH))
            out.write(("," if start else "") + json.dumps(batch, separators=compact)[1:-1])
        out.write("]}")
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (never the default one)")
    parser.add_argument("--seed-file", help="write a JSON seed file here instead of loading")
    parser.add_argument("--figures", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.seed_file:
        made = write_seed_file(args.seed_file, args.figures, args.seed)
        print(f"{args.seed_file}: " + ", ".join(f"{v:,} {k}" for k, v in made.items()))
        return
    if not args.db:
        parser.error("--db or --seed-file is needed")
    result = generate(args.db, args.figures, args.seed)
    print(
        f"{int(result['figures']):,} figures, {int(result['events']):,} events, "
        f"{int(result['sources']):,} sources, {int(result['measures'])} measures: "
        f"{result['figures_per_second']:,.0f} figures/s through the import path"
    )


if __name__ == "__main__":
    main()
