# dalil — two commands: `make demo` and `make test`.
# Each creates its own virtual environment (.venv) and installs what it needs.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
DEMO_DIR ?= demo-case
# --dist loadgroup: each test file runs on one worker, so a module's fixtures (a seeded
# case, a served app, a browser, the demo build) are made once, not once per worker;
# files that share an expensive session fixture form one group (tests/conftest.py).
PYTEST_ARGS ?= -n 2 --dist loadgroup

.PHONY: demo test venv lint typecheck docs clean

$(BIN)/.dalil-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

venv: $(BIN)/.dalil-installed

# A previous demo folder (recognised by its marker file) is rebuilt from scratch;
# any other existing folder is left alone and dalil refuses to build into it.
demo: venv
	@if [ -f $(DEMO_DIR)/FICTIONAL-DEMO-CASE.txt ]; then echo "rebuilding the fictional demo in $(DEMO_DIR)"; rm -rf $(DEMO_DIR); fi
	$(BIN)/dalil demo --dir $(DEMO_DIR)

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src/dalil/vault src/dalil/core/audit.py src/dalil/core/access.py

docs: venv
	$(BIN)/python -m dalil.docs_cli > docs/cli.md

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache build src/*.egg-info
