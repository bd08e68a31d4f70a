#!/usr/bin/env bash
# A test runs deploy/nginx.conf in front of the gateway, as compose does, with a browser. Install Debian's nginx
# when missing and we are root with apt (only its binary is used: no service is started); otherwise say how.
set -eu
nginx=${NGINX_PATH:-/usr/sbin/nginx}
[ -x "$nginx" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "nginx not found: installing Debian's nginx package for the load balancer test"
  export DEBIAN_FRONTEND=noninteractive
  # policy-rc.d 101: the package must not start a system nginx on port 80.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  { apt-get install -y -qq nginx-light >/dev/null 2>&1 || apt-get install -y -qq nginx >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y -qq nginx >/dev/null; }; } || true
  rm -f /usr/sbin/policy-rc.d
  [ -x /usr/sbin/nginx ] && exit 0
fi
echo "nginx is missing at $nginx: install Debian's 'nginx' package (sudo apt-get install nginx)," \
     "or point NGINX_PATH at an nginx binary. Only the load balancer test needs it." >&2
exit 1
