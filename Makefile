# Entry points for learners, instructors and CI. Every install step lives here or in pyproject.toml.
#   make lab    set up, then start JupyterLab with the offline Earth Search running
#   make test   set up, then run lint and the whole test suite (what CI runs)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup lab test lint format catalog serve notebooks test-live clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

lab: setup
	$(BIN)/python -m helpers.offline lab

catalog: setup
	$(BIN)/python -m helpers.offline generate

serve: setup
	$(BIN)/python -m helpers.offline serve

notebooks: setup
	$(BIN)/python tools/run_notebooks.py

lint: setup
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .

format: setup
	$(BIN)/python -m ruff format .
	$(BIN)/python -m ruff check --fix .

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) data .pytest_cache test-artifacts
