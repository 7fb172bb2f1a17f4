# Network Compass: set-up, run and test. Every target installs what it needs first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
SCREENSHOTS ?= $(CURDIR)/test-artifacts/screenshots
## pytest-xdist workers (one per core); a test file runs in one worker (its module fixtures are shared).
PYTEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
## Schemathesis generates one test per API operation only in a single process: it runs on its own.
SCHEMA_TESTS := tests/web/test_schemathesis.py

.PHONY: run test install install-dev system-deps postgres lint typecheck pytest bench clean messages

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Run the app on SQLite with the catalogue and the fictional demo loaded: http://127.0.0.1:8000
run: install
	$(BIN)/network-compass serve --demo

## Debian packages the tests need (Chromium for browser tests, PostgreSQL for the second backend,
## Pango/Cairo and DejaVu fonts for PDF reports, poppler-utils to read and picture the PDFs,
## LibreOffice Writer (no GUI) to open the Word reports).
SYSTEM_PACKAGES := chromium postgresql libpango-1.0-0 libpangoft2-1.0-0 libcairo2 fonts-dejavu-core poppler-utils libreoffice-writer-nogui
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! command -v pg_ctlcluster >/dev/null || ! command -v pdftoppm >/dev/null \
	    || ! command -v soffice >/dev/null || ! ldconfig -p | grep -q libcairo.so.2 || ! ldconfig -p | grep -q libpango-1.0; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null; \
	  else echo "Install the system packages (as root: apt-get install $(SYSTEM_PACKAGES))"; exit 1; fi; \
	fi

## Make sure a PostgreSQL server answers on 127.0.0.1:5432 (trust auth, database `test`).
postgres: system-deps
	@if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | tail -1) main start; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi
	@psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
	  || psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE test"

lint: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev postgres
	NC_TEST_POSTGRES_URL=$(PG_URL) NC_SCREENSHOTS=$(SCREENSHOTS) $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --ignore=$(SCHEMA_TESTS)
	NC_TEST_POSTGRES_URL=$(PG_URL) NC_SCREENSHOTS=$(SCREENSHOTS) $(BIN)/pytest -p no:xdist $(SCHEMA_TESTS)

## The whole suite: lint, types, import contracts, and pytest on SQLite and PostgreSQL.
test: lint typecheck pytest
	@echo "Browser screenshots: $(SCREENSHOTS)"

## Extract translatable strings and merge them into the Spanish and French catalogues.
messages: install-dev
	$(BIN)/pybabel extract --no-location --sort-output -k _l -k lazy_gettext -F babel.cfg -o app/translations/messages.pot --project="Network Compass" .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i app/translations/messages.pot -d app/translations

bench: install-dev
	$(BIN)/python bench/bench_scoring.py
	$(BIN)/python bench/bench_reports.py

clean:
	rm -rf $(VENV) network-compass.db test-artifacts
