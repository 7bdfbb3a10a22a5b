"""The application factory. Nothing is built at import time: settings come in, an app goes out."""

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from app import __version__
from app.api import docs_text, examples, operation_ids, problems, response_examples
from app.api.cache import DatasetVersion, ResponseCache
from app.api.concurrency import ConcurrencyLimit
from app.api.cors import ProblemCORSMiddleware
from app.api.etag import ETagMiddleware
from app.api.guard import RequestGuard
from app.api.head import HeadAsGet
from app.api.ratelimit import RateLimiter
from app.api.routes import (
    bundles,
    changes,
    drafts,
    editing,
    embeds,
    events,
    figures,
    health,
    measures,
    metadata,
    root,
    search,
    sources,
)
from app.db import build_engine
from app.schemas.event import EventCreate
from app.schemas.event_detail import EventDetail
from app.schemas.figure import FigureCreate, FigurePublic
from app.schemas.source import SourceCreate, SourcePublic
from app.settings import Settings
from app.web.render import STATIC


def _with_response_examples(app: FastAPI) -> None:
    """Each operation's success response shows a real response recorded from the seed."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = app.openapi_schema
        if schema is None:
            schema = generate()  # also app.openapi_schema, the same dict
            bundles.document_body(schema)
            editing.document(schema)
            response_examples.attach(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend it


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            app.state.read_pool.shutdown(wait=False, cancel_futures=True)
            app.state.engine.dispose()
            if app.state.read_engine is not app.state.engine:
                app.state.read_engine.dispose()

    app = FastAPIOffline(
        title="Sourced",
        version=__version__,
        description=docs_text.description(),
        lifespan=lifespan,
        license_info={"name": "Apache-2.0 (code); CC BY 4.0 (data)"},
        generate_unique_id_function=operation_ids.operation_id,
    )
    app.state.settings = settings
    # Built per app, never at import; the lifespan disposes of it on shutdown.
    app.state.engine = build_engine(settings)
    # Read-only requests go to the replica when there is one; writes, and the key and If-Match
    # checks that guard them, always go to the primary (app/api/deps.py).
    app.state.read_engine = (
        build_engine(settings, settings.read_database_url)
        if settings.read_database_url
        else app.state.engine
    )
    app.state.read_pool = ThreadPoolExecutor(settings.read_threads, "sourced-read")
    app.state.write_limiter = RateLimiter(settings.writes_per_minute, settings.writes_burst)
    app.state.failed_auth_limiter = RateLimiter(
        settings.failed_auth_per_minute, settings.failed_auth_burst
    )
    problems.install(app)
    _with_response_examples(app)
    app.add_middleware(ETagMiddleware)
    app.add_middleware(
        RequestGuard,
        max_body_bytes=settings.max_body_bytes,
        max_query_bytes=settings.max_query_bytes,
    )
    # The version is read where cached answers are read from: were it read on the primary, an
    # answer from a replica that has not replayed a write yet would be kept under the new
    # version, stale until the next write. Read on the replica, it is fresh once replayed.
    app.state.dataset_version = DatasetVersion(
        app.state.read_engine, settings.response_cache_recheck_seconds
    )
    app.add_middleware(
        ResponseCache,
        version=app.state.dataset_version,
        max_entries=settings.response_cache_entries,
        max_bytes=settings.response_cache_bytes,
    )
    # HEAD is a GET without its body; outside the cache so that a HEAD is served from it.
    app.add_middleware(HeadAsGet)
    # Outside everything but CORS: a refused request costs nothing, and a browser can read the 503.
    app.add_middleware(ConcurrencyLimit, max_requests=settings.max_concurrent_requests)
    # Chart tools and notebooks in the browser read the API directly; reads need no key.
    # Writes are open to browsers too: they authenticate with a Bearer key the page sends
    # itself, never a cookie, so another site cannot borrow a visitor's credentials.
    app.add_middleware(
        ProblemCORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=[
            *("Accept", "Accept-Language", "Cache-Control", "If-None-Match"),
            *("Authorization", "Content-Type", "If-Match", "Idempotency-Key", "Sourced-Reason"),
        ],
        expose_headers=["Link", "ETag", "Location", "Retry-After", "Content-Disposition"],
        max_age=86400,
    )
    # The pages' stylesheet and copy-button script, served here so the pages work offline.
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (
        root,
        metadata,
        figures,
        events,
        sources,
        measures,
        search,
        changes,
        bundles,
        drafts,
        embeds,
        health,
    ):
        app.include_router(module.router)
    app.include_router(
        editing.build("figure", "figures", FigureCreate, FigurePublic, examples.FIGURE)
    )
    app.include_router(editing.build("event", "events", EventCreate, EventDetail, examples.EVENT))
    app.include_router(
        editing.build("source", "sources", SourceCreate, SourcePublic, examples.SOURCE)
    )
    return app
