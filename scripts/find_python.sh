#!/usr/bin/env bash
# Print the path of the Python interpreter a venv needs, or explain how to get one and exit 1.
#   scripts/find_python.sh [engine]  Python 3.10 for .venv-engine: Rasa Open Source 3.6 (the last open-source
#                                    Rasa) runs on Python 3.8-3.10 only. PYTHON=/path/to/python3.10 overrides.
#   scripts/find_python.sh app       Python 3.12 (else 3.13) for .venv, everything but Rasa. PYTHON_APP overrides.
# Looked for in order: the override, pythonX.Y on PATH, pyenv's versions, /usr(/local)/bin, uv (which may install one).
set -u

role=${1:-engine}
case "$role" in
  engine) versions=(3.10); wanted=3.10; override=${PYTHON:-}; override_name=PYTHON; why="Rasa 3.6 needs Python 3.10 (or 3.8/3.9)" ;;
  app) versions=(3.12 3.13); wanted="3.12 or 3.13"; override=${PYTHON_APP:-}; override_name=PYTHON_APP; why="the app venv needs Python 3.12 or 3.13" ;;
  *) echo "usage: $0 [engine|app]" >&2; exit 2 ;;
esac

is_version() {  # is_version <interpreter> <X.Y>
  [ -n "$1" ] && "$1" -c "import sys, venv; sys.exit('%d.%d' % sys.version_info[:2] != '$2')" >/dev/null 2>&1
}

found() { "$1" -c "import sys; print(sys.executable)"; exit 0; }

if [ -n "$override" ]; then
  for v in "${versions[@]}"; do is_version "$override" "$v" && found "$override"; done
  echo "$override_name=$override is not Python $wanted: $why." >&2
  exit 1
fi

for v in "${versions[@]}"; do
  candidates=("$(command -v "python$v" 2>/dev/null)")
  if command -v pyenv >/dev/null 2>&1; then
    root=$(pyenv root 2>/dev/null)
    for d in $(ls -d "$root"/versions/"$v"* 2>/dev/null | sort -V -r); do candidates+=("$d/bin/python$v"); done
  fi
  for d in $(ls -d "${HOME:-/root}"/.pyenv/versions/"$v"* 2>/dev/null | sort -V -r); do candidates+=("$d/bin/python$v"); done
  candidates+=("/usr/bin/python$v" "/usr/local/bin/python$v")
  if command -v uv >/dev/null 2>&1; then
    candidates+=("$(uv python find "$v" 2>/dev/null)")
  fi
  for c in "${candidates[@]}"; do
    is_version "$c" "$v" && found "$c"
  done
done

if command -v uv >/dev/null 2>&1 && uv python install "${versions[0]}" >/dev/null 2>&1; then
  c=$(uv python find "${versions[0]}" 2>/dev/null)
  is_version "$c" "${versions[0]}" && found "$c"
fi

echo "No Python $wanted found: $why. Install one with 'pyenv install ${versions[0]}' or" \
     "'uv python install ${versions[0]}', or point $override_name=/path/to/python${versions[0]} at one, then run make again." >&2
exit 1
