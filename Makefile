# Targets document themselves: `make help`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
export PATH := $(BIN):$(PATH)
export FLASK_APP := wsgi

.DEFAULT_GOAL := help
.PHONY: help install db run test test-unit test-integration test-faults test-browser browser wrk bench bench-detail clean translations security

help: ## Show this list of targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Each language's compiled catalogue, rebuilt whenever its .po changes (the app also
# compiles a missing or stale one at start, for a checkout run without make).
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	pybabel compile --statistics -l $* -i $< -o $@

install: $(VENV)/.installed $(CATALOGUES) ## Create the virtualenv, install the pinned dependencies, compile the catalogues

db: install ## Create or migrate the database and load the reference data
	flask --app wsgi db upgrade
	flask --app wsgi load-reference-data

run: db ## Run web, worker and beat: the embedded default at http://127.0.0.1:5000, or the production setup (Procfile, port 8000) when DATABASE_URL and CELERY_BROKER_URL are set
	$(if $(DATABASE_URL),@echo "DATABASE_URL is set: no demo data is seeded (seed-demo is for the embedded default)",flask --app wsgi seed-demo)
	@if [ -n "$$DATABASE_URL" ] && [ -n "$$CELERY_BROKER_URL" ]; then \
	  echo "Production setup: $$DATABASE_URL, broker $$CELERY_BROKER_URL - http://127.0.0.1:$${PORT:-8000}"; \
	  honcho --procfile Procfile start; \
	else \
	  echo "Embedded default: SQLite and Redis in instance/ - open http://127.0.0.1:5000"; \
	  honcho --procfile Procfile.embedded start; \
	fi

browser: ## Make sure Debian's Chromium is installed (the browser tests drive it)
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Debian's Chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

# The test targets run the suite in TEST_WORKERS processes (pytest-xdist; each has its own
# database, Redis database and live servers: tests/conftest.py); each takes an even share
# and a worker done early takes over tests a busy one has not started (--dist worksteal).
# TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= 2
PYTEST := python -m pytest $(if $(filter 0,$(TEST_WORKERS)),-p no:xdist,-n $(TEST_WORKERS) --dist worksteal)

test: install browser ## Run the whole suite: unit, integration (real worker and broker) and browser
	$(PYTEST)

test-unit: install ## Only the fast tests (no live processes)
	$(PYTEST) tests/unit

test-integration: install ## Only the live-stack tests
	$(PYTEST) tests/integration

test-faults: install ## Only the fault-injection tests (workers killed, Redis wiped, two beats...)
	$(PYTEST) -m faults

test-browser: install browser ## Only the Playwright journeys in Chromium
	$(PYTEST) tests/browser

security: install ## Only the security checks: bandit and the fuzz tests (all also run in `make test`)
	$(PYTEST) tests/unit/test_static_security.py tests/unit/test_fuzz_api.py tests/unit/test_fuzz_forms.py

wrk: ## Make sure wrk is installed (make bench drives the web servers with it)
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "make bench needs wrk: sudo apt-get install wrk" >&2; exit 1; fi; }

bench: install wrk ## One table of ratios to ceilings -> bench/results/ (BENCH_DATABASE_URL is WIPED: must end in _bench or be empty; growth at 1k, 100k and 1M rows, BENCH_SIZES=1000,100000 for a quick run)
	python -m bench.ratios

bench-detail: install ## The older detailed figures: concurrent claims, pages' server times
	python -m bench.claims
	python -m bench.pages

clean: ## Remove the virtualenv and local state (instance/)
	rm -rf $(VENV) instance test-artifacts

translations: install ## Extract every marked string into translations/messages.pot, update the French catalogue, compile it
	mkdir -p translations
	pybabel extract -F babel.cfg -k _l -k lazy_gettext --sort-by-file -o translations/messages.pot .
	pybabel update --no-wrap -i translations/messages.pot -d translations -l fr
	pybabel compile --statistics -d translations -l fr
	@echo "New or changed messages are empty or marked fuzzy in translations/fr/LC_MESSAGES/messages.po;"
	@echo "tests/unit/test_translations.py fails until each is translated."
