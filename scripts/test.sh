#!/usr/bin/env bash
# Builds amr and runs every test suite: the unit tests (meson test), then the integration
# and black-box tests (pytest against real redis-server processes).
#
#   scripts/test.sh [PYTEST ARGS...]     e.g. scripts/test.sh -k walkthrough
#
# As root it first installs the missing test packages with apt-get. Exits non-zero when
# anything failed. Under CI=true a skipped test is a failure too (a missing redis-server
# must not pass quietly). Ends with pytest's summary lines.
#
# With pytest-xdist (python3-pytest-xdist) the pytest tests run in AMR_TEST_WORKERS
# parallel workers (default: two per core, as the tests mostly wait on servers, deadlines
# and subscribers), then the tests marked `serial` (their check needs one process to keep
# pace with another) run one at a time. PYTEST ARGS go to both runs.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

TEST_PACKAGES=(redis-server redis-tools jq openssl python3-pytest python3-pytest-xdist python3-redis
    groff-base bash-completion zsh fish)
PYTHON=/usr/bin/python3
BUILD_DIR=${BUILD_DIR:-build}
ci=false
case "${CI:-}" in true | TRUE | True | 1 | yes) ci=true ;; esac

say() { echo "test.sh: $*" >&2; }

# shellcheck source=scripts/lib/packages.sh
. scripts/lib/packages.sh

if ! PACKAGES_OPTIONAL=1 install_packages "${TEST_PACKAGES[@]}"; then
    say "could not install the test packages"
    exit 1
fi

say "building (scripts/build.sh)"
if ! scripts/build.sh; then
    say "build failed"
    exit 1
fi

unit=ok
say "unit tests (meson test -C $BUILD_DIR)"
if ! meson test -C "$BUILD_DIR" --print-errorlogs; then
    unit=FAILED
fi

say "integration and black-box tests (pytest)"
if ! "$PYTHON" -c 'import pytest' 2>/dev/null; then
    say "$PYTHON has no pytest (Debian package python3-pytest)"
    exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export AMR_BIN=${AMR_BIN:-$PWD/$BUILD_DIR/amr}

# run_pytest NAME ARGS...: one pytest run; its summary line goes to the summaries.
status=0
skipped=0
summaries=()
run_pytest() {
    local name=$1 rc summary n
    shift
    : >"$log"
    "$PYTHON" -m pytest -p no:cacheprovider -ra "$@" tests/integration tests/blackbox "${PYTEST_ARGS[@]}" 2>&1 |
        tee "$log"
    rc=${PIPESTATUS[0]}
    summary=$(grep -E '^=+ .* in [0-9.]+s' "$log" | tail -n 1)
    n=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$summary")
    skipped=$((skipped + ${n:-0}))
    summaries+=("pytest ($name): ${summary:-printed no summary}")
    # 5: no test selected (PYTEST ARGS that pick no serial test, say).
    if [ "$rc" -ne 0 ] && ! { [ "$rc" -eq 5 ] && [ "$name" = serial ]; }; then
        status=1
        summaries+=("pytest ($name): FAILED (exit $rc)")
    fi
}

PYTEST_ARGS=("$@")
if "$PYTHON" -c 'import xdist' 2>/dev/null; then
    workers=${AMR_TEST_WORKERS:-$(($(nproc) * 2))}
    run_pytest "$workers workers" -n "$workers" -m "not serial"
    run_pytest serial -m serial
else
    say "$PYTHON has no pytest-xdist (python3-pytest-xdist): the tests run one at a time"
    run_pytest "one at a time"
fi

echo
echo "unit tests: $unit"
[ "$unit" = ok ] || status=1
if [ "$ci" = true ] && [ "$skipped" -gt 0 ]; then
    status=1
    echo "pytest: $skipped skipped, and CI=true allows no skips"
fi
printf '%s\n' "${summaries[@]}"
exit "$status"
