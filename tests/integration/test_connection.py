"""Connection behaviour of build/amr against real redis-server processes: plain, password,
ACL users, TLS with a CA made at test time, and every way a connection can fail."""

import json

import pytest

from amrtest import expect, unique, wait_until

MESSAGE = '{"event":"test","n":1}'


def roundtrip(amr, env=None, flags=()):
    """A subscriber and a publisher with the same configuration; the message must arrive."""
    channel = unique()
    sub = amr.subscribe(*flags, "-j", "--count", "1", channel, env=env)
    pub = expect(amr.run(*flags, "publish", channel, MESSAGE, env=env), 0)
    assert pub.stdout == "1\n", pub
    assert sub.wait() == 0, sub
    line = json.loads(sub.stdout)
    assert line["channel"] == channel
    assert line["data"] == {"event": "test", "n": 1}


# ----------------------------------------------------------------------------- plain


def test_plain_publish_without_subscribers_prints_zero(amr, plain_server):
    r = expect(amr.run(*plain_server.flags(), "publish", unique(), MESSAGE), 0)
    assert r.stdout == "0\n"


def test_plain_publish_counts_subscribers_seen_by_redis(amr, plain_server):
    channel = unique()
    sub = plain_server.cli_argv() + ["SUBSCRIBE", channel]
    bg = amr.start_shell(" ".join(sub) + " >/dev/null")
    wait_until(lambda: plain_server.numsub(channel) == 1, "redis-cli to subscribe")
    r = expect(amr.run(*plain_server.flags(), "publish", channel, MESSAGE), 0)
    assert r.stdout == "1\n"
    bg.stop()


def test_plain_roundtrip_configured_by_environment(amr, plain_server):
    roundtrip(amr, env=plain_server.env())


def test_plain_roundtrip_configured_by_flags(amr, plain_server):
    roundtrip(amr, flags=plain_server.flags())


def test_global_options_after_the_subcommand(amr, plain_server):
    channel = unique()
    r = expect(amr.run("publish", channel, MESSAGE, *plain_server.flags()), 0)
    assert r.stdout == "0\n"


def test_subscriber_is_seen_by_redis_while_it_runs(amr, plain_server):
    channel = unique()
    sub = amr.subscribe(channel, env=plain_server.env())
    assert plain_server.numsub(channel) == 1
    assert plain_server.publish(channel, MESSAGE) == 1
    sub.stop()


# ----------------------------------------------------------------------------- passwords


def test_password_from_environment(amr, auth_server):
    roundtrip(amr, env=auth_server.env())


def test_password_flag_works_and_warns_without_revealing_it(amr, auth_server):
    r = expect(amr.run(*auth_server.flags(), "-a", auth_server.password, "publish", unique(), MESSAGE), 0)
    assert r.stdout == "0\n"
    assert r.stderr.strip(), "-a should warn that the password is visible in the process list"
    assert auth_server.password not in r.stderr


def test_verbose_output_never_contains_the_password(amr, tls_server):
    r = expect(amr.run("-v", "publish", unique(), MESSAGE, env=tls_server.env()), 0)
    assert tls_server.password not in r.stdout + r.stderr
    r = expect(amr.run("-v", "ping", env=tls_server.env()), 0)
    assert tls_server.password not in r.stdout + r.stderr


def test_wrong_password_exits_4_with_the_labs_hint(amr, auth_server):
    env = {**auth_server.env(), "REDIS_KEY": "wrong-" + auth_server.password}
    r = expect(amr.run("publish", unique(), MESSAGE, env=env), 4)
    assert r.stdout == ""
    assert "access key" in r.stderr.lower(), r
    assert env["REDIS_KEY"] not in r.stderr


def test_missing_password_exits_4(amr, auth_server):
    expect(amr.run("publish", unique(), MESSAGE, env=auth_server.env(password=False)), 4)


def test_wrong_password_exits_4_for_subscribe_and_ping(amr, auth_server):
    env = {**auth_server.env(), "REDIS_KEY": "nope"}
    expect(amr.run("subscribe", unique(), env=env), 4)
    expect(amr.run("psubscribe", "x:*", env=env), 4)
    expect(amr.run("ping", env=env), 4)


