"""scripts/local-redis.sh and scripts/demo.sh, run as a user would, in temporary folders
on free ports (never the project's .env or .amr-local/)."""

import json
import os
import socket
import stat
import subprocess

import pytest

from amrtest import AMR_BIN, HANG, ROOT, Background, expect, free_port, require_tools

LOCAL_REDIS = ROOT / "scripts" / "local-redis.sh"
DEMO = ROOT / "scripts" / "demo.sh"
MARKER_START = "# written by scripts/local-redis.sh"


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


class LocalRedis:
    def __init__(self, amr, tmp_path):
        require_tools("redis-server", "redis-cli", "openssl")
        self.amr = amr
        self.dir = tmp_path / "state"
        self.env_file = tmp_path / "local.env"
        self.port = free_port()

    def run(self, action, *extra, env_file=None):
        argv = [str(LOCAL_REDIS), action, "--dir", str(self.dir)]
        if action in ("start", "stop", "env"):
            argv += ["--env-file", str(env_file or self.env_file)]
        if action == "start":
            argv += ["--port", str(self.port)]
        proc = subprocess.run(argv + list(extra), capture_output=True, text=True, env=self.amr.env(),
                              cwd=self.amr.cwd, timeout=HANG)
        return proc

    def password(self):
        return (self.dir / "password").read_text().strip()


@pytest.fixture
def local(amr, tmp_path):
    server = LocalRedis(amr, tmp_path)
    yield server
    server.run("stop")


def test_local_redis_start_writes_a_private_env_and_amr_uses_it(amr, local):
    proc = local.run("start")
    assert proc.returncode == 0, proc.stderr
    assert listening(local.port)
    mode = stat.S_IMODE(os.stat(local.env_file).st_mode)
    assert mode == 0o600, oct(mode)
    lines = local.env_file.read_text().splitlines()
    assert lines[0].startswith(MARKER_START)
    values = dict(line.split("=", 1) for line in lines[1:] if line and not line.startswith("#"))
    assert values["REDIS_HOST"] == "localhost"
    assert values["REDIS_PORT"] == str(local.port)
    assert values["REDIS_KEY"] == local.password() and len(values["REDIS_KEY"]) >= 32
    assert os.path.isabs(values["REDIS_CACERT"]) and os.path.isfile(values["REDIS_CACERT"])
    assert local.password() not in proc.stdout + proc.stderr, "the password is only in the .env"

    r = expect(amr.run("--env-file", str(local.env_file), "ping", "-o", "json"), 0)
    doc = json.loads(r.stdout)
    assert doc["tls"] is True and doc["port"] == local.port


def test_local_redis_is_tls_only_with_a_password(amr, local):
    assert local.run("start").returncode == 0
    env = {"REDIS_HOST": "localhost", "REDIS_PORT": str(local.port)}
    expect(amr.run("--no-tls", "ping", env={**env, "REDIS_KEY": local.password()}), 3)
    expect(amr.run("--cacert", str(local.dir / "ca.crt"), "ping", env={**env, "REDIS_KEY": "wrong"}), 4)
    expect(amr.run("ping", env={**env, "REDIS_KEY": local.password()}), 3)  # CA not in the system store


def test_local_redis_start_is_idempotent_and_status_reports(local):
    assert local.run("start").returncode == 0
    pid = (local.dir / "redis.pid").read_text().strip()
    again = local.run("start")
    assert again.returncode == 0, again.stderr
    assert (local.dir / "redis.pid").read_text().strip() == pid
    status = local.run("status")
    assert status.returncode == 0
    assert "running" in status.stdout and str(local.port) in status.stdout
    assert local.password() not in status.stdout + status.stderr


def test_local_redis_refuses_a_foreign_env_unless_forced(local, tmp_path):
    foreign = tmp_path / "mine.env"
    foreign.write_text("REDIS_HOST=my-cache.example\n")
    proc = local.run("start", env_file=foreign)
    assert proc.returncode != 0
    assert foreign.read_text() == "REDIS_HOST=my-cache.example\n"
    proc = local.run("start", "--force", env_file=foreign)
    assert proc.returncode == 0, proc.stderr
    assert foreign.read_text().startswith(MARKER_START)
    local.run("stop", env_file=foreign)
    assert not foreign.exists()


def test_local_redis_stop_removes_only_its_env_and_the_server(local, tmp_path):
    assert local.run("start").returncode == 0
    proc = local.run("env", env_file=tmp_path / "second.env")
    assert proc.returncode == 0
    assert proc.stdout.strip() == str(tmp_path / "second.env")
    assert local.password() not in proc.stdout + proc.stderr
    foreign = tmp_path / "foreign.env"
    foreign.write_text("REDIS_HOST=keep.example\n")
    proc = local.run("stop", env_file=foreign)
    assert proc.returncode == 0, proc.stderr
    assert not listening(local.port)
    assert not local.env_file.exists()
    assert not (tmp_path / "second.env").exists()
    assert foreign.exists()
    status = local.run("status")
    assert status.returncode == 3 and "not running" in status.stdout


def test_local_redis_plain(amr, local):
    proc = local.run("start", "--plain")
    assert proc.returncode == 0, proc.stderr
    text = local.env_file.read_text()
    assert "REDIS_TLS=false" in text
    expect(amr.run("--env-file", str(local.env_file), "ping"), 0)


def test_demo_runs_the_walkthrough_and_cleans_up(amr, tmp_path):
    require_tools("redis-server", "redis-cli", "openssl")
    port = free_port()
    project_env = ROOT / ".env"
    before = project_env.read_bytes() if project_env.exists() else None
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = amr.env({"AMR_BIN": str(AMR_BIN), "AMR_LOCAL_PORT": str(port), "TMPDIR": str(tmpdir)})
    demo = Background([DEMO, "--local"], env=env, cwd=amr.cwd)
    try:
        demo.wait(timeout=HANG * 2)  # a hang: SIGTERM, and its trap stops what it started
    finally:
        demo.stop()
        # Whatever happened, no daemonized redis-server may outlive the test.
        for state in tmpdir.glob("amr-demo.*/server"):
            subprocess.run([str(LOCAL_REDIS), "stop", "--dir", str(state)], capture_output=True, timeout=HANG)
    proc = subprocess.CompletedProcess(demo.argv, demo.rc, demo.stdout, demo.stderr)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "[#] Active subscribers: 1" in out
    assert "[#] Active subscribers: 0" in out
    assert "Event: order_created" in out
    assert "Customer: Jane Doe" in out
    assert "Total: $129.99" in out
    assert "order_shipped" in out  # the publisher's report of it
    assert not listening(port), "the local server is stopped"
    assert list(tmpdir.iterdir()) == [], "the temporary folder is removed"
    after = project_env.read_bytes() if project_env.exists() else None
    assert before == after, "the project's .env is untouched"
    password_lines = [line for line in (out + proc.stderr).splitlines() if "REDIS_KEY" in line]
    assert password_lines == []
