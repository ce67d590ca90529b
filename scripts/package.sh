#!/usr/bin/env bash
# Builds the Debian package of amr, offline, and checks it with lintian:
#
#   scripts/package.sh        -> dist/amr_<version>_<arch>.deb (its path on stdout)
#
# The version is meson.build's project() version, and debian/changelog's top entry must
# say the same (the script stops, naming both, when they differ: add a changelog entry).
# As root it first installs the missing build dependencies (debian/control) and lintian
# with apt-get, and fetches the hiredis 1.2.0 tarball as scripts/build.sh does
# (scripts/lib/hiredis.sh). dpkg-buildpackage -us -uc -b runs in a copy of the checkout
# (the files git tracks plus new ones not ignored, and the hiredis tarball) in a
# temporary directory, since it writes its results beside the source tree; only the
# .deb comes back, into dist/. lintian must report no error; its warnings are printed
# (README.md, "Debian package", lists those known and why they stay).
#
# DEB_BUILD_OPTIONS passes through (e.g. DEB_BUILD_OPTIONS=nocheck skips the unit tests).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIST=${DIST:-$ROOT/dist}

say() { echo "package.sh: $*" >&2; }
die() {
    say "$*"
    exit 1
}

# shellcheck source=scripts/lib/packages.sh
. scripts/lib/packages.sh
# shellcheck source=scripts/lib/hiredis.sh
. scripts/lib/hiredis.sh

# First, before any package is installed: the versions must agree.
version=$(meson introspect --projectinfo meson.build | python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])') ||
    die "cannot read meson.build's project version (meson introspect --projectinfo)"
changelog_version=$(sed -nE '1s/^amr \(([^)]+)\).*/\1/p' debian/changelog)
if [ "$version" != "$changelog_version" ]; then
    die "debian/changelog's version is '$changelog_version' but meson.build's project() version is $version: add a debian/changelog entry for $version (e.g. dch -v $version) or fix meson.build"
fi

install_packages dpkg-dev debhelper fakeroot lintian || die "cannot install the packaging tools"
arch=$(dpkg --print-architecture)
deb=amr_${version}_${arch}.deb

if ! unmet=$(dpkg-checkbuilddeps 2>&1); then
    if [ "$(id -u)" -ne 0 ]; then
        die "$unmet (run as root to install them, or: sudo apt-get build-dep ./)"
    fi
    say "installing the build dependencies (apt-get build-dep ./)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get build-dep -y -q ./ >/dev/null || {
        apt-get update -q >/dev/null
        apt-get build-dep -y -q ./ >/dev/null
    }
    dpkg-checkbuilddeps || die "build dependencies still unmet"
fi

tarball_ok || fetch_hiredis_source || die "no hiredis $HIREDIS_VERSION tarball in $HIREDIS_TARBALL"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/amr-$version
mkdir "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # Tracked and new files as they are in the working tree (a file deleted but not yet
    # committed is left out).
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
        tar --null -T - -cf - | tar -xf - -C "$src"
else
    tar --exclude=./build --exclude='./build-*' --exclude=./dist --exclude=./.git \
        --exclude=./subprojects/packagecache --exclude='./subprojects/hiredis-*' -cf - . |
        tar -xf - -C "$src"
fi
mkdir -p "$src/subprojects/packagecache"
cp "$HIREDIS_TARBALL" "$src/$HIREDIS_TARBALL"

say "building $deb (dpkg-buildpackage -us -uc -b in $src)"
(cd "$src" && dpkg-buildpackage -us -uc -b -Jauto) >&2 || die "dpkg-buildpackage failed"
[ -f "$tmp/$deb" ] || die "dpkg-buildpackage made no $deb"

say "lintian"
changes=$tmp/amr_${version}_${arch}.changes
lintian_rc=0
lintian --fail-on error --display-info "$changes" >&2 || lintian_rc=$?
[ "$lintian_rc" -eq 0 ] || die "lintian reported errors (exit $lintian_rc)"

mkdir -p "$DIST"
rm -f "$DIST"/amr_*.deb
cp "$tmp/$deb" "$DIST/$deb"
say "ok: $DIST/$deb ($(du -k "$DIST/$deb" | cut -f1) KiB)"
echo "$DIST/$deb"