# ----------------------------------------------------------------------------- ACL users

ACL = ["user app on >app-secret-pw resetchannels &allowed:* +@all"]


@pytest.fixture
def acl_server(redis_factory):
    return redis_factory(password="default-pw", extra_conf=ACL)


def test_acl_user_from_flag(amr, acl_server):
    env = {**acl_server.env(password=False), "REDIS_KEY": "app-secret-pw"}
    r = expect(amr.run("--user", "app", "publish", "allowed:x", MESSAGE, env=env), 0)
    assert r.stdout == "0\n"


def test_acl_user_from_environment(amr, acl_server):
    env = {**acl_server.env(password=False), "REDIS_USER": "app", "REDIS_KEY": "app-secret-pw"}
    roundtrip_env = dict(env)
    channel = "allowed:" + unique()
    sub = amr.subscribe("-j", "--count", "1", channel, env=roundtrip_env)
    assert expect(amr.run("publish", channel, MESSAGE, env=env), 0).stdout == "1\n"
    assert sub.wait() == 0


def test_acl_user_with_wrong_password_exits_4(amr, acl_server):
    env = {**acl_server.env(password=False), "REDIS_USER": "app", "REDIS_KEY": "default-pw"}
    expect(amr.run("publish", "allowed:x", MESSAGE, env=env), 4)


def test_publish_to_a_forbidden_channel_exits_4(amr, acl_server):
    env = {**acl_server.env(password=False), "REDIS_USER": "app", "REDIS_KEY": "app-secret-pw"}
    r = expect(amr.run("publish", "secret:x", MESSAGE, env=env), 4)
    assert r.stdout == ""


def test_subscribe_to_a_forbidden_channel_exits_4(amr, acl_server):
    env = {**acl_server.env(password=False), "REDIS_USER": "app", "REDIS_KEY": "app-secret-pw"}
    expect(amr.run("subscribe", "secret:x", env=env), 4)


# ----------------------------------------------------------------------------- TLS


def test_tls_roundtrip_with_password_and_ca_from_environment(amr, tls_server):
    roundtrip(amr, env=tls_server.env())


def test_tls_roundtrip_with_flags(amr, tls_server):
    env = {"REDIS_KEY": tls_server.password}
    roundtrip(amr, env=env, flags=tls_server.flags())


def test_tls_is_the_default(amr, tls_server):
    env = tls_server.env()
    del env["REDIS_TLS"]
    roundtrip(amr, env=env)


def test_tls_by_ip_address_matches_the_ip_san(amr, tls_server):
    env = {**tls_server.env(), "REDIS_HOST": "127.0.0.1"}
    expect(amr.run("ping", env=env), 0)


def test_tls_wrong_password_exits_4(amr, tls_server):
    env = {**tls_server.env(), "REDIS_KEY": "wrong"}
    expect(amr.run("publish", unique(), MESSAGE, env=env), 4)


def test_tls_with_capath(amr, tls_server, tmp_path):
    import shutil
    import subprocess

    capath = tmp_path / "capath"
    capath.mkdir()
    shutil.copy(tls_server.ca, capath / "test-ca.pem")
    subprocess.run(["openssl", "rehash", str(capath)], check=True, capture_output=True)
    env = tls_server.env(cacert=False)
    expect(amr.run("--capath", str(capath), "ping", env=env), 0)


def test_tls_without_cacert_uses_the_system_store_which_rejects_the_test_ca(amr, tls_server):
    r = expect(amr.run("ping", env=tls_server.env(cacert=False)), 3)
    assert r.stdout == ""
    assert r.stderr.strip()


def test_certificate_for_another_host_exits_3(amr, other_host_server):
    r = expect(amr.run("publish", unique(), MESSAGE, env=other_host_server.env()), 3)
    assert r.stdout == ""
    assert r.stderr.strip()


