"""Microsoft Entra ID sign-in against a real server: an ACL user whose password is a
JWT-shaped token with a short exp. The token command (a test script) mints a new token
each time it runs and makes it the user's only password, as a token service would; amr
must refresh before exp and re-authenticate its open connections without losing
messages."""

import signal
import stat
import time

import pytest

from amrtest import unique, wait_until

MINT = r"""#!/bin/sh
# Mints a token that expires in $TTL seconds and makes it user u's only password.
exp=$(( $(date +%s) + {ttl} ))
b64() {{ base64 -w0 | tr '+/' '-_' | tr -d '='; }}
h=$(printf '{{"alg":"none","typ":"JWT"}}' | b64)
p=$(printf '{{"oid":"u","aud":"https://redis.azure.com","exp":%s}}' "$exp" | b64)
t="$h.$p.$(head -c 12 /dev/urandom | b64)"
REDISCLI_AUTH='{admin}' redis-cli --no-auth-warning -h 127.0.0.1 -p {port} \
    ACL SETUSER u on resetpass ">$t" '~*' '&*' '+@all' >/dev/null || exit 7
echo minted >> {log}
echo "$t"
"""


@pytest.fixture
def token_server(redis_factory):
    return redis_factory(password="admin-secret")


def mint_script(tmp_path, server, ttl=4, extra=""):
    log = tmp_path / "minted.log"
    script = tmp_path / "mint.sh"
    script.write_text(MINT.format(ttl=ttl, admin=server.password, port=server.port, log=log) + extra)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, log


def entra_env(server, script):
    return {"REDIS_HOST": server.host, "REDIS_PORT": str(server.port), "REDIS_TLS": "false",
            "REDIS_USER": "u", "REDIS_TOKEN_COMMAND": str(script)}


def runs(log):
    return log.read_text().count("minted") if log.exists() else 0


def test_subscriber_keeps_receiving_across_token_rotations(amr, token_server, tmp_path):
    script, log = mint_script(tmp_path, token_server)
    ch = unique()
    sub = amr.subscribe("-v", "-F", "raw", ch, env=entra_env(token_server, script), count=1)
    sent = []
    # Publish until amr has re-authenticated three times (each with a newer token, the
    # older one no longer valid), then a little more.
    i = 0
    deadline_runs = 4
    while sub.stderr.count("re-authenticated on") < 3:
        assert sub.running(), sub
        i += 1
        sent.append(f"m{i}")
        assert token_server.publish(ch, f"m{i}") == 1
        time.sleep(0.2)
    sub.wait_stdout(f"m{i}\n")
    sub.signal(signal.SIGTERM)
    assert sub.wait() == 0, sub
    assert sub.stdout.splitlines() == sent
    assert runs(log) >= deadline_runs
    assert "reconnect" not in sub.stderr


def test_without_resp3_the_subscriber_reconnects_to_sign_in_again(amr, redis_factory, tmp_path):
    server = redis_factory(password="admin-secret", extra_conf=['rename-command HELLO ""'])
    script, log = mint_script(tmp_path, server)
    ch = unique()
    sub = amr.subscribe("-F", "raw", ch, env=entra_env(server, script), count=1)
    sub.wait_stderr("has no RESP3")
    sub.wait_stderr("subscribed again")
    wait_until(lambda: server.numsub(ch) == 1, "the subscription back")
    assert server.publish(ch, "after") == 1
    sub.wait_stdout("after\n")


def test_publish_signs_in_with_the_token(amr, token_server, tmp_path):
    script, log = mint_script(tmp_path, token_server, ttl=60)
    result = amr.run("publish", "--raw", "-o", "count", unique(), "x",
                     env=entra_env(token_server, script))
    assert result.rc == 0, result
    assert result.stdout == "0\n"
    assert runs(log) == 1


def test_failing_token_command_exits_4_and_shows_nothing_it_printed(amr, token_server, tmp_path):
    bad = tmp_path / "bad.sh"
    bad.write_text("#!/bin/sh\necho leaked-token-text\nexit 3\n")
    bad.chmod(0o755)
    result = amr.run("ping", env=entra_env(token_server, bad))
    assert result.rc == 4, result
    assert "token command failed" in result.stderr
    assert "leaked-token-text" not in result.stderr + result.stdout


def test_wrong_token_is_an_auth_failure(amr, token_server, tmp_path):
    wrong = tmp_path / "wrong.sh"
    wrong.write_text("#!/bin/sh\necho not-the-password\n")
    wrong.chmod(0o755)
    result = amr.run("ping", env=entra_env(token_server, wrong))
    assert result.rc == 4, result
    assert "not-the-password" not in result.stderr


def test_publish_lines_stream_keeps_going_across_token_rotations(amr, token_server, tmp_path):
    """A slow stream of lines (a new line every 0.1 s from a shell loop) outlives several
    tokens; each older token stops working when the next is minted, so every line after
    the first rotation needs a fresh AUTH in the pipeline."""
    script, log = mint_script(tmp_path, token_server)
    ch = unique()
    sub = token_server_subscriber(amr, token_server, ch)
    count = 80
    feed = f'for i in $(seq 1 {count}); do echo "{{\\"n\\":$i}}"; sleep 0.1; done'
    env = entra_env(token_server, script)
    result = amr.shell(f'{feed} | "$AMR" -v publish --lines {ch}', env=env, timeout=120)
    assert result.rc == 0, result
    assert result.stderr.count("re-authenticated with a fresh token") >= 2, result.stderr
    assert runs(log) >= 3
    wait_until(lambda: sub.stdout.count("\n") >= count, "every line at the subscriber")
    assert [int(x.split(":")[1].rstrip("}")) for x in sub.stdout.splitlines()] == list(range(1, count + 1))


def token_server_subscriber(amr, server, channel):
    """A plain subscriber with the admin password, to see what the stream delivers."""
    env = {"REDIS_HOST": server.host, "REDIS_PORT": str(server.port), "REDIS_TLS": "false",
           "REDIS_KEY": server.password}
    return amr.subscribe("-F", "raw", channel, env=env)


def test_token_without_user_signs_in_as_default_over_resp3(amr, redis_factory, tmp_path):
    # No --user: HELLO 3 AUTH names "default". amr once sent a view of a destroyed
    # temporary for that name (AddressSanitizer: stack-use-after-scope); the subscriber
    # must sign in over RESP3 on the first try, not fall back to RESP2.
    server = redis_factory(password="the-token")
    script = tmp_path / "token.sh"
    script.write_text("#!/bin/sh\necho the-token\n")
    script.chmod(0o755)
    env = {"REDIS_HOST": server.host, "REDIS_PORT": str(server.port), "REDIS_TLS": "false",
           "REDIS_TOKEN_COMMAND": str(script)}
    ch = unique()
    sub = amr.subscribe("-v", "-F", "raw", ch, env=env)
    assert server.publish(ch, "hello") == 1
    sub.wait_stdout("hello\n")
    sub.signal(signal.SIGTERM)
    assert sub.wait() == 0, sub
    assert "has no RESP3" not in sub.stderr and "HELLO" not in sub.stderr, sub.stderr
