# Scanbase: `make run` serves the API on embedded defaults; `make test` runs the suite but its slow tests.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
STAMP := .venv/.installed
# `make run PORT=9000 HOST=0.0.0.0` serves elsewhere (default: 127.0.0.1:8000).
HOST ?= 127.0.0.1
PORT ?= 8000
SCRATCH_PG ?= postgres://postgres@127.0.0.1:5432/postgres
SCRATCH_PG_ASYNC ?= asyncpg://postgres@127.0.0.1:5432/scanbase_migrations_scratch

.PHONY: run test test-slow test-all coverage setup deps system-deps e2e-deps graphiql-assets migrate worker schema schema-check lint format migrations bench-api bench-jobs bench-receipts clean

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv .venv
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	@touch $(STAMP)

deps: $(STAMP)

# System packages: tesseract (French and English data) for the OCR engine; docker-compose only to
# validate docker-compose.yml in the tests (no Docker engine is needed for that); for the
# end-to-end tests, Debian's Chromium (driven by playwright-core: Playwright's own browser
# download cannot be used offline), redis-server (started by the tests when TEST_REDIS_URL is
# unset) and, where node is missing, Debian's nodejs and npm; nginx to check deploy/nginx.conf and
# to run a real proxy in front of the API in the process tests.
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra docker-compose chromium redis-server nginx
system-deps:
	@missing=""; packages="$(APT_PACKAGES)"; \
	command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -q '^fra$$' || missing="tesseract"; \
	command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || missing="$$missing compose"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	command -v node >/dev/null && command -v npm >/dev/null || { missing="$$missing node"; packages="$$packages nodejs npm"; }; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages ($$missing): $$packages"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$packages >/dev/null; \
	fi

# The end-to-end tests drive the API as front ends do: the JavaScript graphql-ws client, and
# GraphiQL in headless Chromium through playwright-core (tests/e2e/package.json). Reinstalled
# whenever the lock file changes; without npm the tests skip (and fail with CI=true).
E2E_STAMP := tests/e2e/node_modules/.installed
$(E2E_STAMP): tests/e2e/package.json tests/e2e/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/e2e --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: end-to-end tests will be skipped"; fi

e2e-deps: system-deps $(E2E_STAMP)

# GraphiQL's assets (server/static/graphiql, committed so that `make run` works offline): fetch
# the pinned versions again from the npm registry and copy the same files and licenses.
GRAPHIQL_VERSION := 3.8.3
REACT_VERSION := 18.3.1
graphiql-assets:
	@set -e; tmp=$$(mktemp -d); dest=server/static/graphiql; \
	cd $$tmp && npm pack --silent graphiql@$(GRAPHIQL_VERSION) react@$(REACT_VERSION) react-dom@$(REACT_VERSION) >/dev/null; \
	for f in *.tgz; do mkdir -p "$${f%.tgz}" && tar xzf "$$f" -C "$${f%.tgz}"; done; cd - >/dev/null; \
	cp $$tmp/react-$(REACT_VERSION)/package/umd/react.production.min.js $$dest/; \
	cp $$tmp/react-dom-$(REACT_VERSION)/package/umd/react-dom.production.min.js $$dest/; \
	cp $$tmp/graphiql-$(GRAPHIQL_VERSION)/package/graphiql.min.js $$tmp/graphiql-$(GRAPHIQL_VERSION)/package/graphiql.min.css $$dest/; \
	cp $$tmp/react-$(REACT_VERSION)/package/LICENSE $$dest/LICENSE.react.txt; \
	cp $$tmp/react-dom-$(REACT_VERSION)/package/LICENSE $$dest/LICENSE.react-dom.txt; \
	cp $$tmp/graphiql-$(GRAPHIQL_VERSION)/package/LICENSE $$dest/LICENSE.graphiql.txt; \
	rm -rf $$tmp; cd $$dest && sha256sum *.min.js *.min.css

setup: deps system-deps e2e-deps
	@mkdir -p var
	@test -f .env || cp .env.example .env

migrate: setup
	$(PY) -m server migrate

run: migrate
	$(PY) -m server serve --host $(HOST) --port $(PORT)

