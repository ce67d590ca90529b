"""What anyone allowed to publish, or a hostile server, can send amr: JSON nested a million
deep (once a SIGSEGV in every subscriber), and channel names, payloads and error texts
with ESC and BEL bytes (once straight to the terminal). Real redis-server processes; a
fake server only for an error text no real server sends."""

import json
import re
import threading

import pytest

from amrtest import HANG, expect, unique, wait_until
from hostile import HostileServer

LIMIT = 128  # message/json_check.hpp's max_json_depth
TOO_DEEP = f"arrays and objects nested more than {LIMIT} deep (amr's limit)"
MILLION = 1_000_000
HOSTILE = "\x1b]0;pwned\x07\x1b[2J"  # retitles the terminal window, then clears it
HOSTILE_SHOWN = "\\x1b]0;pwned\\a\\x1b[2J"  # as redis-cli writes it
AFTER = b'{"event":"after","order_id":"ORD-2"}'


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def json_lines(data: bytes) -> list:
    lines = data.split(b"\n")
    assert lines[-1] == b"", "every line ends with a newline"
    return [json.loads(line) for line in lines[:-1]]


# ----------------------------------------------------------------------------- depth


FORMATS = {
    "pretty": ([], False),
    "json": (["-j"], False),
    "template": (["--template", "{data}|{data.0}|{channel}\\n"], False),
    "psubscribe": ([], True),
    "psubscribe-json": (["-j"], True),
}


@pytest.mark.parametrize("name", FORMATS)
def test_subscriber_lives_through_a_million_deep_payload(amr, plain_server, name):
    args, pattern = FORMATS[name]
    ch = unique()
    sub = amr.subscribe(*args, "--count", "2", ch + "*" if pattern else ch, env=plain_server.env(),
                        pattern=pattern, count=1)
    deep = nested(MILLION)
    assert plain_server.publish(ch, deep) == 1
    assert plain_server.publish(ch, AFTER) == 1
    assert sub.wait() == 0, sub
    out = sub.stdout_bytes
    if name == "template":
        assert out == f"||{ch}\n".encode() + AFTER + f"||{ch}\n".encode()
    elif "json" in name:
        first, second = json_lines(out)
        assert first["data"] == deep.decode(), "too deep for amr: the payload as a string"
        assert second["data"] == json.loads(AFTER)
    elif pattern:
        assert re.search(rb"\] Pattern '" + re.escape(ch.encode()) + rb"\*': \[{1000000}\]{1000000}\n",
                         out), out[:200]
        assert b"Event: after\n" in out
    else:
        assert re.search(rb"\] " + re.escape(ch.encode()) + rb": \[{1000000}\]{1000000}\n", out), out[:200]
        assert b"Event: after\n" in out and b"Order ID: ORD-2\n" in out


LONG_ZERO = b"0." + b"0" * 350  # RapidJSON 1.1 read past its tables on it (tests/fuzz)


@pytest.mark.parametrize("name", ["pretty", "json", "template"])
def test_subscriber_lives_through_a_number_of_350_digits(amr, plain_server, name):
    args, _ = FORMATS[name]
    ch = unique()
    sub = amr.subscribe(*args, "--count", "2", ch, env=plain_server.env(), count=1)
    assert plain_server.publish(ch, b'{"total":' + LONG_ZERO + b"}") == 1
    assert plain_server.publish(ch, AFTER) == 1
    assert sub.wait() == 0, sub  # was SIGSEGV
    out = sub.stdout_bytes
    if name == "json":
        first, second = json_lines(out)
        assert first["data"] == '{"total":' + LONG_ZERO.decode() + "}", "not JSON to amr: a string"
        assert second["data"] == json.loads(AFTER)
    elif name == "template":
        assert out == f"||{ch}\n".encode() + AFTER + f"||{ch}\n".encode()
    else:
        assert b": {\"total\":" + LONG_ZERO + b"}\n" in out and b"Event: after\n" in out
    r = expect(amr.run("publish", ch, b'{"total":' + LONG_ZERO + b"}", env=plain_server.env()), 2)
    assert "a number of more than 100 characters (amr's limit)" in r.stderr, r


