# The ENGINE image: Rasa Open Source 3.6.21 on Python 3.10 (TensorFlow, spaCy 3.4, pydantic 1) with the project's
# Rasa plugins (engine/: intent classifier, lock store, event broker), the spaCy pipeline Rasa's SpacyNLP loads
# and the trained model. It runs one process, the Procfile's `rasa`: python -m engine.server ...
# Build from the repository root:  docker build -f deploy/engine.Dockerfile -t telecom-triage-engine .
# Everything else runs in the app image (deploy/app.Dockerfile).
FROM python:3.10-slim

ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 \
    LOG_LEVEL_LIBRARIES=ERROR PATH=/app/.venv-engine/bin:$PATH
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*

# Rasa and its dependencies first (exact versions from the engine's lock), so changes below rebuild only the
# layers after this one.
COPY requirements-engine.lock ./
RUN python -m venv .venv-engine && .venv-engine/bin/pip install -c requirements-engine.lock "rasa[spacy]==3.6.21"

# Only what Rasa reads: its plugins, the one product module they share with the app (the learning-event contract,
# standard library only), the training data, domain and configuration, the spaCy pipeline's recipe.
COPY engine/ engine/
COPY core/__init__.py core/
COPY core/contracts/__init__.py core/contracts/learning_events.py core/contracts/
COPY config.yml domain.yml endpoints.yml credentials.yml ./
COPY data/ data/
COPY scripts/build_spacy_model.py scripts/
RUN .venv-engine/bin/pip install -c requirements-engine.lock ./engine \
 && .venv-engine/bin/python scripts/build_spacy_model.py .cache/spacy/en_triage_md \
 && .venv-engine/bin/python -m rasa data validate \
 && .venv-engine/bin/python -m rasa train --skip-validation --out models --fixed-model-name current \
 && rm -rf .rasa

# Rasa keeps nothing on disk at run time (conversations and locks are in Redis; the event broker forwards to a
# Redis stream from memory), so the process needs no writable folder but its temporary one.
ENV RASA_MODEL=/app/models/current.tar.gz HOME=/tmp
USER nobody
# No default command: compose and Kubernetes run the Procfile's `rasa` process.
