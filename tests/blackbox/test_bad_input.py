"""Bad input is a usage error (exit 2) that says what is wrong, is caught before anything
is published, and never echoes a secret."""

import re

import pytest

from amrtest import expect, unique


def byte_offset(stderr: str) -> int:
    m = re.search(r"byte (\d+)", stderr)
    assert m, f"the error should name the byte offset: {stderr!r}"
    return int(m.group(1))


@pytest.mark.parametrize("message, lowest, highest", [
    ("[1,2,x]", 5, 6),
    ('{"a":1,}', 7, 8),
    ('{"a": tru}', 6, 10),
    ('{"a":1} trailing', 7, 9),
    ("  ", 1, 3),
], ids=["bad-value", "trailing-comma", "bad-literal", "trailing-text", "blank"])
def test_invalid_json_names_the_byte_offset(amr, plain_server, message, lowest, highest):
    r = expect(amr.run("publish", unique(), message, env=plain_server.env()), 2)
    assert r.stdout == ""
    # 0- or 1-based, at the start of the bad token or where the parser gave up on it
    assert lowest <= byte_offset(r.stderr) <= highest, r


def test_empty_message_is_a_usage_error(amr, plain_server):
    r = expect(amr.run("publish", unique(), "", env=plain_server.env()), 2)
    assert r.stdout == "" and r.stderr.strip()
    expect(amr.run("publish", unique(), "-", env=plain_server.env(), input=""), 2)


def test_invalid_json_is_not_published(amr, plain_server):
    ch = unique()
    sub = amr.subscribe("-F", "raw", "--count", "1", ch, env=plain_server.env())
    expect(amr.run("publish", ch, "{bad", env=plain_server.env()), 2)
    expect(amr.run("publish", ch, "--event", "e", "-f", "broken", env=plain_server.env()), 2)
    assert plain_server.publish(ch, "sentinel") == 1
    assert sub.wait() == 0
    assert sub.stdout == "sentinel\n"


def test_invalid_json_is_caught_before_connecting(amr, closed_port):
    env = {"REDIS_HOST": "localhost", "REDIS_PORT": str(closed_port)}
    expect(amr.run("publish", "x", "{bad", env=env), 2)


@pytest.mark.parametrize("field", ["novalue", "=value", ":=1", "n:=notjson", "n:={", "n:=[1,"],
                         ids=["no-equals", "empty-key", "empty-typed-key", "bad-typed", "open-object",
                              "open-array"])
def test_bad_field_is_a_usage_error(amr, plain_server, field):
    r = expect(amr.run("publish", unique(), "--event", "e", "-f", field, env=plain_server.env()), 2)
    assert r.stdout == ""
    assert r.stderr.strip()


def test_unknown_preset_is_a_usage_error(amr, plain_server):
    r = expect(amr.run("publish", "--preset", "order_cancelled", env=plain_server.env()), 2)
    assert "order_cancelled" in r.stderr or "order_created" in r.stderr, r
    expect(amr.run("broadcast", "--preset", "nope", env=plain_server.env()), 2)


@pytest.mark.parametrize("duration", ["abc", "10x", "-5", "", "1.5.2s", "ms", "10 s", "5h5"])
def test_bad_duration_is_a_usage_error(amr, plain_server, duration):
    r = expect(amr.run("subscribe", "--timeout", duration, unique(), env=plain_server.env()), 2)
    assert r.stdout == ""


@pytest.mark.parametrize("value", ["abc", "-1", "1.5"])
def test_bad_count_is_a_usage_error(amr, plain_server, value):
    expect(amr.run("subscribe", "--count", value, unique(), env=plain_server.env()), 2)


@pytest.mark.parametrize("value", ["abc", "-1"])
def test_bad_min_receivers_is_a_usage_error(amr, plain_server, value):
    expect(amr.run("publish", unique(), "{}", "--min-receivers", value, env=plain_server.env()), 2)


@pytest.mark.parametrize("value", ["soon", "0", "-1", "1e300", "inf", "nan", "86401"])
def test_bad_connect_timeout_is_a_usage_error(amr, plain_server, value):
    r = expect(amr.run("--connect-timeout", value, "ping", env=plain_server.env()), 2)
    assert "--connect-timeout" in r.stderr, r


@pytest.mark.parametrize("value", ["x", "0", "-5", "1T"])
def test_bad_proto_max_bulk_len_is_a_usage_error(amr, plain_server, value):
    r = expect(amr.run("--proto-max-bulk-len", value, "ping", env=plain_server.env()), 2)
    assert "--proto-max-bulk-len" in r.stderr, r


@pytest.mark.parametrize("name, value", [("REDIS_PORT", "abc"), ("REDIS_PORT", "0"), ("REDIS_PORT", "65536"),
                                         ("REDIS_TLS", "maybe")])
def test_bad_environment_value_is_a_usage_error(amr, plain_server, name, value):
    r = expect(amr.run("ping", env={**plain_server.env(), name: value}), 2)
    assert name in r.stderr, r


# ----------------------------------------------------------------------------- .env


SECRET = "s3cr3t-Value-never-shown"


@pytest.mark.parametrize("lines, bad_line", [
    (["REDIS_HOST=localhost", "# comment", f'REDIS_KEY="{SECRET}', "REDIS_PORT=1"], 3),
    (["REDIS_HOST=localhost", f"REDIS_KEY {SECRET}"], 2),
    (["", "REDIS_HOST=localhost", f"REDIS_KEY='{SECRET}' trailing {SECRET}"], 3),
    (["REDIS_HOST=localhost", "REDIS_PORT=10000", f"garbage {SECRET}"], 3),
], ids=["unterminated-quote", "missing-equals", "text-after-quote", "not-an-assignment"])
def test_malformed_dotenv_names_file_and_line_but_not_the_value(amr, lines, bad_line):
    (amr.cwd / ".env").write_text("\n".join(lines) + "\n")
    r = expect(amr.run("ping"), 2)
    assert re.search(rf"\.env:{bad_line}\b", r.stderr), r
    assert "s3cr3t" not in r.stderr + r.stdout, "the value must not be shown"


def test_malformed_env_file_option_names_that_file(amr, tmp_path):
    path = tmp_path / "custom.env"
    path.write_text("REDIS_HOST=localhost\nREDIS_PORT 10000\n")
    r = expect(amr.run("--env-file", str(path), "ping"), 2)
    assert re.search(r"custom\.env:2\b", r.stderr), r


def test_dotenv_error_is_reported_before_connecting(amr, plain_server):
    (amr.cwd / ".env").write_text("BROKEN LINE\n")
    expect(amr.run("ping", env=plain_server.env()), 2)
