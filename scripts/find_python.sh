#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter, or explain how to get one and exit 1.
# Rasa Open Source 3.6 (the last open-source Rasa) runs on Python 3.8-3.10 only.
set -u

is_310() { [ -n "$1" ] && "$1" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
candidates+=("$(command -v python3.10 2>/dev/null)")
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  for d in $(ls -d "$root"/versions/3.10* 2>/dev/null | sort -V -r); do candidates+=("$d/bin/python3.10"); done
fi
for d in $(ls -d "${HOME:-/root}"/.pyenv/versions/3.10* 2>/dev/null | sort -V -r); do candidates+=("$d/bin/python3.10"); done
candidates+=(/usr/bin/python3.10 /usr/local/bin/python3.10)
if command -v uv >/dev/null 2>&1; then
  candidates+=("$(uv python find 3.10 2>/dev/null)")
fi

for c in "${candidates[@]}"; do
  if is_310 "$c"; then "$c" -c "import sys; print(sys.executable)"; exit 0; fi
done

if command -v uv >/dev/null 2>&1 && uv python install 3.10 >/dev/null 2>&1; then
  c=$(uv python find 3.10 2>/dev/null)
  if is_310 "$c"; then "$c" -c "import sys; print(sys.executable)"; exit 0; fi
fi

echo "No Python 3.10 found: Rasa 3.6 needs Python 3.10 (or 3.8/3.9). Install one with 'pyenv install 3.10' or 'uv python install 3.10', or point PYTHON=/path/to/python3.10 at one, then run make again." >&2
exit 1
