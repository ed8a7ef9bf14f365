# certgate developer commands. Every target works on a fresh machine: `install` creates .venv.
# The venv's interpreter: the system's /usr/bin/python3 when it is 3.11 or newer and can make a
# venv (distributions build it with PGO and LTO: about 10 % less CPU per request than a build
# without, docs/benchmarks.md), else the first python3 on PATH. `make install PY=...` picks one.
SYSTEM_PY := $(shell /usr/bin/python3 -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo /usr/bin/python3)
PY      ?= $(or $(SYSTEM_PY),python3)
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DATA    ?= .certgate

.PHONY: install run test lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/python scripts/quickstart.py --data $(DATA)

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(DATA) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
