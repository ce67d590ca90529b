"""Configuration end to end: flags over the process environment over ./.env (or
--env-file) over defaults; REDIS_URL and --url. Each test makes one source right and
another wrong, so only the documented precedence lets amr reach the server."""

import socket

import pytest

from amrtest import expect, unique

MESSAGE = '{"ok":true}'


def write_env(path, values: dict, prefix: str = ""):
    path.write_text("".join(f"{prefix}{k}={v}\n" for k, v in values.items()))
    return path


# ----------------------------------------------------------------------------- .env


def test_dotenv_in_the_working_directory(amr, tls_server):
    write_env(amr.cwd / ".env", tls_server.env())
    r = expect(amr.run("publish", unique(), MESSAGE), 0)
    assert r.stdout == "0\n"
    expect(amr.run("ping"), 0)


def test_dotenv_written_like_the_labs_scripts(amr, tls_server):
    # Both forms the lab's deployment scripts write: plain, and export with quotes.
    (amr.cwd / ".env").write_text(
        "# written by azdeploy.sh\n"
        "\n"
        f'export REDIS_HOST="{tls_server.host}"\n'
        f"REDIS_KEY='{tls_server.password}'\n"
        f"REDIS_PORT={tls_server.port}   # inline comment\n"
        f'REDIS_CACERT="{tls_server.ca}"\n')
    expect(amr.run("ping"), 0)


def test_dotenv_with_crlf_line_ends(amr, tls_server):
    (amr.cwd / ".env").write_bytes("".join(f"{k}={v}\r\n" for k, v in tls_server.env().items()).encode())
    expect(amr.run("ping"), 0)


def test_environment_beats_dotenv(amr, tls_server, closed_port):
    write_env(amr.cwd / ".env", {**tls_server.env(), "REDIS_PORT": closed_port})
    expect(amr.run("ping"), 3)
    expect(amr.run("ping", env={"REDIS_PORT": str(tls_server.port)}), 0)


def test_dotenv_does_not_beat_environment(amr, tls_server, closed_port):
    write_env(amr.cwd / ".env", tls_server.env())
    expect(amr.run("ping", env={"REDIS_PORT": str(closed_port)}), 3)


def test_environment_password_beats_dotenv_password(amr, tls_server):
    write_env(amr.cwd / ".env", {**tls_server.env(), "REDIS_KEY": "wrong"})
    expect(amr.run("ping"), 4)
    expect(amr.run("ping", env={"REDIS_KEY": tls_server.password}), 0)


def test_flags_beat_environment(amr, tls_server, closed_port):
    env = {**tls_server.env(), "REDIS_PORT": str(closed_port)}
    expect(amr.run("ping", env=env), 3)
    expect(amr.run("-p", str(tls_server.port), "ping", env=env), 0)
    expect(amr.run("ping", "--port", str(tls_server.port), env=env), 0)


def test_environment_does_not_beat_flags(amr, tls_server, closed_port):
    expect(amr.run("-p", str(closed_port), "ping", env=tls_server.env()), 3)


def test_password_flag_beats_environment(amr, tls_server):
    env = {**tls_server.env(), "REDIS_KEY": "wrong"}
    expect(amr.run("--password", tls_server.password, "ping", env=env), 0)
    expect(amr.run("-a", "wrong", "ping", env=tls_server.env()), 4)


def test_host_flag_beats_environment_and_dotenv(amr, tls_server):
    write_env(amr.cwd / ".env", {**tls_server.env(), "REDIS_HOST": "dotenv-host.invalid"})
    env = {"REDIS_HOST": "env-host.invalid"}
    expect(amr.run("ping", env=env), 3)
    expect(amr.run("-H", "localhost", "ping", env=env), 0)
    expect(amr.run("--host", "localhost", "ping", env=env), 0)


def test_env_file_option_reads_that_file_instead_of_dotenv(amr, tls_server, closed_port, tmp_path):
    write_env(amr.cwd / ".env", {**tls_server.env(), "REDIS_PORT": closed_port})
    other = write_env(tmp_path / "elsewhere.env", tls_server.env())
    expect(amr.run("--env-file", str(other), "ping"), 0)
    expect(amr.run("ping", "--env-file", str(other)), 0)


def test_env_file_option_is_below_the_environment(amr, tls_server, closed_port, tmp_path):
    other = write_env(tmp_path / "elsewhere.env", tls_server.env())
    expect(amr.run("--env-file", str(other), "ping", env={"REDIS_PORT": str(closed_port)}), 3)


def test_missing_env_file_is_a_usage_error(amr, tls_server, tmp_path):
    missing = tmp_path / "no-such.env"
    r = expect(amr.run("--env-file", str(missing), "ping", env=tls_server.env()), 2)
    assert "no-such.env" in r.stderr


def test_no_env_file_skips_dotenv(amr, tls_server):
    write_env(amr.cwd / ".env", tls_server.env())
    r = expect(amr.run("--no-env-file", "ping"), 2)
    assert r.stdout == ""


def test_no_env_file_skips_even_a_malformed_dotenv(amr, tls_server):
    (amr.cwd / ".env").write_text("this line is not valid\n")
    expect(amr.run("ping"), 2)
    expect(amr.run("--no-env-file", "ping", env=tls_server.env()), 0)


