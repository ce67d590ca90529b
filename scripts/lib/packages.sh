# Sourced by scripts/build.sh and scripts/test.sh: installs missing Debian packages.
# The caller defines say(). Returns 1 when packages are missing and cannot be installed
# (not root); $PACKAGES_OPTIONAL=1 makes that a note instead.

missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
    done
}

install_packages() {
    command -v dpkg-query >/dev/null 2>&1 || return 0
    local missing
    missing=$(missing_packages "$@")
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        say "missing packages: $missing (run as root, or: sudo apt-get install $missing)"
        [ "${PACKAGES_OPTIONAL:-0}" = 1 ] && return 0
        return 1
    fi
    say "installing: $missing"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    if ! apt-get install -y -q $missing >/dev/null; then
        apt-get update -q >/dev/null
        apt-get install -y -q $missing >/dev/null
    fi
}
