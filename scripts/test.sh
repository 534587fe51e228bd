#!/usr/bin/env bash
# Sets up and runs every check and test, as CI does: formatting, lints, and
# the whole test suite with cargo-nextest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

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
