# Two entry points for newcomers, documented in the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app forums
DSFR_DIST := node_modules/@gouvfr/dsfr/dist
DSFR_STATIC := forums/static/dsfr
APT_BROWSER := apt-get install -y -q --no-install-recommends chromium chromium-driver

.PHONY: run install install-dev assets browser database test bench load-test clean

## Install everything, prepare the SQLite database with real territories and the demo, serve on
## 127.0.0.1:$(PORT) in the foreground (Ctrl+C stops it, nothing is left running): PORT=8000 make run
PORT ?= 5000
HOST ?= 127.0.0.1
run: install database
	@echo "Serving Forums on http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	$(FLASK) run --host $(HOST) --port $(PORT)

## Install the test dependencies and run the whole suite on SQLite, then on PostgreSQL.
test: install-dev assets browser
	bash scripts/test.sh

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python assets
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python browser
	$(BIN)/pip install --quiet -e '.[dev]'

# The end-to-end tests drive Debian's headless Chromium. A machine where it cannot be installed
# (no root, no apt) still runs the rest of the suite: the browser tests are skipped, and said so.
# The package lists are refreshed only when the plain install fails, to keep the usual run offline.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	$(APT_BROWSER) || sudo -n $(APT_BROWSER) || \
	{ apt-get update -q && $(APT_BROWSER); } || { sudo -n apt-get update -q && sudo -n $(APT_BROWSER); } || \
	echo "!!!!!! CHROMIUM COULD NOT BE INSTALLED: THE BROWSER TESTS WILL BE SKIPPED, NOT RUN !!!!!!"

# The DSFR comes from npm and is never committed; its install script only serves its own
# starter kit, so it is skipped.
assets:
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(DSFR_STATIC) && mkdir -p $(DSFR_STATIC)/utility
	cp -r $(DSFR_DIST)/dsfr.min.css $(DSFR_DIST)/dsfr.print.min.css $(DSFR_DIST)/dsfr.module.min.js \
	      $(DSFR_DIST)/dsfr.nomodule.min.js $(DSFR_DIST)/fonts $(DSFR_DIST)/icons $(DSFR_DIST)/favicon \
	      $(DSFR_DIST)/artwork $(DSFR_STATIC)/
	cp -r $(DSFR_DIST)/utility/icons $(DSFR_STATIC)/utility/

## Load-test the product against the bare stack through gunicorn, with wrk, on the seeded bench
## database (README, "Performance"): make load-test BENCH_DATABASE_URL=postgresql+psycopg://…
BENCH_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/forums_bench
load-test:
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 2; }
	$(BIN)/python scripts/load_test.py --database-url $(BENCH_DATABASE_URL)

## Build or upgrade the schema, then load territories, the 2009 consultation and the demo, and prepare the
## open data files (idempotent).
database:
	$(FLASK) db upgrade
	$(FLASK) territories load
	$(FLASK) consultations seed
	$(FLASK) demo load
	$(FLASK) open-data build

clean:
	rm -rf $(VENV) node_modules $(DSFR_STATIC) instance/forums.sqlite3*
