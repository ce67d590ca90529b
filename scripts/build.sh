#!/usr/bin/env bash
# Builds build/amr: installs missing Debian packages (when root), prepares the hiredis
# 1.2.0 fallback when the system has no hiredis >= 1.0 with hiredis_ssl, then runs meson.
# Idempotent: a second run only re-runs ninja.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}

# Packages to build amr; the test suites add theirs in scripts/test.sh.
BUILD_PACKAGES=(g++ meson ninja-build cmake pkg-config libssl-dev libcli11-dev rapidjson-dev
                libspdlog-dev doctest-dev scdoc)

say() { echo "build.sh: $*" >&2; }

# shellcheck source=scripts/lib/packages.sh
. scripts/lib/packages.sh
# shellcheck source=scripts/lib/hiredis.sh
. scripts/lib/hiredis.sh

install_packages "${BUILD_PACKAGES[@]}"
if ! system_hiredis_ok && ! tarball_ok; then
    fetch_hiredis_source
fi

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    meson setup "$BUILD_DIR" ${MESON_ARGS:-} >&2 || { rm -rf "$BUILD_DIR"; exit 1; }
fi
ninja -C "$BUILD_DIR" >&2
