#!/usr/bin/env bash
# A local redis-server that behaves like Azure Managed Redis: TLS only on port 10000, a
# certificate signed by a CA made here, a random password. Writes a .env for amr.
#
#   scripts/local-redis.sh start  [--port N] [--dir DIR] [--env-file FILE] [--force] [--plain]
#   scripts/local-redis.sh stop   [--dir DIR] [--env-file FILE]
#   scripts/local-redis.sh status [--dir DIR]
#   scripts/local-redis.sh env    [--dir DIR] [--env-file FILE] [--force]
#
# start   starts the server (does nothing but refresh the .env when it already runs),
#         waits until it answers PING and writes the .env (mode 600). As root it first
#         installs what is missing of redis-server, redis-tools and openssl (apt-get);
#         otherwise it names them and stops.
# stop    stops it and removes every .env this script wrote for it.
# status  prints whether it runs; exit 0 when it does, 3 when it does not.
# env     (re)writes the .env for the running server and prints its path.
#
# --port N        TLS port (default $AMR_LOCAL_PORT or 10000).
# --dir DIR       state directory: certificates, password, config, log, pid
#                 (default $AMR_LOCAL_DIR or .amr-local/ in the project root).
# --env-file FILE the .env to write (default .env in the project root).
# --no-env-file   write no .env.
# --force         overwrite a .env that this script did not write.
# --plain         plain TCP instead of TLS (REDIS_TLS=false in the .env).
#
# The password is written only to files of mode 600 (the state directory and the .env);
# redis-cli gets it through REDISCLI_AUTH, never on a command line.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MARKER='# written by scripts/local-redis.sh for the local amr test server; "local-redis.sh stop" removes it'

say() { echo "local-redis: $*" >&2; }
die() {
    say "$*"
    exit 1
}
usage() {
    if [ "${1:-2}" = 0 ]; then
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    else
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    fi
    exit "${1:-2}"
}

action=${1:-}
[ -n "$action" ] || usage
shift
case "$action" in
    start | stop | status | env) ;;
    -h | --help | help) usage 0 ;;
    *)
        say "unknown action '$action'"
        usage
        ;;
esac

port=${AMR_LOCAL_PORT:-10000}
port_given=0
state_dir=${AMR_LOCAL_DIR:-$ROOT/.amr-local}
env_file=$ROOT/.env
env_file_given=0
write_env=1
force=0
plain=0
while [ $# -gt 0 ]; do
    case "$1" in
        --port)
            [ $# -ge 2 ] || die "--port needs a value"
            port=$2
            port_given=1
            shift 2
            ;;
        --port=*)
            port=${1#*=}
            port_given=1
            shift
            ;;
        --dir)
            [ $# -ge 2 ] || die "--dir needs a value"
            state_dir=$2
            shift 2
            ;;
        --dir=*)
            state_dir=${1#*=}
            shift
            ;;
        --env-file)
            [ $# -ge 2 ] || die "--env-file needs a value"
            env_file=$2
            env_file_given=1
            shift 2
            ;;
        --env-file=*)
            env_file=${1#*=}
            env_file_given=1
            shift
            ;;
        --no-env-file)
            write_env=0
            shift
            ;;
        --force)
            force=1
            shift
            ;;
        --plain)
            plain=1
            shift
            ;;
        -h | --help) usage 0 ;;
        *)
            say "unknown option '$1'"
            usage
            ;;
    esac
done
case "$port" in
    '' | *[!0-9]*) die "--port must be a number, got '$port'" ;;
