# Samverkan – the two commands of the README, and a few helpers.
# `make run` starts the system on the embedded default; `make test` runs every test.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres lint setup-browser migrate worker clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py collectstatic --noinput -v 0

## run: set up, load the demo partnership, print the logins, serve on http://127.0.0.1:8000
run: migrate
	$(PY) manage.py reap_jobs -v 0
	$(PY) manage.py erase_field_report_text -v 0
	$(PY) manage.py load_demo
	$(PY) manage.py load_demo_region
	@echo "Samverkan körs på http://$(HOST):$(PORT)/ (avsluta med Ctrl+C)"
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload

## test: every test: unit and page tests on SQLite and PostgreSQL, browser tests in chromium
test: $(STAMP) setup-browser
	scripts/test-all

setup-browser:
	scripts/setup-browser

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run

## worker: a Celery worker for production (JOBS_BACKEND=celery)
worker: $(STAMP)
	$(VENV)/bin/celery -A samverkan worker -l info

clean:
	rm -rf $(VENV) data .pytest_cache
