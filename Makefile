# Two commands do all the set-up on a fresh machine (see README):
#   make demo   installs Unstuck into .venv and runs it on a synthetic clinic
#   make test   installs it with the test tools and runs every check
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test lint benchmarks clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/unstuck demo

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -n 2

benchmarks: $(VENV)/.installed
	$(BIN)/python benchmarks/analyze_speed.py
	$(BIN)/python benchmarks/detection.py
	$(BIN)/python benchmarks/detection_speed.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
