# Scanbase: `make run` serves the API on embedded defaults; `make test` runs the whole suite.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
STAMP := .venv/.installed
SCRATCH_PG ?= postgres://postgres@127.0.0.1:5432/postgres
SCRATCH_PG_ASYNC ?= asyncpg://postgres@127.0.0.1:5432/scanbase_migrations_scratch

.PHONY: run test setup deps system-deps e2e-deps migrate worker schema schema-check lint format migrations bench-api bench-jobs bench-receipts clean

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv .venv
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	@touch $(STAMP)

deps: $(STAMP)

# System packages: tesseract (French and English data) for the OCR engine; docker-compose only to
# validate docker-compose.yml in the tests (no Docker engine is needed for that).
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra docker-compose
system-deps:
	@missing=""; \
	command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -q '^fra$$' || missing="tesseract"; \
	command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || missing="$$missing compose"; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages ($$missing): $(APT_PACKAGES)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi

# The end-to-end tests drive the API with the JavaScript graphql-ws client, as SPAs do.
e2e-deps:
	@if command -v npm >/dev/null; then \
		test -d tests/e2e/node_modules/graphql-ws || npm ci --prefix tests/e2e --no-audit --no-fund --silent; \
	else echo "npm not found: end-to-end tests will be skipped"; fi

setup: deps system-deps e2e-deps
	@mkdir -p var
	@test -f .env || cp .env.example .env

migrate: setup
	$(PY) -m server migrate

run: migrate
	$(PY) -m server serve --host 127.0.0.1 --port 8000

worker: migrate
	$(PY) -m server worker

# The whole suite on SQLite; then, when TEST_DATABASE_URL is set, every database test on PostgreSQL.
test: setup
	$(PY) -m pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== database tests again on PostgreSQL =="; \
		TEST_DB_BACKEND=postgres $(PY) -m pytest -m db $(PYTEST_ARGS); \
	fi

lint: deps
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

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
