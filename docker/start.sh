#!/bin/sh
# The container's start command: migrate, load the seed (a merge: editors' corrections stand),
# then serve. A seed conflict (exit 3) is reported and the server starts all the same.
# Also runs outside a container (tests/test_dockerfile.py does so).
set -eu
sourced db upgrade
sourced seed "${SOURCED_SEED_DIR:-seed}" || [ $? -eq 3 ]
exec uvicorn app.main:create_app --factory --host "${HOST:-0.0.0.0}" --port "${PORT:-8000}"
