# DTI Portal — the two front-door commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# The install stamp changes with pyproject.toml, so a changed dependency list re-installs.
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: setup data run test lint format bench messages clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP)

## Migrate and load the catalogue, published figures, demo data and demo accounts (idempotent).
data: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_catalogue --with-published
	$(PY) manage.py generate_demo_data
	$(PY) manage.py create_demo_accounts
	$(PY) manage.py rebuild_assessments

## Set up and serve on http://127.0.0.1:8000 with SQLite, with the background worker (jobs: the national
## Excel report, reminders) beside it; Ctrl+C stops both.
run: data
	@echo "DTI Portal: http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	$(PY) manage.py db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Set up and pass every test: lint, migrations up to date, the whole suite with browser tests.
test: lint
	DJANGO_SETTINGS_MODULE=dtiportal.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

## Benchmarks at national scale (SQLite; PostgreSQL too when DATABASE_URL names one): bench/results.json.
bench: setup
	@$(PY) -c "import locust, xlsxwriter" 2>/dev/null || $(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) bench/run.py $(BENCH_ARGS)

## Compile the translations (needs GNU gettext's msgfmt; the compiled .mo files are committed).
messages: setup
	$(PY) manage.py makemessages -l en --no-obsolete --no-location -i ".venv/*" -i "tests/*" -i "bench/*"
	cd locale && ../$(PY) ../manage.py compilemessages -l en

clean:
	rm -rf $(VENV) staticfiles test-artifacts .pytest_cache .ruff_cache
