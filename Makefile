# zhuqi: make demo · make test · make bench · make lint
VENV ?= .venv
PY := $(VENV)/bin/python
ZHUQI := $(PY) -m zhuqi.cli
export ZHUQI_HOME ?= $(CURDIR)
# The checkout's own code first, whatever the venv's editable install points at (lint-imports,
# mypy and the commands must read this tree)
export PYTHONPATH := $(CURDIR)/src$(if $(PYTHONPATH),:$(PYTHONPATH))

.PHONY: demo test lint typecheck bench browser migrations-check deploy-check clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[dev]"
	touch $@

# The web app on SQLite (or DATABASE_URL) with demo data, on http://127.0.0.1:8000
demo: $(VENV)/.installed
	$(ZHUQI) migrate --noinput -v 0
	$(ZHUQI) demo
	$(ZHUQI) runserver 127.0.0.1:8000

# Headless Chromium for the browser tests (Debian package; no browser download).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "The browser tests need Chromium: sudo apt-get install chromium fonts-noto-cjk"; exit 1; fi; fi

# The whole suite (unit, API, browser); DATABASE_URL switches it to PostgreSQL. It runs on every
# core (pytest-xdist: one test database per worker) and prints the 30 slowest steps (so a CI log
# shows where the time goes); PYTEST_ARGS= runs it in one process.
PYTEST_ARGS ?= -n auto --durations=30
test: $(VENV)/.installed browser
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

# The one-way app layers: the contract and its reasons are [tool.importlinter] in pyproject.toml
.PHONY: layers
layers: $(VENV)/.installed
	$(VENV)/bin/lint-imports --no-cache

# mypy with django-stubs on the modules that own state changes
typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy $(TYPED)

TYPED ?= src/zhuqi/core/services.py src/zhuqi/core/audit.py src/zhuqi/core/scope.py src/zhuqi/core/workcalendar.py \
  src/zhuqi/core/notify.py src/zhuqi/core/imports.py src/zhuqi/core/audit_checkpoints.py src/zhuqi/core/progress.py $(filter-out src/zhuqi/core/services.py,$(wildcard src/zhuqi/*/services.py)) \
  src/zhuqi/cases/workflow.py src/zhuqi/cases/sweep.py src/zhuqi/core/permissions.py \
  $(wildcard src/zhuqi/*/services_*.py) $(wildcard src/zhuqi/*/handover.py)

migrations-check: $(VENV)/.installed
	$(ZHUQI) makemigrations --check --dry-run

deploy-check: $(VENV)/.installed
	DJANGO_ENV=production SECRET_KEY=check-only-$$(date +%s)-a-long-random-looking-secret-value-for-check ALLOWED_HOSTS=zhuqi.example $(ZHUQI) check --deploy --fail-level WARNING

bench: $(VENV)/.installed
	$(PY) -m bench.run $(BENCH_ARGS)

# Routing suggestion accuracy on the hand-written held-out set (bench/README.md; ~3 minutes)
.PHONY: bench-routing
bench-routing: $(VENV)/.installed
	$(PY) -m bench.routing_eval $(ROUTING_ARGS)

clean:
	rm -rf var/zhuqi.sqlite3 var/media var/static
