#!/usr/bin/env bash
# A workshop with no internet, in one command, for a trainer on a laptop
# (Debian 12): sets up and builds what it needs once, then runs
# `highland-hub workshop` on every interface with the demo village, a card
# per trainee and the projector page, until Ctrl-C. Arguments go to it,
# such as `--trainees 12` or `--data-dir DIR` (docs/workshop.md). Run it
# again to carry the same class on.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh >/dev/null
export PATH="$HOME/.cargo/bin:$PATH"
echo "workshop: building the hub (the first time takes a few minutes)"
cargo build --release --quiet -p highland-hub -p highland-cli
exec ./target/release/highland-hub workshop "$@"
