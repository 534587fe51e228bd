#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the hub's tests and benchmarks.
#
#   scripts/pg.sh start   # creates and starts one (idempotent), prints its URL
#   scripts/pg.sh url     # prints the URL of the running one
#   scripts/pg.sh createdb NAME  # a new empty database on it; prints its URL
#   scripts/pg.sh stop    # stops it and removes its directory
#
# The cluster lives in a temporary directory recorded in $HIGHLAND_PG_STATE
# (default target/pg-cluster.state), listens on 127.0.0.1 only, on a free
# port, trusts local connections (it holds nothing but test data), and has a
# database named `highland`. initdb refuses to run as root, so as root the
# cluster belongs to the `postgres` system user that Debian's package makes.
# Exits non-zero when it cannot start a cluster: tests then fail, not skip.
set -euo pipefail
cd "$(dirname "$0")/.."

STATE="${HIGHLAND_PG_STATE:-$PWD/target/pg-cluster.state}"

find_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ]; then
            PGBIN="$dir"
        fi
    done
    [ -n "${PGBIN:-}" ]
}

install_postgres() {
    if find_bin; then return; fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "pg.sh: PostgreSQL is not installed; run: sudo apt-get install -y postgresql" >&2
        exit 1
    fi
    echo "pg.sh: installing Debian's postgresql package" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 ||
        { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; }
    find_bin || { echo "pg.sh: no initdb after installing postgresql" >&2; exit 1; }
}

# Runs a command as the cluster's owner.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        # -s: the postgres user's shell may be nologin-like on some systems.
        su -s /bin/sh postgres -c "$(printf '%q ' "$@")"
    else
        "$@"
    fi
}

owner_name() {
    if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

free_port() {
    python3 - <<'EOF' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

running() {
    [ -f "$STATE" ] || return 1
    # shellcheck disable=SC1090
    . "$STATE"
    find_bin || return 1
    as_owner "$PGBIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1
}

print_url() {
    # shellcheck disable=SC1090
    . "$STATE"
    echo "postgres://$PGUSER_NAME@127.0.0.1:$PGPORT_NUM/highland"
}

start() {
    if running; then
        print_url
        return
    fi
    [ -f "$STATE" ] && stop >/dev/null 2>&1 || true
    install_postgres
    local dir port user
    dir="$(mktemp -d /tmp/highland-pg.XXXXXX)"
    chmod 755 "$dir"
    user="$(owner_name)"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
    as_owner "$PGBIN/initdb" -D "$dir/data" -U "$user" -A trust -E UTF8 --no-locale \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    mkdir -p "$(dirname "$STATE")"
    local tries=0
    while :; do
        port="$(free_port)"
        # The socket directory is the cluster's own, so no /run/postgresql is needed.
        if as_owner "$PGBIN/pg_ctl" -D "$dir/data" -w -t 60 -l "$dir/server.log" \
            -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off \
                -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
            break
        fi
        tries=$((tries + 1))
        if [ "$tries" -ge 3 ]; then
            cat "$dir/server.log" >&2
            echo "pg.sh: PostgreSQL did not start" >&2
            exit 1
        fi
    done
    cat >"$STATE" <<EOF
PGBIN=$PGBIN
PGROOT_DIR=$dir
PGDATA_DIR=$dir/data
PGPORT_NUM=$port
PGUSER_NAME=$user
EOF
    as_owner "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U "$user" highland
    print_url
}

stop() {
    [ -f "$STATE" ] || return 0
    # shellcheck disable=SC1090
    . "$STATE"
    if find_bin; then
        as_owner "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null 2>&1 || true
    fi
    case "$PGROOT_DIR" in
        /tmp/highland-pg.*) rm -rf "$PGROOT_DIR" ;;
    esac
    rm -f "$STATE"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url)
        running || { echo "pg.sh: no cluster running; run scripts/pg.sh start" >&2; exit 1; }
        print_url
        ;;
    createdb)
        name="${2:?usage: $0 createdb NAME}"
        running || { echo "pg.sh: no cluster running; run scripts/pg.sh start" >&2; exit 1; }
        as_owner "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT_NUM" -U "$PGUSER_NAME" "$name"
        echo "postgres://$PGUSER_NAME@127.0.0.1:$PGPORT_NUM/$name"
        ;;
    *)
        echo "usage: $0 start|stop|url|createdb NAME" >&2
        exit 2
        ;;
esac
