"""Racing writers against a live server: an acknowledged edit is never silently overwritten.

Fifty requests go out at once (one asyncio.gather over real connections) to a uvicorn
process whose sync routes run in its thread pool, so on PostgreSQL their transactions truly
overlap; SQLite serialises writers and must give the same answers. The in-process TestClient
would serialise them and prove nothing.
"""

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app.db import unit_of_work
from app.models import Figure, Revision, Source
from app.services.write import keys
from tests import builders
from tests.serving import free_port, serving

WRITERS = 50
PROBLEM = "application/problem+json"


@pytest.fixture
def server(engine: Engine, database_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A seeded database, an editor's key, and a uvicorn serving them."""
    builders.load(engine, tmp_path / "seed", builders.dataset(3))
    with unit_of_work(engine) as session:
        editor = keys.create(session, "Racing editor", "editor").secret
    port = free_port()
    env = {
        "SOURCED_DATABASE_URL": database_url,
        # SQLite queues the fifty writers on its one write lock: give the last one time.
        "SOURCED_SQLITE_BUSY_TIMEOUT_MS": "30000",
        "SOURCED_RESPONSE_CACHE_RECHECK_SECONDS": "0",
    }
    command = ["uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1"]
    with serving([*command, "--port", str(port), "--log-level", "warning"], env, port):
        yield {
            "url": f"http://127.0.0.1:{port}",
            "editor": {"Authorization": f"Bearer {editor}"},
        }


def race(base: str, requests: list[dict[str, Any]]) -> list[httpx.Response]:
    """Send every request at once, each on its own connection; the answers in request order."""

    async def run() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
            return await asyncio.gather(*(client.request(**r) for r in requests))

    return asyncio.run(run())


def statuses(responses: list[httpx.Response]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


def assert_problems(responses: list[httpx.Response], status: int, detail_prefix: str) -> None:
    for response in responses:
        if response.status_code == status:
            assert response.headers["content-type"] == PROBLEM
            assert response.json()["status"] == status
            assert response.json()["detail"].startswith(detail_prefix), response.json()


def revisions_of(engine: Engine, subject: str) -> list[Revision]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Revision).where(Revision.subject == subject).order_by(col(Revision.id))
            ).all()
        )


def chain_with_locator(locator: str) -> list[dict[str, Any]]:
    """fig-0001's chain (tests/builders.py) with a locator on its relay: a chain-only change."""
    return [
        {"source": "observers", "role": "claimant"},
        {"source": "desk", "role": "relay", "locator": locator},
        {"source": "doc", "role": "publisher", "quote": "many fled"},
    ]


class TestPatchRace:
    def test_fifty_chain_edits_with_one_etag_end_in_one_200_and_forty_nine_412(
        self, server, engine
    ):
        base = server["url"]
        etag = httpx.get(f"{base}/v1/figures/fig-0001").headers["etag"]
        with Session(engine) as session:
            figure_id = session.exec(select(Figure.id).where(Figure.slug == "fig-0001")).one()
        before = len(revisions_of(engine, f"figure:{figure_id}"))
        responses = race(
            base,
            [
                {
                    "method": "PATCH",
                    "url": "/v1/figures/fig-0001",
                    "json": {
                        "attributions": chain_with_locator(f"paragraph {i}"),
                        "reason": f"editor {i} read the relay again",
                    },
                    "headers": {**server["editor"], "If-Match": etag},
                }
                for i in range(WRITERS)
            ],
        )
        assert statuses(responses) == {200: 1, 412: WRITERS - 1}
        assert_problems(responses, 412, "If-Match: ")
        (winner,) = (i for i, r in enumerate(responses) if r.status_code == 200)
        new = revisions_of(engine, f"figure:{figure_id}")[before:]
        assert [(r.entity, r.action, r.reason) for r in new] == [
            ("attribution", "update", f"editor {winner} read the relay again")
        ]
        assert new[0].changes == {"locator": {"old": None, "new": f"paragraph {winner}"}}
        now = httpx.get(f"{base}/v1/figures/fig-0001")
        assert now.headers["etag"] == responses[winner].headers["etag"]
        assert [link.get("locator") for link in now.json()["attributions"]] == [
            None,
            f"paragraph {winner}",
            None,
        ]

    def test_fifty_retractions_with_one_etag_end_in_one_200_and_forty_nine_412(
        self, server, engine
    ):
        base = server["url"]
        etag = httpx.get(f"{base}/v1/figures/fig-0002").headers["etag"]
        responses = race(
            base,
            [
                {
                    "method": "DELETE",
                    "url": "/v1/figures/fig-0002",
                    "headers": {
                        **server["editor"],
                        "If-Match": etag,
                        "Sourced-Reason": f"editor {i} withdrew it",
                    },
                }
                for i in range(WRITERS)
            ],
        )
        assert statuses(responses) == {200: 1, 412: WRITERS - 1}
        assert_problems(responses, 412, "If-Match: ")
        (winner,) = (i for i, r in enumerate(responses) if r.status_code == 200)
        with Session(engine) as session:
            figure_id = session.exec(select(Figure.id).where(Figure.slug == "fig-0002")).one()
        retractions = [
            r.reason for r in revisions_of(engine, f"figure:{figure_id}") if r.action == "retract"
        ]
        assert retractions == [f"editor {winner} withdrew it"]


