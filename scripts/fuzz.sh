#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz (clang, address and undefined-behaviour
# sanitizers) in build-fuzz/ and runs them one at a time (docs/FUZZING.md).
#
#   scripts/fuzz.sh [--seconds N] [NAME...]   fuzz each harness N seconds (default 60)
#   scripts/fuzz.sh --replay [NAME...]        run each checked-in input once (CI): quick
#                                             and deterministic
#   scripts/fuzz.sh --list                    the harness names
#
# Fuzzing starts from a working copy of tests/fuzz/corpus/NAME in build-fuzz/corpus/NAME,
# where libFuzzer adds what it finds; a finding (crash, sanitizer report, failed property)
# is saved in build-fuzz/findings/NAME/ and makes the script exit 1. Logs are in
# build-fuzz/logs/NAME.log. Needs clang and libclang-rt-dev (Debian: clang,
# libclang-rt-14-dev) and, without a system hiredis >= 1.0, the tarball scripts/build.sh
# fetches.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
SEEDS=tests/fuzz/corpus
ALL=(resp dotenv url json formatter template line_reader cluster duration jwt cluster_slots pipeline placeholders glob reply_to envelope stamp)
seconds=60
replay=false
names=()

say() { echo "fuzz.sh: $*" >&2; }

# Inputs longer than libFuzzer's default (4 KiB, or the longest seed): JSON nested
# 100000 deep, frames and .env files past 64 KiB.
max_len() {
    case "$1" in
        json | resp | formatter | envelope) echo 262144 ;;
        dotenv | line_reader) echo 131072 ;;
        *) echo 8192 ;;
    esac
}

while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
        --seconds=*) seconds=${1#--seconds=}; shift ;;
        --replay) replay=true; shift ;;
        --list) printf '%s\n' "${ALL[@]}"; exit 0 ;;
        -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) say "unknown option $1"; exit 2 ;;
        *) names+=("$1"); shift ;;
    esac
done
[ ${#names[@]} -gt 0 ] || names=("${ALL[@]}")
for name in "${names[@]}"; do
    [ -f "tests/fuzz/fuzz_$name.cpp" ] || { say "no harness named $name (--list)"; exit 2; }
done
case "$seconds" in '' | *[!0-9]*) say "--seconds needs a whole number"; exit 2 ;; esac

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    CC=clang CXX=clang++ meson setup "$BUILD_DIR" -Dfuzz=true -Dtests=false -Dman=disabled \
        -Dbuildtype=debugoptimized -Db_ndebug=false -Db_sanitize=address,undefined \
        -Db_lundef=false >&2 || { rm -rf "$BUILD_DIR"; exit 1; }
fi
targets=()
for name in "${names[@]}"; do targets+=("tests/fuzz/fuzz_$name"); done
ninja -C "$BUILD_DIR" -j2 "${targets[@]}" >&2 || exit 1

# RapidJSON 1.1's own undefined behaviour is suppressed by file (tests/fuzz/ubsan.supp);
# anything else stops the run.
export UBSAN_OPTIONS="suppressions=$PWD/tests/fuzz/ubsan.supp:halt_on_error=1:print_stacktrace=1:print_suppressions=0"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
mkdir -p "$BUILD_DIR/logs"
failed=()
for name in "${names[@]}"; do
    bin=$BUILD_DIR/tests/fuzz/fuzz_$name
    log=$BUILD_DIR/logs/$name.log
    findings=$BUILD_DIR/findings/$name
    mkdir -p "$findings" "$SEEDS/$name"
    if $replay; then
        "$bin" -runs=0 -max_len="$(max_len "$name")" -artifact_prefix="$findings/" \
            "$SEEDS/$name" >"$log" 2>&1
    else
        work=$BUILD_DIR/corpus/$name
        mkdir -p "$work"
        cp -n "$SEEDS/$name"/* "$work"/ 2>/dev/null
        say "fuzzing $name for ${seconds}s"
        # -len_control=0: mutate up to -max_len from the start, not after a slow ramp
        # (in 2 minutes libFuzzer's own limit reached only 16 KB).
        "$bin" -max_total_time="$seconds" -max_len="$(max_len "$name")" -len_control=0 -timeout=10 \
            -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/" \
            "$work" "$SEEDS/$name" >"$log" 2>&1
    fi
    rc=$?
    if [ $rc -ne 0 ]; then
        failed+=("$name")
        say "$name: FINDING (exit $rc), see $log and $findings/"
        grep -m5 -E 'ERROR|PROPERTY FAILED|runtime error|SUMMARY' "$log" >&2
    elif $replay; then
        say "$name: $(grep -c . <(ls "$SEEDS/$name")) inputs replayed"
    else
        say "$name: $(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1)"
        say "$name: $(grep -E 'stat::number_of_executed_units' "$log")"
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    say "findings in: ${failed[*]}"
    exit 1
fi
