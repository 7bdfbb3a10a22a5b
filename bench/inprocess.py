"""The hot reads in-process: one request's time through the whole ASGI app, without a server.

    python -m bench.inprocess --figures 100000 --rounds 5 --calls 200
    python -m bench.inprocess --checkout ../other-checkout    # this checkout against another

Each round runs every checkout in its own process (its own ``app`` package, imported from its
directory), in turn, so that load from elsewhere on the machine falls on all of them alike:
the app is built on the benchmark's SQLite file with the response cache off, each URL is
called ``--calls`` times straight through the ASGI interface after a warm-up, and the median
call is kept. The medians of the rounds are printed, in microseconds.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench.run import generated

ROOT = Path(__file__).resolve().parent.parent
URLS = {
    "list by measure, 50/page": "/v1/figures?measure=measure_007&limit=50",
    "figure detail": "/v1/figures/fig-0000123",
}

# Run in the checkout's own directory, so that `app` is that checkout's.
ROUND = """
import asyncio, json, statistics, sys, time
from app.main import create_app
from app.settings import Settings

database, calls, urls = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
app = create_app(Settings(database_url="sqlite:///" + database, response_cache_entries=0,
                          _env_file=None))


async def call(path, query):
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "root_path": "", "headers": [
                 (b"host", b"127.0.0.1"), (b"accept", b"*/*")],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    status = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


async def main():
    medians = {}
    for name, url in urls.items():
        path, _, query = url.partition("?")
        for _ in range(20):
            assert await call(path, query) == 200, url
        times = []
        for _ in range(calls):
            start = time.perf_counter()
            await call(path, query)
            times.append(time.perf_counter() - start)
        medians[name] = statistics.median(times) * 1e6
    print(json.dumps(medians))


asyncio.run(main())
"""


def one_round(checkout: Path, database: Path, calls: int) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOURCED_")}
    env["PYTHONPATH"] = str(checkout)
    out = subprocess.run(
        [sys.executable, "-c", ROUND, str(database), str(calls), json.dumps(URLS)],
        cwd=checkout,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out.splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument(
        "--checkout", action="append", type=Path, help="another checkout to time beside this one"
    )
    args = parser.parse_args()
    database = generated(args.figures)
    checkouts = [ROOT, *(path.resolve() for path in args.checkout or [])]
    results: dict[tuple[str, Path], list[float]] = {}
    for round_ in range(args.rounds):
        for checkout in checkouts:
            for name, median in one_round(checkout, database, args.calls).items():
                results.setdefault((name, checkout), []).append(median)
                print(f"round {round_ + 1} {name:26} {median:8.0f} us  {checkout}", file=sys.stderr)
    print(f"{args.figures:,} figures, in-process, cache off, median call of {args.calls}")
    print(f"medians of {args.rounds} alternating rounds, microseconds (rounds)")
    for (name, checkout), medians in results.items():
        rounds = ", ".join(f"{m:.0f}" for m in medians)
        print(f"{name:26} {statistics.median(medians):8.0f}  ({rounds})  {checkout}")


if __name__ == "__main__":
    main()