def test_certificate_for_another_host_exits_3_for_ping_and_subscribe(amr, other_host_server):
    expect(amr.run("ping", env=other_host_server.env()), 3)
    expect(amr.run("subscribe", unique(), env=other_host_server.env()), 3)


def test_certificate_for_another_host_works_with_insecure_and_warns(amr, other_host_server):
    r = expect(amr.run("--insecure", "publish", unique(), MESSAGE, env=other_host_server.env()), 0)
    assert r.stdout == "0\n"
    assert r.stderr.strip(), "--insecure should warn"
    roundtrip(amr, env=other_host_server.env(), flags=["--insecure"])


def test_untrusted_ca_exits_3(amr, rogue_server, pki):
    env = {**rogue_server.env(), "REDIS_CACERT": str(pki.ca.cert)}
    r = expect(amr.run("publish", unique(), MESSAGE, env=env), 3)
    assert r.stdout == ""
    expect(amr.run("--cacert", str(pki.ca.cert), "ping", env=rogue_server.env(cacert=False)), 3)


def test_untrusted_ca_works_with_insecure(amr, rogue_server, pki):
    env = {**rogue_server.env(), "REDIS_CACERT": str(pki.ca.cert)}
    expect(amr.run("--insecure", "ping", env=env), 0)


def test_missing_cacert_file_fails_without_connecting(amr, tls_server, tmp_path):
    env = {**tls_server.env(), "REDIS_CACERT": str(tmp_path / "no-such-ca.crt")}
    r = amr.run("ping", env=env)
    assert r.rc in (1, 2, 3), r
    assert "no-such-ca.crt" in r.stderr


def test_client_certificate(amr, redis_factory, pki):
    server = redis_factory(tls=True, password="pw", extra_conf=["tls-auth-clients yes"], client_cert=True)
    expect(amr.run("ping", env=server.env()), 3)
    expect(amr.run("--cert", str(pki.client_cert), "--key", str(pki.client_key), "ping", env=server.env()), 0)


# ----------------------------------------------------------------------------- failures


def test_nothing_listening_exits_3_with_the_labs_hint(amr, closed_port):
    env = {"REDIS_HOST": "localhost", "REDIS_PORT": str(closed_port), "REDIS_TLS": "false"}
    r = expect(amr.run("publish", unique(), MESSAGE, env=env), 3)
    assert r.stdout == ""
    assert "port" in r.stderr.lower(), r


@pytest.mark.parametrize("command", [["ping"], ["subscribe", "x"], ["psubscribe", "x:*"],
                                     ["broadcast", MESSAGE], ["publish", "x", MESSAGE]])
def test_nothing_listening_exits_3_for_every_command(amr, closed_port, command):
    env = {"REDIS_HOST": "localhost", "REDIS_PORT": str(closed_port)}
    expect(amr.run(*command, env=env), 3)


def test_unknown_host_exits_3(amr):
    env = {"REDIS_HOST": "no-such-host.invalid", "REDIS_PORT": "6379", "REDIS_TLS": "false"}
    expect(amr.run("ping", env=env), 3)


@pytest.mark.parametrize("command", [["ping"], ["publish", "x", MESSAGE], ["channels"]])
def test_tls_client_against_a_plain_server_says_so_without_waiting_out_the_timeout(
        amr, auth_server, command):
    env = {**auth_server.env(), "REDIS_TLS": "true"}
    # The server waits for the end of a line that the ClientHello never sends. With the
    # default --connect-timeout (30 s), amr used to wait all of it: the run's own limit
    # (15 s) fails such a wait.
    r = expect(amr.run(*command, env=env, timeout=15), 3)
    assert f"TLS handshake with localhost:{auth_server.port} failed: the port speaks plain RESP" in r.stderr, r
    assert "--no-tls" in r.stderr, r


def test_plain_client_against_a_tls_server_says_the_port_may_need_tls(amr, tls_server):
    env = {**tls_server.env(), "REDIS_TLS": "false"}
    r = expect(amr.run("ping", env=env), 3)
    assert f"localhost:{tls_server.port}" in r.stderr and "the port may need TLS (--tls)" in r.stderr, r
    assert "reset by peer" not in r.stderr, r
