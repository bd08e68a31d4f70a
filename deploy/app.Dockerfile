# The APP image: every process of the product but Rasa (gateway, action server, learning consumer, notifier,
# and in demonstrations the OSS/BSS simulator and the SMS gateway), on Python 3.12 with the app venv. It has no
# Rasa and no TensorFlow (the build fails if either got in); Rasa runs in the engine image
# (deploy/engine.Dockerfile). Each container runs one Procfile command.
# Build from the repository root:  docker build -f deploy/app.Dockerfile -t telecom-triage-app .
# The root's .dockerignore keeps the host's venvs, models, .cache and var out of `COPY . .`: they would replace
# what is built here.
FROM python:3.12-slim

ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PATH=/app/.venv/bin:$PATH
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*

# The heavy dependencies first (exact versions from the app's lock; the English model hash-checked), so code
# changes rebuild only the layers below.
COPY requirements-app.lock requirements-model.txt ./
RUN python -m venv .venv \
 && .venv/bin/pip install -c requirements-app.lock spacy scikit-learn numpy \
 && .venv/bin/pip install --require-hashes --no-deps -r requirements-model.txt
COPY . .
RUN .venv/bin/pip install -c requirements-app.lock . \
 && if .venv/bin/pip show rasa tensorflow >/dev/null 2>&1 || .venv/bin/python -c "import rasa" 2>/dev/null; then \
      echo "rasa or tensorflow got into the app image" >&2; exit 1; fi

# Runtime data (core/settings.py var_dir: the development mail and SMS sinks' folders, run files) must be
# writable by the user the processes run as.
RUN mkdir -p /app/var && chown -R nobody:nogroup /app/var

ENV TRIAGE_HOST=0.0.0.0 TRIAGE_ENV=production TRIAGE_VAR_DIR=/app/var HOME=/tmp
USER nobody
# No default command: compose and Kubernetes name the Procfile process each container runs.