worker: migrate
	$(PY) -m server worker

# `make test`: every test but the slow ones (marked `slow`: worker and API processes, a browser,
# real OCR over many images, big files, races between processes) on SQLite; then, when
# TEST_DATABASE_URL is set, the same database tests again on PostgreSQL. `make test-slow` runs
# only the slow ones (both passes likewise), `make test-all` both; CI (.ci/run) runs `make test`
# then `make test-slow`, every test once. Each pass spreads its test files over one process per
# core (pytest-xdist; each worker has its own database, Redis keys and ports; a file stays whole,
# in order, on one worker): `TEST_WORKERS=0` runs them in this process instead;
# `PYTEST_ARGS='tests/core -x'` passes arguments on to pytest.
# The suite starts dozens of Python processes (xdist workers, API servers, workers, CLI commands),
# each importing the whole app: keep their bytecode (__pycache__, ignored by git) even where the
# environment says not to write it, so that only the first one compiles the sources.
TEST_WORKERS ?= auto
PYTEST_RUN = $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile
# $(call test_passes,<marker expression>): the SQLite pass, then the PostgreSQL one.
define test_passes
	$(PYTEST_RUN) -m '$(1)' $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== database tests again on PostgreSQL =="; \
		TEST_DB_BACKEND=postgres $(PYTEST_RUN) -m 'db and ($(1))' $(PYTEST_ARGS); \
	fi
endef

test: export PYTHONDONTWRITEBYTECODE =
test: setup
	$(call test_passes,not slow)

test-slow: export PYTHONDONTWRITEBYTECODE =
test-slow: setup
	$(call test_passes,slow)

test-all: test test-slow

# Line coverage of server/, schema/ and jobs/ by the SQLite pass (.coveragerc: xdist workers and
# the processes the tests start included, each line with the tests that ran it), then the share
# the fast suite (`make test`) reaches against the whole suite, and the lines only slow tests
# reach (var/coverage/slow-only.txt). Several minutes: the whole suite once, under coverage.
coverage: export PYTHONDONTWRITEBYTECODE =
coverage: setup
	@mkdir -p var/coverage && rm -f var/coverage/data*
	-$(PY) -m coverage run -m pytest -n $(TEST_WORKERS) --dist loadfile -q $(PYTEST_ARGS)
	$(PY) -m pytest --collect-only -q -m slow $(PYTEST_ARGS) > var/coverage/slow-tests.txt
	$(PY) tests/coverage_split.py var/coverage/data var/coverage/slow-tests.txt var/coverage/slow-only.txt

# ruff, then pyright (basic mode, pyrightconfig.json: server, schema, jobs, bench, tests).
lint: deps
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/pyright

format: deps
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

schema: deps
	$(PY) -m server export-schema > schema.graphql

schema-check: deps
	@$(PY) -m server export-schema | diff -u schema.graphql - && echo "schema.graphql is up to date"

# Generate the next migration for both dialects: `make migrations name=add_receipts`.
migrations: deps
	@test -n "$(name)" || (echo "usage: make migrations name=<what_changed>" && exit 2)
	@mkdir -p var && rm -f var/migrations-scratch.sqlite3
	DATABASE_URL=sqlite://var/migrations-scratch.sqlite3 $(PY) -m server migrate
	$(PY) -m server makemigrations $(name) --database-url sqlite://var/migrations-scratch.sqlite3
	@psql "$(SCRATCH_PG)" -qc 'DROP DATABASE IF EXISTS scanbase_migrations_scratch' -c 'CREATE DATABASE scanbase_migrations_scratch'
	DATABASE_URL=$(SCRATCH_PG_ASYNC) $(PY) -m server migrate
	$(PY) -m server makemigrations $(name) --database-url $(SCRATCH_PG_ASYNC)
	@rm -f var/migrations-scratch.sqlite3

bench-api: deps
	$(PY) -m bench.api

bench-jobs: deps
	$(PY) -m bench.jobs

bench-receipts: deps
	$(PY) -m bench.receipts --data ../shared/datasets/receipts-sroie

clean:
	rm -rf .venv var .pytest_cache
