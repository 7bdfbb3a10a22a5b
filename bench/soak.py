"""A sustained mixed load on a live server, then a check that nothing was lost or leaked.

    python -m bench.soak --seconds 120 --engine sqlite       # make soak
    python -m bench.soak --seconds 60 --engine postgresql --database-url postgresql://...

Starts uvicorn (one worker) on a free 127.0.0.1 port over a fresh database migrated and seeded
from seed/ (on PostgreSQL the given database's ``public`` schema is emptied first: give it a
database of its own). Clients then send, for ``--seconds``, 90 % reads with ``If-None-Match``
and 10 % corrections (PATCH with ``If-Match`` and a reason) to figures and events, with an
editor key made the way the tests make one. The clients keep a ledger of every acknowledged
correction. The run fails unless:

- no answer was a 5xx and no request failed to connect or timed out;
- the server's resident memory after warm-up grew by at most ``--max-rss-growth``;
- the database holds exactly the seed's revisions plus one per acknowledged correction, each
  with the value the client sent, and every record shows its last acknowledged value, in the
  database and through the API (so through the response cache).

412 answers are expected: clients correct the same records at once, and a stale ETag is the
API doing its job. The write rate limit is switched off for the run (it would turn a sustained
10 % of writes into 429s). Everything runs on loopback and stops by itself; the server is
stopped in a ``finally``.
"""

import argparse
import asyncio
import contextlib
import os
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select, text

from app import migrate
from app.db import build_engine, unit_of_work
from app.models import Event, Figure, Revision
from app.services.write import ingest, keys
from app.settings import Settings, normalise_database_url
from bench.run import PYTHON, ROOT, free_port, rss_mb, server

SEED = ROOT / "seed"
WRITE_SHARE = 0.10
TIMEOUT = 10.0  # seconds for one request; longer is a failure


@dataclass(frozen=True)
class Ack:
    """One correction the server acknowledged (200) and the client will hold it to."""

    kind: str
    slug: str
    version: int
    note: str


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    read_ms: list[float] = field(default_factory=list)
    write_ms: list[float] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    ledger: list[Ack] = field(default_factory=list)
    rss: list[tuple[float, float]] = field(default_factory=list)  # (seconds in, MiB)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + len(self.transport_errors)


