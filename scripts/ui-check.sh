#!/usr/bin/env bash
# Checks the front end as CI does: installs the locked node packages, then
# type-checks (svelte-check, strict TypeScript), lints, runs the unit and
# component tests, and builds the production bundle into ui/dist.
# Idempotent; needs Node 20.19+ and npm.
set -euo pipefail
cd "$(dirname "$0")/../ui"

echo "== npm ci (ui)"
npm ci --no-audit --no-fund
echo "== svelte-check"
npm run check
echo "== eslint"
npm run lint
echo "== vitest"
npm test
echo "== vite build"
npm run build
npm run --silent size
