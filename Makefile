# Two commands do everything on a fresh machine (Python 3.11+, make, and for
# the interop and browser tests Node.js; system packages are installed when
# missing and we are root):
#
#   make serve   create the environment and serve the bundled feeds on :8000
#   make test    create the environment and run the whole test suite
#
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: serve test bench build clean system-deps load-test lint format lighthouse

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# FullCalendar example (docs/embedding.md): its own npm project, since
# @fullcalendar/icalendar 6 needs ical.js 1.x and the parsers above use 2.x.
examples/fullcalendar/node_modules/.installed: examples/fullcalendar/package.json examples/fullcalendar/package-lock.json
	npm ci --prefix examples/fullcalendar --no-audit --no-fund --loglevel=error
	touch $@

system-deps:
	@sh scripts/system-deps.sh

serve: $(BIN)/.installed
	$(BIN)/feeds serve --host $(HOST) --port $(PORT)

test: $(BIN)/.installed node_modules/.installed examples/fullcalendar/node_modules/.installed system-deps lint
	FEEDS_REQUIRE_ALL_PARSERS=1 $(BIN)/python -m pytest

# ruff's lint and format check (pinned in pyproject.toml); 'make format' applies the format.
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

build: $(BIN)/.installed
	$(BIN)/feeds build site

# Benchmark (docs/performance.md): BENCH_ARGS=--quick for a shorter run.
bench: $(BIN)/.installed
	$(BIN)/python -m bench $(BENCH_ARGS)

# Faults and load (docs/security.md): 60 s, 64 connections, 4 gunicorn workers on
# loopback while definitions are edited and broken, a worker killed, the folder taken
# away. LOAD_ARGS="--seconds 10" for a shorter run.
load-test: $(BIN)/.installed
	$(BIN)/python tests/load/load_edit.py $(LOAD_ARGS)

# Lighthouse (npm, pinned) with the system's Chromium on / and a calendar page, as a phone
# and as a desktop; the figures go in docs/pages.md. LIGHTHOUSE_ARGS="--runs 3" for more.
lighthouse: $(BIN)/.installed node_modules/.installed system-deps
	$(BIN)/python scripts/lighthouse.py $(LIGHTHOUSE_ARGS)

clean:
	rm -rf $(VENV) node_modules examples/fullcalendar/node_modules site test-artifacts