def test_json_output_keeps_numbers_as_written(amr, plain_server):
    # RapidJSON 1.1's strtod printed 0e55 as 7.922816251426434e28 (docs/FUZZING.md, finding 2).
    ch = unique()
    payload = b'{"price":0e55, "big":184467440737095516159,"tiny":1e-324,"one":1.0}'
    sub = amr.subscribe("-j", "--count", "1", ch, env=plain_server.env(), count=1)
    assert plain_server.publish(ch, payload) == 1
    assert sub.wait() == 0, sub
    assert b'"data":{"price":0e55,"big":184467440737095516159,"tiny":1e-324,"one":1.0}' in \
        sub.stdout_bytes, sub.stdout_bytes
    assert json_lines(sub.stdout_bytes)[0]["data"]["big"] == 184467440737095516159


LONE_LOW = b'"\\udd00"'  # a low surrogate with no high one: ED B4 80 to RapidJSON 1.1


def test_lone_low_surrogate_is_text_and_json_output_stays_utf8(amr, plain_server, jq):
    # -o json printed the bytes ED B4 80, which jq refused (docs/FUZZING.md, finding 5).
    ch = unique()
    sub = amr.start_shell(f"$AMR subscribe -j --count 2 {ch} | jq -c .data", env=plain_server.env())
    sub.wait_subscribed()
    assert plain_server.publish(ch, LONE_LOW) == 1
    assert plain_server.publish(ch, AFTER) == 1
    assert sub.wait() == 0, sub
    text, after = sub.stdout.splitlines()
    assert json.loads(text) == LONE_LOW.decode(), "not JSON to amr: the payload as a string"
    assert json.loads(after) == json.loads(AFTER)
    r = expect(amr.run("publish", ch, LONE_LOW.decode(), env=plain_server.env()), 2)
    assert "is not valid JSON at byte 1: a lone low surrogate escape" in r.stderr, r


def test_depth_limit_is_json_and_one_more_is_text_that_jq_reads(amr, plain_server, jq):
    ch = unique()
    sub = amr.start_shell(f"$AMR subscribe -j --count 2 {ch} | jq -c .data", env=plain_server.env())
    sub.wait_subscribed()
    assert plain_server.publish(ch, nested(LIMIT)) == 1
    assert plain_server.publish(ch, nested(LIMIT + 1)) == 1
    assert sub.wait() == 0, sub
    at_limit, past = sub.stdout.splitlines()
    assert at_limit == nested(LIMIT).decode()
    assert json.loads(past) == nested(LIMIT + 1).decode()


def test_publish_rejects_deep_json_naming_the_depth(amr, plain_server):
    ch = unique()
    sub = amr.subscribe("-F", "raw", ch, env=plain_server.env())
    for depth in (LIMIT + 1, MILLION):
        r = expect(amr.run("publish", ch, "-", input=nested(depth), env=plain_server.env()), 2)
        assert f"the message is not valid JSON at byte {LIMIT}: {TOO_DEEP}" in r.stderr, r
    # As deep as one argument can hold (Linux takes 128 KiB).
    r = expect(amr.run("publish", ch, "-f", "v:=" + nested(65_000).decode(), env=plain_server.env()), 2)
    assert f"-f v:=...: value is not valid JSON at byte {LIMIT - 1}" in r.stderr, r
    # At the limit it goes out, and the subscriber has heard nothing before it.
    expect(amr.run("publish", ch, "-", input=nested(LIMIT), env=plain_server.env()), 0)
    sub.wait_stdout_lines(1)
    assert sub.stdout_bytes == nested(LIMIT) + b"\n"


