#!/usr/bin/env bash
# The staff console in a real browser: starts a hub on 127.0.0.1 with a
# fresh database, adds a member of staff and a seller whose device (the real
# `highland` binary) lists yak meat, then runs tests/browser/console.spec.mjs
# (playwright-core driving Debian's headless chromium), after
# tests/browser/rounds.spec.mjs (a collection round planned, filled, loaded
# and costed from the console); then records a lot's
# chain (a harvest on the device, receiving, processing and inspection on
# the hub) and runs tests/browser/trace.spec.mjs on its public trace page. It does so on SQLite,
# and again on PostgreSQL when HIGHLAND_TEST_POSTGRES_URL names a server
# started by scripts/pg.sh (as scripts/test.sh does). Screenshots go to
# artifacts/browser/sqlite/ and artifacts/browser/postgres/. Last, it starts
# `highland-hub workshop` (its own SQLite database) on every interface, so
# the browser reaches it at the LAN address a trainer would use, and runs
# tests/browser/projector.spec.mjs; screenshots in artifacts/browser/workshop/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$HOME/.cargo/bin:$PATH"

sudo_="" && [ "$(id -u)" -ne 0 ] && sudo_=sudo
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "== installing Debian's nodejs and npm"
    $sudo_ apt-get install -y nodejs npm || { $sudo_ apt-get update -q && $sudo_ apt-get install -y nodejs npm; }
fi
if ! command -v chromium >/dev/null; then
    echo "== installing Debian's chromium"
    $sudo_ apt-get install -y chromium || { $sudo_ apt-get update -q && $sudo_ apt-get install -y chromium; }
fi
# Without a CJK font the Chinese screenshots show empty boxes.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    echo "== installing a Chinese font (fonts-noto-cjk)"
    $sudo_ apt-get install -y fonts-noto-cjk || { $sudo_ apt-get update -q && $sudo_ apt-get install -y fonts-noto-cjk; }
fi
# The trace page's Tibetan: without a Tibetan font Chromium draws boxes.
if ! fc-list :lang=bo 2>/dev/null | grep -q .; then
    echo "== installing a Tibetan font (fonts-noto-core)"
    $sudo_ apt-get install -y fonts-noto-core || { $sudo_ apt-get update -q && $sudo_ apt-get install -y fonts-noto-core; }
fi
if [ ! -d tests/browser/node_modules ]; then
    echo "== npm install (tests/browser)"
    if [ -f tests/browser/package-lock.json ]; then
        (cd tests/browser && npm ci --no-audit --no-fund)
    else
        (cd tests/browser && npm install --no-audit --no-fund)
    fi
fi

echo "== cargo build -p highland-hub -p highland-cli"
cargo build -p highland-hub -p highland-cli
hub_bin=$root/target/debug/highland-hub
highland_bin=$root/target/debug/highland

