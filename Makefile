# The team's vocabulary. `make help` lists the targets; `make run` and `make test` set everything up first.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 $(VENV)/bin/rasa
SPACY_MODEL := .cache/spacy/en_triage_md
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: help setup run test lint format typecheck validate train crossval bench lock clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.installed: pyproject.toml requirements.lock scripts/setup_venv.sh scripts/find_python.sh
	@scripts/setup_venv.sh

$(SPACY_MODEL)/BUILD_ID: scripts/build_spacy_model.py | $(VENV)/.installed
	@TF_CPP_MIN_LOG_LEVEL=3 $(PY) scripts/build_spacy_model.py $(SPACY_MODEL)

setup: $(VENV)/.installed $(SPACY_MODEL)/BUILD_ID ## create .venv (Python 3.10), build the spaCy pipeline, get redis-server, Chromium and nginx
	@scripts/ensure_redis.sh
	@scripts/ensure_chromium.sh
	@scripts/ensure_nginx.sh

train: setup ## train the Rasa model, unless data and config are unchanged
	@$(PY) -m tools.training

run: setup train ## start the whole product (Redis, OSS/BSS simulator, actions, Rasa, gateway); Ctrl-C stops it
	@$(PY) -m tools.runner

test: setup train ## run every test (unit, integration, end to end)
	@$(PY) -m pytest $(PYTEST_ARGS)

lint: setup ## ruff (lint and format check) and mypy
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy core engine bot actions learning notify simulator tools

format: setup ## apply ruff's fixes and formatting
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

validate: setup ## check the training data and domain with Rasa
	@$(RASA) data validate

crossval: setup ## 5-fold cross-validation of the NLU, report in results/
	@$(RASA) test nlu --cross-validation --folds 5 --out results/crossval

bench: setup train ## run every benchmark; report with targets in bench/reports/report.md and .json
	@$(PY) bench/report.py $(BENCH_ARGS)

lock: ## re-resolve every dependency and rewrite requirements.lock
	@rm -rf /tmp/triage-lock && $$(scripts/find_python.sh) -m venv /tmp/triage-lock
	@/tmp/triage-lock/bin/pip install --quiet -e ".[dev]"
	@{ echo "# Exact versions every install resolves to (pip constraints). Regenerate with \`make lock\`."; \
	   /tmp/triage-lock/bin/pip freeze --exclude-editable | grep -v '^telecom-triage-bot'; } > requirements.lock
	@rm -rf /tmp/triage-lock

clean: ## remove the venv, models, caches and runtime data (var/)
	rm -rf $(VENV) models .cache var results .rasa .pytest_cache .mypy_cache .ruff_cache
