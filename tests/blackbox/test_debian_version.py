"""The Debian package's version is meson's project version: debian/changelog's top entry
says the same, and scripts/package.sh stops, naming both, before it installs or builds
anything when they differ. (The package itself is tests/package/'s, as root.)"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from amrtest import HANG, PATH, ROOT, require_tools


def meson_version(root: Path) -> str:
    proc = subprocess.run(["meson", "introspect", "--projectinfo", str(root / "meson.build")],
                          capture_output=True, text=True, timeout=HANG)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["version"]


def changelog_version(root: Path) -> str:
    first = (root / "debian" / "changelog").read_text().splitlines()[0]
    match = re.match(r"amr \(([^)]+)\) ", first)
    assert match, first
    return match.group(1)


def test_changelog_version_is_meson_s():
    require_tools("meson")
    assert changelog_version(ROOT) == meson_version(ROOT)


def test_package_sh_stops_when_they_differ(tmp_path):
    require_tools("meson", "git")
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], capture_output=True, text=True, timeout=HANG)
    assert listed.returncode == 0, listed.stderr
    tree = tmp_path / "amr"
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if source.is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tree / name)
    meson_build = tree / "meson.build"
    version = meson_version(tree)
    meson_build.write_text(meson_build.read_text().replace(f"version: '{version}'", "version: '99.1.0'", 1))
    assert meson_version(tree) == "99.1.0"

    proc = subprocess.run([str(tree / "scripts" / "package.sh")], capture_output=True, text=True,
                          timeout=HANG, env={"PATH": PATH, "HOME": os.environ.get("HOME", "/")})
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert f"debian/changelog's version is '{version}'" in proc.stderr
    assert "project() version is 99.1.0" in proc.stderr
    assert not (tree / "dist").exists()
    assert {p.name for p in tmp_path.iterdir()} == {"amr"}, "nothing written beside the tree"
