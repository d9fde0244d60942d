# Two commands do everything on a fresh machine: `make run` and `make test`.
PY := $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
WORKSPACE := workspaces/sample.duckdb
PORT ?= 8501

.PHONY: install run test lint format bench kinds screenshots workspace default-model sample-data clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Rebuilt whenever the sample data or the shipped default model changes.
$(WORKSPACE): $(STAMP) $(wildcard sample_data/*) $(wildcard followaudit/detect/default_model/*)
	$(BIN)/followaudit build --data sample_data --workspace $(WORKSPACE)

workspace: $(WORKSPACE)

# Listens on this machine only: the app trusts whoever reaches it (README: deploying for a team).
# `followaudit serve` is `streamlit run serve.py`: app.py with its caches warmed at start.
run: $(WORKSPACE)
	$(BIN)/followaudit serve --workspace $(WORKSPACE) --address 127.0.0.1 --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# The README's screenshots: the Chromium journeys (tests/e2e/) on the sample world, saved to
# docs/screenshots/ (emptied first, so a screenshot no test takes any more shows as deleted).
# `make test` runs the same journeys and writes nothing into the tree.
screenshots: $(STAMP)
	rm -f docs/screenshots/*.png
	FOLLOWAUDIT_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest -q tests/e2e

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks are not tests: they build the 1M-account world and write docs/benchmarks.md.
bench: $(STAMP) $(WORKSPACE)
	$(BIN)/python -m benchmarks.run

# Detection per kind on two generated worlds + leave-one-kind-out -> docs/kinds.md (~10 min).
kinds: $(STAMP)
	$(BIN)/python -m benchmarks.kinds

# Maintainer commands (reproducible; their outputs are committed).
sample-data: $(STAMP)
	$(BIN)/followaudit generate --out sample_data --seed 7

default-model: $(STAMP)
	$(BIN)/followaudit train-default --data sample_data --out followaudit/detect/default_model

clean:
	rm -rf workspaces .pytest_cache
