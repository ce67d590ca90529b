#!/usr/bin/env bash
# amr's benchmark: amr side by side with the anchors (redis-benchmark, redis-cli, the lab's
# Python publisher and subscriber) on local redis-servers that this script starts, in one
# run, and a table of rates, ratios and the targets of issue 3 (met or missed).
#
#   scripts/bench.sh [--quick] [--only NAME]... [--runs N] [--sub-runs N] [--amr PATH]
#                    [--out FILE] [--keep]
#
# --quick      small counts, for a smoke run (100 000 lines, 200 000 messages, 10 TLS runs)
# --only NAME  run only this part; repeatable: publish, subscribe (with amr's peak memory),
#              tls, bench, check
# --runs N     repetitions of each publish measurement, the median is reported (default 3,
#              1 with --quick)
# --sub-runs N rounds of amr subscribing alone, per format (default 3, 1 with --quick):
#              whether it keeps up varies from round to round on 2 CPUs
# --amr PATH   the amr binary (default build/amr; built with scripts/build.sh if missing)
# --out FILE   also write the report (markdown) to FILE
# --keep       keep the temporary folder (servers' logs, outputs) and print its path
#
# Measurements:
#  1. publish: `amr publish ch --lines` of N ~100-byte JSON lines, against
#     `redis-benchmark -c 1 -P 64 -n N PUBLISH ch <payload of the same size>` and against
#     `redis-cli` reading `PUBLISH ch '<line>'` commands from stdin (fewer lines: it waits
#     for each reply). Rate = messages / wall time; the server's PUBLISH count is checked.
#     In the same runs: `amr publish ch MESSAGE --count N` (no rate; MESSAGE with
#     {{count}}) against `amr publish ch --lines` of the same N messages, and `amr publish
#     --envelope` of N lines as `subscribe -j` writes them (the payloads of the first row)
#     against that row's --lines; target: each at least 0.9 times --lines.
#  2. subscribe: `redis-benchmark -c C -P 64 -n 2000000 PUBLISH ch <payload>` while one
#     subscriber runs: a reader that only recv()s (scripts/bench/socket_floor.py, the
#     floor: no client drains a connection faster), `amr subscribe --format json ch >
#     /dev/null`, the same with `--format raw`, `redis-cli subscribe ch > file`, the lab's
#     redis-py `pubsub.listen()` loop (scripts/bench/lab_subscriber.py). Two loads: C=50
#     (redis-benchmark's default, the issue's load) and C=4 (fast, but within what the
#     server writes to one connection). Reported: received / published and whether the
#     server disconnected it (the server's default `client-output-buffer-limit pubsub 32mb
#     8mb 60` is kept, and printed).
#  3. tls: one publish over TLS with a password, process start to exit, the three in turn
#     for 50 rounds, medians compared: `amr publish --preset order_created`, `redis-cli
#     --tls PUBLISH`, and the lab's publisher (scripts/bench/lab_publisher.py).
#  4. memory: amr subscribe's peak RSS (GNU time -v) during measurement 2.
#  5. bench (issue 13): `amr bench --subscribers 0 --messages N --size 128` with one and
#     four publishers against `redis-benchmark -c 1|4 -P 64 -n N PUBLISH` with a payload of
#     the same size (both rates as each tool measures them, from its first command to its
#     last reply, not counting start-up; the median of --runs; amr's default --window is
#     1000, not 64); `amr bench --rate 10000 --warmup 1s` with one subscriber (default
#     --threads), its p50 latency against the mean PING round trip of
#     `redis-cli --latency` run just before it for as long; and `amr bench --messages N`
#     with `amr subscribe -j --count N` on its channel: the delivered counts must agree, and
#     the published count with the server's INFO commandstats.
#  6. check (issue 13): `amr check` start to exit against `amr ping` on the plain server,
#     in turn for as many rounds as measurement 3 (after 3 warm-up rounds), medians.
#
# It is a report, not a test: missed targets are marked in the table and do not change the
# exit status. Exit 1 when something failed to run (a server, a tool, a wrong count), 2 for
# a usage error. As root, missing Debian packages are installed with apt-get.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
command_line="scripts/bench.sh${*:+ $*}"
BENCH_DIR=$ROOT/scripts/bench
PY=/usr/bin/python3 # Debian's, with python3-redis: the lab's redis-py

say() { echo "bench: $*" >&2; }
die() {
    say "$*"
    exit 1
}
usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&"${2:-1}"
    exit "${1:-0}"
}

quick=0
only=()
runs=
sub_runs=
amr=$ROOT/build/amr
out_file=
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --only)
            [ $# -ge 2 ] || usage 2 2
            only+=("$2")
            shift
            ;;
        --only=*) only+=("${1#*=}") ;;
        --runs)
            [ $# -ge 2 ] || usage 2 2
            runs=$2
            shift
            ;;
        --runs=*) runs=${1#*=} ;;
        --sub-runs)
            [ $# -ge 2 ] || usage 2 2
            sub_runs=$2
            shift
            ;;
        --sub-runs=*) sub_runs=${1#*=} ;;
        --amr)
            [ $# -ge 2 ] || usage 2 2
            amr=$2
            shift
            ;;
        --amr=*) amr=${1#*=} ;;
        --out)
            [ $# -ge 2 ] || usage 2 2
            out_file=$2
            shift
            ;;
        --out=*) out_file=${1#*=} ;;
        --keep) keep=1 ;;
        -h | --help) usage 0 ;;
        *)
            say "unknown option '$1'"
            usage 2 2
            ;;
    esac
    shift
done
for name in "${only[@]}"; do
    case "$name" in
        publish | subscribe | tls | bench | check) ;;
        memory) ;; # measured with subscribe
        *)
            say "--only takes publish, subscribe, tls, bench or check, not '$name'"
            exit 2
            ;;
    esac
