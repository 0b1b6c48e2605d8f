# Two commands on a fresh clone: `make report` and `make test`.
# Both first check the Debian packages in reportc/system-packages.txt (installing the missing
# ones when run as root; otherwise stopping with the one command to run), then create .venv
# and install the pinned dependencies (requirements.lock).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.reportc-installed
# axe-core for the web edition's browser tests, pinned by tests/a11y/package-lock.json
AXE    := tests/a11y/node_modules/axe-core/axe.min.js
# DAISY Ace for the EPUB edition's tests, pinned by tests/epub/package-lock.json; puppeteer
# does not download a browser (the tests run Ace with the system's chromium)
ACE    := tests/epub/node_modules/.bin/ace-cli

.PHONY: report docs test lint goldens clean system fuzz

# The flagship's seed documents, when present: quotations are checked against them (#26);
# without the folder the build says in one line that it did not check them.
SOURCES := $(wildcard ../shared/seeds)

report: system $(STAMP)
	$(BIN)/python build.py . $(if $(SOURCES),--sources $(SOURCES)) $(ARGS)

# The manual (docs/, itself a reportc report) into docs/out/, with --strict: a warning fails.
docs: system $(STAMP)
	$(BIN)/python build.py docs --strict $(ARGS)

# One test worker per core and one more (pytest-xdist; tests/conftest.py says why); a
# file's tests stay on one worker, so the projects its fixtures build are built once.
test: system $(STAMP) $(AXE) $(ACE)
	$(BIN)/python -m pytest -n auto --dist loadfile $(ARGS)

# lint-imports: the package's layers point down and no modules import each other in a circle
# (the contracts are in pyproject.toml, [tool.importlinter]).
lint: $(STAMP)
	$(BIN)/ruff check reportc tests bench build.py
	$(BIN)/mypy
	$(BIN)/python scripts/check_sizes.py
	$(BIN)/lint-imports --no-cache

# The long fuzzing run (tests/test_fuzz.py; the manual's "Fuzzing", docs/chapters/12-tests.md): mutated reports and review files.
FUZZ_SEED    ?= 20261207
FUZZ_BUILDS  ?= 1000
FUZZ_CLI     ?= 20
FUZZ_REVIEWS ?= 2000
fuzz: $(STAMP)
	FUZZ_REAL=1 FUZZ_SEED=$(FUZZ_SEED) FUZZ_BUILDS=$(FUZZ_BUILDS) FUZZ_CLI=$(FUZZ_CLI) \
	FUZZ_REVIEWS=$(FUZZ_REVIEWS) $(BIN)/python -m pytest tests/test_fuzz.py -q $(ARGS)

# Regenerate reviewed golden files; review the diff before committing.
goldens: $(STAMP)
	$(BIN)/python -m pytest --update-goldens $(ARGS)

# reportc's bytecode is written here, as pip writes its dependencies' (an editable install
# writes none): where PYTHONDONTWRITEBYTECODE is set, Python would otherwise compile
# reportc's modules again in every run (0.15 s of a 0.3 s rebuild with nothing to do).
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m compileall -q reportc
	touch $(STAMP)

$(AXE): tests/a11y/package.json tests/a11y/package-lock.json
	cd tests/a11y && npm ci --no-audit --no-fund --ignore-scripts
	touch $(AXE)

$(ACE): tests/epub/package.json tests/epub/package-lock.json
	cd tests/epub && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts
	touch $(ACE)

system:
	@scripts/system-packages

clean:
	rm -rf out docs/out .pytest_cache
