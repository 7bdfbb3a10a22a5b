"""One command, one table: Sourced against Datasette and the bare-stack ceiling.

    python -m bench.run                  # 1,000,000 figures, 5 s per round (make bench)
    python -m bench.run --figures 20000  # a quicker look
    python -m bench.run --smoke          # a tiny dataset, 1 s per round (CI)
    python -m bench.run --postgres postgresql://postgres@127.0.0.1:5432/sourced_bench
                                         # the Sourced cases again on PostgreSQL (the default;
                                         # it creates, empties and reloads that database;
                                         # --postgres none skips them)

Each server runs with one worker on its own 127.0.0.1 port over the same SQLite file:
Sourced (response cache off unless the case says so), Datasette, and a Starlette app that
returns a precomputed body of the size of Sourced's answer. Load comes from `wrk` (Debian
package) when installed, otherwise from a bounded Python client; one warm-up, then two rounds,
medians reported. Every server is stopped at the end, and every run stops by itself.
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, inspect, make_url, text
from sqlmodel import Session

from app import migrate
from app.services.common import search_engine
from app.settings import normalise_database_url
from bench.generate import generate

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PYTHON = sys.executable
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/sourced_bench"
# Datasette counts every matching row and suggests facets on each page unless told not to;
# Sourced counts only when asked (count=true), so the fair comparison turns both off.
DATASETTE_PLAIN = "&_nocount=1&_nofacet=1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn runs the app in-process)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


@contextmanager
def server(
    name: str,
    command: list[str],
    env: dict[str, str],
    port: int,
    probe: str,
    cwd: Path = ROOT,
) -> Iterator[subprocess.Popen]:
    """A server started in ``cwd`` (its ``app`` package is the one served), stopped on exit."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # Datasette on a freshly written million-figure file (9 GB) took over a minute to answer.
        deadline = time.monotonic() + 600
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}{probe}", timeout=5).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise SystemExit(f"{name} did not start: {log.read().decode()[-2000:]}")
            time.sleep(0.2)
        yield process
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        log.close()


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def _ms(text: str | None) -> float:
    match = re.match(r"([\d.]+)(us|ms|s|m)$", text or "")
    if match is None:  # wrk prints -nan when no request finished
        return float("nan")
    value, unit = match.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _find(pattern: str, text: str) -> str | None:
    match = re.search(pattern, text, re.MULTILINE)
    return match.group(1) if match else None


def wrk(url: str, seconds: float, connections: int) -> Result:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    rps = float(_find(r"Requests/sec:\s+([\d.]+)", out) or 0)
    # Anchored to the start of a line: "Latency ... 89.50%" must not read as the 50th percentile.
    p50 = _ms(_find(r"^\s*50%\s+(\S+)", out))
    p99 = _ms(_find(r"^\s*99%\s+(\S+)", out))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"Socket errors: connect (\d+)", out))
    return Result(rps, p50, p99, errors)


