#!/usr/bin/env bash
# Builds amr with sanitizers and runs the tests against that binary (docs/TESTING.md).
#
#   scripts/sanitize.sh address [PYTEST ARGS...]  build-asan/: AddressSanitizer, LeakSanitizer
#                                                 and UndefinedBehaviorSanitizer; the unit tests,
#                                                 then the whole integration and black-box suites
#   scripts/sanitize.sh thread [PYTEST ARGS...]   build-tsan/: ThreadSanitizer; the unit tests,
#                                                 then the tests of amr's threaded paths
#
# Runs scripts/test.sh with BUILD_DIR and MESON_ARGS (so the same packages, build steps,
# CI=true rules and summary), pytest in two parallel workers (AMR_TEST_WORKERS). The
# address build is clang's (clang, libclang-rt-14-dev: installed when root), the thread
# build gcc's.
# Everything is instrumented, the hiredis fallback too; OpenSSL, spdlog and libstdc++ are
# Debian's. A report fails the run: the unit tests exit non-zero on one; for the pytest
# suites tests/amrtest.py's sanitizer_env() hands these options to every amr with
# log_path=$AMR_SANITIZER_LOGS/pytest-<worker>-<pid>/report, and tests/conftest.py fails the
# test during which a report file appeared, printing it. Reports stay in
# BUILD_DIR/sanitizer-logs/. *SAN_OPTIONS set before come after the script's own (the
# last setting of a flag wins).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

say() { echo "sanitize.sh: $*" >&2; }

# shellcheck source=scripts/lib/packages.sh
. scripts/lib/packages.sh

mode=${1:-}
compilers=()
packages=(python3-pytest-xdist)
shift || true
case "$mode" in
    address)
        build=build-asan
        # clang: gcc 12's UBSan, beside its ASan, writes its reports on stderr whatever
        # log_path says, so the tests would not see them. -fno-sanitize=builtin: clang 14's
        # runtime ignores suppressions for that one check, which RapidJSON's diyfp.h fails
        # (tests/fuzz/ubsan.supp); amr's own code calls no such builtin.
        # -O1, as ASan's authors advise: a sanitized amr is slow enough as it is.
        compilers=(CC=clang CXX=clang++)
        packages+=(clang libclang-rt-14-dev)
        meson_args="-Db_sanitize=address,undefined -Doptimization=1 -Ddebug=true -Db_ndebug=false -Db_lundef=false -Dcpp_args=-fno-sanitize=builtin"
        # RapidJSON 1.1's own undefined behaviour is suppressed by file (docs/FUZZING.md);
        # anything else ends amr at once, with the report.
        export UBSAN_OPTIONS="suppressions=$PWD/tests/fuzz/ubsan.supp:halt_on_error=1:print_stacktrace=1:print_suppressions=0${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
        # A small quarantine: the memory-bound tests measure amr, not freed memory ASan
        # holds back to catch use-after-free (256 MB by default). disable_coredump=0: amr
        # sets its own core limit (AMR_CORE_DUMPS, test_process_guard.py), ASan's default
        # would set it to 0 first; its shadow memory is kept out of cores anyway.
        export ASAN_OPTIONS="detect_leaks=1:quarantine_size_mb=16:disable_coredump=0:check_initialization_order=1:strict_init_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
        export LSAN_OPTIONS="print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
        selection=()
        ;;
    thread)
        build=build-tsan
        meson_args="-Db_sanitize=thread -Dbuildtype=debug -Db_lundef=false"
        export TSAN_OPTIONS="second_deadlock_stack=1:history_size=4:disable_coredump=0${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
        # The threaded paths: subscribe and psubscribe (the socket reader and the stdout
        # writer thread, signals), --interactive (commands while messages flow), Entra
        # re-authentication (the token command while subscribed), | head -n 1 (the writer
        # meets a closed pipe), amr bench (a poll loop per thread, counts shared with the
        # main thread), amr top (the subscriber on its own thread, the display on the main
        # one), the writer's unit tests (run by meson test).
        selection=(-k "test_subscribe or test_interactive or test_pipes or test_entra or test_process_guard or test_bench or test_top")
        ;;
    *)
        sed -n '2,/^set /p' "$0" | grep '^#' | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
esac

if ! install_packages "${packages[@]}"; then
    say "needs: ${packages[*]}"
    exit 1
fi
export AMR_SANITIZER_LOGS=$PWD/$build/sanitizer-logs
rm -rf "$AMR_SANITIZER_LOGS"
# scripts/test.sh runs pytest in parallel workers, then the serial tests; a sanitized amr
# takes more CPU, so two workers unless told otherwise.
export AMR_TEST_WORKERS=${AMR_TEST_WORKERS:-2}
say "$mode: $build ($meson_args), reports in $AMR_SANITIZER_LOGS"
env "${compilers[@]}" BUILD_DIR=$build MESON_ARGS="$meson_args" AMR_BIN="$PWD/$build/amr" \
    scripts/test.sh "${selection[@]}" "$@"
status=$?
reports=$(find "$AMR_SANITIZER_LOGS" -name 'report.*' 2>/dev/null | wc -l)
[ "$reports" -eq 0 ] || { say "$reports sanitizer report(s) in $AMR_SANITIZER_LOGS"; status=1; }
exit "$status"
