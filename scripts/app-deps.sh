#!/usr/bin/env bash
# Installs what building, bundling and testing the Tauri app (src-tauri)
# needs on Debian 12, as root: WebKitGTK and friends for the build, Xvfb and
# WebKitWebDriver for the real-window tests, tauri-driver, Node and npm for
# the UI and the Tauri CLI, and the fonts the screens need (Noto Serif
# Tibetan in fonts-noto-core, Chinese in fonts-noto-cjk; highland-print
# embeds the same two), and poppler-utils and zbar-tools, with which
# highland-print's tests render its PDFs and read their QR codes back.
# Idempotent: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

sudo_="" && [ "$(id -u)" -ne 0 ] && sudo_=sudo
packages=(
  build-essential pkg-config libssl-dev libxdo-dev
  libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev libsoup-3.0-dev libgtk-3-dev
  libayatana-appindicator3-dev librsvg2-dev
  xvfb xauth webkit2gtk-driver
  fonts-noto-core fonts-noto-cjk
  zbar-tools poppler-utils
)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Node may come from elsewhere (NodeSource ships npm inside nodejs).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "app-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_ apt-get update -qq
  $sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# tauri-driver speaks WebDriver to the tests and starts the app under
# WebKitWebDriver (from webkit2gtk-driver).
if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "app-deps: cargo install tauri-driver --locked"
  cargo install tauri-driver --locked
fi

# The Tauri CLI (prebuilt, from npm) for `tauri build`: see package.json.
if [ ! -x node_modules/.bin/tauri ]; then
  echo "app-deps: npm install (the Tauri CLI)"
  if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund
  else
    npm install --no-audit --no-fund
  fi
fi