def test_no_dotenv_and_no_environment_means_no_host(amr):
    r = expect(amr.run("ping"), 2)
    assert "REDIS_HOST" in r.stderr or "host" in r.stderr.lower()


def test_dotenv_is_read_from_the_working_directory_only(amr, tls_server, tmp_path):
    write_env(amr.cwd / ".env", tls_server.env())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    expect(amr.run("ping", cwd=elsewhere), 2)


# ----------------------------------------------------------------------------- TLS switch


def test_tls_on_by_default_fails_against_a_plain_server(amr, auth_server):
    env = auth_server.env()
    del env["REDIS_TLS"]
    # A plain server waits for a line the TLS ClientHello never ends; the connect timeout
    # (not the test) bounds that.
    expect(amr.run("--connect-timeout", "2", "ping", env=env), 3)
    expect(amr.run("ping", env={**env, "REDIS_TLS": "false"}), 0)


def test_no_tls_flag_beats_environment(amr, auth_server):
    env = {**auth_server.env(), "REDIS_TLS": "true"}
    expect(amr.run("--no-tls", "ping", env=env), 0)


def test_tls_flag_beats_environment(amr, tls_server):
    env = {**tls_server.env(), "REDIS_TLS": "false"}
    expect(amr.run("ping", env=env), 3)
    expect(amr.run("--tls", "ping", env=env), 0)


def test_cacert_flag_beats_environment(amr, tls_server, pki):
    env = {**tls_server.env(), "REDIS_CACERT": str(pki.rogue_ca.cert)}
    expect(amr.run("ping", env=env), 3)
    expect(amr.run("--cacert", str(tls_server.ca), "ping", env=env), 0)


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_default_port_is_10000_with_tls(amr, redis_factory):
    if not port_is_free(10000):
        pytest.skip("port 10000 is in use here (scripts/local-redis.sh?)")
    server = redis_factory(tls=True, password="pw-10000", port=10000)
    env = {"REDIS_HOST": "localhost", "REDIS_KEY": "pw-10000", "REDIS_CACERT": str(server.ca)}
    expect(amr.run("ping", env=env), 0)


# ----------------------------------------------------------------------------- URLs


def test_redis_url_plain_with_password(amr, auth_server):
    url = f"redis://:{auth_server.password}@localhost:{auth_server.port}"
    expect(amr.run("ping", env={"REDIS_URL": url}), 0)
    expect(amr.run("--url", url, "ping"), 0)


def test_rediss_url_means_tls(amr, tls_server):
    url = f"rediss://:{tls_server.password}@localhost:{tls_server.port}"
    expect(amr.run("ping", env={"REDIS_URL": url, "REDIS_CACERT": str(tls_server.ca)}), 0)
    expect(amr.run("--url", url, "--cacert", str(tls_server.ca), "ping"), 0)


def test_redis_url_against_a_tls_server_fails(amr, tls_server):
    url = f"redis://:{tls_server.password}@localhost:{tls_server.port}"
    expect(amr.run("ping", env={"REDIS_URL": url, "REDIS_CACERT": str(tls_server.ca)}), 3)


def test_redis_url_with_user(amr, redis_factory):
    server = redis_factory(password="default-pw", extra_conf=["user app on >app-pw resetchannels &* +@all"])
    expect(amr.run("--url", f"redis://app:app-pw@localhost:{server.port}", "ping"), 0)
    expect(amr.run("--url", f"redis://app:wrong@localhost:{server.port}", "ping"), 4)


def test_redis_url_wrong_password_exits_4(amr, auth_server):
    expect(amr.run("--url", f"redis://:wrong@localhost:{auth_server.port}", "ping"), 4)


def test_redis_url_in_dotenv(amr, auth_server):
    write_env(amr.cwd / ".env", {"REDIS_URL": f"redis://:{auth_server.password}@localhost:{auth_server.port}"})
    expect(amr.run("ping"), 0)


def test_port_flag_beats_redis_url(amr, auth_server, closed_port):
    env = {"REDIS_URL": f"redis://:{auth_server.password}@localhost:{closed_port}"}
    expect(amr.run("ping", env=env), 3)
    expect(amr.run("-p", str(auth_server.port), "ping", env=env), 0)


def test_url_flag_beats_environment_variables(amr, auth_server, closed_port):
    env = {"REDIS_HOST": "env-host.invalid", "REDIS_PORT": str(closed_port), "REDIS_KEY": "wrong"}
    url = f"redis://:{auth_server.password}@localhost:{auth_server.port}"
    expect(amr.run("--url", url, "ping", env=env), 0)


def test_specific_variables_beat_redis_url_in_the_same_source(amr, auth_server, closed_port):
    env = {"REDIS_URL": f"redis://:{auth_server.password}@localhost:{closed_port}",
           "REDIS_PORT": str(auth_server.port)}
    expect(amr.run("ping", env=env), 0)


@pytest.mark.parametrize("url", ["http://localhost:6379", "redis://localhost:notaport", "localhost:6379",
                                 "redis://localhost:99999"])
def test_bad_url_is_a_usage_error(amr, url):
    expect(amr.run("--url", url, "ping"), 2)
    expect(amr.run("ping", env={"REDIS_URL": url}), 2)
