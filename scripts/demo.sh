#!/usr/bin/env bash
# The main job, for a newcomer: builds Highland and walks through a seller's
# day on a fresh data directory, with no network and nothing else to install;
# then starts a hub on this machine, syncs the day to it, has the buyer order
# from it, and, on a desktop (a $DISPLAY), opens the seller's app on the same
# data, enrolled with that hub. Close the window to end the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --release --quiet -p highland-cli -p highland-hub
highland() { ./target/release/highland --data-dir "$DATA" "$@"; }
hub() { ./target/release/highland-hub --data-dir "$DATA.hub" "$@"; }
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
echo

echo "== The buyer's hub, on this machine"
hub_log="$DATA.hub.log"
hub serve --listen 127.0.0.1:0 >"$DATA.hub.addr" 2>"$hub_log" &
hub_pid=$!
trap 'kill "$hub_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "listening on" "$DATA.hub.addr" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$DATA.hub.addr")
echo "The hub serves at $url (its data: $DATA.hub)"
code=$(hub seller add --name "Dolma བསོད་ནམས" --village "ཡུ་བེང 雨崩村" --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])')
step enroll --hub "$url" --code "$code"
highland enroll --hub "$url" --code "$code"
step sync
highland sync
printf '\n\033[1m$ highland-hub order place --listing %s --quantity 3 --price 66\033[0m\n' "$yak"
hub order place --listing "$yak" --quantity 3 --price 66 --note "风干 dried, please"
step sync
highland sync
step order list
highland order list

echo
echo "== The lot's chain: a certificate from the seller, then the buyer's steps and labels"
step certificate --lot "$lot" --out "$DATA/certificate.pdf"
highland certificate --lot "$lot" --out "$DATA/certificate.pdf"
step sync
highland sync
trace_url=$(highland qr --lot "$lot" --out "$DATA/lot.svg" --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')
code=${trace_url##*/}
hubstep() { printf '\n\033[1m$ highland-hub %s\033[0m\n' "$*"; }
hubstep trace record received --lot "$code" --quantity "2.5 jin" --by "Pema"
hub trace record received --lot "$code" --quantity "2.5 jin" --by "Pema"
hubstep trace record processed --product "松茸干 ཤ་མོ་སྐམ་པོ།" --quantity "10 jar" --input "$code=2.5 jin" --by Pema
jars=$(hub trace record processed --product "松茸干 ཤ་མོ་སྐམ་པོ།" --quantity "10 jar" \
  --input "$code=2.5 jin" --by Pema)
echo "$jars"
hubstep trace record inspected --lot "$jars" --inspector "迪庆州检测站" --certificate-number DQ-0917 --result passed --by Pema
hub trace record inspected --lot "$jars" --inspector "迪庆州检测站" --certificate-number DQ-0917 \
  --result passed --by Pema
hubstep label --lot "$jars" --lot "$code" --base-url "$url" --out "$DATA/labels.pdf"
hub label --lot "$jars" --lot "$code" --base-url "$url" --out "$DATA/labels.pdf"
echo
echo "The seller's certificate slip: $DATA/certificate.pdf; the label sheet: $DATA/labels.pdf"
echo "Each label's QR opens its lot's page, such as $url/t/$jars"
echo "(in Chinese, Tibetan or English: add ?lang=zh-Hans, ?lang=bo or ?lang=en)."

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo
  echo "No desktop here (no \$DISPLAY): on a desktop this demo opens the seller's app next."
  exit 0
fi
echo
echo "== The seller's app, on the same data, enrolled with the hub (close the window to end)"
./scripts/app-deps.sh >/dev/null
(cd ui && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run --silent build >/dev/null)
cargo build --quiet -p highland-app --features custom-protocol
HIGHLAND_APP_DATA_DIR="$DATA" ./target/debug/highland-app
