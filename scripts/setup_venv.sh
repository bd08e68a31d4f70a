#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the project with the exact versions of requirements.lock.
set -eu
cd "$(dirname "$0")/.."
py=$(scripts/find_python.sh)
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
  rm -rf .venv
  echo "Creating .venv with $py"
  "$py" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade "pip>=24" >/dev/null
echo "Installing dependencies (about 2-3 minutes the first time)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]" 2>&1 \
  | grep -vE "is ignored: it is neither a file nor a directory|BuildBackendWarning|^ +" || true
.venv/bin/python -c 'import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in ("rasa", "rasa_sdk", "fastapi", "spacy", "redis", "honcho")))' \
  || { echo "The dependency install did not complete: see the pip output above." >&2; exit 1; }
touch .venv/.installed
