#!/usr/bin/env bash
# Set up and run the whole test suite. CI runs exactly this (through .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --extra test
scripts/install_chromium.sh  # Debian's chromium for the browser tests; no browser downloads

# Web tests use the PostgreSQL on 127.0.0.1:5432 when it answers (CI always has it),
# SQLite otherwise. An explicit DATABASE_URL wins.
if [ -z "${DATABASE_URL:-}" ] && .venv/bin/python - <<'PY'
import sys, psycopg
try:
    psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", connect_timeout=3).close()
except Exception:
    sys.exit(1)
PY
then
  export DATABASE_URL="postgresql://postgres@127.0.0.1:5432/test"
fi
if [ -n "${CI:-}" ] && [ -z "${DATABASE_URL:-}" ]; then
  echo "CI must exercise PostgreSQL, but 127.0.0.1:5432 does not answer" >&2
  exit 1
fi
echo "web tests database: ${DATABASE_URL:-sqlite (embedded)}"

# pytest exits 5 when it collects nothing; set -e turns that into a failure.
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
