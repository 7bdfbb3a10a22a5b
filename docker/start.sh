#!/bin/sh
# The container's start command: migrate, load the seed (idempotent), then serve.
# Also runs outside a container (tests/test_dockerfile.py does so).
set -eu
sourced db upgrade
sourced seed "${SOURCED_SEED_DIR:-seed}"
exec uvicorn app.main:create_app --factory --host "${HOST:-0.0.0.0}" --port "${PORT:-8000}"