done
case "$out_file" in
    '' | /*) ;;
    *) out_file=$PWD/$out_file ;;
esac
case "${runs:-x}" in
    x) runs=$([ "$quick" = 1 ] && echo 1 || echo 3) ;;
    '' | *[!0-9]* | 0)
        say "--runs must be a positive number"
        exit 2
        ;;
esac
case "${sub_runs:-x}" in
    x) sub_runs=$([ "$quick" = 1 ] && echo 1 || echo 3) ;;
    '' | *[!0-9]* | 0)
        say "--sub-runs must be a positive number"
        exit 2
        ;;
esac
wants() {
    [ ${#only[@]} -eq 0 ] && return 0
    local n
    for n in "${only[@]}"; do
        [ "$n" = "$1" ] && return 0
        [ "$1" = subscribe ] && [ "$n" = memory ] && return 0
    done
    return 1
}

if [ "$quick" = 1 ]; then
    pub_n=100000     # lines for amr and redis-benchmark
    pub_cli_n=10000  # commands for redis-cli
    sub_n=200000     # messages published while subscribers run
    tls_runs=10
else
    pub_n=1000000
    pub_cli_n=100000
    sub_n=2000000
    tls_runs=50
fi

# --- tools ------------------------------------------------------------------------------

# The Debian packages of the tools (and scripts/lib/packages.sh, shared with build.sh and
# test.sh, to install those missing; as root only).
BENCH_PACKAGES=(redis-server redis-tools python3 python3-redis time openssl)
install_missing() {
    if [ -f "$ROOT/scripts/lib/packages.sh" ]; then
        # shellcheck source=lib/packages.sh
        . "$ROOT/scripts/lib/packages.sh"
        PACKAGES_OPTIONAL=1 install_packages "${BENCH_PACKAGES[@]}" ||
            say "could not install ${BENCH_PACKAGES[*]}; going on with what is there"
    fi
}
install_missing
for tool in redis-server redis-cli redis-benchmark awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found (Debian package time)"
"$PY" -c 'import redis' 2>/dev/null || die "$PY cannot import redis (Debian package python3-redis)"
wants tls && { command -v openssl >/dev/null 2>&1 || die "openssl not found"; }

if [ ! -x "$amr" ] && [ "$amr" = "$ROOT/build/amr" ]; then
    say "building $amr"
    "$ROOT/scripts/build.sh" >&2 || die "scripts/build.sh failed"
fi
[ -x "$amr" ] || die "amr binary not found: $amr"
amr=$(cd "$(dirname "$amr")" && pwd)/$(basename "$amr")
amr_has_lines=0
"$amr" publish --help 2>/dev/null | grep -q -- '--lines' && amr_has_lines=1
amr_has_envelope=0
"$amr" publish --help 2>/dev/null | grep -q -- '--envelope' && amr_has_envelope=1

# amr and redis-py read these; the benchmark sets its own.
unset REDIS_HOST REDIS_KEY REDIS_PORT REDIS_USER REDIS_TLS REDIS_CACERT REDIS_URL REDISCLI_AUTH

# --- temporary folder, servers, cleanup ---------------------------------------------------

tmp=$(mktemp -d "${TMPDIR:-/tmp}/amr-bench.XXXXXX")
cd "$tmp" # no stray .env is read from here
server_pids=()
bg_pids=()
cleanup() {
    local pid
    for pid in "${bg_pids[@]}"; do
        kill_tree "$pid"
    done
    for pid in "${server_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${server_pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ "$keep" = 1 ]; then
        say "kept $tmp"
    else
        rm -rf "$tmp"
    fi
}
# A process started as `/usr/bin/time ... CMD &`: stop CMD, and time ends after it, having
# written its report (time itself would die of SIGTERM without one). A process without
# children is stopped itself.
kill_tree() {
    local pid=$1 child children
    kill -0 "$pid" 2>/dev/null || return 0
    children=$(pgrep -P "$pid" 2>/dev/null || true)
    if [ -n "$children" ]; then
        for child in $children; do kill -TERM "$child" 2>/dev/null || true; done
    else
        kill -TERM "$pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failures=()
fail() {
    failures+=("$*")
    say "FAILED: $*"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
    local p i
    for i in $(seq 1 100); do
        p=$((20000 + RANDOM % 40000))
        port_in_use "$p" || {
            echo "$p"
            return 0
        }
    done
    return 1
}

# start_server NAME CLI_ARGS_VAR CONF_LINES...: a redis-server in the foreground of a
# background job, its config in $tmp/NAME/redis.conf (mode 600: it may hold a password).
# Sets $server_port. The config's "port"/"tls-port" line uses @PORT@.
start_server() {
    local name=$1 cli_var=$2
    shift 2
    local dir=$tmp/$name port pid i line
    mkdir -p "$dir"
    for _ in 1 2 3 4 5; do
        port=$(pick_port) || die "no free loopback port"
        (
            umask 077
            {
                echo "bind 127.0.0.1"
                echo "save \"\""
                echo "appendonly no"
                echo "daemonize no"
                echo "dir $dir"
                echo "logfile $dir/redis.log"
                for line in "$@"; do echo "${line//@PORT@/$port}"; done
            } >"$dir/redis.conf"
        )
        redis-server "$dir/redis.conf" >/dev/null 2>&1 &
        pid=$!
        for i in $(seq 1 100); do
            if [ "$(server_cli "$cli_var" "$port" ping 2>/dev/null || true)" = PONG ]; then
                server_pids+=("$pid")
                server_port=$port
                say "$name redis-server: pid $pid, port $port"
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    tail -n 5 "$dir/redis.log" >&2 2>/dev/null || true
    die "$name redis-server did not start"
}
# server_cli CLI_ARGS_VAR PORT ARGS...: redis-cli with the extra arguments named by the var.
server_cli() {
    local -n extra=$1
    local port=$2
    shift 2
    redis-cli -h 127.0.0.1 -p "$port" "${extra[@]}" "$@"
}
plain_args=()
plain_cli() { server_cli plain_args "$plain_port" "$@"; }
# A number from INFO; 0 when absent.
info_num() {
    local v
    v=$(plain_cli info "$1" | tr -d '\r' | sed -n "s/^$2/p" | head -n 1)
    echo "${v:-0}"
}
publish_calls() { info_num commandstats 'cmdstat_publish:calls=\([0-9]*\),.*/\1'; }
overflow_count() { grep -c 'overcoming of output buffer limits' "$tmp/plain/redis.log" 2>/dev/null || true; }

now() { date +%s.%N; }
secs() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.3f", e - s }'; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
thousands() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
max_rss_kb() { sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$1" 2>/dev/null | head -n 1; }
export LC_ALL=C

# --- the machine ----------------------------------------------------------------------------

started=$(date -u '+%Y-%m-%d %H:%M UTC')
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
redis_version=$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')
amr_version=$("$amr" --version 2>/dev/null | head -n 1 || echo '?')
amr_commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
os=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-?}")

report=$tmp/report.md
{
    echo "## amr benchmark, $started"
    echo
    echo "- command: \`$command_line\`"
    echo "- machine: $(nproc) CPUs ($cpu), $mem memory, $os, kernel $(uname -r)"
    echo "- redis-server $redis_version, redis-benchmark/redis-cli $(redis-cli --version | awk '{ print $2 }'), Python $("$PY" -c 'import platform; print(platform.python_version())') with redis-py $("$PY" -c 'import redis; print(redis.__version__)')"
    echo "- amr: $amr_version, \`$amr\` (the checkout of this script is at commit $amr_commit)"
    echo "- load average at start: $(loadavg)"
} >"$report"

# --- 1. publish -------------------------------------------------------------------------

