#!/bin/sh
# The container's start command: migrate, load the seed (a merge: editors' corrections stand),
# then serve. A seed conflict (exit 3) is reported and the server starts all the same.
# Also runs outside a container (tests/operations/test_dockerfile.py does so).
set -eu
sourced db upgrade
sourced seed "${SOURCED_SEED_DIR:-seed}" || [ $? -eq 3 ]
# As `sourced serve`: h11 with the request head bounded by SOURCED_MAX_HEADER_BYTES (the
# default is app/settings.py's), answered 431 (app/serving.py).
exec uvicorn app.main:create_app --factory --host "${HOST:-0.0.0.0}" --port "${PORT:-8000}" \
    --http app.serving:BoundedHeadProtocol \
    --h11-max-incomplete-event-size "${SOURCED_MAX_HEADER_BYTES:-65536}"
