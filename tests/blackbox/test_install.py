"""`meson install` of the build that made AMR_BIN, into a temporary DESTDIR: exactly the
binary, the man page and the three completions, where each belongs, and a man page that
renders without a warning."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from amrtest import AMR_BIN, HANG, PATH, ROOT, require_tools, sanitizer_env


def run(argv, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=HANG,
                          env={"PATH": PATH, "LANG": "C.UTF-8", "HOME": os.environ.get("HOME", "/"),
                               **sanitizer_env()},
                          **kwargs)


@pytest.fixture(scope="module")
def build_dir(amr_bin) -> Path:
    require_tools("meson")
    build = AMR_BIN.parent
    if not (build / "meson-private").is_dir():
        pytest.fail(f"{AMR_BIN} is not in a meson build directory", pytrace=False)
    return build


@pytest.fixture(scope="module")
def options(build_dir) -> dict:
    proc = run(["meson", "introspect", "--buildoptions", str(build_dir)])
    assert proc.returncode == 0, proc.stderr
    return {o["name"]: o["value"] for o in json.loads(proc.stdout)}


@pytest.fixture(scope="module")
def destdir(build_dir, tmp_path_factory) -> Path:
    destdir = tmp_path_factory.mktemp("destdir")
    proc = run(["meson", "install", "-C", str(build_dir), "--no-rebuild", "--destdir", str(destdir)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return destdir


@pytest.fixture(scope="module")
def paths(options) -> dict:
    """Where each file goes, absolute: the completions' directories are options
    (meson_options.txt), empty for the usual place under datadir."""
    prefix = Path(options["prefix"])
    data = prefix / options["datadir"]

    def completions(shell: str, usual: Path) -> Path:
        return prefix / (options[f"{shell}_completions_dir"] or usual)

    return {
        "bin": prefix / options["bindir"] / "amr",
        "man": prefix / options["mandir"] / "man1" / "amr.1",
        "bash": completions("bash", data / "bash-completion" / "completions") / "amr",
        "zsh": completions("zsh", data / "zsh" / "site-functions") / "_amr",
        "fish": completions("fish", data / "fish" / "vendor_completions.d") / "amr.fish",
    }


@pytest.fixture(scope="module")
def installed(destdir, paths) -> dict:
    """Each file's place inside the DESTDIR."""
    return {name: destdir / path.relative_to("/") for name, path in paths.items()}


def test_dirs_under_the_prefix_are_the_usual_ones(options):
    # The prefix itself is /usr/local unless meson setup was given --prefix.
    assert options["prefix"].startswith("/")
    assert (options["bindir"], options["mandir"], options["datadir"]) == ("bin", "share/man", "share")


def test_installs_exactly_the_binary_the_man_page_and_three_completions(destdir, installed):
    # Nothing else anywhere: no hiredis headers or libraries from the fallback subproject.
    files = {p for p in destdir.rglob("*") if not p.is_dir()}
    assert files == set(installed.values())


def test_installed_binary_runs(installed, build_dir):
    binary = installed["bin"]
    assert os.access(binary, os.X_OK)
    proc = run(["meson", "introspect", "--projectinfo", str(build_dir)])
    version = json.loads(proc.stdout)["version"]
    proc = run([str(binary), "--version"])
    assert proc.returncode == 0, proc.stderr
    assert version in proc.stdout


@pytest.mark.parametrize("name,source", [("bash", "amr.bash"), ("zsh", "_amr"), ("fish", "amr.fish")])
def test_completions_are_the_sources(installed, name, source):
    installed_file = installed[name]
    assert installed_file.read_bytes() == (ROOT / "completions" / source).read_bytes()
    assert not os.access(installed_file, os.X_OK), "data files are not executable"


def test_zsh_completion_starts_with_compdef(installed):
    assert installed["zsh"].read_text().splitlines()[0] == "#compdef amr"


def test_bash_completion_registers_for_amr(installed):
    proc = run(["bash", "--norc", "-c", f"source '{installed['bash']}' && complete -p amr"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith(" amr")


def test_man_page_is_the_built_one_and_renders_without_warnings(installed, build_dir):
    require_tools("groff")
    page = installed["man"]
    assert page.read_bytes() == (build_dir / "man" / "amr.1").read_bytes()
    # -P-cbou: plain text, without bold or underline, so the headings can be found.
    proc = run(["groff", "-ww", "-man", "-Tutf8", "-P-cbou", str(page)])
    assert proc.returncode == 0
    assert proc.stderr == "", proc.stderr
    headings = [line for line in proc.stdout.splitlines() if line and not line[0].isspace()]
    for heading in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "GLOBAL OPTIONS", "CONFIGURATION",
                    "OUTPUT FORMATS", "EXIT STATUS", "EXAMPLES", "FILES", "SEE ALSO"):
        assert heading in headings, heading