res_pub_amr=
res_pub_bench=
res_pub_cli=
res_pub_count=
res_pub_count_lines=
res_pub_envelope=
pub_notes=()
bench_publish() {
    say "1. publish: $pub_n lines (redis-cli: $pub_cli_n), $runs run(s) each"
    local lines=$tmp/lines.jsonl cmds=$tmp/commands.txt
    # ~100-byte JSON lines (exactly 100 bytes plus the newline), all different.
    awk -v n="$pub_n" 'BEGIN { for (i = 1; i <= n; i++)
        printf "{\"event\":\"order_created\",\"order_id\":\"ORD-%07d\",\"customer\":\"Jane Doe\",\"total\":12.99,\"seq\":%d}\n", i, 1000000 + i }' >"$lines"
    local payload
    payload=$(head -n 1 "$lines")
    head -n "$pub_cli_n" "$lines" | sed "s/.*/PUBLISH bench:pub '&'/" >"$cmds"
    pub_notes+=("payload: ${#payload} bytes of JSON, e.g. \`$payload\`; no subscriber on the channel")
    # --count's messages, and the same messages as lines; the first row's payloads as
    # subscribe -j lines (as it writes them: the payload as data, no data_base64).
    local count_msg='{"event":"order_created","order_id":"ORD-{{count}}","customer":"Jane Doe","total":12.99,"seq":1}'
    local count_lines=$tmp/count-lines.jsonl envelopes=$tmp/envelopes.jsonl
    awk -v n="$pub_n" 'BEGIN { for (i = 1; i <= n; i++)
        printf "{\"event\":\"order_created\",\"order_id\":\"ORD-%d\",\"customer\":\"Jane Doe\",\"total\":12.99,\"seq\":1}\n", i }' >"$count_lines"
    awk '{ printf "{\"type\":\"message\",\"channel\":\"bench:pub\",\"data\":%s,\"received_at\":\"2026-12-04T21:00:%02d.%03dZ\"}\n", $0, int(NR / 100000) % 60, int(NR / 100) % 1000 }' "$lines" >"$envelopes"
    pub_notes+=("--count: \`amr publish bench:pub '$count_msg' --count $pub_n\`, against \`--lines\` of the same $pub_n messages; --envelope: $pub_n lines as \`subscribe -j\` writes them, e.g. \`$(head -n 1 "$envelopes")\`, against the first row's \`--lines\`")

    local r s e before after rc
    local amr_rates=() bench_rates=() cli_rates=() count_rates=() count_lines_rates=() envelope_rates=()
    # amr_row ARRAY WHAT ARGS...: one timed amr publish (stdin from $amr_in), its rate added
    # to ARRAY when the server counted every message.
    amr_row() {
        local -n rates=$1
        local what=$2
        shift 2
        before=$(publish_calls)
        s=$(now)
        rc=0
        "$amr" --no-env-file --no-tls -H 127.0.0.1 -p "$plain_port" publish "$@" \
            <"$amr_in" >"$tmp/amr-row.out" 2>"$tmp/amr-row.err" || rc=$?
        e=$(now)
        after=$(publish_calls)
        if [ "$rc" != 0 ]; then
            fail "amr $what exited $rc: $(tail -n 3 "$tmp/amr-row.err" | tr '\n' ' ')"
        elif [ $((after - before)) != "$pub_n" ]; then
            fail "amr $what: the server counted $((after - before)) PUBLISH, not $pub_n"
        else
            rates+=("$(rate "$pub_n" "$(secs "$s" "$e")")")
            say "  run $r: amr $what ${rates[-1]} msg/s"
        fi
    }
    for r in $(seq 1 "$runs"); do
        if [ "$amr_has_envelope" = 1 ]; then
            amr_in=/dev/null amr_row count_rates "publish --count" bench:pub "$count_msg" --count "$pub_n"
            amr_in=$count_lines amr_row count_lines_rates "publish --lines (--count's messages)" bench:pub --lines
            amr_in=$envelopes amr_row envelope_rates "publish --envelope" --envelope
        fi
        if [ "$amr_has_lines" = 1 ]; then
            before=$(publish_calls)
            s=$(now)
            rc=0
            "$amr" --no-env-file --no-tls -H 127.0.0.1 -p "$plain_port" \
                publish bench:pub --lines <"$lines" >"$tmp/amr-publish.out" 2>"$tmp/amr-publish.err" || rc=$?
            e=$(now)
            after=$(publish_calls)
            if [ "$rc" != 0 ]; then
                fail "amr publish --lines exited $rc: $(tail -n 3 "$tmp/amr-publish.err" | tr '\n' ' ')"
            elif [ $((after - before)) != "$pub_n" ]; then
                fail "amr publish --lines: the server counted $((after - before)) PUBLISH, not $pub_n"
            else
                amr_rates+=("$(rate "$pub_n" "$(secs "$s" "$e")")")
                say "  run $r: amr publish --lines ${amr_rates[-1]} msg/s"
            fi
        fi

        before=$(publish_calls)
        s=$(now)
        rc=0
        redis-benchmark -h 127.0.0.1 -p "$plain_port" -c 1 -P 64 -n "$pub_n" -q \
            PUBLISH bench:pub "$payload" >"$tmp/redis-benchmark.out" 2>&1 || rc=$?
        e=$(now)
        after=$(publish_calls)
        if [ "$rc" != 0 ]; then
            fail "redis-benchmark exited $rc"
        else
            # redis-benchmark -P may send a few more than -n: rate from what the server counted.
            bench_rates+=("$(rate "$((after - before))" "$(secs "$s" "$e")")")
            say "  run $r: redis-benchmark -c 1 -P 64 ${bench_rates[-1]} msg/s"
        fi

        before=$(publish_calls)
        s=$(now)
        rc=0
        plain_cli <"$cmds" >"$tmp/redis-cli.out" 2>&1 || rc=$?
        e=$(now)
        after=$(publish_calls)
        if [ "$rc" != 0 ]; then
            fail "redis-cli < commands exited $rc"
        elif [ $((after - before)) != "$pub_cli_n" ]; then
            fail "redis-cli < commands: the server counted $((after - before)) PUBLISH, not $pub_cli_n"
        else
            cli_rates+=("$(rate "$pub_cli_n" "$(secs "$s" "$e")")")
            say "  run $r: redis-cli < commands ${cli_rates[-1]} msg/s"
        fi
    done
    if [ ${#amr_rates[@]} -gt 0 ]; then res_pub_amr=$(median "${amr_rates[@]}"); fi
    if [ ${#bench_rates[@]} -gt 0 ]; then res_pub_bench=$(median "${bench_rates[@]}"); fi
    if [ ${#cli_rates[@]} -gt 0 ]; then res_pub_cli=$(median "${cli_rates[@]}"); fi
    if [ ${#count_rates[@]} -gt 0 ]; then res_pub_count=$(median "${count_rates[@]}"); fi
    if [ ${#count_lines_rates[@]} -gt 0 ]; then res_pub_count_lines=$(median "${count_lines_rates[@]}"); fi
    if [ ${#envelope_rates[@]} -gt 0 ]; then res_pub_envelope=$(median "${envelope_rates[@]}"); fi
    pub_notes+=("runs (msg/s): amr --count ${count_rates[*]:-none}; amr --lines of --count's messages ${count_lines_rates[*]:-none}; amr --envelope ${envelope_rates[*]:-none}")
    pub_notes+=("runs (msg/s): amr ${amr_rates[*]:-none}; redis-benchmark ${bench_rates[*]:-none}; redis-cli ${cli_rates[*]:-none}")
    if [ "$amr_has_lines" = 1 ] && [ -s "$tmp/amr-publish.err" ]; then
        pub_notes+=("amr's summary (last run): \`$(tail -n 1 "$tmp/amr-publish.err")\`")
    fi
    [ "$amr_has_lines" = 1 ] || fail "$amr has no 'publish --lines'"
}

# --- 2. subscribe, 4. memory ----------------------------------------------------------------

sub_rows=()      # markdown rows of the subscriber table
sub_notes=()
sub_loads=(50 4) # redis-benchmark connections (-c) of the two loads
amr_runs=()      # "clients format received published disconnected(yes/no) peak_rss_kb"
declare -A res_floor=() res_cli=() res_py=() # by clients: "received published disconnected"
END_MARK=__amr_bench_end__

# wait_exit PID SECONDS: 0 when PID ended within SECONDS.
wait_exit() {
    local pid=$1 limit=$2 t=0
    while kill -0 "$pid" 2>/dev/null; do
        [ "$t" -ge $((limit * 10)) ] && return 1
        sleep 0.1
        t=$((t + 1))
    done
    return 0
}

# python_count W GRACE WHAT: for sub_round. Waits up to GRACE s for its Python subscriber W
# (py, floor) to end, then sets received, disc and rss from W's "received=N
# disconnected=yes|no" line.
python_count() {
    local w=$1 grace=$2 what=$3
    wait_exit "${tpid[$w]}" "$grace" || kill_tree "${tpid[$w]}"
    wait "${tpid[$w]}" 2>/dev/null || true
    received=$(sed -n 's/^received=\([0-9]*\).*/\1/p' "$d/$w.out")
    disc=$(sed -n 's/.*disconnected=\([a-z]*\).*/\1/p' "$d/$w.out")
    [ "$server_disc" = no ] || disc=yes
    [ -n "$received" ] || {
        fail "subscribe $label: $what printed no count: $(tail -n 2 "$d/$w.err" | tr '\n' ' ')"
        received=0
        disc='?'
    }
    rss=$(max_rss_kb "$d/$w.time")
}

# sub_round CLIENTS LABEL WHO...: start the subscribers WHO (floor, amr, cli, py), publish
# sub_n messages with redis-benchmark -c CLIENTS -P 64, and record what each received.
sub_round() {
    local clients=$1 label=$2
    shift 2
    local who=("$@") d=$tmp/sub-$label w
    mkdir -p "$d"
    local chan=bench:sub:$label
    local payload
    payload=$(awk 'BEGIN { printf "{\"event\":\"order_created\",\"order_id\":\"ORD-%07d\",\"customer\":\"Jane Doe\",\"total\":12.99,\"seq\":%d}", 1, 1000001 }')
    local -A tpid=()
    local overflow_before
    overflow_before=$(overflow_count)
    for w in "${who[@]}"; do
        case "$w" in
            amr)
                # -v: amr says at exit how many messages it wrote. The count ends it; the
                # timeout is only a safety net (it is stopped with SIGTERM before).
                /usr/bin/time -v -o "$d/amr.time" "$amr" -v --no-env-file --no-tls \
                    -H 127.0.0.1 -p "$plain_port" subscribe --format "${amr_format:-json}" \
                    --count "$sub_n" --timeout 900s "$chan" >/dev/null 2>"$d/amr.err" &
                ;;
            cli)
                /usr/bin/time -v -o "$d/cli.time" redis-cli -h 127.0.0.1 -p "$plain_port" \
                    subscribe "$chan" >"$d/cli.out" 2>"$d/cli.err" &
                ;;
            py)
                /usr/bin/time -v -o "$d/py.time" "$PY" "$BENCH_DIR/lab_subscriber.py" \
                    127.0.0.1 "$plain_port" "$chan" "$END_MARK" >"$d/py.out" 2>"$d/py.err" &
                ;;
            floor)
                /usr/bin/time -v -o "$d/floor.time" "$PY" "$BENCH_DIR/socket_floor.py" \
                    127.0.0.1 "$plain_port" "$chan" "$END_MARK" >"$d/floor.out" 2>"$d/floor.err" &
                ;;
        esac
        tpid[$w]=$!
        bg_pids+=("$!")
    done
    local i n=0
    for i in $(seq 1 100); do
        n=$(plain_cli pubsub numsub "$chan" | tail -n 1)
        [ "$n" = "${#who[@]}" ] && break
        sleep 0.1
    done
    if [ "$n" != "${#who[@]}" ]; then
        fail "subscribe $label: only $n of ${#who[@]} subscribers subscribed"
    fi
    say "  $label: ${who[*]} subscribed; publishing $sub_n messages (load $(loadavg))"
    local before after s e rc=0
    before=$(publish_calls)
    s=$(now)
    redis-benchmark -h 127.0.0.1 -p "$plain_port" -c "$clients" -P 64 -n "$sub_n" -q \
        PUBLISH "$chan" "$payload" >"$d/redis-benchmark.out" 2>&1 || rc=$?
    e=$(now)
    after=$(publish_calls)
    [ "$rc" = 0 ] || fail "subscribe $label: redis-benchmark exited $rc"
    local published=$((after - before))
    local pub_rate
    pub_rate=$(rate "$published" "$(secs "$s" "$e")")
    plain_cli publish "$chan" "$END_MARK" >/dev/null
    say "  $label: published $published in $(secs "$s" "$e") s ($pub_rate msg/s)"
    sleep 0.5
    local overflows=$(($(overflow_count) - overflow_before))
    sub_notes+=("$label: the server log shows $overflows subscriber(s) closed for overcoming the output buffer limit")
    # With one subscriber, the server's word settles who was disconnected.
    local server_disc=no
    if [ "${#who[@]}" = 1 ] && [ "$overflows" -gt 0 ]; then server_disc=yes; fi
    local lead
    lead="| $label | \`-c $clients -P 64\` $(thousands "$pub_rate")"

    # Give each subscriber time to finish what it has buffered, then stop it.
    local grace_amr=30 grace_cli=60 grace_py=180 grace_floor=30
    if [ "$quick" = 1 ]; then grace_py=60; fi
    local received disc rss note
    for w in "${who[@]}"; do
        case "$w" in
            amr)
                # Once it has lost the connection it cannot reach --count: 10 s to write out
                # what it holds, then it is stopped.
                local how="ended at --count" waited=0
                while kill -0 "${tpid[amr]}" 2>/dev/null; do
                    if [ "$waited" -ge $((grace_amr * 10)) ] ||
                        { [ "$waited" -ge 100 ] && grep -q 'lost the connection' "$d/amr.err"; }; then
                        how="stopped $((waited / 10)) s after the publisher"
                        kill_tree "${tpid[amr]}"
                        break
                    fi
                    sleep 0.1
                    waited=$((waited + 1))
                done
                wait_exit "${tpid[amr]}" 10 || fail "subscribe $label: amr did not stop"
                rc=0
                wait "${tpid[amr]}" 2>/dev/null || rc=$?
                received=$(sed -n 's/.* \([0-9][0-9]*\) message(s) written.*/\1/p' "$d/amr.err" | tail -n 1)
                [ -n "$received" ] ||
                    received=$(sed -n 's/.*ended after \([0-9][0-9]*\) of.*/\1/p' "$d/amr.err" | tail -n 1)
                disc=$server_disc
                grep -q -E 'reconnecting|lost the connection|published while disconnected' "$d/amr.err" && disc=yes
                local losses
                losses=$(grep -c 'lost the connection' "$d/amr.err" || true)
                note="exit $rc, $how$(if [ "$losses" -gt 0 ]; then echo ", lost the connection $losses time(s) and reconnected"; fi)"
                [ -n "$received" ] || {
                    received='?'
                    fail "subscribe $label: amr exited $rc without a count: $(tail -n 2 "$d/amr.err" | tr '\n' ' ')"
                }
                rss=$(max_rss_kb "$d/amr.time")
                sub_rows+=("$lead | \`amr subscribe --format ${amr_format:-json} > /dev/null\` | $(thousands "${received/\?/0}") / $(thousands "$published") | $disc | $(mib "${rss:-0}") MiB | $note |")
                amr_runs+=("$clients ${amr_format:-json} $received $published $disc ${rss:-0}")
                ;;
            cli)
                # It ends by itself only when disconnected; otherwise it is stopped once the
                # end marker is in its output.
                for i in $(seq 1 $((grace_cli * 10))); do
                    kill -0 "${tpid[cli]}" 2>/dev/null || break
                    tail -c 100 "$d/cli.out" 2>/dev/null | grep -q "$END_MARK" && break
                    sleep 0.1
                done
                kill_tree "${tpid[cli]}"
                wait "${tpid[cli]}" 2>/dev/null || true
                received=$(grep -c -x 'message' "$d/cli.out" || true)
                grep -q -x "$END_MARK" "$d/cli.out" && received=$((received - 1))
                disc=$server_disc
                grep -q 'Server closed the connection' "$d/cli.err" && disc=yes
                rss=$(max_rss_kb "$d/cli.time")
                sub_rows+=("$lead | \`redis-cli subscribe > file\` | $(thousands "$received") / $(thousands "$published") | $disc | $(mib "${rss:-0}") MiB | $(head -n 1 "$d/cli.err" | tr -d '|') |")
                res_cli[$clients]="$received $published $disc"
                ;;
            py)
                python_count py "$grace_py" "the Python subscriber"
                note=$({ grep -h 'lab_subscriber:' "$d/py.err" || true; } | head -n 1 | sed 's/^lab_subscriber: //' | tr -d '|' | cut -c1-80)
                sub_rows+=("$lead | lab's Python \`pubsub.listen()\` | $(thousands "$received") / $(thousands "$published") | $disc | $(mib "${rss:-0}") MiB | $note |")
                res_py[$clients]="$received $published $disc"
                ;;
            floor)
                python_count floor "$grace_floor" "the floor reader"
                local median_read
                median_read=$(sed -n 's/.*median_read=\([0-9]*\).*/\1/p' "$d/floor.out")
                sub_rows+=("$lead | reader that only recv()s (\`socket_floor.py\`) | $(thousands "$received") / $(thousands "$published") | $disc | $(mib "${rss:-0}") MiB | median recv() $(thousands "${median_read:-0}") bytes |")
                res_floor[$clients]="$received $published $disc"
                ;;
        esac
    done
}

bench_subscribe() {
    local limit
    limit=$(plain_cli config get client-output-buffer-limit | tail -n 1)
    say "2. subscribe: $sub_n messages; client-output-buffer-limit $limit"
    sub_limit=$limit
    local r c
    for c in "${sub_loads[@]}"; do
        sub_round "$c" "c$c-floor" floor
        for r in $(seq 1 "$sub_runs"); do sub_round "$c" "c$c-amr-json-$r" amr; done
        for r in $(seq 1 "$sub_runs"); do amr_format=raw sub_round "$c" "c$c-amr-raw-$r" amr; done
        sub_round "$c" "c$c-redis-cli" cli
        sub_round "$c" "c$c-python" py
    done
}

# sub_target_row ID CLIENTS FORMAT: the table row of target 2 for one load and format.
sub_target_row() {
    local id=$1 clients=$2 fmt=$3 run c f got pubd disc complete=0 total=0 details= anchors= a
    for run in "${amr_runs[@]}"; do
        read -r c f got pubd disc _ <<<"$run"
        [ "$c" = "$clients" ] && [ "$f" = "$fmt" ] || continue
        total=$((total + 1))
        if [ "$got" = "$pubd" ] && [ "$disc" = no ]; then
            complete=$((complete + 1))
            details+="${details:+; }all"
        else
            details+="${details:+; }$(thousands "${got/\?/0}")$(if [ "$disc" = yes ]; then echo ', disconnected'; fi)"
        fi
    done
    [ "$total" -gt 0 ] || return 0
    for a in "recv()-only floor:${res_floor[$clients]:-}" "redis-cli:${res_cli[$clients]:-}" \
        "Python:${res_py[$clients]:-}"; do
        [ -n "${a#*:}" ] || continue
        read -r got _ disc <<<"${a#*:}"
        anchors+="${anchors:+; }${a%%:*} $(thousands "$got")$(if [ "$disc" = yes ]; then echo ', disconnected'; fi)"
    done
    local result='**missed**'
    if [ "$complete" = "$total" ]; then
        result=met
    elif [ "$(awk '{ print $3 }' <<<"${res_floor[$clients]:-}")" = yes ]; then
        # The reader that does nothing was disconnected too: the server is the limit.
        result='**unreachable here**: the recv()-only floor was disconnected too'
    fi
    echo "| $id | of $(thousands "$pubd") published by \`redis-benchmark -c $clients -P 64\`, each subscriber alone | \`--format $fmt\`: all in $complete of $total rounds ($details) | ${anchors:-see below} | | all, never disconnected | $result |"
}

# --- 3. TLS -----------------------------------------------------------------------------------

res_tls=()  # "mean_s stddev_s" for amr, redis-cli, python
tls_cmds=()
bench_tls() {
    say "3. tls: one publish, process start to exit, $tls_runs runs each"
    local d=$tmp/tls
    mkdir -p "$d"
    (
        umask 077
        cd "$d"
        openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
            -keyout ca.key -out ca.crt -days 30 -subj "/CN=amr bench CA" \
            -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
        openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
            -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
        printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >ext.cnf
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
            -days 30 -out server.crt -extfile ext.cnf 2>/dev/null
        openssl rand -hex 24 >password
        chmod 644 ca.crt
    ) || die "openssl could not make the TLS certificates"
    local password
    password=$(cat "$d/password")
    tls_args=(--tls --cacert "$d/ca.crt")
    REDISCLI_AUTH=$password
    export REDISCLI_AUTH
    start_server tls tls_args "port 0" "tls-port @PORT@" "tls-cert-file $d/server.crt" \
        "tls-key-file $d/server.key" "tls-ca-cert-file $d/ca.crt" "tls-auth-clients no" \
        "requirepass $password"
    local port=$server_port
    # The lab's way: the host and the key from the environment; the port and the local CA too.
    export REDIS_HOST=127.0.0.1 REDIS_PORT=$port REDIS_KEY=$password REDIS_CACERT=$d/ca.crt
    local msg
    msg='{"event":"order_created","order_id":"ORD-20251120123114","customer":"Jane Doe","total":129.99,"timestamp":"2025-11-20T12:31:14.123456"}'
    tls_cmds=(
        "$amr --no-env-file publish --preset order_created"
        "redis-cli --no-auth-warning --tls --cacert $d/ca.crt -h 127.0.0.1 -p $port PUBLISH orders:created '$msg'"
        "$PY $BENCH_DIR/lab_publisher.py"
    )
    local names=(amr redis-cli python) i rc
    for i in 0 1 2; do
        rc=0
        eval "${tls_cmds[$i]}" >"$d/check-$i.out" 2>&1 || rc=$?
        if [ "$rc" != 0 ]; then
            fail "TLS publish with ${names[$i]} exited $rc: $(tail -n 2 "$d/check-$i.out" | tr '\n' ' ')"
            return 0
        fi
    done
    # Round robin (3 warm-up rounds, then tls_runs timed ones): a build that starts on the
    # machine halfway slows all three alike instead of the last one measured. Timed with
    # bash's clock, without a process of its own; the command is forked by this shell.
    local round t0 t1 times=("$d/times-0" "$d/times-1" "$d/times-2")
    : >"${times[0]}"
    : >"${times[1]}"
    : >"${times[2]}"
    for round in $(seq -2 "$tls_runs"); do
        for i in 0 1 2; do
            t0=$EPOCHREALTIME
            eval "${tls_cmds[$i]}" >/dev/null 2>&1 || fail "TLS publish with ${names[$i]} failed in round $round"
            t1=$EPOCHREALTIME
            [ "$round" -ge 1 ] && echo "$t0 $t1" >>"${times[$i]}"
        done
    done
    # "median mean stddev min" in seconds.
    for i in 0 1 2; do
        res_tls+=("$(awk '{ print $2 - $1 }' "${times[$i]}" | sort -g | awk '
            { v[NR] = $1; sum += $1; sq += $1 * $1 }
            END { m = sum / NR; sd = sqrt(sq / NR - m * m > 0 ? sq / NR - m * m : 0)
                  med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                  printf "%.6f %.6f %.6f %.6f\n", med, m, sd, v[1] }')")
    done
    unset REDIS_HOST REDIS_PORT REDIS_KEY REDIS_CACERT REDISCLI_AUTH
}

# --- 5. bench -----------------------------------------------------------------------------------

res_bb=() # "amr_rate bench_rate" for 1 and 4 connections
res_lat=  # "amr_p50_us cli_mean_ms"
res_agree=
bench_notes=()
bench_bench() {
    say "5. bench: $pub_n messages, $runs run(s) each; latency at --rate 10000"
    local payload c r amr_rates bench_rates doc rate before after
    payload=$(head -c 128 /dev/zero | tr '\0' x)
    for c in 1 4; do
        amr_rates=()
        bench_rates=()
        for r in $(seq 1 "$runs"); do
            doc=$("$amr" --no-env-file --no-tls -H 127.0.0.1 -p "$plain_port" -q bench -o json \
                --publishers "$c" --subscribers 0 --messages "$pub_n" --size 128 \
                --prefix "bench:b$c") || fail "amr bench --publishers $c exited $?"
            amr_rates+=("$(echo "$doc" | sed -n 's/.*"publish_rate":\([0-9.]*\).*/\1/p' | cut -d. -f1)")
            before=$(publish_calls)
            rate=$(redis-benchmark -h 127.0.0.1 -p "$plain_port" -c "$c" -P 64 -n "$pub_n" --csv \
                PUBLISH "bench:rb$c" "$payload" 2>/dev/null | tail -n 1 | awk -F'","' '{ print $2 }' | cut -d. -f1)
            after=$(publish_calls)
            [ $((after - before)) -ge "$pub_n" ] || fail "redis-benchmark -c $c: the server counted $((after - before)) PUBLISH"
            bench_rates+=("$rate")
            say "  run $r, $c connection(s): amr bench ${amr_rates[-1]} msg/s, redis-benchmark $rate msg/s"
        done
        res_bb+=("$(median "${amr_rates[@]}") $(median "${bench_rates[@]}")")
        # The same with redis-benchmark's 64 in flight: how much of the lead is the window.
        doc=$("$amr" --no-env-file --no-tls -H 127.0.0.1 -p "$plain_port" -q bench -o json \
            --publishers "$c" --subscribers 0 --messages "$pub_n" --size 128 --window 64 \
            --prefix "bench:w$c") || fail "amr bench --window 64 exited $?"
        bench_notes+=("$c connection(s), runs (msg/s): amr bench ${amr_rates[*]}; redis-benchmark ${bench_rates[*]}; amr bench --window 64 (once) $(echo "$doc" | sed -n 's/.*"publish_rate":\([0-9]*\).*/\1/p')")
    done

    # Latency: redis-cli --latency for 10 s, then amr bench for 10 s, in turn.
    local cli_out p50
    cli_out=$(timeout -s INT 10 redis-cli -h 127.0.0.1 -p "$plain_port" --latency --raw 2>/dev/null | tail -n 1 || true)
    doc=$("$amr" --no-env-file --no-tls -H 127.0.0.1 -p "$plain_port" -q bench -o json --rate 10000 \
        --duration 10s --warmup 1s --prefix bench:lat) || fail "amr bench --rate 10000 exited $?"
    p50=$(echo "$doc" | sed -n 's/.*"p50":\([0-9.]*\).*/\1/p')
    res_lat="$p50 $(echo "$cli_out" | awk '{ print $3 }')"
    bench_notes+=("latency: \`redis-cli --latency --raw\` for 10 s: min max mean samples = $cli_out (ms); amr bench --rate 10000 --duration 10s --warmup 1s: $(echo "$doc" | sed -n 's/.*"latency":\({[^}]*}\).*/\1/p')")

    # Delivered counts against a separate subscriber, published against commandstats.
    local n=$((pub_n / 10)) sub_out=$tmp/bench-sub.jsonl sub_pid delivered published seen
    "$amr" --no-env-file --no-tls -H 127.0.0.1 -p "$plain_port" subscribe -j --count "$n" bench:agree:0 \
        >"$sub_out" 2>"$tmp/bench-sub.err" &
    sub_pid=$!
    for _ in $(seq 1 100); do
        [ "$(plain_cli pubsub numsub bench:agree:0 | tail -n 1)" = 1 ] && break
        sleep 0.1
    done
    before=$(publish_calls)
    doc=$("$amr" --no-env-file --no-tls -H 127.0.0.1 -p "$plain_port" -q bench -o json --messages "$n" \
        --publishers 2 --prefix bench:agree) || fail "amr bench --messages $n exited $?"
    after=$(publish_calls)
    wait_exit "$sub_pid" 30 || fail "amr subscribe --count $n did not end"
    delivered=$(echo "$doc" | sed -n 's/.*"delivered":\([0-9]*\).*/\1/p')
    published=$(echo "$doc" | sed -n 's/.*"published":\([0-9]*\).*/\1/p')
    seen=$(wc -l <"$sub_out")
    res_agree="$delivered $seen $published $((after - before))"
}

# --- 6. check --------------------------------------------------------------------------------

res_check= # "check_median_s ping_median_s check_min_s ping_min_s"
bench_check() {
    say "6. check: amr check against amr ping, start to exit, $tls_runs rounds"
    local cmd round t0 t1 rc
    for cmd in check ping; do
        rc=0
        "$amr" --no-env-file --no-tls -H 127.0.0.1 -p "$plain_port" "$cmd" >"$tmp/$cmd.out" 2>&1 || rc=$?
        if [ "$rc" != 0 ]; then
            fail "amr $cmd exited $rc: $(tail -n 2 "$tmp/$cmd.out" | tr '\n' ' ')"
            return 0
        fi
    done
    : >"$tmp/times-check"
    : >"$tmp/times-ping"
    for round in $(seq -2 "$tls_runs"); do
        for cmd in check ping; do
            t0=$EPOCHREALTIME
            "$amr" --no-env-file --no-tls -H 127.0.0.1 -p "$plain_port" "$cmd" >/dev/null 2>&1 ||
                fail "amr $cmd failed in round $round"
            t1=$EPOCHREALTIME
            [ "$round" -ge 1 ] && echo "$t0 $t1" >>"$tmp/times-$cmd"
        done
    done
    # "median min" in seconds.
    local stats=()
    for cmd in check ping; do
        stats+=("$(awk '{ print $2 - $1 }' "$tmp/times-$cmd" | sort -g |
            awk '{ v[NR] = $1 } END { printf "%.6f %.6f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1] }')")
    done
    read -r cm cmin <<<"${stats[0]}"
    read -r pm pmin <<<"${stats[1]}"
    res_check="$cm $pm $cmin $pmin"
}

# --- run ----------------------------------------------------------------------------------------

if wants publish || wants subscribe || wants bench || wants check; then
    start_server plain plain_args "port @PORT@"
    plain_port=$server_port
fi
wants publish && bench_publish
wants subscribe && bench_subscribe
wants tls && bench_tls
wants bench && bench_bench
wants check && bench_check

# --- report ---------------------------------------------------------------------------------------

verdict() { if [ "$1" = 1 ]; then echo met; else echo '**missed**'; fi; }
{
    echo "- load average at end: $(loadavg)"
    echo
    echo "| # | measurement | amr | anchor | ratio | target | result |"
    echo "|---|---|---|---|---|---|---|"
    if wants publish; then
        if [ -n "$res_pub_amr" ] && [ -n "$res_pub_bench" ]; then
            r=$(ratio "$res_pub_amr" "$res_pub_bench")
            echo "| 1a | publish $(thousands "$pub_n") lines, msg/s | \`amr publish --lines\` $(thousands "$res_pub_amr") | \`redis-benchmark -c 1 -P 64\` $(thousands "$res_pub_bench") | ${r}× | ≥ 0.9× | $(verdict "$(ge "$r" 0.9 && echo 1)") |"
        else
            echo "| 1a | publish $(thousands "$pub_n") lines, msg/s | $(thousands "${res_pub_amr:-not run}") | $(thousands "${res_pub_bench:-not run}") | | ≥ 0.9× | not measured |"
        fi
        if [ -n "$res_pub_amr" ] && [ -n "$res_pub_cli" ]; then
            r=$(ratio "$res_pub_amr" "$res_pub_cli")
            echo "| 1b | publish, msg/s | \`amr publish --lines\` $(thousands "$res_pub_amr") | \`redis-cli < commands\` ($(thousands "$pub_cli_n") commands) $(thousands "$res_pub_cli") | ${r}× | ≥ 10× | $(verdict "$(ge "$r" 10 && echo 1)") |"
        else
            echo "| 1b | publish, msg/s | $(thousands "${res_pub_amr:-not run}") | $(thousands "${res_pub_cli:-not run}") | | ≥ 10× | not measured |"
        fi
        if [ -n "$res_pub_count" ] && [ -n "$res_pub_count_lines" ]; then
            r=$(ratio "$res_pub_count" "$res_pub_count_lines")
            echo "| 1c | publish $(thousands "$pub_n") generated messages, msg/s | \`amr publish --count $pub_n\` $(thousands "$res_pub_count") | \`amr publish --lines\` of the same messages $(thousands "$res_pub_count_lines") | ${r}× | ≥ 0.9× | $(verdict "$(ge "$r" 0.9 && echo 1)") |"
        else
            echo "| 1c | publish --count, msg/s | $(thousands "${res_pub_count:-not run}") | $(thousands "${res_pub_count_lines:-not run}") | | ≥ 0.9× | not measured |"
        fi
        if [ -n "$res_pub_envelope" ] && [ -n "$res_pub_amr" ]; then
            r=$(ratio "$res_pub_envelope" "$res_pub_amr")
            echo "| 1d | replay $(thousands "$pub_n") \`subscribe -j\` lines, msg/s | \`amr publish --envelope\` $(thousands "$res_pub_envelope") | \`amr publish --lines\` of the same payloads $(thousands "$res_pub_amr") | ${r}× | ≥ 0.9× | $(verdict "$(ge "$r" 0.9 && echo 1)") |"
        else
            echo "| 1d | publish --envelope, msg/s | $(thousands "${res_pub_envelope:-not run}") | $(thousands "${res_pub_amr:-not run}") | | ≥ 0.9× | not measured |"
        fi
    fi
    if wants subscribe; then
        sub_target_row 2 50 json
        sub_target_row 2r 50 raw
        sub_target_row 2b 4 json
        sub_target_row 2br 4 raw
    fi
    if wants tls && [ ${#res_tls[@]} = 3 ]; then
        read -r md_amr m_amr s_amr _ <<<"${res_tls[0]}"
        read -r md_cli m_cli s_cli _ <<<"${res_tls[1]}"
        read -r md_py m_py s_py _ <<<"${res_tls[2]}"
        ms() { awk -v md="$1" -v m="$2" -v s="$3" 'BEGIN { printf "median %.2f ms (mean %.2f ± %.2f)", md * 1000, m * 1000, s * 1000 }'; }
        r=$(ratio "$md_cli" "$md_amr")
        # "No slower": amr's median at most redis-cli's; when it is above by less than twice
        # the standard error of the difference, the two cannot be told apart in this run.
        v3a=$(awk -v a="$md_amr" -v c="$md_cli" -v sa="$s_amr" -v sc="$s_cli" -v n="$tls_runs" 'BEGIN {
            if (a <= c) print "met"
            else if (a - c < 2 * sqrt((sa * sa + sc * sc) / n)) print "**tie** (slower by less than the noise)"
            else print "**missed**" }')
        echo "| 3a | one publish over TLS, start to exit | $(ms "$md_amr" "$m_amr" "$s_amr") | \`redis-cli --tls PUBLISH\` $(ms "$md_cli" "$m_cli" "$s_cli") | ${r}× (redis-cli time / amr time) | ≥ 1× (no slower) | $v3a |"
        r=$(ratio "$md_py" "$md_amr")
        echo "| 3b | one publish over TLS, start to exit | $(ms "$md_amr" "$m_amr" "$s_amr") | lab's Python publisher $(ms "$md_py" "$m_py" "$s_py") | ${r}× (Python time / amr time) | ≥ 10× | $(verdict "$(ge "$r" 10 && echo 1)") |"
    fi
    if wants subscribe; then
        peaks=
        max_kb=0
        for run in "${amr_runs[@]}"; do
            read -r _ f _ _ _ kb <<<"$run"
            [ "$f" = json ] || continue
            peaks+="${peaks:+, }$(mib "$kb")"
            if [ "$kb" -gt "$max_kb" ]; then max_kb=$kb; fi
        done
        if [ -n "$peaks" ]; then
            echo "| 4 | peak RSS of \`amr subscribe --format json > /dev/null\` during 2 and 2b, each round | $peaks MiB | | | < 32 MiB | $(verdict "$(awk -v k="$max_kb" 'BEGIN { if (k < 32768) print 1 }')") |"
        fi
    fi
    if wants bench; then
        for i in 0 1; do
            c=$([ "$i" = 0 ] && echo 1 || echo 4)
            if [ -n "${res_bb[$i]:-}" ]; then
                read -r a b <<<"${res_bb[$i]}"
                r=$(ratio "$a" "$b")
                echo "| 5$([ "$i" = 0 ] && echo a || echo b) | bench publishing, $c connection(s), no subscriber, msg/s | \`amr bench --publishers $c --subscribers 0\` $(thousands "$a") | \`redis-benchmark -c $c -P 64\` $(thousands "$b") | ${r}× | ≥ 1.0× | $(verdict "$(ge "$r" 1.0 && echo 1)") |"
            fi
        done
        if [ -n "$res_lat" ]; then
            read -r p50 mean <<<"$res_lat"
            p50ms=$(awk -v u="$p50" 'BEGIN { printf "%.3f", u / 1000 }')
            r=$(ratio "$p50ms" "$mean")
            echo "| 5c | end-to-end p50 at --rate 10000, 1 subscriber | \`amr bench\` p50 ${p50ms} ms | \`redis-cli --latency\` mean ${mean} ms | ${r}× | ≤ 1.5× | $(verdict "$(awk -v r="$r" 'BEGIN { if (r <= 1.5) print 1 }')") |"
        fi
        if [ -n "$res_agree" ]; then
            read -r d s p c <<<"$res_agree"
            echo "| 5d | counts agree | delivered $d, published $p | \`amr subscribe -j --count\` $s, INFO commandstats $c | | equal | $(verdict "$([ "$d" = "$s" ] && [ "$p" = "$c" ] && echo 1)") |"
        fi
    fi
    if wants check && [ -n "$res_check" ]; then
        read -r cm pm cmin pmin <<<"$res_check"
        r=$(ratio "$cm" "$pm")
        ms() { awk -v v="$1" 'BEGIN { printf "%.2f ms", v * 1000 }'; }
        echo "| 6 | start to exit, plain server, median of $tls_runs (fastest) | \`amr check\` $(ms "$cm") ($(ms "$cmin")) | \`amr ping\` $(ms "$pm") ($(ms "$pmin")) | ${r}× | ≤ 2× | $(verdict "$(awk -v r="$r" 'BEGIN { if (r != "n/a" && r <= 2) print 1 }')") |"
    fi
    if wants publish; then
        echo
        echo "Publish:"
        for n in "${pub_notes[@]}"; do echo "- $n"; done
    fi
    if wants subscribe; then
        echo
        echo "Subscribers, $(thousands "$sub_n") messages published by \`redis-benchmark -c C -P 64 -n $sub_n\` (C connections, 64 commands in flight on each); server's \`client-output-buffer-limit\`: \`${sub_limit:-?}\` (the default, pubsub 32mb 8mb 60):"
        echo
        echo "| round | publisher, msg/s | subscriber | received / published | disconnected | peak RSS | note |"
        echo "|---|---|---|---|---|---|---|"
        for row in "${sub_rows[@]}"; do echo "$row"; done
        echo
        for n in "${sub_notes[@]}"; do echo "- $n"; done
    fi
    if wants tls && [ ${#res_tls[@]} = 3 ]; then
        echo
        echo "TLS (a password, a certificate from a local CA): $tls_runs timed rounds after 3 warm-up rounds, the three commands in turn in each round; fastest run: amr $(awk -v v="${res_tls[0]##* }" 'BEGIN { printf "%.2f", v * 1000 }') ms, redis-cli $(awk -v v="${res_tls[1]##* }" 'BEGIN { printf "%.2f", v * 1000 }') ms, Python $(awk -v v="${res_tls[2]##* }" 'BEGIN { printf "%.2f", v * 1000 }') ms:"
        echo "- amr: \`amr publish --preset order_created\` (REDIS_HOST, REDIS_PORT, REDIS_KEY, REDIS_CACERT from the environment)"
        echo "- redis-cli: \`redis-cli --tls --cacert ca.crt -h 127.0.0.1 -p PORT PUBLISH orders:created '<the event>'\` (REDISCLI_AUTH)"
        echo "- Python: \`/usr/bin/python3 scripts/bench/lab_publisher.py\` (the lab's connect_to_redis() and publish_order_created())"
    fi
    if wants bench; then
        echo
        echo "amr bench:"
        for n in "${bench_notes[@]}"; do echo "- $n"; done
    fi
    if [ ${#failures[@]} -gt 0 ]; then
        echo
        echo "Failures:"
        for f in "${failures[@]}"; do echo "- $f"; done
    fi
} >>"$report"

cat "$report"
[ -z "$out_file" ] || cp "$report" "$out_file"
[ ${#failures[@]} -eq 0 ] || exit 1
exit 0
