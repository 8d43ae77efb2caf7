#!/usr/bin/env bash
# Install the Debian libraries WeasyPrint needs to make review PDFs (Pango, HarfBuzz,
# fonts) and poppler-utils (pdftotext, pdftoppm) that the PDF tests read them back with.
# Quiet and quick when everything is already there; needs root (or sudo) and Debian's
# package archive otherwise. Safe to run again.
set -euo pipefail
PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core poppler-utils)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install_pdf_tools: missing ${missing[*]} and apt-get is not available; install them by hand" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
fi
echo "install_pdf_tools: installing ${missing[*]} (review PDFs and their tests)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
