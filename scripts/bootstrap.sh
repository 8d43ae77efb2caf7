#!/usr/bin/env bash
# Set up everything from the lock file: uv in .tools/, the project in .venv/.
# Needs only python3.11 and the package registries; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
if [ ! -x .tools/bin/uv ] || ! .tools/bin/uv --version | grep -q "$UV_VERSION"; then
  python3.11 -m venv .tools
  .tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
export UV_PYTHON_DOWNLOADS=never
# Precompiled bytecode: without it (uv does not compile by default) every command compiles
# pandas, scipy … from source on each run wherever PYTHONDONTWRITEBYTECODE is set.
# The web extra (Django, gunicorn …) always: `make demo` serves the site. Extra arguments
# (e.g. --extra test, as scripts/test.sh passes) add to it.
.tools/bin/uv sync --locked --quiet --compile-bytecode --python python3.11 --extra web "$@"
# The web app's front-end files (GOV.UK Frontend, Vega) come from npm, never a CDN.
if ! command -v npm >/dev/null 2>&1; then
  echo "bootstrap: installing Node.js and npm from Debian for the web front end"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
scripts/build_static.sh >/dev/null
# WeasyPrint's libraries and poppler-utils, for review PDFs (the rest works without them)
scripts/install_pdf_tools.sh || echo "bootstrap: review PDFs need Debian's Pango and poppler-utils; run scripts/install_pdf_tools.sh as root" >&2
