# One command vocabulary for the README, CI and developers.
# `make run` installs, migrates, seeds and serves on SQLite; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-run lock run serve migrate seed test test-fast test-postgres lint format docker-lint clean examples bench bench-smoke audit soak

# Two installs, each from a lock file of exact versions with hashes (requirements/): serving
# needs only the project's own dependencies (run.txt); tests, lint and the benchmark add the
# `dev` extra (dev.txt: pytest, ruff, pandas, schemathesis, datasette, ...). The project itself
# goes in editable with --no-deps, since pip cannot check a hash of a local directory.
$(VENV)/.installed-run: pyproject.toml requirements/run.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/run.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-run requirements/dev.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	@touch $@

# Regenerate the lock files after changing the dependencies in pyproject.toml: versions already
# pinned are kept where they still fit. LOCK_ARGS=--upgrade moves every pin to the newest
# release (LOCK_ARGS="--upgrade-package NAME" one package). One lock for every platform and
# Python 3.11+; run.txt is resolved within dev.txt, so the two never disagree.
LOCK = $(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes --universal \
	--python-version 3.11 --custom-compile-command "make lock" $(LOCK_ARGS)
lock: install
	$(LOCK) --extra dev -o requirements/dev.txt
	$(LOCK) -c requirements/dev.txt -o requirements/run.txt

install-run: $(VENV)/.installed-run

# Everything, as CI and the tests need it.
install: $(VENV)/.installed-dev

migrate: install-run
	$(BIN)/sourced db upgrade

# A seed conflict (exit 3: a record edited since the file changed it) is reported, not fatal:
# the edit stands and the server still starts. Any other failure stops here.
seed: migrate
	$(BIN)/sourced seed || [ $$? -eq 3 ]

run: seed
	$(BIN)/sourced serve --host $(HOST) --port $(PORT)

serve: install-run
	$(BIN)/sourced serve --host $(HOST) --port $(PORT)

# Two workers (pytest-xdist); tests that must not share the machine with another worker are
# grouped onto one (xdist_group). PYTEST_WORKERS=0 runs in this process.
PYTEST_WORKERS ?= 2
XDIST = -n $(PYTEST_WORKERS) --dist loadgroup

test: install
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

# The edit-test loop: everything but the tests marked slow.
test-fast: install
	$(BIN)/python -m pytest $(XDIST) -m "not slow" $(PYTEST_ARGS)

test-postgres: install
	SOURCED_TEST_DATABASE_URL=$${SOURCED_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
	SOURCED_EXPECT_ENGINE=postgresql $(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

# Known vulnerabilities in the installed dependencies (.ci/audit.py reads pip-audit's report):
# fails on any; packages the vulnerability service could not answer for are listed as not
# checked, and fail the run too with SOURCED_AUDIT_STRICT=1.
audit: install
	$(BIN)/pip-audit --format json --skip-editable --progress-spinner off | $(BIN)/python .ci/audit.py

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) sourced.db sourced.db-wal sourced.db-shm .pytest_cache .ruff_cache

# Re-record the docs page's response examples from the seed (after changing seed/ or a schema).
examples: install
	$(BIN)/python -m app.record_examples seed

# Sourced against Datasette and the bare-stack ceiling, one table (bench/README.md).
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Seconds, on a tiny dataset: keeps the benchmark from rotting (CI runs it).
bench-smoke: install
	$(BIN)/python -m bench.run --smoke

# A sustained 90 % read / 10 % write load on a live server, then a ledger and memory check
# (bench/soak.py). SOAK_ARGS="--seconds 60 --engine postgresql --database-url URL" for PostgreSQL.
SOAK_ARGS ?= --seconds 120 --engine sqlite
soak: install
	$(BIN)/python -m bench.soak $(SOAK_ARGS)
