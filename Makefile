# Two commands on a fresh clone: `make report` and `make test`.
# Both create .venv and install the pinned dependencies (requirements.lock) first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.reportc-installed

.PHONY: report test lint goldens clean

report: $(STAMP)
	$(BIN)/python build.py . $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check reportc tests bench build.py

# Regenerate reviewed golden files; review the diff before committing.
goldens: $(STAMP)
	$(BIN)/python -m pytest --update-goldens $(ARGS)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

clean:
	rm -rf out .pytest_cache