@pytest.mark.parametrize("source", ["stdin", "file"])
def test_publish_lines_stops_at_a_deep_line_naming_line_and_depth(amr, plain_server, source):
    ch = unique()
    text = b'{"n":1}\n' + nested(MILLION) + b'\n{"n":3}\n'
    if source == "file":
        (amr.cwd / "deep.jsonl").write_bytes(text)
        r = amr.run("publish", ch, "--file", "deep.jsonl", env=plain_server.env())
        where = "deep.jsonl:2"
    else:
        r = amr.run("publish", ch, "--lines", input=text, env=plain_server.env())
        where = "<stdin>:2"
    expect(r, 2)
    assert f"{where}: not valid JSON at byte {LIMIT}: {TOO_DEEP}" in r.stderr, r
    r = expect(amr.run("publish", ch, "--lines", "--skip-invalid", "-o", "json", input=text,
                       env=plain_server.env()), 0)
    assert json.loads(r.stdout)["skipped"] == 1, r


# ----------------------------------------------------------------------------- terminal


def on_terminal(amr, server, args, payloads, channel, env=None):
    """Runs `amr subscribe ARGS` on a pseudo-terminal until it has the payloads."""
    result = {}
    env = {**server.env(), **(env or {})}

    def run():
        result["r"] = amr.run_tty("subscribe", "--count", str(len(payloads)), *args, env=env)

    t = threading.Thread(target=run)
    t.start()
    wait_until(lambda: server.numsub(channel) == 1, "the subscriber on a terminal")
    for p in payloads:
        assert server.publish(channel, p) == 1
    t.join(timeout=HANG)
    return expect(result["r"], 0)


def test_pretty_on_a_terminal_escapes_names_and_payloads(amr, plain_server):
    ch = unique() + HOSTILE
    payloads = [b"text\x1b[31m red\x07\nforged line\xc2\x9b",
                b'{"event":"\\u001b]2;x\\u0007","order_id":"\\u001b[2J"}']
    r = on_terminal(amr, plain_server, [ch], payloads, ch, env={"NO_COLOR": "1"})
    out = r.stdout_bytes
    assert b"\x1b" not in out and b"\x07" not in out and b"\xc2\x9b" not in out, out
    shown = r.stdout
    assert f"{ch.replace(HOSTILE, HOSTILE_SHOWN)}: text\\x1b[31m red\\a\\nforged line\\xc2\\x9b\n" in shown
    assert f"Message on '{ch.replace(HOSTILE, HOSTILE_SHOWN)}'" in shown
    assert "Event: \\x1b]2;x\\a\n" in shown and "Order ID: \\x1b[2J\n" in shown
    # stderr too: the confirmation names the channel.
    assert b"\x1b" not in r.stderr_bytes and HOSTILE_SHOWN in r.stderr, r.stderr


def test_colour_codes_are_the_only_escapes_on_a_terminal(amr, plain_server):
    ch = unique() + HOSTILE
    r = on_terminal(amr, plain_server, [ch], [HOSTILE.encode()], ch)
    assert "\x1b[1m" in r.stdout, "colour on a terminal"
    assert "\x1b" not in re.sub("\x1b\\[[0-9;]*m", "", r.stdout), r.stdout
    assert f": {HOSTILE_SHOWN}\n" in r.stdout


def test_template_on_a_terminal_escapes_placeholders_not_its_own_text(amr, plain_server):
    ch = unique() + HOSTILE
    r = on_terminal(amr, plain_server, ["--template", "\\e[1m{channel}\\e[0m {payload} {data.s}\\n", ch],
                    [b'{"s":"\\u001b[2J"}'], ch)
    assert r.stdout == f"\x1b[1m{ch.replace(HOSTILE, HOSTILE_SHOWN)}\x1b[0m " \
                       '{"s":"\\u001b[2J"} \\x1b[2J\n', r.stdout


