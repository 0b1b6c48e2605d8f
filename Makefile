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

.PHONY: report test lint goldens clean system fuzz

report: system $(STAMP)
	$(BIN)/python build.py . $(ARGS)

test: system $(STAMP) $(AXE)
	$(BIN)/python -m pytest $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check reportc tests bench build.py
	$(BIN)/mypy

# The long fuzzing run (tests/test_fuzz.py; README "Fuzzing"): mutated reports and review files.
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

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

$(AXE): tests/a11y/package.json tests/a11y/package-lock.json
	cd tests/a11y && npm ci --no-audit --no-fund --ignore-scripts
	touch $(AXE)

system:
	@scripts/system-packages

clean:
	rm -rf out .pytest_cache
