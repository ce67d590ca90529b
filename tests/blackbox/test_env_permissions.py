"""A .env that holds a secret and that other users can read gets a warning on stderr, as
ssh warns about key files; amr still uses it."""

from __future__ import annotations

import os

import pytest

from amrtest import expect


def write_env(path, text: str, mode: int) -> None:
    path.write_text(text)
    os.chmod(path, mode)


def closed_port_env(port: int, secret: str = "s3cret-k3y") -> str:
    return f"REDIS_HOST=127.0.0.1\nREDIS_PORT={port}\nREDIS_TLS=false\nREDIS_KEY={secret}\n"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o444])
def test_a_readable_env_with_a_key_warns_with_its_mode(amr, closed_port, mode):
    write_env(amr.cwd / ".env", closed_port_env(closed_port), mode)
    r = expect(amr.run("--connect-timeout", "5", "ping"), 3)
    assert f"amr: warning: .env is readable by other users (mode {mode:04o}); chmod 600 .env\n" in r.stderr
    assert "s3cret-k3y" not in r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o620])
def test_a_private_env_does_not_warn(amr, closed_port, mode):
    write_env(amr.cwd / ".env", closed_port_env(closed_port), mode)
    r = expect(amr.run("--connect-timeout", "5", "ping"), 3)
    assert "readable by other users" not in r.stderr


def test_a_readable_env_without_a_secret_does_not_warn(amr, closed_port):
    write_env(amr.cwd / ".env", f"REDIS_HOST=127.0.0.1\nREDIS_PORT={closed_port}\nREDIS_TLS=false\n", 0o644)
    r = expect(amr.run("--connect-timeout", "5", "ping"), 3)
    assert "readable by other users" not in r.stderr


def test_a_password_in_redis_url_counts_as_a_secret(amr, closed_port):
    write_env(amr.cwd / ".env", f"REDIS_URL=redis://:pw-in-url@127.0.0.1:{closed_port}\n", 0o644)
    r = expect(amr.run("--connect-timeout", "5", "ping"), 3)
    assert "amr: warning: .env is readable by other users (mode 0644); chmod 600 .env" in r.stderr
    assert "pw-in-url" not in r.stderr


def test_the_warning_names_the_env_file_given(amr, closed_port, tmp_path):
    conf = tmp_path / "prod.env"
    write_env(conf, closed_port_env(closed_port), 0o640)
    r = expect(amr.run("--env-file", str(conf), "--connect-timeout", "5", "ping"), 3)
    assert f"amr: warning: {conf} is readable by other users (mode 0640); chmod 600 {conf}" in r.stderr


def test_no_env_file_reads_and_warns_nothing(amr, closed_port):
    write_env(amr.cwd / ".env", closed_port_env(closed_port), 0o644)
    r = expect(amr.run("--no-env-file", "-H", "127.0.0.1", "-p", str(closed_port), "--no-tls",
                       "--connect-timeout", "5", "ping"), 3)
    assert "readable by other users" not in r.stderr


def test_amr_still_uses_a_readable_env_and_keeps_stdout_clean(amr, auth_server):
    write_env(amr.cwd / ".env", f"REDIS_HOST=127.0.0.1\nREDIS_PORT={auth_server.port}\nREDIS_TLS=false\n"
                                f"REDIS_KEY={auth_server.password}\n", 0o644)
    r = expect(amr.run("ping"), 0)
    assert r.stdout.startswith("PONG")
    assert "readable by other users" not in r.stdout
    assert r.stderr.count("amr: warning: .env is readable by other users (mode 0644); chmod 600 .env") == 1
    assert auth_server.password not in r.stderr
