# communitylab: `make run` starts everything on SQLite, `make test` runs the fast suite, `make test-all` all of it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.installed-dev-stamp
# Tests run in parallel (pytest-xdist): two workers, each with its own database; a group (xdist_group) stays on
# one worker so its module fixture starts once. XDIST= runs them in one process.
XDIST ?= -n 2 --dist loadgroup

.PHONY: install install-runtime run up demo test test-slow test-all test-postgres lint client fuzz bench clean

# Two environments in one .venv: `make run` installs what running needs (the package and its dependencies);
# `make test`, `make lint` and the other developer targets add the dev extras (pytest, ruff, mypy, ...).
$(STAMP): pyproject.toml
	@start=$$(date +%s); \
	$(PYTHON) -m venv $(VENV) && \
	$(BIN)/pip install -q --disable-pip-version-check -e . && \
	touch $(STAMP) && \
	echo "set-up: runtime dependencies installed in $$(( $$(date +%s) - start )) s"

$(DEV_STAMP): $(STAMP)
	@start=$$(date +%s); \
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]' && \
	touch $(DEV_STAMP) && \
	echo "set-up: dev tools installed in $$(( $$(date +%s) - start )) s"

install: $(DEV_STAMP)

install-runtime: $(STAMP)

## Create the environment (runtime dependencies only), migrate the SQLite database and start the three services
## (Ctrl-C stops them); `up` says how long the services took to answer.
run: install-runtime
	$(BIN)/communitylab up

up: run

## Load the demo region through the services' APIs (the services must be running: `make run` in another shell).
demo: install-runtime
	$(BIN)/communitylab demo

## Create the environment and run the fast suite: everything but the tests marked `slow` (benchmark smoke
## runs, fault injection, schemathesis). Exit code 5, "no tests collected", counts as failure.
test: install
	$(BIN)/pytest -m "not slow" $(XDIST) $(PYTEST_ARGS)

## Only the tests marked `slow` (CI runs `make test` and then this, so together they are every test).
test-slow: install
	$(BIN)/pytest -m slow $(XDIST) $(PYTEST_ARGS)

## Every test, the slow ones included, in one run.
test-all: install
	$(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

## Every test against PostgreSQL in throw-away databases (needs a server, see .ci/postgres-tests).
test-postgres: install
	PYTEST_XDIST="$(XDIST)" bash .ci/postgres-tests

## ruff, mypy, then Redocly's recommended ruleset and Spectral's spectral:oas on the three OpenAPI documents
## (from npm, pinned in tools/openapi; skipped with a message where node/npm are missing).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check shared services tests bench demo
	$(BIN)/mypy --strict shared demo
	PYTHON_BIN=$(BIN)/python bash tools/openapi/lint.sh

## Regenerate the typed TypeScript client's types (clients/typescript/src/{registry,workshops,reporting}.ts,
## committed) from the three OpenAPI documents with openapi-typescript (npm, pinned in clients/typescript).
client: install
	PYTHON_BIN=$(BIN)/python bash clients/typescript/generate.sh

## Schemathesis over the three real services (all phases, bounded in examples and time; SQLite, or PostgreSQL
## when COMMUNITYLAB_TEST_DATABASE_URL names a server database: a throw-away database is made next to it).
fuzz: install
	COMMUNITYLAB_FUZZ=1 $(BIN)/pytest tests/fuzz -q $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/eventlog.py

clean:
	rm -rf $(VENV) data/*.db data/*.db-wal data/*.db-shm
