"""The hot reads (figure list by measure, figure detail) under wrk, across checkouts and servers.

    python -m bench.hot_reads --figures 100000 --rounds 3 --seconds 3
    python -m bench.hot_reads --checkout ../other-checkout     # this checkout against another
    python -m bench.hot_reads --server bounded --server httptools   # uvicorn's two protocols

Each variant (a checkout served by a server) runs on its own 127.0.0.1 port, one worker, the
response cache off, as `bench/run.py` runs Sourced. The rounds alternate between the variants
(every variant once per round, each case after a warm-up), so that load from elsewhere on the
machine falls on all of them alike; the medians of the rounds are printed.
"""

import argparse
import statistics
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench.run import free_port, generated, wrk
from bench.run import server as run_server

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "list by measure, 50/page": "/v1/figures?measure=measure_007&limit=50",
    "figure detail": "/v1/figures/fig-0000123",
}
UVICORN = [
    *("-m", "uvicorn", "--no-access-log", "--log-level", "warning", "--host", "127.0.0.1"),
]
SERVERS = {
    # What `sourced serve` runs (app/serving.py): h11 with a bounded request head.
    "bounded": [*UVICORN, "--http", "app.serving:BoundedHeadProtocol"],
    "httptools": [*UVICORN, "--http", "httptools"],
    "granian": [
        *("-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--workers", "1"),
        *("--log-level", "warning", "--no-ws"),
    ],
}


def command(server: str, port: int) -> list[str]:
    if server == "granian":
        return [sys.executable, *SERVERS[server], "--port", str(port), "--factory", APP]
    return [sys.executable, *SERVERS[server], "--factory", APP, "--port", str(port)]


APP = "app.main:create_app"


@contextmanager
def serve(checkout: Path, server: str, database: Path) -> Iterator[str]:
    """The app of ``checkout`` (its own ``app`` package) on ``server``; yields its base URL."""
    port = free_port()
    env = {"SOURCED_DATABASE_URL": f"sqlite:///{database}", "SOURCED_RESPONSE_CACHE_ENTRIES": "0"}
    name = f"{checkout} on {server}"
    with run_server(name, command(server, port), env, port, "/health", cwd=checkout):
        yield f"http://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--checkout", action="append", type=Path, help="another checkout to serve beside this one"
    )
    parser.add_argument("--server", action="append", choices=sorted(SERVERS))
    args = parser.parse_args()
    database = generated(args.figures)
    checkouts = [ROOT, *(path.resolve() for path in args.checkout or [])]
    servers = args.server or ["bounded"]
    results: dict[tuple[str, str, str], list[float]] = {}
    with ExitStack() as stack:
        bases = {
            (str(checkout), server): stack.enter_context(serve(checkout, server, database))
            for checkout in checkouts
            for server in servers
        }
        for round_ in range(args.rounds):
            for case, path in CASES.items():
                for (checkout, server), base in bases.items():
                    wrk(base + path, 1, args.connections)  # warm-up
                    result = wrk(base + path, args.seconds, args.connections)
                    results.setdefault((case, checkout, server), []).append(result.rps)
                    print(
                        f"round {round_ + 1} {case:26} {server:10} {checkout}: "
                        f"{result.rps:,.0f} req/s, {result.errors} errors",
                        file=sys.stderr,
                    )
    print(f"{args.figures:,} figures, {args.connections} connections, one worker, cache off")
    print(f"medians of {args.rounds} alternating rounds of {args.seconds:g} s, req/s (rounds)")
    for (case, checkout, server), rates in results.items():
        rounds = ", ".join(f"{r:,.0f}" for r in rates)
        print(f"{case:26} {server:10} {statistics.median(rates):>8,.0f}  ({rounds})  {checkout}")


if __name__ == "__main__":
    main()
