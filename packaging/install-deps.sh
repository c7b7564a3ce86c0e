#!/usr/bin/env bash
# Installs what DiscDesk needs to build and test on Debian 12, as root (or
# with sudo). Idempotent: installs only what is missing, so `make test` can
# call it every time.
set -euo pipefail
PKGS=(
  # build: cgo and Fyne's GL/X11 headers; codecs through cgo
  gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev
  libxi-dev libxxf86vm-dev libcharls-dev libopenjp2-7-dev gcc-mingw-w64-x86-64
  # independent DICOM judges and peers used by the tests
  dcmtk dicom3tools python3-pydicom libgdcm-tools orthanc orthanc-dicomweb
  # discs and documents
  xorriso genisoimage poppler-utils libxml2-utils
  # GUI tests in a real window
  xvfb xauth x11-utils imagemagick
  # benchmarks and packaging
  time zip file lintian
  # second round: facility database, printing, every script in print,
  # current codecs, browser-viewer tests, the third DICOM peer (npm)
  postgresql cups cups-client printer-driver-cups-pdf fonts-noto-cjk fonts-dejavu-core fonts-droid-fallback
  openjph-tools libopenjph-dev libjxl-dev libjxl-tools chromium firefox-esr
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Debian starts the Orthanc service on install where it can; the tests
  # start their own servers on free ports.
  $SUDO service orthanc stop >/dev/null 2>&1 || true
fi
# Node.js (the image's own build carries npm) for the browser-viewer tests
# (playwright-core driving Debian's chromium and firefox-esr) and dcmjs-dimse.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi
# playwright-core and dcmjs-dimse, pinned in packaging/node/package-lock.json.
if [ ! -d "$(dirname "$0")/node/node_modules/playwright-core" ] || [ ! -d "$(dirname "$0")/node/node_modules/dcmjs-dimse" ]; then
  (cd "$(dirname "$0")/node" && npm ci --no-audit --no-fund --loglevel=error)
fi
if ! command -v staticcheck >/dev/null 2>&1 && [ ! -x "$(go env GOPATH)/bin/staticcheck" ]; then
  GOFLAGS= go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
