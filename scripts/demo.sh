#!/usr/bin/env bash
# The main job, for a newcomer: builds Highland and walks through a seller's
# day on a fresh data directory, with no network and nothing else to install.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --release --quiet -p highland-cli
highland() { ./target/release/highland --data-dir "$DATA" "$@"; }
DATA=$(mktemp -d -t highland-demo.XXXXXX)
echo "A fresh data directory: $DATA"
echo

step() { printf '\n\033[1m$ highland %s\033[0m\n' "$*"; }

step lot add --village "ཡུ་བེང 雨崩村" --altitude 3400 --harvested 2026-09-15 --environment "oak forest"
lot=$(highland lot add --village "ཡུ་བེང 雨崩村" --altitude 3400 --harvested 2026-09-15 --environment "oak forest")
echo "$lot"
step listing add --title "ཤ་མོ 松茸 Matsutake" --category matsutake --unit jin --price 380 --stock 4 --lot "$lot"
matsutake=$(highland listing add --title "ཤ་མོ 松茸 Matsutake" --category matsutake --unit jin \
  --price 380 --stock 4 --lot "$lot")
echo "$matsutake"
step listing add --title "གཡག་ཤ 牦牛肉干" --category yak-meat --unit kg --price 68.50 --stock 12.5
yak=$(highland listing add --title "གཡག་ཤ 牦牛肉干" --category yak-meat --unit kg --price 68.50 --stock 12.5)
echo "$yak"
step sale add --listing "$yak" --quantity 2.5 --payment wechat --buyer "བཀྲ་ཤིས 扎西"
highland sale add --listing "$yak" --quantity 2.5 --payment wechat --buyer "བཀྲ་ཤིས 扎西"
step sale add --listing "$matsutake" --quantity 1.5
highland sale add --listing "$matsutake" --quantity 1.5
step "sale add --listing $yak --quantity 50   (more than the stock: refused)"
highland sale add --listing "$yak" --quantity 50 || true
step stock adjust "$yak" --by -0.5 --reason "spoiled 坏了"
highland stock adjust "$yak" --by -0.5 --reason "spoiled 坏了"
step listing list
highland listing list
step sale list
highland sale list
step status
highland status
echo
echo "Everything above was recorded offline in $DATA/highland.db."
