# One command vocabulary for the README, CI and developers.
# `make run` installs, migrates, seeds and serves on SQLite; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve migrate seed test test-postgres lint format docker-lint clean examples bench bench-smoke

$(BIN)/sourced: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/sourced

migrate: install
	$(BIN)/sourced db upgrade

seed: migrate
	$(BIN)/sourced seed

run: seed
	$(BIN)/sourced serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/sourced serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install
	SOURCED_TEST_DATABASE_URL=$${SOURCED_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
	SOURCED_EXPECT_ENGINE=postgresql $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint Dockerfile

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) sourced.db sourced.db-wal sourced.db-shm .pytest_cache .ruff_cache

# Re-record the docs page's response examples from the seed (after changing seed/ or a schema).
examples: install
	$(BIN)/python -m app.api.response_examples seed

# Sourced against Datasette and the bare-stack ceiling, one table (bench/README.md).
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Seconds, on a tiny dataset: keeps the benchmark from rotting (CI runs it).
bench-smoke: install
	$(BIN)/python -m bench.run --smoke
