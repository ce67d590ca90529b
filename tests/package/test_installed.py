"""The installed Debian package (tests/package/test_package.sh installs it, runs this, and
purges it): /usr/bin/amr and its versions, the man page through man-db, the libraries it
needs, and bash, zsh and fish completing `amr pub` from the files the package put where
each shell looks by itself. Not part of scripts/test.sh's run: it needs the package
installed, which only test_package.sh does (AMR_PACKAGE_TEST=1)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from amrtest import HANG, ROOT

sys.path.insert(0, str(ROOT / "tests" / "blackbox"))
from test_completions import _ZSH_DRIVER  # noqa: E402  (one zsh driver for both)

if os.environ.get("AMR_PACKAGE_TEST") != "1":
    pytest.skip("needs the package installed: run tests/package/test_package.sh as root",
                allow_module_level=True)

AMR = Path("/usr/bin/amr")
MAN = Path("/usr/share/man/man1/amr.1.gz")
BASH = Path("/usr/share/bash-completion/completions/amr")
ZSH = Path("/usr/share/zsh/vendor-completions/_amr")
FISH = Path("/usr/share/fish/vendor_completions.d/amr.fish")
PATH = "/usr/bin:/bin"


def run(argv, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """argv with only PATH, HOME (an empty directory), LANG and TERM in the environment."""
    return subprocess.run(argv, capture_output=True, text=True, timeout=HANG, stdin=subprocess.DEVNULL,
                          env={"PATH": PATH, "HOME": os.environ["AMR_PACKAGE_HOME"], "LANG": "C.UTF-8",
                               "TERM": "xterm", **(env or {})}, **kwargs)


def package_files() -> set[Path]:
    proc = run(["dpkg-query", "-L", "amr"])
    assert proc.returncode == 0, proc.stderr
    return {Path(line) for line in proc.stdout.splitlines() if line and Path(line).is_file()}


def meson_version() -> str:
    proc = run(["meson", "introspect", "--projectinfo", str(ROOT / "meson.build")])
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["version"]


def test_the_package_holds_the_binary_man_page_completions_and_its_documents():
    assert package_files() == {AMR, MAN, BASH, ZSH, FISH, Path("/usr/share/doc/amr/copyright"),
                               Path("/usr/share/doc/amr/changelog.gz")}


def test_the_package_version_is_meson_s():
    proc = run(["dpkg-query", "-W", "-f", "${Version}", "amr"])
    assert proc.stdout == meson_version()


def test_amr_on_path_is_the_package_s():
    proc = run(["sh", "-c", "command -v amr"])
    assert proc.stdout.strip() == str(AMR)
    assert run(["dpkg-query", "-S", str(AMR)]).stdout.startswith("amr: ")


def test_version_names_amr_hiredis_and_both_openssls():
    proc = run([str(AMR), "--version"])
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 3, proc.stdout
    assert lines[0] == f"amr {meson_version()}"
    # The package links the hiredis 1.2.0 fallback and is built against Debian's OpenSSL.
    built = re.fullmatch(r"built with hiredis 1\.2\.0, (OpenSSL 3\.\S+ .+)", lines[1])
    assert built, lines[1]
    # The library it runs with is what `openssl version` reports as the library.
    openssl = run(["openssl", "version"]).stdout
    library = re.search(r"\(Library: (.+)\)", openssl)
    assert lines[2] == f"running with {library.group(1) if library else openssl.strip()}"


def test_needs_only_debian_s_own_libraries():
    proc = run(["ldd", str(AMR)])
    assert proc.returncode == 0, proc.stderr
    assert "not found" not in proc.stdout, proc.stdout
    assert "hiredis" not in proc.stdout, "hiredis is linked statically"
    depends = run(["dpkg-query", "-W", "-f", "${Depends}", "amr"]).stdout
    assert "libssl3" in depends and "hiredis" not in depends, depends


def test_man_finds_and_renders_the_page():
    assert run(["man", "-w", "amr"]).stdout.strip() == str(MAN)
    proc = run(["man", "-P", "cat", "amr"], env={"MANWIDTH": "80"})
    assert proc.returncode == 0, proc.stderr
    assert "amr - " in proc.stdout and "EXIT STATUS" in proc.stdout


# ----------------------------------------------------------------------------- completions
# Each shell starts as a user's would, with no configuration naming amr's files: the
# completion must come from the directory the package put it in.


def test_bash_loads_the_completion_on_demand_and_completes_pub():
    # bash-completion's default completion (complete -D) calls _completion_loader for a
    # command it has no completion for yet; it looks in its completionsdir.
    script = r"""
source /usr/share/bash-completion/bash_completion || exit 90
complete -p amr >/dev/null 2>&1 && exit 91
_completion_loader amr
spec=$(complete -p amr) || exit 92
function=${spec#* -F }
function=${function%% *}
shopt -s extdebug
declare -F "$function" | cut -d' ' -f3- >&2
COMP_WORDS=(amr pub) COMP_CWORD=1 COMP_LINE='amr pub' COMP_POINT=7
"$function" amr pub amr
printf '%s\n' "${COMPREPLY[@]}"
"""
    proc = run(["bash", "--norc", "--noprofile", "-c", script])
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr}"
    assert proc.stderr.strip() == str(BASH)
    assert proc.stdout.split() == ["publish"]


def test_zsh_finds_the_completion_in_its_default_fpath_and_completes_pub(tmp_path):
    proc = run(["zsh", "-f", "-c", "autoload -U compinit; compinit -u -d $1; autoload +X _amr; "
                "print -r -- $_comps[amr] $functions_source[_amr]", "zsh", str(tmp_path / "dump")])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["_amr", str(ZSH)]
    empty = tmp_path / "no-fpath"
    empty.mkdir()
    errors = tmp_path / "zsh-stderr"
    errors.write_text("")
    driver = tmp_path / "zsh-capture"
    driver.write_text(_ZSH_DRIVER)
    proc = run(["zsh", "-f", str(driver), str(empty), str(tmp_path / "dump"), str(errors), "amr pub"])
    assert proc.returncode == 0, proc.stderr
    assert "publish" in proc.stdout.split(), proc.stdout
    assert errors.read_text() == ""


def test_fish_finds_the_completion_in_its_vendor_directory_and_completes_pub():
    # Without --no-config: fish's own share/config.fish sets fish_complete_path.
    proc = run(["fish", "-c", "complete -C 'amr pub'; for d in $fish_complete_path; "
                "test -e $d/amr.fish; and echo FILE $d/amr.fish; end; true"])
    assert proc.returncode == 0, proc.stderr
    names = [line.split("\t")[0] for line in proc.stdout.splitlines() if not line.startswith("FILE ")]
    files = [line[5:] for line in proc.stdout.splitlines() if line.startswith("FILE ")]
    assert names == ["publish"], proc.stdout
    assert files == [str(FISH)], "the package's file is the only amr.fish fish can load"
