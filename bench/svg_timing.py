"""How long the reader pages' two SVGs take to draw: the estimates chart of 50 and of 300
figures, and one figure's attribution chain. Median of several runs, in milliseconds.

    python -m bench.svg_timing                       # figures from bench/data/bench-300.db
    python -m bench.svg_timing --db sqlite:///bench/data/bench-20000.db --runs 9

The figures are read once through the API (``GET /v1/figures``, response cache off), so the
pictures draw exactly what a page gives them; the database is built by ``bench.generate``.
"""

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.web.chain import chain_diagram
from app.web.charts import estimates_chart


def figures(db: str, count: int) -> list[dict[str, Any]]:
    client = TestClient(create_app(Settings(database_url=db, response_cache_entries=0)))
    found: list[dict[str, Any]] = []
    url: str | None = "/v1/figures?limit=100"
    while url and len(found) < count:
        body = client.get(url).json()
        found += body["items"]
        url = body.get("next")
    return found[:count]


def median_ms(draw: Callable[[], object], repeat: int, runs: int) -> float:
    """The median over ``runs`` of the mean time of ``repeat`` calls of ``draw``."""
    draw()  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(repeat):
            draw()
        times.append((time.perf_counter() - start) / repeat * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite:///bench/data/bench-300.db")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    figs = figures(args.db, 300)
    if len(figs) < 300:
        print(f"only {len(figs)} figures in {args.db}: the 300-row case draws them all")
    mark, chain = figs[0]["slug"], figs[0]["attributions"]
    cases: list[tuple[str, Callable[[], object], int]] = [
        ("chart, 50 rows", lambda: estimates_chart(figs[:50], title="t", highlight=mark), 20),
        ("chart, 300 rows", lambda: estimates_chart(figs, title="t", highlight=mark), 5),
        ("chain", lambda: chain_diagram(chain, title="t"), 200),
    ]
    for name, draw, repeat in cases:
        print(f"{name:<16} {median_ms(draw, repeat, args.runs):8.3f} ms")


if __name__ == "__main__":
    main()
