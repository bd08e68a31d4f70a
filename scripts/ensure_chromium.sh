#!/usr/bin/env bash
# The browser tests drive Debian's Chromium with Playwright (Playwright's own browser download does not work
# on closed networks). Install it when missing and we are root with apt; otherwise say how.
set -eu
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
[ -x "$chromium" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium not found: installing Debian's chromium package for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq chromium >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; }
  [ -x /usr/bin/chromium ] && exit 0
fi
echo "Chromium is missing at $chromium: install Debian's 'chromium' package (sudo apt-get install chromium)," \
     "or point CHROMIUM_PATH at a Chromium binary. Only the browser tests need it." >&2
exit 1
