#!/usr/bin/env bash
# Writes the frozen fixture of an earlier schema version: a database as the
# build that had VERSION as its newest schema left it.
#
#   scripts/schema-fixtures.sh engine|hub VERSION
#
# writes crates/<engine|hub>/tests/fixtures/schema_vVERSION.sql. Each
# migration 1..VERSION is taken from git as it was when VERSION was the
# newest (the first parent of the commit that added migration VERSION+1),
# never from the working tree; after migration k, the rows of
# tests/fixtures/seeds/k_*.sql (what a seller or hub did while k was the
# newest) are inserted, so older rows go through the later migrations as
# they did in the field. Run it once, when migration VERSION+1 is added,
# for the version that was newest until then; a fixture is never edited
# afterwards (the test of each version names it in open.rs or upgrades.rs).
set -euo pipefail

crate=${1:?engine or hub}
version=${2:?the schema version to freeze}
root=$(git rev-parse --show-toplevel)
cd "$root"
case $crate in
  engine)
    migrations=crates/engine/src/db/migrations
    application_id=1212957745 # "HLD1"
    what="device store"
    ;;
  hub)
    migrations=crates/hub/src/db/migrations
    application_id=1212958769 # "HLH1"
    what="hub database"
    ;;
  *) echo "engine or hub, not $crate" >&2; exit 2 ;;
esac
fixtures=crates/$crate/tests/fixtures
out=$fixtures/schema_v$version.sql
if [ -e "$out" ]; then
  echo "$out exists: a frozen fixture is never rewritten" >&2
  exit 1
fi
next=$(printf '%04d' $((version + 1)))
added=$(git log --first-parent --diff-filter=A --format=%H -- "$migrations/${next}_*.sql" | tail -1)
if [ -z "$added" ]; then
  echo "migration $next is not committed yet: schema $version is still the newest" >&2
  exit 1
fi
rev="$added^1"
this=$(printf '%04d' "$version")
if ! git ls-tree --name-only "$rev" "$migrations/" | grep -q "/${this}_.*\.sql$"; then
  echo "schema $version was never the newest of a build: migration $this came in one commit with $next" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  echo "PRAGMA foreign_keys = ON;"
  echo "BEGIN;"
  for k in $(seq 1 "$version"); do
    name=$(printf '%04d' "$k")
    file=$(git ls-tree --name-only "$rev" "$migrations/" | grep "/${name}_.*\.sql$")
    git show "$rev:$file"
    echo
    for seed in "$fixtures"/seeds/"${name}"_*.sql; do
      [ -e "$seed" ] && cat "$seed"
    done
  done
  echo "COMMIT;"
  echo "PRAGMA application_id = $application_id;"
  echo "PRAGMA user_version = $version;"
} > "$work/build.sql"
sqlite3 -bail "$work/db" < "$work/build.sql"

{
  echo "-- A Highland $what at schema $version, frozen: migrations 1..$version as"
  echo "-- of commit $(git rev-parse --short "$rev"), with the rows of seeds/0001..$(printf '%04d' "$version")."
  echo "-- Written by scripts/schema-fixtures.sh. Never edit: it is what the field holds."
  sqlite3 "$work/db" .dump
  echo "PRAGMA application_id = $application_id;"
  echo "PRAGMA user_version = $version;"
} > "$out"
echo "wrote $out"