def python_load(url: str, seconds: float, connections: int) -> Result:
    async def worker(
        client: httpx.AsyncClient, stop: float, times: list[float], errors: list[int]
    ) -> None:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            response = await client.get(url)
            times.append(time.perf_counter() - started)
            if response.status_code >= 400:
                errors.append(response.status_code)

    async def run() -> Result:
        times: list[float] = []
        errors: list[int] = []
        async with httpx.AsyncClient(timeout=30) as client:
            stop = time.perf_counter() + seconds
            await asyncio.gather(*(worker(client, stop, times, errors) for _ in range(connections)))
        times.sort()
        return Result(
            len(times) / seconds,
            times[len(times) // 2] * 1000,
            times[min(len(times) - 1, int(len(times) * 0.99))] * 1000,
            len(errors),
        )

    return asyncio.run(run())


def measure(url: str, seconds: float, connections: int) -> Result:
    load = wrk if shutil.which("wrk") else python_load
    load(url, min(1.0, seconds), connections)  # warm-up
    rounds = [load(url, seconds, connections) for _ in range(2)]
    return Result(
        statistics.median(r.rps for r in rounds),
        statistics.median(r.p50_ms for r in rounds),
        statistics.median(r.p99_ms for r in rounds),
        sum(r.errors for r in rounds),
    )


def walk(url: str, pages: int, next_of) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """The URL of page ``pages`` of a list (or of its last page) and that page's number."""
    reached = 1
    for _ in range(pages - 1):
        following = next_of(httpx.get(url, timeout=60).json())
        if not following:
            break
        url, reached = following, reached + 1
    return url, reached


def main() -> None:
    parser = argparse.ArgumentParser(description="Sourced vs Datasette vs the ceiling")
    parser.add_argument("--figures", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--smoke", action="store_true", help="tiny dataset, 1 s rounds")
    parser.add_argument(
        "--postgres",
        default=DEFAULT_POSTGRES,
        help="also run the Sourced cases on this PostgreSQL database (created if missing, emptied "
        "and reloaded); 'none' to skip",
    )
    parser.add_argument(
        "--postgres-figures",
        type=int,
        default=None,
        help="figures the PostgreSQL dataset holds (default: --figures); a database that holds "
        "another number is emptied and reloaded",
    )
    parser.add_argument(
        "--seed-figures",
        type=int,
        default=None,
        help="figures in the JSON file that `sourced seed` loads into an empty database, timed on "
        "each engine (default: --figures; 0 skips)",
    )
    args = parser.parse_args()
    if args.smoke:
        args.figures, args.seconds = 300, 1.0
    if args.seed_figures is None:
        args.seed_figures = args.figures
    if args.postgres in ("none", "") or (args.smoke and args.postgres == DEFAULT_POSTGRES):
        args.postgres = None
    elif not postgres_ready(args.postgres):
        print(f"PostgreSQL at {args.postgres} cannot be reached: its cases are skipped")
        args.postgres = None
    page_wanted = 3 if args.smoke else 200

    DATA.mkdir(parents=True, exist_ok=True)
    db_file = DATA / f"bench-{args.figures}.db"
    url = f"sqlite:///{db_file}"
    if not db_file.exists():
        print(
            f"generating {args.figures:,} figures into {db_file.relative_to(ROOT)} ...", flush=True
        )
        made = generate(url, args.figures, quiet=True)
        print(f"import path: {made['figures_per_second']:,.0f} figures/s", flush=True)

    dataset_ready(url)

    rows: list[tuple[str, str, Result, float]] = []
    ports = {
        "sourced": free_port(),
        "cached": free_port(),
        "datasette": free_port(),
        "ceiling": free_port(),
    }
    sourced_env = {"SOURCED_DATABASE_URL": url, "SOURCED_RESPONSE_CACHE_ENTRIES": "0"}
    uvicorn = [
        PYTHON,
        "-m",
        "uvicorn",
        "--no-access-log",
        "--log-level",
        "warning",
        "--host",
        "127.0.0.1",
        # The protocol `sourced serve` and the container run (app/serving.py), for every server
        # measured here, the ceiling included.
        "--http",
        "app.serving:BoundedHeadProtocol",
    ]
    base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}

    with (
        server(
            "sourced",
            [*uvicorn, "--factory", "app.main:create_app", "--port", str(ports["sourced"])],
            sourced_env,
            ports["sourced"],
            "/health",
        ) as sourced,
        server(
            "sourced (cache on)",
            [*uvicorn, "--factory", "app.main:create_app", "--port", str(ports["cached"])],
            {"SOURCED_DATABASE_URL": url},
            ports["cached"],
            "/health",
        ) as cached,
        server(
            "datasette",
            [
                PYTHON,
                "-m",
                "datasette",
                "serve",
                "-i",
                str(db_file),
                "--port",
                str(ports["datasette"]),
                "--setting",
                "default_page_size",
                "50",
                "--setting",
                "sql_time_limit_ms",
                "10000",
            ],
            {},
            ports["datasette"],
            "/-/versions.json",
        ) as datasette,
    ):
        db_name = db_file.stem
        measure_slug = "measure_007" if args.figures >= 400 else "measure_000"
        measure_id = httpx.get(
            f"{base['datasette']}/{db_name}/measure.json?slug={measure_slug}&_shape=array"
        ).json()[0]["id"]
        list_path = f"/v1/figures?measure={measure_slug}&limit=50"
        word = "deserted"
        # Deep pages of a filtered list: the big measure (bench/generate.py) has 1,000+
        # pages of 50 at a million figures; page 200 is its rows 9,951-10,000.
        big = "measure_000"
        big_id = httpx.get(
            f"{base['datasette']}/{db_name}/measure.json?slug={big}&_shape=array"
        ).json()[0]["id"]
        sourced_first = base["sourced"] + f"/v1/figures?measure={big}&limit=50"
        sourced_deep, page = walk(sourced_first, page_wanted, lambda b: b.get("next"))
        datasette_first = f"{base['datasette']}/{db_name}/figure.json?measure_id={big_id}&_size=50{DATASETTE_PLAIN}"
        datasette_deep, _ = walk(datasette_first, page, lambda b: b.get("next_url"))
        cases = [
            (
                "list by measure, 50/page",
                sourced,
                base["sourced"] + list_path,
                datasette,
                f"{base['datasette']}/{db_name}/figure.json?measure_id={measure_id}&_size=50{DATASETTE_PLAIN}",
            ),
            (
                "figure detail",
                sourced,
                base["sourced"] + "/v1/figures/fig-0000123",
                datasette,
                f"{base['datasette']}/{db_name}/figure.json?slug=fig-0000123",
            ),
            (
                "full-text search, 50",
                sourced,
                base["sourced"] + f"/v1/search?q={word}&limit=50",
                datasette,
                f"{base['datasette']}/{db_name}/search_fts.json?_search={word}&_size=50{DATASETTE_PLAIN}",
            ),
            (
                "figures matching q, 50, chains",
                sourced,
                base["sourced"] + f"/v1/figures?q={word}&limit=50",
                None,
                None,
            ),
            ("big measure, page 1", sourced, sourced_first, datasette, datasette_first),
            (f"big measure, page {page}", sourced, sourced_deep, datasette, datasette_deep),
            ("repeated request, cache on", cached, base["cached"] + list_path, None, None),
            # The vocabulary's counts and the big measure's claimants side by side.
            ("measure vocabulary, counts", sourced, base["sourced"] + "/v1/measures", None, None),
            (
                "big measure's comparison",
                sourced,
                f"{base['sourced']}/v1/measures/{big}",
                None,
                None,
            ),
            # The reader's page of the detail case's figure: it reads the figure, its history
            # and the first 50 figures of its measure, and draws the chart (cache off) ...
            (
                "figure page (HTML)",
                sourced,
                base["sourced"] + "/v1/figures/fig-0000123?format=html",
                None,
                None,
            ),
            # ... and as readers mostly get it: from the response cache, like the JSON.
            (
                "figure page (HTML), cache on",
                cached,
                base["cached"] + "/v1/figures/fig-0000123?format=html",
                None,
                None,
            ),
            (
                "figure detail, cache on",
                cached,
                base["cached"] + "/v1/figures/fig-0000123",
                None,
                None,
            ),
        ]
        # The ceiling answers each case with that case's own body, byte for byte.
        bodies = DATA / "ceiling-bodies"
        bodies.mkdir(exist_ok=True)
        for index, (_, _, ours_url, _, _) in enumerate(cases):
            (bodies / f"{index}.json").write_bytes(httpx.get(ours_url, timeout=120).content)
        with server(
            "ceiling",
            [*uvicorn, "bench.ceiling:app", "--port", str(ports["ceiling"])],
            {"BENCH_BODY_DIR": str(bodies)},
            ports["ceiling"],
            "/0",
        ) as ceiling:
            for index, (name, ours, ours_url, theirs, theirs_url) in enumerate(cases):
                rows.append(
                    (
                        name,
                        "ceiling",
                        measure(f"{base['ceiling']}/{index}", args.seconds, args.connections),
                        rss_mb(ceiling.pid),
                    )
                )
                rows.append(
                    (
                        name,
                        "sourced",
                        measure(ours_url, args.seconds, args.connections),
                        rss_mb(ours.pid),
                    )
                )
                if theirs is not None:
                    rows.append(
                        (
                            name,
                            "datasette",
                            measure(theirs_url, args.seconds, args.connections),
                            rss_mb(theirs.pid),
                        )
                    )
        export = {fmt: export_rate(base["sourced"], sourced.pid, fmt) for fmt in ("ndjson", "csv")}
        if args.postgres:
            rows += postgres_rows(args, uvicorn, cases, page)

    seeded = seed_rates(args)
    print_table(rows, export, args)
    print_seeded(seeded)
    print_targets(rows, export, seeded, args)
    failed = [r for r in rows if r[1] not in ("datasette",) and (r[2].errors or r[2].rps == 0)]
    if failed:
        raise SystemExit(f"errors in: {', '.join(f'{c} ({s})' for c, s, _, _ in failed)}")


def generated(figures: int) -> Path:
    """The dataset file a full run generates (and later runs reuse), for the scripts that
    time one case on it; stops with the command that makes it when it is missing."""
    database = DATA / f"bench-{figures}.db"
    if not database.exists():
        raise SystemExit(f"{database} is missing: python -m bench.generate --figures {figures}")
    return database


def dataset_ready(url: str) -> None:
    """A dataset kept from an earlier run brought to this checkout's schema (a generated one
    already is), then its search index built: a file made before a migration is reused, not
    failed on nor generated again (an hour at a million figures)."""
    migrate.upgrade(url)
    search_index_ready(url)


def search_index_ready(url: str) -> None:
    """Build the search's index (or bring it up to date) before any search is timed, in the
    folder the servers use (the default for the database): the timed search is the index's
    top 50, not its build."""
    engine = create_engine(normalise_database_url(url))
    started = time.perf_counter()
    try:
        with Session(engine) as session:
            held = search_engine.ready(session)
    finally:
        engine.dispose()
    print(f"search index: {held:,} entries, {time.perf_counter() - started:.1f} s", flush=True)


def postgres_ready(url: str) -> bool:
    """Whether the server answers; creates the database when the server has no such one."""
    target = make_url(normalise_database_url(url))
    try:
        engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            known = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).first()
            if known is None:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
        engine.dispose()
        return True
    except Exception as exc:  # any failure means: no PostgreSQL cases
        print(f"PostgreSQL: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        return False


def postgres_rows(args, uvicorn: list[str], cases, page: int) -> list:  # type: ignore[no-untyped-def]
    """The Sourced cases again on PostgreSQL (same generator, same import path), one worker
    and then two, so the table shows PostgreSQL against SQLite and what a second worker adds."""
    url = args.postgres
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as conn:
            have = conn.execute(
                text("SELECT count(*) FROM figure")
                if inspect(conn).has_table("figure")
                else text("SELECT -1")
            ).scalar()
        expected = args.postgres_figures or args.figures
        if have != expected:
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            print(f"generating {expected:,} figures into PostgreSQL ...", flush=True)
            made = generate(url, expected, quiet=True)
            print(f"import path (PostgreSQL): {made['figures_per_second']:,.0f} figures/s")
    finally:
        engine.dispose()
    dataset_ready(url)
    env = {"SOURCED_DATABASE_URL": url, "SOURCED_RESPONSE_CACHE_ENTRIES": "0"}
    rows = []
    for label, workers in (("postgresql", 1), ("pg 2 workers", 2)):
        port = free_port()
        command = [*uvicorn, "--factory", "app.main:create_app", "--port", str(port)]
        with server(label, [*command, "--workers", str(workers)], env, port, "/health") as pg:
            base = f"http://127.0.0.1:{port}"
            # One worker: every case up to the big measure's first page; two: the list case.
            wanted = cases[:5] if workers == 1 else cases[:1]
            for name, _, ours_url, _, _ in wanted:
                path = ours_url.split("/", 3)[3]
                rows.append(
                    (
                        name,
                        label,
                        measure(f"{base}/{path}", args.seconds, args.connections),
                        rss_mb(pg.pid),
                    )
                )
            if workers == 1:
                deep, _ = walk(
                    f"{base}/{cases[4][2].split('/', 3)[3]}", page, lambda b: b.get("next")
                )
                rows.append(
                    (
                        cases[5][0],
                        label,
                        measure(deep, args.seconds, args.connections),
                        rss_mb(pg.pid),
                    )
                )
    return rows


def seed_rates(args) -> dict[str, dict[str, float]]:  # type: ignore[no-untyped-def]
    """`sourced seed` of one JSON file of --seed-figures figures into an empty database, on
    SQLite and (when it is measured) PostgreSQL, each in a process of its own (bench/seed_timing.py)."""
    if not args.seed_figures:
        return {}
    targets = {"sqlite": f"sqlite:///{DATA / 'seed-bench.db'}"}
    if args.postgres:
        pg = make_url(normalise_database_url(args.postgres)).set(database="sourced_bench_seed")
        targets["postgresql"] = pg.render_as_string(hide_password=False)
    seeded = {}
    for engine, url in targets.items():
        print(f"sourced seed of {args.seed_figures:,} figures on {engine} ...", flush=True)
        out = subprocess.run(
            [PYTHON, "-m", "bench.seed_timing", "--db", url, "--figures", str(args.seed_figures)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        seeded[engine] = json.loads(out.splitlines()[-1])
    (DATA / "seed-bench.db").unlink(missing_ok=True)
    return seeded


def export_rate(base: str, pid: int, fmt: str) -> tuple[float, float, float]:
    """Rows per second of the export of every figure, and the server's RSS before and at peak.

    The export runs twice and the second is timed: the first is its warm-up, as every other
    case has one (a million figures' texts are read from disk the first time). Rows are the
    line ends in the bytes received, so a CSV row with a line break in a quoted cell counts
    twice; the generator's texts have none, and the header line is not counted. The client
    counts bytes rather than decoding lines, so that it takes as little of the machine as it
    can from the server it measures."""
    before = peak = rss_mb(pid)
    rate = 0.0
    for _ in range(2):
        rows = 0
        started = time.perf_counter()
        with httpx.stream("GET", f"{base}/v1/figures?format={fmt}", timeout=None) as response:
            response.raise_for_status()
            for i, chunk in enumerate(response.iter_raw()):
                rows += chunk.count(b"\n")
                if i % 16 == 0:
                    peak = max(peak, rss_mb(pid))
        rows -= fmt == "csv"
        rate = rows / (time.perf_counter() - started)
    return rate, before, max(peak, rss_mb(pid))


def print_table(rows, export, args) -> None:  # type: ignore[no-untyped-def]
    print()
    print(
        f"{args.figures:,} figures, {args.connections} connections, {args.seconds:g} s x 2 rounds, "
        f"load from {'wrk' if shutil.which('wrk') else 'python'}"
    )
    header = f"{'case':<30} {'server':<13} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'RSS MB':>7} {'vs datasette':>13} {'vs ceiling':>11}"
    print(header)
    print("-" * len(header))
    by_case: dict[str, dict[str, Result]] = {}
    for case, who, result, _ in rows:
        by_case.setdefault(case, {})[who] = result
    for case, who, result, rss in rows:
        theirs = by_case[case].get("datasette")
        ceiling = by_case[case].get("ceiling")
        ours = who not in ("datasette", "ceiling")
        vs_them = f"{result.rps / theirs.rps:.2f}x" if ours and theirs and theirs.rps else ""
        vs_ceiling = f"{result.rps / ceiling.rps:.2f}x" if ours and ceiling else ""
        print(
            f"{case:<30} {who:<13} {result.rps:>9,.0f} {result.p50_ms:>8.2f} {result.p99_ms:>8.2f} {rss:>7.0f} {vs_them:>13} {vs_ceiling:>11}"
        )
    # The page's cost against the JSON of the same record (the target: at most 2x).
    for page_case, json_case in (
        ("figure page (HTML)", "figure detail"),
        ("figure page (HTML), cache on", "figure detail, cache on"),
    ):
        page_result = by_case.get(page_case, {}).get("sourced")
        json_result = by_case.get(json_case, {}).get("sourced")
        if page_result and json_result and page_result.rps:
            print(
                f"{page_case}: {json_result.rps / page_result.rps:.2f}x the JSON's time per request"
            )
    listing = by_case.get("list by measure, 50/page", {})
    if "postgresql" in listing:
        sqlite_rps, pg_rps = listing["sourced"].rps, listing["postgresql"].rps
        two = listing.get("pg 2 workers")
        print(f"list case: PostgreSQL / SQLite {pg_rps / sqlite_rps:.2f}x", end="")
        print(f"; 2 workers / 1 worker on PostgreSQL {two.rps / pg_rps:.2f}x" if two else "")
    deep = [
        case
        for case in by_case
        if case.startswith("big measure, page ") and case != "big measure, page 1"
    ]
    for case in deep:
        for who in by_case[case]:
            first = by_case["big measure, page 1"].get(who)
            if first and first.p50_ms and by_case[case][who].p50_ms:
                print(
                    f"{case} / page 1 ({who}): p50 latency {by_case[case][who].p50_ms / first.p50_ms:.2f}x"
                )
    for fmt, (rate, before, peak) in export.items():
        print(
            f"{fmt.upper() + ' export, all figures':<30} {'sourced':<13} {rate:>9,.0f} rows/s, "
            f"RSS {before:.0f} MB before, {peak:.0f} MB at peak"
        )


def print_seeded(seeded: dict[str, dict[str, float]]) -> None:
    for engine, made in seeded.items():
        print(
            f"{'sourced seed, one JSON file':<30} {engine:<13} {made['figures_per_second']:>9,.0f} "
            f"figures/s ({made['figures']:,} in {made['seconds']:,.1f} s), "
            f"peak RSS {made['peak_rss_mb']:,.0f} MB"
        )


def targets(rows, export, seeded, args) -> list[tuple[str, str, bool | None]]:  # type: ignore[no-untyped-def]
    """Each target of bench/README.md with the value this run measured, and whether it is met
    (None: this run did not measure it)."""
    by: dict[str, dict[str, Result]] = {}
    rss: dict[str, float] = {}
    for case, who, result, mb in rows:
        by.setdefault(case, {})[who] = result
        if who in ("sourced", "postgresql"):
            rss[f"{case} ({who})"] = mb
    out: list[tuple[str, str, bool | None]] = []

    def ratio(case: str, who: str, other: str, at_least: float, label: str) -> None:
        ours, theirs = by.get(case, {}).get(who), by.get(case, {}).get(other)
        if ours is None or theirs is None or not theirs.rps:
            out.append((label, "not measured", None))
            return
        value = ours.rps / theirs.rps
        out.append(
            (label, f"{value:.2f}x ({ours.rps:,.0f} vs {theirs.rps:,.0f} req/s)", value >= at_least)
        )

    listing = "list by measure, 50/page"
    search = "full-text search, 50"
    ratio(listing, "sourced", "datasette", 5, "list by measure >= 5x Datasette")
    ratio(listing, "sourced", "ceiling", 0.1, "list by measure >= 0.1x ceiling")
    ratio("figure detail", "sourced", "ceiling", 0.2, "figure detail >= 0.2x ceiling")
    deep = next((c for c in by if c.startswith("big measure, page ") and not c.endswith(" 1")), "")
    first, last = by.get("big measure, page 1", {}).get("sourced"), by.get(deep, {}).get("sourced")
    if first and last and first.p50_ms:
        value = last.p50_ms / first.p50_ms
        out.append((f"{deep} <= 1.2x page 1 (p50)", f"{value:.2f}x", value <= 1.2))
    found = by.get(search, {}).get("sourced")
    if found:
        out.append(
            (
                f"search p99 < 50 ms at {args.connections} clients",
                f"{found.p99_ms:,.1f} ms",
                found.p99_ms < 50,
            )
        )
    ratio(search, "sourced", "datasette", 10, "search >= 10x Datasette")
    if args.postgres:
        ratio(search, "postgresql", "sourced", 0.5, "search on PostgreSQL within 2x of SQLite")
    for engine, floor in (("sqlite", 20_000), ("postgresql", 10_000)):
        made = seeded.get(engine)
        label = f"sourced seed >= {floor:,} figures/s ({engine})"
        if made is None:
            out.append((label, "not measured", None))
            continue
        rate, peak = made["figures_per_second"], made["peak_rss_mb"]
        out.append((label, f"{rate:,.0f} figures/s ({made['figures']:,} figures)", rate >= floor))
        out.append((f"sourced seed peak RSS < 500 MB ({engine})", f"{peak:,.0f} MB", peak < 500))
    ratio("repeated request, cache on", "sourced", "ceiling", 0.5, "cache >= 0.5x ceiling")
    for fmt, (rate, _, peak) in export.items():
        out.append(
            (f"{fmt.upper()} export >= 100,000 rows/s", f"{rate:,.0f} rows/s", rate >= 100_000)
        )
        out.append((f"{fmt.upper()} export RSS < 200 MB", f"{peak:,.0f} MB", peak < 200))
    if args.postgres:
        ratio(listing, "postgresql", "sourced", 0.7, "PostgreSQL list >= 0.7x SQLite")
        ratio(listing, "pg 2 workers", "postgresql", 1.6, "two workers >= 1.6x one (PostgreSQL)")
    if rss:
        worst = max(rss, key=lambda k: rss[k])
        out.append(
            (
                "RSS under load < 150 MB per worker",
                f"{rss[worst]:,.0f} MB at most ({worst})",
                rss[worst] < 150,
            )
        )
    page, detail = (
        by.get("figure page (HTML), cache on", {}).get("sourced"),
        by.get("figure detail, cache on", {}).get("sourced"),
    )
    if page and detail and page.rps:
        value = detail.rps / page.rps
        out.append(("cached figure page <= 2x the JSON's time", f"{value:.2f}x", value <= 2))
    return out


def print_targets(rows, export, seeded, args) -> None:  # type: ignore[no-untyped-def]
    measured = targets(rows, export, seeded, args)
    print()
    if args.figures != 1_000_000:
        print(f"(the targets are set for 1,000,000 figures; this run held {args.figures:,})")
    print(f"{'target':<48} {'measured':<48} result")
    print("-" * 104)
    for label, value, met in measured:
        verdict = "met" if met else ("MISSED" if met is False else "")
        print(f"{label:<48} {value:<48} {verdict}")
    met = sum(verdict is True for _, _, verdict in measured)
    missed = sum(verdict is False for _, _, verdict in measured)
    unmeasured = len(measured) - met - missed
    print(
        f"targets: {met} met, {missed} missed"
        + (f", {unmeasured} not measured in this run" if unmeasured else "")
    )


if __name__ == "__main__":
    main()
