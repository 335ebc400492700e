# The two commands a newsroom needs: `make run` and `make test`. `make help` lists the rest.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export OMP_WAIT_POLICY ?= PASSIVE
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
# The packages mypy checks in `make lint` and CI (config: pyproject.toml [tool.mypy]).
TYPED := search sources claims/services claims/selectors claims/actions.py

.PHONY: help run test lint typecheck format bench install install-dev translations screenshots clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev,elasticsearch]'
	@touch $@

install: $(VENV)/.installed ## Create the virtualenv and install the platform

install-dev: $(VENV)/.installed-dev ## Install the platform with test and lint tools

translations: $(VENV)/.installed ## Compile the interface translations (.po -> .mo)
	$(BIN)/python manage.py compile_translations

run: install translations ## Run the platform with the demo newsroom on http://127.0.0.1:8000
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py ensure_admin
	$(BIN)/python manage.py rebuild_search_index
	@echo "Serving on http://$(HOST):$(PORT)/ with a background task worker (Ctrl-C stops both)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(BIN)/python manage.py db_worker & \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev translations ## Run the whole test suite
	$(BIN)/python -m pytest

lint: install-dev ## Check style, Django and migrations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory typecheck
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

typecheck: install-dev ## Type-check the typed packages (part of lint)
	$(BIN)/mypy $(TYPED)

format: install-dev ## Reformat the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-dev ## Run the benchmarks (need ../shared/data); see docs/benchmarks.md
	$(BIN)/python bench/search.py --shared ../shared
	$(BIN)/python bench/embeddings.py --shared ../shared
	$(BIN)/python bench/calibrate.py --shared ../shared --mode hybrid
	$(BIN)/python bench/match.py --shared ../shared
	DJANGO_SETTINGS_MODULE=factcheck.settings.test $(BIN)/python bench/ingest.py --gold ../shared/data/article-extraction-benchmark-zyte
	$(BIN)/python bench/claim_queue.py  # needs PostgreSQL (BENCH_DATABASE_URL)

screenshots: install-dev translations ## Refresh the README screenshots (runs the browser tests)
	FACTCHECK_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest -m browser -p no:cacheprovider

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var
