# Entry points for learners, instructors and CI. Every install step lives here or in pyproject.toml.
#   make lab    set up, then start JupyterLab with the offline Earth Search running
#   make test   set up, then run lint and the whole test suite (what CI runs)
#   make notebooks       regenerate the notebooks' stored outputs (offline run)
#   make editions        build the learner and live-coding editions into build/editions
#   make site            build the lesson's web site into build/site
#   make test-live       run the lesson against the live Earth Search, check its science, compare
#   make kit             copy the lesson's real imagery from Earth Search into data/offline-kit
#   make lab-kit         start JupyterLab with that copy served as the STAC API

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian's Chromium: the browser tests drive it with Playwright (never a downloaded browser).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup lab test lint format catalog serve notebooks editions site bench test-live kit lab-kit clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "Install Chromium at $(CHROMIUM) (Debian package 'chromium'): the site and widget tests use it."; exit 1; }
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

lab: setup
	$(BIN)/python -m helpers.offline lab

# Before a workshop, with internet: the lesson's scenes from Earth Search, clipped to the area.
# Run it again to resume or repair. KIT_ARGS="--dry-run" shows the size first.
KIT ?= data/offline-kit
kit: setup
	$(BIN)/python -m helpers.offline mirror --output $(KIT) $(KIT_ARGS)

lab-kit: setup
	$(BIN)/python -m helpers.offline lab --catalog $(KIT)

catalog: setup
	$(BIN)/python -m helpers.offline generate

serve: setup
	$(BIN)/python -m helpers.offline serve

notebooks: setup
	$(BIN)/python -m tools.run_notebooks

editions: setup
	$(BIN)/python -m tools.build_editions

site: setup
	$(BIN)/python -m tools.build_site

bench: setup
	$(BIN)/python -m benchmarks

lint: setup
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .

format: setup
	$(BIN)/python -m ruff format .
	$(BIN)/python -m ruff check --fix .

test: lint $(CHROMIUM)
	$(BIN)/python -m pytest

# Instructors, before a workshop: run the lesson against the live Earth Search. Outputs are not
# compared (live data changes every day); every cell must run, and the numbers must be physical
# (tests/test_science.py: water, vegetation, the saved COGs, counts).
# Then the fidelity report: the lesson's searches on the stand-in and on the live API, compared
# field by field (tools/fidelity.py); both steps run, and either failing fails the target.
test-live: setup
	$(BIN)/python -m tools.check_live
	status=0; \
	LESSON_LIVE=1 STAC_API_URL=https://earth-search.aws.element84.com/v1 \
		$(BIN)/python -m pytest tests/test_science.py || status=1; \
	$(BIN)/python -m tools.fidelity || status=1; \
	exit $$status

clean:
	rm -rf $(VENV) data/offline-earth-search .pytest_cache test-artifacts
