# nim-scrape: `make refresh` runs the job, `make test` runs the tests; each sets up .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= output
DEMO_OUT ?= demo-output
FIXTURE := tests/fixtures/nim-error-codes-2024-10-31.html

.PHONY: refresh demo test test-lower test-newest test-deps lint typecheck check bench fixtures layout clean

# One stamp per set of extras, remade whenever pyproject.toml changes.
$(VENV)/.installed-%: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.$(if $(filter-out run,$*),[$*])'
	touch $@

refresh: $(VENV)/.installed-run ## fetch the live page and update output/
	$(BIN)/nim-scrape refresh --out $(OUT) $(ARGS)

demo: $(VENV)/.installed-run ## the whole job offline, on the recorded page and an earlier edition
	rm -rf $(DEMO_OUT)
	@echo "== first run: an earlier edition (2024-03-13) becomes the catalogue"
	$(BIN)/nim-scrape refresh --source tests/fixtures/nim-error-codes-2024-03-13.html --out $(DEMO_OUT)
	@echo "== second run: the recorded page (2024-10-31)"
	$(BIN)/nim-scrape refresh --source $(FIXTURE) --out $(DEMO_OUT)
	@echo "== third run: same page again, nothing changes"
	$(BIN)/nim-scrape refresh --source $(FIXTURE) --out $(DEMO_OUT)
	@ls -l $(DEMO_OUT)

test: $(VENV)/.installed-test,lint,bench ## the test suite, offline
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite against each end of the dependency ranges, each in a throwaway venv made anew: every
# dependency at its lower bound (tests/lower_bounds.py reads them from pyproject.toml), then
# every dependency at its newest release. `make test` keeps whatever .venv already has.
LOWER_VENV ?= .venv-lower
NEWEST_VENV ?= .venv-newest

test-lower: ## the suite with each dependency at the lower bound of its range
	rm -rf $(LOWER_VENV)
	$(PYTHON) -m venv $(LOWER_VENV)
	$(PYTHON) tests/lower_bounds.py sqlite render > $(LOWER_VENV)/constraints.txt
	$(LOWER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOWER_VENV)/bin/python -m pip install --quiet -c $(LOWER_VENV)/constraints.txt -e '.[test,lint]'
	$(LOWER_VENV)/bin/python -m pip list | grep -i -E "^($$(cut -d= -f1 $(LOWER_VENV)/constraints.txt | paste -sd'|')) "
	$(LOWER_VENV)/bin/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

test-newest: ## the suite with each dependency at its newest release
	rm -rf $(NEWEST_VENV)
	$(PYTHON) -m venv $(NEWEST_VENV)
	$(NEWEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(NEWEST_VENV)/bin/python -m pip install --quiet --upgrade -e '.[test,lint,sqlite,render]'
	$(NEWEST_VENV)/bin/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

test-deps: test-lower test-newest ## both ends of every dependency range

lint: $(VENV)/.installed-test,lint,bench
	$(BIN)/ruff check src tests benchmarks .github/scripts
	$(BIN)/ruff format --check src tests benchmarks .github/scripts
	$(BIN)/zizmor --offline --no-progress .github/workflows/  # offline: CI may not reach GitHub

typecheck: $(VENV)/.installed-test,lint,bench
	$(BIN)/mypy

check: test lint typecheck ## everything CI runs

bench: $(VENV)/.installed-test,lint,bench ## the benchmark (see README, Performance)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

fixtures: $(VENV)/.installed-test,lint,bench ## rebuild the HTML fixtures and cassettes
	$(BIN)/python tests/fixtures/build_fixtures.py

layout: $(VENV)/.installed-test,lint,bench ## rewrite the README's layout table from the folders
	$(BIN)/python tests/layout.py --write

clean:
	rm -rf $(VENV) $(LOWER_VENV) $(NEWEST_VENV) $(DEMO_OUT) .pytest_cache .mypy_cache .ruff_cache .hypothesis build src/*.egg-info
