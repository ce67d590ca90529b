# Sourced by scripts/build.sh and scripts/package.sh: the hiredis 1.2.0 tarball that meson's
# fallback (subprojects/hiredis.wrap) builds from, in subprojects/packagecache/. Run from
# the checkout's root; the caller defines say().
HIREDIS_VERSION=1.2.0
HIREDIS_DEBIAN_VERSION=1.2.0-6
HIREDIS_SHA256=82ad632d31ee05da13b537c124f819eb88e18851d9cb0c30ae0552084811588c
HIREDIS_TARBALL=subprojects/packagecache/hiredis-$HIREDIS_VERSION.tar.gz

system_hiredis_ok() {
    pkg-config --atleast-version=1.0 hiredis 2>/dev/null &&
        pkg-config --atleast-version=1.0 hiredis_ssl 2>/dev/null
}

tarball_ok() {
    [ -f "$HIREDIS_TARBALL" ] &&
        echo "$HIREDIS_SHA256  $HIREDIS_TARBALL" | sha256sum --check --status
}

# Debian 12 has only hiredis 0.14. Debian 13's source package carries upstream's 1.2.0
# tarball byte for byte; fetch it through apt from the mirror apt already uses.
fetch_hiredis_source() {
    if [ "$(id -u)" -ne 0 ]; then
        say "no hiredis >= 1.0 and no $HIREDIS_TARBALL; run as root to fetch it with apt-get source,"
        say "or put upstream's hiredis v$HIREDIS_VERSION tarball there (meson can also download it)"
        return 1
    fi
    local list=/etc/apt/sources.list.d/amr-trixie-src.sources
    if [ ! -f "$list" ]; then
        local uri
        uri=$(grep -rhoE '^URIs:[[:space:]]*[^[:space:]]+' /etc/apt/sources.list.d/*.sources 2>/dev/null |
                  awk '{print $2}' | grep -v -- '-security' | head -n 1 || true)
        if [ -z "$uri" ]; then
            uri=$(grep -hoE '^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?[^[:space:]]+' /etc/apt/sources.list 2>/dev/null |
                      awk '{print $NF}' | grep -v -- '-security' | head -n 1 || true)
        fi
        [ -n "$uri" ] || { say "cannot find a Debian mirror in apt's sources"; return 1; }
        say "adding a deb-src entry for trixie (same mirror as apt's sources) to fetch hiredis source"
        printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            "$uri" >"$list"
        apt-get update -q >/dev/null
    fi
    local tmp
    tmp=$(mktemp -d)
    chmod 755 "$tmp"
    (cd "$tmp" && apt-get source -q --download-only "hiredis=$HIREDIS_DEBIAN_VERSION" >/dev/null 2>&1) || {
        apt-get update -q >/dev/null
        (cd "$tmp" && apt-get source -q --download-only "hiredis=$HIREDIS_DEBIAN_VERSION" >/dev/null)
    }
    mkdir -p "$(dirname "$HIREDIS_TARBALL")"
    cp "$tmp/hiredis_$HIREDIS_VERSION.orig.tar.gz" "$HIREDIS_TARBALL"
    rm -rf "$tmp"
    tarball_ok || { say "hiredis tarball checksum mismatch"; rm -f "$HIREDIS_TARBALL"; return 1; }
}