class TestCreateRace:
    def test_fifty_creates_of_one_new_source_end_in_one_201_and_forty_nine_409(
        self, server, engine
    ):
        responses = race(
            server["url"],
            [
                {
                    "method": "POST",
                    "url": "/v1/sources",
                    "json": {"slug": "newcomer", "name": f"Newcomer {i}", "kind": "ngo"},
                    "headers": server["editor"],
                }
                for i in range(WRITERS)
            ],
        )
        assert statuses(responses) == {201: 1, 409: WRITERS - 1}
        assert_problems(responses, 409, "slug: ")
        (winner,) = (i for i, r in enumerate(responses) if r.status_code == 201)
        with Session(engine) as session:
            rows = session.exec(select(Source.id, Source.name).where(Source.slug == "newcomer"))
            ((source_id, name),) = rows.all()
            trail = session.exec(
                select(Revision.action, func.count())
                .where(Revision.subject == f"source:{source_id}")
                .group_by(Revision.action)
            ).all()
        assert name == f"Newcomer {winner}"
        assert trail == [("create", 1)]

    def test_fifty_creates_of_one_new_figure_end_in_one_201_and_forty_nine_409(
        self, server, engine
    ):
        responses = race(
            server["url"],
            [
                {
                    "method": "POST",
                    "url": "/v1/figures",
                    "json": {
                        "slug": "new-figure",
                        "event": "flight",
                        "measure": "deserters",
                        "value": 100 + i,
                        "qualifier": "exact",
                        "stated_as": f"{100 + i} soldiers",
                        "unit": "persons",
                        "attributions": [{"source": "observers", "role": "claimant"}],
                    },
                    "headers": server["editor"],
                }
                for i in range(WRITERS)
            ],
        )
        assert statuses(responses) == {201: 1, 409: WRITERS - 1}
        assert_problems(responses, 409, "slug: ")
        (winner,) = (i for i, r in enumerate(responses) if r.status_code == 201)
        with Session(engine) as session:
            rows = session.exec(select(Figure.id, Figure.value).where(Figure.slug == "new-figure"))
            ((figure_id, value),) = rows.all()
            trail = session.exec(
                select(Revision.entity, Revision.action, func.count())
                .where(Revision.subject == f"figure:{figure_id}")
                .group_by(Revision.entity, Revision.action)
                .order_by(Revision.entity)
            ).all()
        assert value == 100 + winner
        assert trail == [("attribution", "create", 1), ("figure", "create", 1)]


RACED_FIGURE = {
    "slug": "raced",
    "event": "flight",
    "measure": "deserters",
    "value": 10,
    "qualifier": "exact",
    "stated_as": "10 soldiers",
    "unit": "persons",
}


def raced_chain(locator: str | None) -> list[dict[str, Any]]:
    return [
        {"source": "observers", "role": "claimant"},
        {"source": "desk", "role": "relay", "locator": locator},
    ]