esac
if [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then die "--port must be 1-65535, got $port"; fi

mkdir -p "$state_dir"
state_dir=$(cd "$state_dir" && pwd)
case "$env_file" in
    /*) ;;
    *) env_file=$PWD/$env_file ;;
esac

pid_file=$state_dir/redis.pid
conf_file=$state_dir/redis.conf
log_file=$state_dir/redis.log
pass_file=$state_dir/password
info_file=$state_dir/server.info # port= and tls= of the running server
envs_file=$state_dir/env-files   # the .env files written, one a line

# shellcheck source=scripts/lib/packages.sh
. "$ROOT/scripts/lib/packages.sh"
SERVER_PACKAGES=(redis-server redis-tools openssl)

# As root, installs the missing server packages first (as scripts/build.sh does for the
# build); otherwise names them and stops.
need_server_packages() {
    install_packages "${SERVER_PACKAGES[@]}" ||
        die "a local server needs them"
}

need() {
    command -v "$1" >/dev/null 2>&1 ||
        die "$1 not found; install it (Debian: apt-get install $2)"
}

running_pid() {
    [ -f "$pid_file" ] || return 1
    local pid
    pid=$(cat "$pid_file" 2>/dev/null || true)
    case "$pid" in '' | *[!0-9]*) return 1 ;; esac
    kill -0 "$pid" 2>/dev/null || return 1
    # A stale pid file may name an unrelated process now.
    grep -q redis-server "/proc/$pid/cmdline" 2>/dev/null || [ ! -d /proc ] || return 1
    echo "$pid"
}

info_get() { sed -n "s/^$1=//p" "$info_file" 2>/dev/null | head -n 1; }

# The CA and the server certificate (SAN localhost, 127.0.0.1, ::1), made once.
make_certs() {
    [ -s "$state_dir/ca.crt" ] && [ -s "$state_dir/server.crt" ] && [ -s "$state_dir/server.key" ] &&
        return 0
    need openssl openssl
    say "making a CA and a server certificate in $state_dir"
    local cnf=$state_dir/openssl.cnf
    cat >"$cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = amr local CA
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
    (
        umask 077
        cd "$state_dir"
        openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
            -keyout ca.key -out ca.crt -days 3650 -subj "/CN=amr local CA" \
            -config openssl.cnf -extensions v3_ca 2>/dev/null
        openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
            -keyout server.key -out server.csr -subj "/CN=localhost" -config openssl.cnf 2>/dev/null
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key \
            -set_serial "0x$(openssl rand -hex 8)" -days 825 -out server.crt \
            -extfile openssl.cnf -extensions v3_server 2>/dev/null
        rm -f server.csr
        chmod 644 ca.crt server.crt
    ) || die "openssl could not make the certificates"
}

make_password() {
    [ -s "$pass_file" ] && return 0
    (
        umask 077
        if command -v openssl >/dev/null 2>&1; then
            openssl rand -hex 24 >"$pass_file"
        else
            head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$pass_file"
            echo >>"$pass_file"
        fi
    )
}

write_conf() {
    local password
    password=$(cat "$pass_file")
    (
        umask 077
        {
            echo "# made by scripts/local-redis.sh"
            echo "bind 127.0.0.1 -::1"
            echo "protected-mode yes"
            if [ "$plain" = 1 ]; then
                echo "port $port"
            else
                echo "port 0"
                echo "tls-port $port"
                echo "tls-cert-file $state_dir/server.crt"
                echo "tls-key-file $state_dir/server.key"
                echo "tls-ca-cert-file $state_dir/ca.crt"
                echo "tls-auth-clients no"
                echo "tls-protocols \"TLSv1.2 TLSv1.3\""
            fi
            echo "requirepass $password"
            echo "daemonize yes"
            echo "pidfile $pid_file"
            echo "logfile $log_file"
            echo "dir $state_dir"
            echo "save \"\""
            echo "appendonly no"
        } >"$conf_file"
    )
}

cli() {
    local tls_args=()
    if [ "$(info_get tls)" != false ]; then
        tls_args=(--tls --cacert "$state_dir/ca.crt")
    fi
    REDISCLI_AUTH=$(cat "$pass_file") redis-cli --no-auth-warning -h 127.0.0.1 \
        -p "$(info_get port)" "${tls_args[@]}" "$@"
}

wait_for_ping() {
    local i
    for i in $(seq 1 100); do
        if [ "$(cli ping 2>/dev/null || true)" = PONG ]; then
            return 0
        fi
        if [ "$i" -gt 5 ] && ! running_pid >/dev/null; then
            break
        fi
        sleep 0.1
    done
    return 1
}

is_ours() { [ -f "$1" ] && [ "$(head -n 1 "$1")" = "$MARKER" ]; }

write_env_file() {
    [ "$write_env" = 1 ] || return 0
    if [ -e "$env_file" ] && ! is_ours "$env_file" && [ "$force" != 1 ]; then
        die "$env_file exists and was not written by this script; pass --force to overwrite it, or --env-file FILE"
    fi
    mkdir -p "$(dirname "$env_file")"
    local tmp
    tmp=$(mktemp "$env_file.XXXXXX")
    chmod 600 "$tmp"
    {
        echo "$MARKER"
        echo "REDIS_HOST=localhost"
        echo "REDIS_PORT=$(info_get port)"
        echo "REDIS_KEY=$(cat "$pass_file")"
        if [ "$(info_get tls)" = false ]; then
            echo "REDIS_TLS=false"
        else
            echo "REDIS_TLS=true"
            echo "REDIS_CACERT=$state_dir/ca.crt"
        fi
    } >"$tmp"
    mv -f "$tmp" "$env_file"
    grep -qxF "$env_file" "$envs_file" 2>/dev/null || echo "$env_file" >>"$envs_file"
    say "wrote $env_file"
}

do_start() {
    need_server_packages
    need redis-server redis-server
    need redis-cli redis-tools
    local pid
    if pid=$(running_pid); then
        local want_tls=true
        [ "$plain" = 1 ] && want_tls=false
        if { [ "$port_given" = 1 ] && [ "$(info_get port)" != "$port" ]; } ||
            [ "$(info_get tls)" != "$want_tls" ]; then
            die "already running (pid $pid, port $(info_get port), tls $(info_get tls)); run '$0 stop' first"
        fi
        say "already running (pid $pid, port $(info_get port))"
        write_env_file
        return 0
    fi
    rm -f "$pid_file"
    [ "$plain" = 1 ] || make_certs
    make_password
    write_conf
    printf 'port=%s\ntls=%s\n' "$port" "$([ "$plain" = 1 ] && echo false || echo true)" >"$info_file"
    : >"$log_file"
    if ! redis-server "$conf_file" >/dev/null 2>&1; then
        tail -n 5 "$log_file" >&2 2>/dev/null || true
        die "redis-server did not start"
    fi
    if ! wait_for_ping; then
        tail -n 5 "$log_file" >&2 2>/dev/null || true
        if pid=$(running_pid); then kill "$pid" 2>/dev/null || true; fi
        die "redis-server on port $port does not answer PING (is the port in use?); log: $log_file"
    fi
    say "running (pid $(running_pid), $([ "$plain" = 1 ] && echo plain || echo TLS) on localhost:$port)"
    write_env_file
}

remove_env_files() {
    local f
    if [ -f "$envs_file" ]; then
        while IFS= read -r f; do
            if is_ours "$f"; then
                rm -f "$f"
                say "removed $f"
            fi
        done <"$envs_file"
        rm -f "$envs_file"
    fi
    # An --env-file given to stop counts too (the list may have been lost).
    if [ "$env_file_given" = 1 ] && is_ours "$env_file"; then
        rm -f "$env_file"
        say "removed $env_file"
    fi
}

do_stop() {
    local pid i
    if pid=$(running_pid); then
        kill "$pid" 2>/dev/null || true
        for i in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -9 "$pid" 2>/dev/null || true
        fi
        say "stopped (pid $pid)"
    else
        say "not running"
    fi
    rm -f "$pid_file"
    remove_env_files
}

do_status() {
    local pid
    if pid=$(running_pid); then
        echo "running (pid $pid, $([ "$(info_get tls)" = false ] && echo plain || echo TLS) on localhost:$(info_get port), state in $state_dir)"
        return 0
    fi
    echo "not running"
    return 3
}

do_env() {
    running_pid >/dev/null || die "not running; use '$0 start'"
    [ "$write_env" = 1 ] || die "env with --no-env-file writes nothing"
    write_env_file
    echo "$env_file"
}

case "$action" in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    env) do_env ;;
esac
