#!/usr/bin/env bash
# The README's quick start: the lab's walk-through with amr.
#
#   scripts/demo.sh [--local]
#
# Builds build/amr when it is missing. Uses the server your configuration names
# (REDIS_HOST / REDIS_URL in the environment, or .env in the project root) when
# `amr ping` reaches it; otherwise (or with --local) it starts a local Redis that behaves
# like Azure Managed Redis (TLS, a CA it makes, a password; scripts/local-redis.sh, which
# as root installs redis-server, redis-tools and openssl when they are missing) with
# its own temporary .env, so yours is left alone. Then:
#   1. `amr subscribe orders:created` runs in the background;
#   2. `amr publish --preset order_created` is received and displayed;
#   3. `amr publish --preset order_shipped` reaches no subscriber.
# Everything it started is stopped on exit. Exits 0 when the walk-through works.
#
# AMR_BIN: the binary (default build/amr). AMR_LOCAL_PORT: the local server's port
# (default the first free one from 10000).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

force_local=0
case "${1:-}" in
    '') ;;
    --local) force_local=1 ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "demo.sh: unknown argument '$1' (try --help)" >&2
        exit 2
        ;;
esac

bold=''
plain=''
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    bold=$'\e[1m'
    plain=$'\e[0m'
fi
narrate() { printf '\n%s==> %s%s\n' "$bold" "$*" "$plain"; }
fail() {
    echo "demo.sh: $*" >&2
    exit 1
}

AMR=${AMR_BIN:-$ROOT/build/amr}
if [ ! -x "$AMR" ]; then
    [ -z "${AMR_BIN:-}" ] || fail "AMR_BIN=$AMR_BIN is not an executable"
    narrate "Building amr (scripts/build.sh)"
    scripts/build.sh
    [ -x "$AMR" ] || fail "scripts/build.sh did not produce $AMR"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/amr-demo.XXXXXX")
sub_pid=''
local_started=0
cleanup() {
    local rc=$?
    if [ -n "$sub_pid" ] && kill -0 "$sub_pid" 2>/dev/null; then
        kill -TERM "$sub_pid" 2>/dev/null || true
        wait "$sub_pid" 2>/dev/null || true
    fi
    if [ "$local_started" = 1 ]; then
        scripts/local-redis.sh stop --dir "$tmp/server" --env-file "$tmp/amr.env" 2>/dev/null || true
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

amr() { "$AMR" "${amr_args[@]}" "$@"; }
amr_args=()

configured=0
if [ -n "${REDIS_HOST:-}${REDIS_URL:-}" ] || [ -f .env ]; then
    configured=1
fi

if [ "$force_local" = 0 ] && [ "$configured" = 1 ] && "$AMR" --connect-timeout 5 ping >/dev/null 2>&1; then
    narrate "Using the Redis server from your configuration ($([ -n "${REDIS_HOST:-}${REDIS_URL:-}" ] && echo environment || echo .env))"
    "$AMR" --connect-timeout 5 ping
else
    if [ "$configured" = 1 ] && [ "$force_local" = 0 ]; then
        narrate "Your configuration does not reach a server; using a local one instead"
    fi
    port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
    port=${AMR_LOCAL_PORT:-}
    if [ -z "$port" ]; then
        for candidate in $(seq 10000 10099); do
            if ! port_in_use "$candidate"; then
                port=$candidate
                break
            fi
        done
        [ -n "$port" ] || fail "no free port in 10000-10099"
    fi
    narrate "Starting a local Redis that behaves like Azure Managed Redis (TLS on port $port, a password)"
    local_started=1
    scripts/local-redis.sh start --dir "$tmp/server" --env-file "$tmp/amr.env" --port "$port"
    # Only the temporary .env may configure amr now.
    unset REDIS_HOST REDIS_PORT REDIS_KEY REDIS_USER REDIS_TLS REDIS_CACERT REDIS_URL
    amr_args=(--env-file "$tmp/amr.env")
    echo "amr ping:"
    amr ping
fi

narrate "Terminal 1: amr subscribe orders:created"
# Started directly (not through the amr function) so that $! is amr itself.
"$AMR" "${amr_args[@]}" subscribe orders:created >"$tmp/sub.out" 2>"$tmp/sub.err" &
sub_pid=$!
for _ in $(seq 1 300); do
    grep -q "Subscribed" "$tmp/sub.err" 2>/dev/null && break
    kill -0 "$sub_pid" 2>/dev/null || break
    sleep 0.1
done
if ! grep -q "Subscribed" "$tmp/sub.err"; then
    cat "$tmp/sub.err" >&2
    fail "the subscriber did not start"
fi
cat "$tmp/sub.err"

narrate "Terminal 2: amr publish --preset order_created   (the subscriber gets it)"
amr publish --preset order_created --output report --min-receivers 1 ||
    fail "order_created did not reach the subscriber"

rule=$(printf '\xe2\x94\x80%.0s' $(seq 1 50))
for _ in $(seq 1 300); do
    [ "$(grep -c "^$rule\$" "$tmp/sub.out" 2>/dev/null || true)" -ge 2 ] && break
    sleep 0.1
done
narrate "Terminal 1 shows, in the lab's format:"
cat "$tmp/sub.out"
grep -q "Customer: Jane Doe" "$tmp/sub.out" || fail "the subscriber did not display order_created"

narrate "Terminal 2: amr publish --preset order_shipped   (nobody listens on orders:shipped)"
shipped=$(amr publish --preset order_shipped --output report)
echo "$shipped"
grep -q "Active subscribers: 0" <<<"$shipped" || fail "order_shipped should have reached no subscriber"

# SIGTERM: background jobs of a script ignore SIGINT; amr ends cleanly on either.
narrate "Stopping the subscriber"
kill -TERM "$sub_pid"
sub_rc=0
wait "$sub_pid" || sub_rc=$?
sub_pid=''
[ "$sub_rc" = 0 ] || fail "the subscriber exited with $sub_rc"
if grep -q order_shipped "$tmp/sub.out"; then
    fail "the subscriber received order_shipped"
fi
echo "amr subscribe exited with 0; it received order_created and not order_shipped."

narrate "Done. Try: amr psubscribe 'orders:*'   amr broadcast   amr subscribe -j orders:created | jq ."