def test_through_a_pipe_pretty_template_json_and_raw_keep_the_bytes(amr, plain_server):
    ch = unique() + HOSTILE
    payload = b"a\x1b[2Jb\x07"
    for args, expected in ((["-F", "raw"], payload + b"\n"),
                           (["--template", "{channel}|{payload}\\n"], ch.encode() + b"|" + payload + b"\n")):
        sub = amr.subscribe(*args, "--count", "1", ch, env=plain_server.env(), count=1)
        assert plain_server.publish(ch, payload) == 1
        assert sub.wait() == 0, sub
        assert sub.stdout_bytes == expected
        assert "\x1b" not in sub.stderr and HOSTILE_SHOWN in sub.stderr, sub.stderr
    sub = amr.subscribe("-j", "--count", "1", ch, env=plain_server.env())
    assert plain_server.publish(ch, payload) == 1
    assert sub.wait() == 0, sub
    (line,) = json_lines(sub.stdout_bytes)
    assert (line["channel"], line["data"]) == (ch, payload.decode())
    sub = amr.subscribe("--count", "1", ch, env=plain_server.env())
    assert plain_server.publish(ch, payload) == 1
    assert sub.wait() == 0, sub
    assert sub.stdout_bytes.endswith(ch.encode() + b": " + payload + b"\n")


def test_json_on_a_terminal_keeps_the_bytes(amr, plain_server):
    ch = unique() + HOSTILE
    r = on_terminal(amr, plain_server, ["-j", ch], [b"\x1b[2J"], ch)
    (line,) = json_lines(r.stdout_bytes)
    assert (line["channel"], line["data"]) == (ch, "\x1b[2J")


def test_server_error_text_is_escaped_on_stderr(amr):
    # No real server echoes hostile bytes in an error: a scripted one (tests/hostile.py).
    def script(peer):
        peer.expect("PUBLISH")
        peer.send(b"-ERR " + HOSTILE.encode() + b" \x9b\xff\r\n")
        peer.hold(10)

    with HostileServer(script) as server:
        r = amr.run("publish", "ch", "{}", env=server.env())
    assert r.rc != 0, r
    assert b"\x1b" not in r.stderr_bytes and b"\x07" not in r.stderr_bytes, r.stderr
    assert f"ERR {HOSTILE_SHOWN} \\x9b\\xff" in r.stderr, r.stderr


def test_a_newline_in_a_channel_name_cannot_forge_a_line_on_stderr(amr, plain_server):
    ch = unique() + "\namr: error: forged"
    sub = amr.subscribe("-F", "raw", "--count", "1", ch, env=plain_server.env())
    assert plain_server.publish(ch, b"x") == 1
    assert sub.wait() == 0, sub
    lines = sub.stderr.splitlines()
    shown = ch.replace("\n", "\\n")
    assert lines == [f"[+] Subscribed to channel: '{shown}'"], lines


def test_channels_on_a_terminal_escapes_names_and_keeps_them_in_a_pipe(amr, plain_server):
    ch = unique() + HOSTILE
    sub = amr.subscribe("-F", "raw", ch, env=plain_server.env())
    r = expect(amr.run_tty("channels", env=plain_server.env()), 0)
    assert b"\x1b" not in r.stdout_bytes and b"\x07" not in r.stdout_bytes, r
    assert f"{ch.replace(HOSTILE, HOSTILE_SHOWN)}\t1\n" in r.stdout, r
    piped = expect(amr.run("channels", env=plain_server.env()), 0)
    assert (ch + "\t1\n").encode() in piped.stdout_bytes, piped
    sub.stop()


def test_publish_report_on_a_terminal_escapes_the_channel_and_message(amr, plain_server):
    ch = unique() + HOSTILE
    r = expect(amr.run_tty("publish", "--raw", ch, "body" + HOSTILE, env=plain_server.env()), 0)
    assert b"\x1b" not in r.stdout_bytes and b"\x07" not in r.stdout_bytes, r
    assert f"Published to channel: '{ch.replace(HOSTILE, HOSTILE_SHOWN)}'" in r.stdout, r
    assert f"body{HOSTILE_SHOWN}\n" in r.stdout, r
