#!/usr/bin/env bash
# CI (.ci/run, after scripts/test.sh): the Debian package as a user gets it. Run as root.
#
#   tests/package/test_package.sh [PYTEST ARGS...]
#   AMR_DEB=dist/amr_0.1.0_amd64.deb tests/package/test_package.sh   # a .deb already built
#
# 1. scripts/package.sh builds dist/amr_<version>_<arch>.deb (lintian: no error), unless
#    AMR_DEB names one;
# 2. apt-get install ./dist/amr_<version>_<arch>.deb;
# 3. tests/package/test_installed.py checks the installed package: /usr/bin/amr
#    --version, man -w amr, the libraries, and bash, zsh and fish completing `amr pub`
#    from the installed files (pytest; a skipped test is a failure here);
# 4. apt-get purge amr, then every path `dpkg -L amr` listed before is gone, except
#    directories another package owns.
# amr is purged whatever happens, and the script refuses to start when an amr package is
# already installed (it would replace someone's). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
say() { echo "test_package.sh: $*" >&2; }
die() {
    say "FAILED: $*"
    exit 1
}

[ "$(id -u)" = 0 ] || die "needs root (it installs and purges the package)"
if dpkg-query -W -f '${Status}' amr 2>/dev/null | grep -q 'installed'; then
    die "an amr package is already installed; purge it first (apt-get purge amr)"
fi
export DEBIAN_FRONTEND=noninteractive

if [ -n "${AMR_DEB:-}" ]; then
    deb=$(realpath "$AMR_DEB")
else
    deb=$(scripts/package.sh) || die "scripts/package.sh failed"
fi
[ -f "$deb" ] || die "no .deb: $deb"
say "package: $deb ($(du -k "$deb" | cut -f1) KiB)"

work=$(mktemp -d)
purge() { apt-get purge -y -q amr >/dev/null 2>&1 || true; }
trap 'purge; rm -rf "$work"' EXIT

apt-get install -y -q "$deb" >/dev/null || die "apt-get install $deb"
dpkg-query -L amr >"$work/files" || die "dpkg -L amr"
say "installed: $(wc -l <"$work/files") paths"

mkdir "$work/home"
rc=0
AMR_BIN=/usr/bin/amr AMR_PACKAGE_TEST=1 AMR_PACKAGE_HOME=$work/home /usr/bin/python3 -m pytest -p no:cacheprovider -ra \
    tests/package/test_installed.py "$@" | tee "$work/pytest.log" || rc=$?
[ "$rc" -eq 0 ] || die "tests/package/test_installed.py (pytest exit $rc)"
if grep -qE '^=+ .*[0-9]+ skipped' "$work/pytest.log"; then
    die "tests/package/test_installed.py skipped tests"
fi

apt-get purge -y -q amr >/dev/null || die "apt-get purge amr"
if dpkg-query -W -f '${Status}' amr 2>/dev/null | grep -q 'installed'; then
    die "amr is still installed after apt-get purge"
fi
left=0
while IFS= read -r path; do
    case $path in "" | /.) continue ;; esac
    [ -e "$path" ] || [ -L "$path" ] || continue
    if [ -d "$path" ] && [ ! -L "$path" ] && dpkg-query -S "$path" >/dev/null 2>&1; then
        continue # a directory another package owns
    fi
    say "left behind by apt-get purge amr: $path"
    left=$((left + 1))
done <"$work/files"
[ "$left" -eq 0 ] || die "$left path(s) of the package left after apt-get purge amr"
say "ok: installed, checked, purged ($(wc -l <"$work/files") paths gone or owned by other packages)"
