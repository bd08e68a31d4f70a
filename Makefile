# The team's vocabulary. `make help` lists the targets; `make run` and `make test` set everything up first.
# Two venvs: .venv (the app: every process but Rasa, Python 3.12/3.13) and .venv-engine (Rasa 3.6 and engine/,
# Python 3.10). Each is installed from its own lock file; see scripts/setup_venv.sh.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
ENGINE_VENV := .venv-engine
ENGINE_PY := $(ENGINE_VENV)/bin/python
RASA := RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 $(ENGINE_PY) -m rasa
SPACY_MODEL := .cache/spacy/en_triage_md
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: help setup run test lint format validate train crossval bench lock clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: ## create .venv (app, Python 3.12) and .venv-engine (Rasa, Python 3.10), build Rasa's spaCy pipeline, get redis-server, Chromium and nginx
	@# The two installs overlap (downloads and builds of one while the other compiles): minutes off a cold setup.
	@scripts/setup_venv.sh engine & engine=$$!; scripts/setup_venv.sh app; wait $$engine
	@TF_CPP_MIN_LOG_LEVEL=3 $(ENGINE_PY) scripts/build_spacy_model.py $(SPACY_MODEL)
	@scripts/ensure_redis.sh
	@scripts/ensure_chromium.sh
	@scripts/ensure_nginx.sh

train: setup ## train the Rasa model (with .venv-engine), unless data, config and engine/nlu are unchanged
	@$(PY) -m tools.training

run: setup train ## start the whole product (Redis, OSS/BSS simulator, actions, Rasa, gateway); Ctrl-C stops it
	@$(PY) -m tools.runner

test: setup train ## run every test: the app's suite (unit, integration, end to end), then the engine's
	@app=0; $(PY) -m pytest $(PYTEST_ARGS) || app=$$?; \
	engine=0; $(ENGINE_PY) -m pytest --confcutdir=tests/engine -p no:cacheprovider tests/engine || engine=$$?; \
	[ $$app = 0 ] || echo "The app's tests failed (pytest exit $$app)." >&2; \
	[ $$engine = 0 ] || echo "The engine's tests failed (pytest exit $$engine)." >&2; \
	[ $$app = 0 ] && [ $$engine = 0 ]

lint: setup ## ruff (lint and format check) over the repository, mypy of the app (.venv) and of engine/ (.venv-engine)
	@failed=""; \
	$(VENV)/bin/ruff check . || failed="$$failed ruff-check"; \
	$(VENV)/bin/ruff format --check . || failed="$$failed ruff-format"; \
	$(VENV)/bin/mypy core bot actions learning notify sensor simulator tools || failed="$$failed mypy-app"; \
	$(ENGINE_VENV)/bin/mypy --config-file engine/pyproject.toml engine || failed="$$failed mypy-engine"; \
	[ -z "$$failed" ] || { echo "make lint failed:$$failed" >&2; exit 1; }

format: setup ## apply ruff's fixes and formatting
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

validate: setup ## check the training data and domain with Rasa
	@$(RASA) data validate

crossval: setup ## 5-fold cross-validation of the NLU, report in results/
	@$(RASA) test nlu --cross-validation --folds 5 --out results/crossval

bench: setup train ## run every benchmark; report with targets in bench/reports/report.md and .json
	@$(PY) bench/report.py $(BENCH_ARGS)

lock: ## re-resolve both venvs' dependencies, rewrite requirements-engine.lock and requirements-app.lock
	@scripts/lock.sh

clean: ## remove both venvs, models, caches and runtime data (var/)
	rm -rf $(VENV) $(ENGINE_VENV) models .cache var results .rasa .pytest_cache .mypy_cache .ruff_cache
