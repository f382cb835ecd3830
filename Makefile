# The two commands of the README: `make run` (the platform with demo data) and `make test`.
# Each installs what it needs: a virtual environment in .venv/, Python packages and, when run as
# root, the Debian packages the step needs (chromium for browser tests, wrk for the bench).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: run test bench lint format migrate stop-db clean-data

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(DEV_STAMP): pyproject.toml $(RUN_STAMP)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

# Settings derive the address of e-mail links (SITE_URL, unless set) from where runserver serves.
run: export HOST := $(HOST)
run: export PORT := $(PORT)
run: $(RUN_STAMP)
	@sh scripts/system-deps.sh run
	$(PY) -m ileanet.embedded_db
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates */templates --lint --quiet

format: $(DEV_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: $(DEV_STAMP) lint
	@sh scripts/system-deps.sh test
	$(PY) -m ileanet.embedded_db
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

bench: $(DEV_STAMP)
	@sh scripts/system-deps.sh bench
	$(PY) -m ileanet.embedded_db
	$(PY) bench/run.py

# The embedded PostgreSQL keeps running between commands; this stops it (its data is kept).
# Without a virtual environment no server was ever started.
stop-db:
	@if [ -x $(PY) ]; then $(PY) -m ileanet.embedded_db stop; fi

clean-data: stop-db
	rm -rf .data