class TestBundleRace:
    def test_bundles_racing_editors_leave_every_acknowledged_change_in_the_trail(
        self, server, engine
    ):
        base = server["url"]
        made = httpx.post(
            f"{base}/v1/figures",
            json={**RACED_FIGURE, "attributions": raced_chain(None)},
            headers=server["editor"],
        )
        assert made.status_code == 201
        with Session(engine) as session:
            figure_id = session.exec(select(Figure.id).where(Figure.slug == "raced")).one()
        before = len(revisions_of(engine, f"figure:{figure_id}"))
        half = WRITERS // 2
        patches = [
            {
                "method": "PATCH",
                "url": "/v1/figures/raced",
                "json": {"attributions": raced_chain(f"editor {i}"), "reason": f"e{i}"},
                "headers": {**server["editor"], "If-Match": made.headers["etag"]},
            }
            for i in range(half)
        ]
        sent = [
            {
                "method": "POST",
                "url": "/v1/bundles",
                "json": {
                    "figures": [{**RACED_FIGURE, "attributions": raced_chain(f"bundle {i}")}],
                    "reason": f"b{i}",
                },
                "headers": server["editor"],
            }
            for i in range(half)
        ]
        # Interleaved, so that neither kind goes out first.
        responses = race(base, [r for pair in zip(patches, sent, strict=True) for r in pair])
        edits, loads = responses[0::2], responses[1::2]
        # Every bundle is applied; at most one editor wins (none when a bundle came first),
        # every other editor is told the figure changed since the ETag it sent.
        assert statuses(loads) == {200: half}
        assert [r.json()["changed"] for r in loads] == [1] * half
        won = [i for i, r in enumerate(edits) if r.status_code == 200]
        assert len(won) <= 1
        assert sorted(r.status_code for r in edits) == [200] * len(won) + [412] * (half - len(won))
        assert_problems(edits, 412, "If-Match: ")
        acknowledged = [f"e{i}" for i in won] + [f"b{i}" for i in range(half)]
        new = revisions_of(engine, f"figure:{figure_id}")[before:]
        # One revision per acknowledged change, each starting from where the one before it
        # ended: no write was made over a state it had not seen.
        assert sorted(r.reason for r in new) == sorted(acknowledged)
        assert {(r.entity, r.action) for r in new} == {("attribution", "update")}
        olds = [r.changes["locator"]["old"] for r in new]
        news = [r.changes["locator"]["new"] for r in new]
        assert olds == [None, *news[:-1]]
        assert [r.version for r in new] == list(range(2, 2 + len(new)))
        now = httpx.get(f"{base}/v1/figures/raced").json()
        assert now["attributions"][1]["locator"] == news[-1]

    def test_editors_of_a_source_and_of_a_figure_citing_it_never_deadlock(self, server):
        # A source's correction refreshes the stored texts of the figures citing it, locking
        # them; a figure's correction holds its figure and adds a link pointing at the source.
        base = server["url"]
        source_tag = httpx.get(f"{base}/v1/sources/observers").headers["etag"]
        figure_tag = httpx.get(f"{base}/v1/figures/fig-0001").headers["etag"]
        half = WRITERS // 2
        renames = [
            {
                "method": "PATCH",
                "url": "/v1/sources/observers",
                "json": {"name": f"Observers {i}", "reason": f"s{i}"},
                "headers": {**server["editor"], "If-Match": source_tag},
            }
            for i in range(half)
        ]
        edits = [
            {
                "method": "PATCH",
                "url": "/v1/figures/fig-0001",
                # A new link citing the source: its foreign key locks the source's row.
                "json": {
                    "attributions": [
                        *chain_with_locator(None),
                        {"source": "observers", "role": "relay", "locator": f"paragraph {i}"},
                    ],
                    "reason": f"f{i}",
                },
                "headers": {**server["editor"], "If-Match": figure_tag},
            }
            for i in range(half)
        ]
        responses = race(base, [r for pair in zip(renames, edits, strict=True) for r in pair])
        renamed, edited = statuses(responses[0::2]), statuses(responses[1::2])
        # Each ETag covers the other record (a figure's, its sources' versions; a source's,
        # the links citing it): whichever commits first may leave the other side all 412s.
        # Every answer is one or the other, never a deadlock's 503.
        assert renamed[200] + renamed[412] == half
        assert edited[200] + edited[412] == half
        assert renamed[200] <= 1
        assert edited[200] <= 1
        assert renamed[200] + edited[200] >= 1
        assert_problems(responses, 412, "If-Match: ")