work=$(mktemp -d)
hub_pid=""
cleanup() {
    if [ -n "$hub_pid" ]; then kill "$hub_pid" 2>/dev/null || true; wait "$hub_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

run_console_test() {
    local backend=$1
    shift
    local database=("$@")
    local device="$work/device-$backend"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    url="http://127.0.0.1:$port"
    artifacts=$root/artifacts/browser/$backend
    rm -rf "$artifacts" && mkdir -p "$artifacts"

    "$hub_bin" "${database[@]}" serve --listen "127.0.0.1:$port" >"$artifacts/hub.log" 2>&1 &
    hub_pid=$!
    for _ in $(seq 1 100); do
        curl -fsS "$url/healthz" >/dev/null 2>&1 && break
        sleep 0.1
    done
    curl -fsS "$url/healthz" >/dev/null

    json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }
    staff_token=$("$hub_bin" "${database[@]}" staff add --name Pema --json | json_field token)
    code=$("$hub_bin" "${database[@]}" seller add --name Dolma --village Yubeng --json | json_field code)
    "$highland_bin" --data-dir "$device" enroll --hub "$url" --code "$code" >/dev/null
    "$highland_bin" --data-dir "$device" listing add --title "Yak meat" --category yak-meat \
        --unit kg --price 68.50 --stock 10 >/dev/null
    "$highland_bin" --data-dir "$device" sync >/dev/null

    # A village lot, synced, then received, made into jars and inspected at
    # the buyer's: the chain the trace page test opens.
    lot=$("$highland_bin" --data-dir "$device" lot add --village "雨崩 གཡུ་འབབ།" --altitude 3050 \
        --harvested 2026-08-14 --environment "高山草甸 སྤང་ཐང་།")
    village_url=$("$highland_bin" --data-dir "$device" qr --lot "$lot" --out "$work/lot-$backend.svg" --json \
        | json_field url)
    "$highland_bin" --data-dir "$device" sync >/dev/null
    village_code=${village_url##*/}
    trace() { "$hub_bin" "${database[@]}" trace record "$@" --by "卓玛"; }
    trace received --lot "$village_code" --quantity "20 kg" --at 2026-09-01 >/dev/null
    jars=$(trace processed --product "雪山蜂蜜 གངས་རིའི་སྦྲང་རྩི།" --quantity "40 jar" \
        --input "$village_code=20 kg" --at 2026-09-10)
    trace inspected --lot "$jars" --inspector "迪庆州农产品质量检测站" \
        --certificate-number DQ-2026-0917 --result passed --at 2026-09-12 >/dev/null
    "$highland_bin" --data-dir "$device" certificate --lot "$lot" --out "$work/certificate-$backend.pdf" \
        --quantity 20 --unit kg --product "蜂蜜 སྦྲང་རྩི།" >/dev/null
    "$highland_bin" --data-dir "$device" sync >/dev/null

    start=$(date +%s)
    # Rounds first: the console's spec revokes the device at its end.
    for spec in rounds.spec.mjs console.spec.mjs; do
        echo "== node --test tests/browser/$spec (hub on $backend at $url)"
        (cd tests/browser && HUB_URL="$url" STAFF_NAME=Pema STAFF_TOKEN="$staff_token" \
            VILLAGE=Yubeng LISTING_TITLE="Yak meat" HIGHLAND_BIN="$highland_bin" \
            DEVICE_DIR="$device" ARTIFACTS="$artifacts" node --test "$spec")
    done
    echo "== node --test tests/browser/trace.spec.mjs (the public trace page, hub on $backend)"
    (cd tests/browser && PRODUCT_URL="$url/t/$jars" VILLAGE_URL="$village_url" \
        ARTIFACTS="$artifacts" node --test trace.spec.mjs)
    echo "== browser test on $backend passed in $(($(date +%s) - start))s; screenshots in artifacts/browser/$backend/"
    kill "$hub_pid" 2>/dev/null || true
    wait "$hub_pid" 2>/dev/null || true
    hub_pid=""
}

run_projector_test() {
    artifacts=$root/artifacts/browser/workshop
    rm -rf "$artifacts" && mkdir -p "$artifacts"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("0.0.0.0", 0)); print(s.getsockname()[1])')
    "$hub_bin" workshop --json --data-dir "$work/workshop" --listen "0.0.0.0:$port" --trainees 3 \
        --no-advertise --order-after-secs 1 >"$work/workshop.json" 2>"$artifacts/hub.log" &
    hub_pid=$!
    for _ in $(seq 1 300); do
        [ -s "$work/workshop.json" ] && break
        sleep 0.1
    done
    field() { python3 -c "import json,sys; print(eval('json.load(sys.stdin)' + sys.argv[1]))" "$1" <"$work/workshop.json"; }
    url=$(field '["hub_url"]')
    echo "== node --test tests/browser/projector.spec.mjs (workshop at $url)"
    start=$(date +%s)
    (cd tests/browser && HUB_URL="$url" STAFF_TOKEN="$(field '["staff_token"]')" \
        TRAINEE_CODE="$(field '["trainees"][0]["code"]')" TRAINEES=3 HIGHLAND_BIN="$highland_bin" \
        DEVICE_DIR="$work/trainee" ARTIFACTS="$artifacts" node --test projector.spec.mjs)
    echo "== workshop browser test passed in $(($(date +%s) - start))s; screenshots in artifacts/browser/workshop/"
    kill "$hub_pid" 2>/dev/null || true
    wait "$hub_pid" 2>/dev/null || true
    hub_pid=""
}

run_console_test sqlite --data-dir "$work/hub"
if [ -n "${HIGHLAND_TEST_POSTGRES_URL:-}" ]; then
    db_url=$(./scripts/pg.sh createdb "browser_$(date +%s)_$$")
    run_console_test postgres --database-url "$db_url"
fi
run_projector_test
