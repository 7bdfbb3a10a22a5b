"""`sourced seed` of one JSON file into an empty database, as a user runs it: figures per second
and the peak memory of the seeding process.

    python -m bench.seed_timing --db sqlite:///bench/data/seed-run.db --figures 20000
    python -m bench.seed_timing --db postgresql://postgres@127.0.0.1:5432/sourced_bench_seed

The file is `bench/data/seed-N.json` (written by `bench.generate.write_seed_file` when missing,
the same records as the benchmark's database). The database is emptied first: a SQLite file is
deleted, a PostgreSQL schema dropped and made again; only a database whose name holds
"bench" is touched. `sourced db upgrade` and `sourced seed`
each run as a child process; the peak RSS is the largest child's (`getrusage`), which is the
seed's. Prints one JSON line: figures, seconds, figures_per_second, cpu_seconds, peak_rss_mb.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text

from app.settings import normalise_database_url
from bench.generate import write_seed_file
from bench.run import postgres_ready

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
SOURCED = [sys.executable, "-c", "from app.cli import main; main()"]


def seed_file(figures: int) -> Path:
    path = DATA / f"seed-{figures}.json"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        write_seed_file(str(partial), figures)
        partial.rename(path)
    return path


def empty(url: str) -> None:
    target = make_url(normalise_database_url(url))
    # Emptying is the point, so it is only done to a database that says it is for this.
    if "bench" not in Path(target.database or "").name:
        raise SystemExit(
            f"{url}: a benchmark database's name holds 'bench'; this one is left alone"
        )
    if target.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{target.database}{suffix}").unlink(missing_ok=True)
        return
    if not postgres_ready(url):
        raise SystemExit(f"{url}: PostgreSQL cannot be reached")
    engine = create_engine(target)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def run(url: str, figures: int) -> dict[str, Any]:
    path = seed_file(figures)
    empty(url)
    env = {**os.environ, "SOURCED_DATABASE_URL": url}
    subprocess.run([*SOURCED, "db", "upgrade"], env=env, check=True, capture_output=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [*SOURCED, "seed", str(path)], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"sourced seed failed ({done.returncode}): {done.stderr[-2000:]}")
    # Linux reports kilobytes: the largest child so far, and the seed is by far the largest.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "figures": figures,
        "seconds": round(seconds, 2),
        "figures_per_second": round(figures / seconds),
        # The seed's own CPU (user and system): on a shared machine the wall time moves with
        # the others' load, this much less.
        "cpu_seconds": round(
            after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 2
        ),
        "peak_rss_mb": round(peak),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database URL; it is emptied first")
    parser.add_argument("--figures", type=int, default=20_000)
    args = parser.parse_args()
    print(json.dumps(run(args.db, args.figures)))


if __name__ == "__main__":
    main()
