"""Every write route, found in the app's own router, refuses a missing, unknown or revoked key
with the same 401, refuses a key whose scope is too narrow with a 403, and lets a key with the
scope through to the route. A write route added later is checked without touching this file.

``tests/api/test_writes.py`` checks these answers in depth on one route each; this file checks
that no route is left out.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.api import auth
from app.db import unit_of_work
from app.main import create_app
from app.services.write import keys
from app.settings import Settings
from tests.helpers import dump, route_contexts

READS = frozenset({"GET", "HEAD", "OPTIONS"})
SCOPES = {auth.editor: "editor", auth.admin: "admin"}
# Which scopes a key of each scope stands for.
GRANTS = {"editor": {"editor"}, "admin": {"editor", "admin"}}
SLUG = "no-such-record"  # auth comes before the lookup, so no record is needed (or touched)


@dataclass(frozen=True)
class WriteRoute:
    method: str
    path: str
    scope: str | None  # None: the route asks for no key at all (a failure below)

    @property
    def url(self) -> str:
        parts = self.path.split("/")
        return "/".join(SLUG if p.startswith("{") else p for p in parts)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _scope(dependant: Dependant) -> str | None:
    """The narrowest scope the route's dependencies demand (admin is narrower than editor)."""
    found, pending = set(), [dependant]
    while pending:
        dependant = pending.pop()
        if dependant.call in SCOPES:
            found.add(SCOPES[dependant.call])
        pending.extend(dependant.dependencies)
    return "admin" if "admin" in found else "editor" if found else None


def write_routes(app: FastAPI) -> list[WriteRoute]:
    found = []
    for route in route_contexts(app):
        writes = sorted(set(getattr(route, "methods", None) or ()) - READS)
        if not writes:
            continue
        original = getattr(route, "original_route", route)
        assert isinstance(original, APIRoute), (
            f"{route.path}: a write route whose dependencies cannot be read"
        )
        found.extend(WriteRoute(method, route.path, _scope(route.dependant)) for method in writes)
    return found


def _routes_of_a_fresh_app() -> list[WriteRoute]:
    # Only the router is read: the in-memory engine is never connected to.
    app = create_app(Settings(database_url="sqlite://", _env_file=None))  # type: ignore[call-arg]
    try:
        return write_routes(app)
    finally:
        app.state.engine.dispose()


ROUTES = _routes_of_a_fresh_app()
NARROWER = [
    (route, scope) for route in ROUTES for scope in GRANTS if route.scope not in GRANTS[scope]
]
SUFFICIENT = [
    (route, scope) for route in ROUTES for scope in GRANTS if route.scope in GRANTS[scope]
]


def _ids(case: object) -> str:
    return str(case) if isinstance(case, WriteRoute) else f"{case} key"


@pytest.fixture
def api(engine, settings) -> Iterator[TestClient]:
    # Many refusals from one address in a row: the guessing limit is tested elsewhere.
    app = create_app(settings.model_copy(update={"failed_auth_per_minute": 0}))
    with TestClient(app) as client:
        yield client


@pytest.fixture
def bearer(engine) -> dict[str, dict[str, str]]:
    """Headers for a key of each scope, and for a revoked editor's key."""
    made = {}
    with unit_of_work(engine) as session:
        for scope in GRANTS:
            made[scope] = keys.create(session, f"{scope} key", scope).secret
        made["revoked"] = keys.create(session, "Former editor", "editor").secret
        keys.revoke(session, "Former editor")
    return {name: {"Authorization": f"Bearer {secret}"} for name, secret in made.items()}


def test_the_router_has_write_routes_and_each_demands_a_scope():
    assert len(ROUTES) >= 10, [str(r) for r in ROUTES]
    assert [str(r) for r in ROUTES if r.scope is None] == []
    assert [str(r) for r in ROUTES if r.scope == "admin"] == ["DELETE /v1/sources/{slug}"]


@pytest.mark.parametrize("route", ROUTES, ids=_ids)
@pytest.mark.slow
def test_a_missing_unknown_or_revoked_key_is_the_same_401(api, bearer, engine, route):
    before = dump(engine)
    answers = {
        name: api.request(route.method, route.url, headers=headers)
        for name, headers in (
            ("missing", {}),
            ("unknown", {"Authorization": "Bearer src_0000_not-a-key"}),
            ("revoked", bearer["revoked"]),
        )
    }
    for name, answer in answers.items():
        assert answer.status_code == 401, (name, answer.text)
        assert answer.headers["www-authenticate"] == 'Bearer realm="sourced"', name
        assert answer.headers["content-type"] == "application/problem+json", name
    assert answers["missing"].json() == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "a valid API key is required: send `Authorization: Bearer <key>`",
        "instance": route.url,
    }
    assert answers["unknown"].json() == answers["missing"].json()
    assert answers["revoked"].json() == answers["missing"].json()
    assert dump(engine) == before


@pytest.mark.parametrize(("route", "scope"), NARROWER, ids=_ids)
def test_a_key_whose_scope_is_too_narrow_is_403(api, bearer, engine, route, scope):
    before = dump(engine)
    answer = api.request(route.method, route.url, headers=bearer[scope])
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
        "detail": f"this operation needs a key with the {route.scope} scope",
        "instance": route.url,
    }
    assert dump(engine) == before


@pytest.mark.parametrize(("route", "scope"), SUFFICIENT, ids=_ids)
def test_a_key_with_the_scope_reaches_the_route(api, bearer, engine, route, scope):
    # No body and no record: the route itself refuses (404 or 422), never the key check.
    before = dump(engine)
    answer = api.request(route.method, route.url, headers=bearer[scope])
    assert answer.status_code in (404, 422), answer.text
    assert dump(engine) == before
