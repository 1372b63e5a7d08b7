# Quick start: `make demo` (offline, fixture sites), `make test` (lint, types, tests),
# `make crawl` (real sites of the default registry; needs the internet).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Three processes, a test file each at a time (a file's module fixtures are set up once),
# in the order collected (tests/conftest.py puts the longest file first): the end-to-end
# crawls mostly wait on delays and time limits. `PYTEST_ARGS=` runs serially.
PYTEST_ARGS ?= -n 3 --dist loadfile --no-loadscope-reorder

.PHONY: venv test lint typecheck contracts deps pytest demo crawl cron serve-fixtures format clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

test: lint typecheck contracts deps pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

# Imports run one way (Scrapy adapters -> libraries); see [tool.importlinter].
contracts: venv
	$(BIN)/lint-imports

# Every imported package declared, every declared one used; see [tool.deptry].
deps: venv
	$(BIN)/deptry .

pytest: venv
	$(BIN)/pytest $(PYTEST_ARGS)

demo: venv
	$(BIN)/python -m fixtures.demo

crawl: venv
	$(BIN)/scrapy crawl news

# One incremental, locked, time-limited run (what the crontab line runs).
cron: venv
	$(BIN)/newscrawler-cron

serve-fixtures: venv
	$(BIN)/python -m fixtures.server --port 8899

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
