#!/usr/bin/env bash
# The project's one test command: makes sure PostgreSQL and NATS (with JetStream) are
# installed and running on this machine, and Debian's Chromium and chromedriver installed
# (for the review page's browser test), then runs every test of the workspace, including
# the end-to-end test on the real servers. Extra arguments go to `cargo test`.
#
# Servers elsewhere: set NEWSROOM_TEST_DATABASE_URL (a PostgreSQL server URL) and/or
# NEWSROOM_TEST_NATS_URL (nats://host:port); the script then leaves the local one alone
# and only checks that the given one answers.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL="${NEWSROOM_TEST_DATABASE_URL:-}"
NATS_URL="${NEWSROOM_TEST_NATS_URL:-}"
NATS_HOST=127.0.0.1
NATS_PORT=4222
NATS_BIN=/usr/sbin/nats-server
NATS_STORE=/var/lib/nats-server
WAIT_SECONDS=60

say() { echo "==> $*" >&2; }
die() {
    echo >&2
    echo "!!! scripts/test.sh: $*" >&2
    echo "!!! The tests need PostgreSQL, NATS with JetStream and Chromium; no tests were run." >&2
    exit 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=no
apt_install() {
    if [ "$apt_updated" = no ]; then
        say "apt-get update"
        as_root apt-get update -qq || die "apt-get update failed"
        apt_updated=yes
    fi
    say "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
        || die "apt-get install $* failed"
}

# Whether something accepts TCP connections on host $1, port $2.
tcp_open() {
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# Runs "$@" until it succeeds, at most WAIT_SECONDS.
wait_for() {
    local deadline=$((SECONDS + WAIT_SECONDS))
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 1
    done
}

pg_local_ready() { pg_isready -q -h 127.0.0.1 -p 5432; }
pg_url_ready() { pg_isready -q -d "$PG_URL"; }

# --- PostgreSQL -------------------------------------------------------------------------
if [ -n "$PG_URL" ]; then
    command -v pg_isready >/dev/null || apt_install postgresql-client
    say "PostgreSQL: using NEWSROOM_TEST_DATABASE_URL"
    wait_for pg_url_ready || die "PostgreSQL at NEWSROOM_TEST_DATABASE_URL does not answer"
else
    fresh_install=no
    if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
        apt_install postgresql
        fresh_install=yes
    fi
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    if [ "$fresh_install" = yes ]; then
        # The tests connect as postgres@127.0.0.1 without a password (a test machine only).
        hba="/etc/postgresql/$version/main/pg_hba.conf"
        if ! grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
            say "PostgreSQL: trusting local TCP connections for the tests ($hba)"
            as_root sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
        fi
    fi
    if ! pg_local_ready; then
        say "starting PostgreSQL $version"
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start \
            || die "PostgreSQL $version would not start (pg_ctlcluster $version main start)"
    fi
    wait_for pg_local_ready || die "PostgreSQL does not answer on 127.0.0.1:5432"
    if [ "$fresh_install" = yes ]; then
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    fi
    say "PostgreSQL $version answers on 127.0.0.1:5432"
fi

# --- NATS -------------------------------------------------------------------------------
if [ -n "$NATS_URL" ]; then
    hostport="${NATS_URL#*://}"
    hostport="${hostport%%/*}"
    hostport="${hostport##*@}"
    NATS_HOST="${hostport%:*}"
    NATS_PORT="${hostport##*:}"
    say "NATS: using NEWSROOM_TEST_NATS_URL"
    wait_for tcp_open "$NATS_HOST" "$NATS_PORT" || die "NATS at NEWSROOM_TEST_NATS_URL does not answer"
else
    [ -x "$NATS_BIN" ] || apt_install nats-server
    [ -x "$NATS_BIN" ] || die "nats-server is not at $NATS_BIN after installing it"
    if ! tcp_open "$NATS_HOST" "$NATS_PORT"; then
        say "starting nats-server with JetStream"
        as_root mkdir -p "$NATS_STORE"
        as_root start-stop-daemon --start --oknodo --background --exec "$NATS_BIN" -- \
            -a "$NATS_HOST" -p "$NATS_PORT" -js -sd "$NATS_STORE" \
            || die "nats-server would not start"
    fi
    wait_for tcp_open "$NATS_HOST" "$NATS_PORT" || die "NATS does not answer on $NATS_HOST:$NATS_PORT"
    say "NATS answers on $NATS_HOST:$NATS_PORT"
fi

# --- Chromium (the review page's end-to-end test in a headless browser) -------------------
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || apt_install chromium chromium-driver
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] \
    || die "chromium or chromedriver is not in /usr/bin after installing them"
say "Chromium and chromedriver are installed"

# --- Tests ------------------------------------------------------------------------------
say "cargo test --workspace --locked $*"
exec cargo test --workspace --locked "$@"
