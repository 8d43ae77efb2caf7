#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests when it is missing. Playwright drives
# it at /usr/bin/chromium; no browser is ever downloaded by a test tool. Needs root
# (or sudo) and Debian's package archive; safe to run again.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install_chromium: /usr/bin/chromium is missing and apt-get is not available; install Chromium by hand" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
fi
echo "install_chromium: installing Debian's chromium (for the browser tests)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
