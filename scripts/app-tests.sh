#!/usr/bin/env bash
# The app in its real window: installs what it needs (scripts/app-deps.sh),
# builds the UI and the app with the UI embedded, then runs the WebDriver
# tests of tests/tests/app_window.rs under Xvfb (tauri-driver driving
# Debian's WebKitWebDriver), each on a fresh data directory, one against a
# real hub on loopback. Screenshots go to artifacts/app/.
# `--bench` runs the launch measurement of docs/bench.md instead (1,000
# listings; it prints launch time and memory).
# Safe to run again: every step reuses what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

./scripts/app-deps.sh

echo "== ui: install and build (ui/dist)"
if [ ! -d ui/node_modules ]; then
  (cd ui && npm ci --no-audit --no-fund)
fi
(cd ui && npm run build)

echo "== the app, the hub and the CLI (debug, the UI embedded)"
# Trusting the test release key (tests/fixtures/release-key), so the update
# test can sign a release this build installs; a shipped build is made with
# the publisher's key instead (docs/releases.md).
HIGHLAND_RELEASE_PUBKEY="$(cat tests/fixtures/release-key/test.key.pub)" \
  cargo build -p highland-app --features custom-protocol
cargo build -p highland-hub -p highland-cli
# A copy the tests start, so a later build of the library without the
# feature cannot swap the binary under them.
mkdir -p target/app-e2e artifacts/app
cp target/debug/highland-app target/app-e2e/highland-app

echo "== real-window tests under Xvfb"
export HIGHLAND_APP_BIN=$PWD/target/app-e2e/highland-app
export HIGHLAND_E2E_NO_BUILD=1
filter='not test(launch_with_a_thousand_listings)'
extra=()
if [ "${1:-}" = "--bench" ]; then
  filter='test(launch_with_a_thousand_listings)'
  extra=(--no-capture)
fi
xvfb-run -a --server-args="-screen 0 1280x900x24" \
  cargo nextest run -p highland-e2e --test app_window --run-ignored only \
  --test-threads 1 --no-fail-fast -E "$filter" "${extra[@]}"
echo "== screenshots in artifacts/app/"
ls artifacts/app
