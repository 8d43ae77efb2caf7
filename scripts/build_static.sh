#!/usr/bin/env bash
# Build the web app's front-end files from npm: no CDN, nothing committed.
#
#   1. npm ci from package-lock.json into node_modules/ (skipped when already in step)
#   2. copy the browser builds of GOV.UK Frontend, Vega, Vega-Lite, vega-embed, Leaflet and
#      Leaflet.markercluster
#      into openbeat/web/static_build/vendor/ (gitignored; Django serves it)
#   3. compile openbeat/web/assets/openbeat.scss (GOV.UK Frontend with a system font
#      stack, no GOV.UK branding) into static_build/openbeat/css/openbeat.css
#
# `openbeat serve` then collects, hashes and compresses them (whitenoise). Safe to run
# again; does nothing when its outputs are newer than its inputs. Needs node and npm.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=openbeat/web/static_build
VENDOR=$OUT/vendor

if ! command -v npm >/dev/null 2>&1; then
  echo "build_static: npm is not installed; install Node.js 20+ and npm (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi

# 1. node_modules in step with the lock file. --ignore-scripts: nothing we use needs an
#    install script (sass's optional file watcher would try to compile itself).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "build_static: npm ci"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  touch node_modules/.package-lock.json
fi

# 2. browser builds, each with its licence and source map (Django's hashed storage
#    follows sourceMappingURL comments, so a map that is referenced must exist).
copy() {  # copy SRC DEST_DIR [NAME]
  local src=$1 dir=$2 name=${3:-$(basename "$1")}
  mkdir -p "$dir"
  if [ ! -f "$dir/$name" ] || [ "$src" -nt "$dir/$name" ]; then
    cp "$src" "$dir/$name"
  fi
}
copy node_modules/govuk-frontend/dist/govuk/all.bundle.js "$VENDOR/govuk-frontend"
copy node_modules/govuk-frontend/dist/govuk/all.bundle.js.map "$VENDOR/govuk-frontend"
for pkg in vega vega-lite vega-embed; do
  copy "node_modules/$pkg/build/$pkg.min.js" "$VENDOR/$pkg"
  [ -f "node_modules/$pkg/build/$pkg.min.js.map" ] && copy "node_modules/$pkg/build/$pkg.min.js.map" "$VENDOR/$pkg"
  copy "node_modules/$pkg/LICENSE" "$VENDOR/$pkg"
done

# Leaflet and its marker clusters (the street-level crime map): script, styles, and the
# images leaflet.css names (hashed static storage needs every url() it finds to exist)
for f in leaflet.js leaflet.js.map leaflet.css; do copy "node_modules/leaflet/dist/$f" "$VENDOR/leaflet"; done
copy node_modules/leaflet/LICENSE "$VENDOR/leaflet"
for f in node_modules/leaflet/dist/images/*.png; do copy "$f" "$VENDOR/leaflet/images"; done
for f in leaflet.markercluster.js leaflet.markercluster.js.map MarkerCluster.css MarkerCluster.Default.css; do
  copy "node_modules/leaflet.markercluster/dist/$f" "$VENDOR/leaflet.markercluster"
done
copy node_modules/leaflet.markercluster/MIT-LICENCE.txt "$VENDOR/leaflet.markercluster"

# 3. our stylesheet
CSS=$OUT/openbeat/css/openbeat.css
mkdir -p "$(dirname "$CSS")"
if [ ! -f "$CSS" ] || [ -n "$(find openbeat/web/assets node_modules/govuk-frontend/package.json -newer "$CSS" -print -quit)" ]; then
  echo "build_static: sass openbeat/web/assets/openbeat.scss"
  node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map --quiet-deps \
    openbeat/web/assets/openbeat.scss "$CSS"
fi
echo "build_static: front-end files are in $OUT"