def fresh_database(engine_name: str, url: str | None, folder: Path) -> str:
    if engine_name == "sqlite":
        return f"sqlite:///{folder / 'soak.db'}"
    if not url:
        raise SystemExit("--engine postgresql needs --database-url (or SOURCED_SOAK_DATABASE_URL)")
    url = normalise_database_url(url)
    engine = build_engine(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    return url


def prepare(url: str) -> tuple[str, int, list[tuple[str, str]]]:
    """Migrate, seed, make an editor key. Returns the key, the seed's revision count and the
    records to correct, as (kind, slug)."""
    migrate.upgrade(url)
    engine = build_engine(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    try:
        ingest.run(engine, [SEED])
        with unit_of_work(engine) as session:
            secret = keys.create(session, "Soak editor", "editor").secret
        with engine.connect() as conn:
            revisions = conn.execute(select(func.count()).select_from(Revision)).scalar_one()
            targets = [("figure", s) for s in conn.execute(select(Figure.slug)).scalars()]
            targets += [("event", s) for s in conn.execute(select(Event.slug)).scalars()]
    finally:
        engine.dispose()
    return secret, int(revisions), sorted(targets)


def _url(kind: str, slug: str) -> str:
    return f"/v1/{kind}s/{slug}"


def read_paths(targets: list[tuple[str, str]]) -> list[str]:
    lists = ["/v1/figures", "/v1/events", "/v1/sources", "/v1/figures?limit=3", "/v1/changes"]
    return lists + [_url(kind, slug) for kind, slug in targets]


async def load(
    base: str, secret: str, targets: list[tuple[str, str]], seconds: float, clients: int
) -> Tally:
    tally = Tally()
    etags: dict[str, str] = {}  # the newest ETag each client has seen, by path
    paths = read_paths(targets)
    deadline = time.monotonic() + seconds
    editor = {"Authorization": f"Bearer {secret}"}

    async def send(http: httpx.AsyncClient, method: str, path: str, **kwargs) -> httpx.Response:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            response = await http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            tally.transport_errors.append(f"{method} {path}: {exc.__class__.__name__}: {exc}")
            raise
        elapsed = (time.perf_counter() - started) * 1000
        (tally.read_ms if method == "GET" else tally.write_ms).append(elapsed)
        tally.statuses[response.status_code] += 1
        return response

    async def read(http: httpx.AsyncClient, path: str) -> None:
        headers = {"If-None-Match": etags[path]} if path in etags else {}
        response = await send(http, "GET", path, headers=headers)
        if response.status_code == 200 and "etag" in response.headers:
            etags[path] = response.headers["etag"]
        elif response.status_code != 304:
            tally.unexpected.append(f"GET {path}: {response.status_code} {response.text[:200]}")

    async def correct(http: httpx.AsyncClient, who: int, serial: int) -> None:
        kind, slug = random.choice(targets)
        path = _url(kind, slug)
        if path not in etags:
            await read(http, path)
        note = f"soak client {who} correction {serial}"
        response = await send(
            http,
            "PATCH",
            path,
            json={"note": note, "reason": f"soak {who}/{serial}"},
            headers={**editor, "If-Match": etags[path]},
        )
        if response.status_code == 200:
            etags[path] = response.headers["etag"]
            tally.ledger.append(Ack(kind, slug, response.json()["version"], note))
        elif response.status_code == 412:
            # Another client was first: after the ETag check (the answer names the current
            # ETag) or in the same instant (it names only the version); read again next time.
            current = response.json().get("current_etag")
            if current:
                etags[path] = current
            else:
                etags.pop(path, None)
        else:
            tally.unexpected.append(f"PATCH {path}: {response.status_code} {response.text[:200]}")

    async def client(who: int) -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT, limits=limits) as http:
            serial = 0
            while time.monotonic() < deadline:
                try:
                    if random.random() < WRITE_SHARE:
                        serial += 1
                        await correct(http, who, serial)
                    else:
                        await read(http, random.choice(paths))
                except httpx.TransportError:
                    await asyncio.sleep(0.05)  # counted; keep the loop from spinning

    await asyncio.gather(*(client(who) for who in range(clients)))
    return tally


async def sample_rss(pid: int, tally: Tally, started: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        tally.rss.append((time.monotonic() - started, rss_mb(pid)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1.0)


async def run_load(
    base: str, pid: int, secret: str, targets: list[tuple[str, str]], args: argparse.Namespace
) -> Tally:
    stop = asyncio.Event()
    started = time.monotonic()
    tally = Tally()
    sampler = asyncio.create_task(sample_rss(pid, tally, started, stop))
    try:
        # The clients stop at the deadline; the outer bound catches a hung request.
        done = await asyncio.wait_for(
            load(base, secret, targets, args.seconds, args.clients), args.seconds + 60
        )
    finally:
        stop.set()
        await sampler
    done.rss = tally.rss
    return done


def check_ledger(url: str, base: str, seed_revisions: int, ledger: list[Ack]) -> list[str]:
    """What the database and the API hold against what the clients were told."""
    problems = []
    engine = build_engine(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    try:
        with engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(Revision)).scalar_one()
            stored = {
                (entity, slug, version): changes
                for entity, slug, version, changes in conn.execute(
                    select(
                        Revision.entity, Revision.entity_slug, Revision.version, Revision.changes
                    ).where(Revision.action == "update")
                )
            }
            notes = {("figure", s): n for s, n in conn.execute(select(Figure.slug, Figure.note))}
            notes |= {("event", s): n for s, n in conn.execute(select(Event.slug, Event.note))}
    finally:
        engine.dispose()
    if total != seed_revisions + len(ledger):
        problems.append(
            f"revisions: {total} in the database, expected {seed_revisions} from the seed "
            f"+ {len(ledger)} acknowledged = {seed_revisions + len(ledger)}"
        )
    twice = Counter((ack.kind, ack.slug, ack.version) for ack in ledger)
    problems += [f"{k} {s} v{v}: acknowledged {n} times" for (k, s, v), n in twice.items() if n > 1]
    last: dict[tuple[str, str], Ack] = {}
    for ack in ledger:
        changes = stored.get((ack.kind, ack.slug, ack.version)) or {}
        if changes.get("note", {}).get("new") != ack.note:
            problems.append(f"{ack.kind} {ack.slug} v{ack.version}: acknowledged, not stored")
        record = (ack.kind, ack.slug)
        if record not in last or ack.version > last[record].version:
            last[record] = ack
    with httpx.Client(base_url=base, timeout=TIMEOUT) as http:
        for (kind, slug), ack in sorted(last.items()):
            if notes.get((kind, slug)) != ack.note:
                problems.append(f"{kind} {slug}: the database holds {notes.get((kind, slug))!r}")
            served = http.get(_url(kind, slug)).json()
            if (served["note"], served["version"]) != (ack.note, ack.version):
                problems.append(
                    f"{kind} {slug}: the API serves v{served['version']} {served['note']!r}, "
                    f"expected v{ack.version} {ack.note!r}"
                )
    return problems


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(tally: Tally, args: argparse.Namespace, ledger_problems: list[str]) -> list[str]:
    """Print the table; return the reasons the run failed."""
    warm = [mb for at, mb in tally.rss if at >= args.warmup]
    rss_start, rss_end = (warm[0], warm[-1]) if warm else (float("nan"),) * 2
    rss_peak = max(warm) if warm else float("nan")
    growth = (rss_end - rss_start) / rss_start if warm else float("nan")
    every = tally.read_ms + tally.write_ms
    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    rows = [
        ("engine", args.engine),
        ("seconds / clients", f"{args.seconds:g} / {args.clients}"),
        ("requests", f"{tally.requests} ({tally.requests / args.seconds:.0f} req/s)"),
        ("reads / writes", f"{len(tally.read_ms)} / {len(tally.write_ms)}"),
        ("statuses", ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses.items()))),
        ("p50 / p99 all (ms)", f"{percentile(every, 0.5):.1f} / {percentile(every, 0.99):.1f}"),
        (
            "p50 / p99 reads (ms)",
            f"{percentile(tally.read_ms, 0.5):.1f} / {percentile(tally.read_ms, 0.99):.1f}",
        ),
        (
            "p50 / p99 writes (ms)",
            f"{percentile(tally.write_ms, 0.5):.1f} / {percentile(tally.write_ms, 0.99):.1f}",
        ),
        ("5xx / connection errors", f"{server_errors} / {len(tally.transport_errors)}"),
        (
            f"server RSS after {args.warmup:g} s warm-up → end (peak)",
            f"{rss_start:.1f} → {rss_end:.1f} MiB ({rss_peak:.1f}); {growth:+.1%}",
        ),
        ("acknowledged corrections", str(len(tally.ledger))),
        ("ledger check", "ok" if not ledger_problems else f"{len(ledger_problems)} problems"),
    ]
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    failures = []
    if server_errors:
        failures.append(f"{server_errors} answers were 5xx")
    if tally.transport_errors:
        failures.append(
            f"{len(tally.transport_errors)} requests failed: {tally.transport_errors[:3]}"
        )
    if tally.unexpected:
        failures.append(f"{len(tally.unexpected)} unexpected answers: {tally.unexpected[:3]}")
    if not warm:
        failures.append("no memory sample after the warm-up: run longer than --warmup")
    elif growth > args.max_rss_growth:
        failures.append(
            f"server RSS grew {growth:.1%} after warm-up (limit {args.max_rss_growth:.0%})"
        )
    if not tally.ledger:
        failures.append("no correction was acknowledged")
    failures += ledger_problems[:20]
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SOURCED_SOAK_DATABASE_URL"),
        help="PostgreSQL only; its public schema is emptied",
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--warmup", type=float, help="seconds (default: a quarter of the run)")
    parser.add_argument("--max-rss-growth", type=float, default=0.20)
    parser.add_argument("--seed", type=int, default=20261125, help="for the request mix")
    args = parser.parse_args(argv)
    if args.warmup is None:
        args.warmup = args.seconds / 4
    random.seed(args.seed)

    with tempfile.TemporaryDirectory(prefix="sourced-soak-") as folder:
        url = fresh_database(args.engine, args.database_url, Path(folder))
        secret, seed_revisions, targets = prepare(url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            "SOURCED_DATABASE_URL": url,
            "SOURCED_WRITES_PER_MINUTE": "0",
            "PYTHONUNBUFFERED": "1",
        }
        command = [PYTHON, "-m", "uvicorn", "app.main:create_app", "--factory"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
        command += ["--http", "app.serving:BoundedHeadProtocol"]  # as `sourced serve` runs
        print(f"soak: {args.engine}, {args.seconds:g} s, {args.clients} clients, {base}")
        with server("sourced", command, env, port, "/health") as process:
            tally = asyncio.run(run_load(base, process.pid, secret, targets, args))
            ledger_problems = check_ledger(url, base, seed_revisions, tally.ledger)
    failures = report(tally, args, ledger_problems)
    if failures:
        print("\nFAILED:\n- " + "\n- ".join(failures), file=sys.stderr)
        return 1
    print("\nok")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
