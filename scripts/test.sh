#!/usr/bin/env bash
# Builds amr and runs every test suite: the unit tests (meson test), then the integration
# and black-box tests (pytest against real redis-server processes).
#
#   scripts/test.sh [PYTEST ARGS...]     e.g. scripts/test.sh -k walkthrough
#
# As root it first installs the missing test packages with apt-get. Exits non-zero when
# anything failed. Under CI=true a skipped test is a failure too (a missing redis-server
# must not pass quietly). Ends with pytest's summary line.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

TEST_PACKAGES=(redis-server redis-tools jq openssl python3-pytest python3-redis groff-base
    bash-completion zsh fish)
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
"$PYTHON" -m pytest -p no:cacheprovider -ra tests/integration tests/blackbox "$@" 2>&1 | tee "$log"
pytest_rc=${PIPESTATUS[0]}

summary=$(grep -E '^=+ .* in [0-9.]+s' "$log" | tail -n 1)
skipped=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$summary")

status=0
echo
echo "unit tests: $unit"
[ "$unit" = ok ] || status=1
if [ "$pytest_rc" -ne 0 ]; then
    status=1
    echo "pytest: FAILED (exit $pytest_rc)"
fi
if [ "$ci" = true ] && [ -n "$skipped" ] && [ "$skipped" -gt 0 ]; then
    status=1
    echo "pytest: $skipped skipped, and CI=true allows no skips"
fi
echo "${summary:-pytest printed no summary}"
exit "$status"
