# Two commands do all the set-up on a fresh machine (see README):
#   make demo   installs Unstuck into .venv and serves the web app on a synthetic clinic
#   make test   installs it with the test tools and runs every check, on SQLite and PostgreSQL
PYTHON ?= python3
# The storage tests run a second time on this PostgreSQL (trust auth; a test_* database is made).
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
CHROMIUM ?= /usr/bin/chromium
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test lint browser benchmarks clean

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

# Browser tests drive Debian's Chromium; install it when it is missing (needs root or sudo).
browser:
	@test -x $(CHROMIUM) || { echo "installing Debian's chromium for the browser tests"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) sh -c "apt-get update -q && apt-get install -y --no-install-recommends chromium"; }

test: lint browser
	$(BIN)/pytest -n 2
	@echo "--- again on PostgreSQL ($(TEST_POSTGRES_URL)): the storage-layer and web tests"
	DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/pytest -n 2 -m "not browser" tests/web

benchmarks: $(VENV)/.installed
	$(BIN)/python benchmarks/analyze_speed.py
	$(BIN)/python benchmarks/detection.py
	$(BIN)/python benchmarks/detection_speed.py
	$(BIN)/python benchmarks/alert_burden.py
	$(BIN)/python benchmarks/real_data.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
