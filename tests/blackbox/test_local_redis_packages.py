"""scripts/local-redis.sh (and so scripts/demo.sh) on a machine without the server
packages, as a user who is not root: it names what to install and starts nothing.

dpkg-query and id are stand-ins here (the real state, packages absent and a user
without root, cannot be made inside the suite without removing packages other tests
use); .ci/bare-demo checks the root case for real: redis-server removed, then
scripts/demo.sh installs it."""

import os
import subprocess

from amrtest import HANG, ROOT, free_port

LOCAL_REDIS = ROOT / "scripts" / "local-redis.sh"


def fake_tools(bin_dir, installed):
    bin_dir.mkdir()
    # dpkg-query -W -f='${Status}' PKG: the status line of PKG, or nothing.
    (bin_dir / "dpkg-query").write_text(
        "#!/bin/sh\nfor last; do :; done\ncase \" " + " ".join(installed) + " \" in\n"
        "  *\" $last \"*) printf 'install ok installed' ;;\n  *) exit 1 ;;\nesac\n")
    (bin_dir / "id").write_text("#!/bin/sh\necho 1000\n")
    for tool in ("dpkg-query", "id"):
        os.chmod(bin_dir / tool, 0o755)


def start(amr, tmp_path, installed):
    fake = tmp_path / "bin"
    fake_tools(fake, installed)
    port = free_port()
    env = amr.env({"PATH": f"{fake}:{amr.env()['PATH']}"})
    proc = subprocess.run([str(LOCAL_REDIS), "start", "--dir", str(tmp_path / "state"), "--env-file",
                           str(tmp_path / "local.env"), "--port", str(port)],
                          capture_output=True, text=True, env=env, cwd=amr.cwd, timeout=HANG)
    return proc


def test_a_user_without_root_is_told_which_packages_to_install(amr, tmp_path):
    proc = start(amr, tmp_path, installed=["openssl"])
    assert proc.returncode == 1, proc.stderr
    assert "missing packages: redis-server redis-tools" in proc.stderr.replace("\n", " ")
    assert "sudo apt-get install redis-server redis-tools" in proc.stderr.replace("\n", " ")
    assert "a local server needs them" in proc.stderr
    assert not (tmp_path / "local.env").exists()
    assert not (tmp_path / "state" / "redis.pid").exists()


def test_nothing_is_asked_when_the_packages_are_there(amr, tmp_path):
    proc = start(amr, tmp_path, installed=["redis-server", "redis-tools", "openssl"])
    try:
        assert "missing packages" not in proc.stderr
        assert proc.returncode == 0, proc.stderr
        assert (tmp_path / "local.env").exists()
    finally:
        subprocess.run([str(LOCAL_REDIS), "stop", "--dir", str(tmp_path / "state"), "--env-file",
                        str(tmp_path / "local.env")], capture_output=True, cwd=amr.cwd, env=amr.env(),
                       timeout=HANG)
