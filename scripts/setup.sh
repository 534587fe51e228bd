#!/usr/bin/env bash
# Installs what building and testing Highland needs on Debian 12, as root.
# Idempotent: run it as often as you like; it installs only what is missing.
set -euo pipefail

need_apt=()
# The fonts are what `highland certificate` and `highland-hub label` embed in
# their PDFs: Noto Serif Tibetan (fonts-noto-core) and Noto Sans CJK.
# util-linux's unshare and iproute2's ip give the mDNS discovery tests a
# network namespace of their own (highland_discovery::lan_test).
for pkg in build-essential pkg-config ca-certificates curl git python3 \
  fonts-noto-core fonts-noto-cjk util-linux iproute2; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}"
fi

# Rust: the workspace needs edition 2024 (Rust 1.90 or later). Debian's own
# rustc is far older, so use rustup's toolchain when there is none.
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: installing Rust with rustup"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal \
    --component rustfmt,clippy
fi
rust_minor=$(rustc --version | sed -E 's/rustc 1\.([0-9]+).*/\1/')
if [ "$rust_minor" -lt 90 ]; then
  echo "setup: Rust $(rustc --version) is too old; Highland needs 1.90 or later (rustup update)" >&2
  exit 1
fi
for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    rustup component add "$component"
  fi
done
if ! cargo nextest --version >/dev/null 2>&1; then
  echo "setup: installing cargo-nextest"
  cargo install cargo-nextest --locked
fi
