# Tech-policy framing study. `make help` lists the targets.
# A fresh machine needs only Python 3.11+: every target creates .venv and installs the pinned
# dependencies (pyproject.toml + requirements.lock as constraints) when they are missing or changed,
# and rebuilds the compiled news-scorer loop (analysis/_newscore.pyx, needs a C compiler) when it changes.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
CORPUS ?= allsides_techpolicy
SAMPLE ?=
KERNEL := tech-policy-framing
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install figures test lint format lab clean-cache benchmarks

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  Variables: CORPUS=name (figures for another corpus go to figures/<name>/), SAMPLE=N"

$(STAMP): pyproject.toml requirements.lock setup.py analysis/_newscore.pyx
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required, found " + sys.version.split()[0]'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[test]"
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the pinned dependencies and the package (editable)

figures: $(STAMP) ## Run every notebook in order headlessly and regenerate figures/ (CORPUS=, SAMPLE=)
	$(PY) -m analysis notebooks --corpus $(CORPUS) $(if $(SAMPLE),--sample $(SAMPLE),)

test: $(STAMP) ## Lint, then the whole test suite (notebooks run on a small sample)
	$(VENV)/bin/ruff check analysis tests benchmarks notebooks
	$(VENV)/bin/ruff format --check analysis tests benchmarks notebooks
	$(PY) -m pytest -n 2 --dist loadgroup

lint: $(STAMP) ## ruff check and format check
	$(VENV)/bin/ruff check analysis tests benchmarks notebooks
	$(VENV)/bin/ruff format --check analysis tests benchmarks notebooks

format: $(STAMP) ## Apply ruff format and autofixes
	$(VENV)/bin/ruff format analysis tests benchmarks notebooks
	$(VENV)/bin/ruff check --fix analysis tests benchmarks notebooks

lab: $(STAMP) ## Start JupyterLab with the project's kernel registered
	$(PY) -m ipykernel install --user --name $(KERNEL) --display-name "Python ($(KERNEL))"
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

benchmarks: $(STAMP) ## Run the benchmark scripts (numbers go to benchmarks/RESULTS.md by hand)
	$(PY) benchmarks/run_all.py

clean-cache: ## Remove cached corpora and scores (.cache/)
	rm -rf .cache
