"""amr subscribe / psubscribe / ssubscribe --template: placeholders, JSON fields, escapes,
receive times, and bad templates refused (exit 2) before connecting."""

import re
from datetime import datetime, timedelta, timezone

import pytest

from amrtest import expect, unique

UTC_STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
LOCAL_STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}"


def collect(amr, server, args, payloads, channel, pattern=False):
    """Starts a subscriber with `args` (ending in one channel or pattern), publishes the
    payloads to `channel`, and returns it finished (it ends through --count)."""
    sub = amr.subscribe(*args, env=server.env(), count=1, pattern=pattern)
    for p in payloads:
        assert server.publish(channel, p) == 1
    assert sub.wait() == 0, sub
    return sub


def test_tab_separated_fields_of_json_payloads(amr, plain_server):
    ch = unique()
    sub = collect(amr, plain_server, ["--count", "2", "--template", r"{channel}\t{data.order_id}\n", ch],
                  [b'{"event":"order_created","order_id":"ORD-1"}', b'{"order_id":"ORD-2","total":5}'], ch)
    assert sub.stdout_bytes == f"{ch}\tORD-1\n{ch}\tORD-2\n".encode()


def test_format_template_spelled_out(amr, plain_server):
    ch = unique()
    sub = collect(amr, plain_server, ["-F", "template", "--template", r"[{payload}]\n", "--count", "1", ch],
                  [b"hello"], ch)
    assert sub.stdout_bytes == b"[hello]\n"


def test_no_newline_is_added(amr, plain_server):
    ch = unique()
    sub = collect(amr, plain_server, ["--count", "3", "--template", "{payload};", ch], [b"a", b"b", b"c"], ch)
    assert sub.stdout_bytes == b"a;b;c;"


def test_nul_separated_payloads_keep_their_newlines(amr, plain_server):
    ch = unique()
    payloads = [b"line1\nline2", b"tab\there", b"\r\n"]
    sub = collect(amr, plain_server, ["--count", "3", "--template", r"{payload}\0", ch], payloads, ch)
    assert sub.stdout_bytes.split(b"\0") == [*payloads, b""]


def test_nul_separated_output_feeds_xargs(amr, plain_server):
    ch = unique()
    job = amr.start_shell(f"$AMR subscribe --count 2 --template '{{data.name}}\\0' {ch} | "
                          "xargs -0 printf '<%s>'", env=plain_server.env())
    job.wait_subscribed()
    assert plain_server.publish(ch, b'{"name":"two words"}') == 1
    assert plain_server.publish(ch, b'{"name":"new\\nline"}') == 1
    assert job.wait() == 0, job
    assert job.stdout_bytes == b"<two words><new\nline>"


def test_psubscribe_pattern_type_and_channel(amr, plain_server):
    base = unique()
    sub = amr.subscribe("--count", "2", "--template", r"{type} {pattern} {channel} {payload}\n", f"{base}:*",
                        env=plain_server.env(), count=1, pattern=True)
    assert plain_server.publish(f"{base}:one", b"1") == 1
    assert plain_server.publish(f"{base}:two", b"2") == 1
    assert sub.wait() == 0, sub
    assert sub.stdout == f"pmessage {base}:* {base}:one 1\npmessage {base}:* {base}:two 2\n"


def test_pattern_is_empty_for_subscribe(amr, plain_server):
    ch = unique()
    sub = collect(amr, plain_server, ["--count", "1", "--template", r"{type}|{pattern}|{channel}\n", ch],
                  [b"x"], ch)
    assert sub.stdout == f"message||{ch}\n"


def test_ssubscribe_type(amr, plain_server):
    if int(plain_server.version().split(".")[0]) < 7:
        pytest.skip("SSUBSCRIBE needs Redis 7")
    ch = unique()
    sub = amr.start("ssubscribe", "--count", "1", "--template", r"{type} {channel} {data.n}\n", ch,
                    env=plain_server.env()).wait_subscribed()
    assert plain_server.cli("SPUBLISH", ch, '{"n":[1,2]}').stdout.strip() == "1"
    assert sub.wait() == 0, sub
    assert sub.stdout == f"smessage {ch} [1,2]\n"


def test_json_fields_nested_missing_and_not_json(amr, plain_server):
    ch = unique()
    template = r"{data.customer.name}|{data.items.1.sku}|{data.total}|{data.items.0}|{data.nope}|{data.items.9}\n"
    sub = collect(amr, plain_server, ["--count", "3", "--template", template, ch], [
        b'{"customer":{"name":"Jane"},"items":[{"sku":"A","qty":1},{"sku":"B"}],"total":129.99}',
        b"not json at all",
        b'{"customer":"flat","items":[]}',
    ], ch)
    assert sub.stdout.split("\n") == [
        'Jane|B|129.99|{"sku":"A","qty":1}||',
        "|||||",
        "|||||",
        "",
    ]


def test_payload_bytes_are_exact(amr, plain_server):
    ch = unique()
    payload = bytes(range(256))
    sub = collect(amr, plain_server, ["--count", "1", "--template", r"<{payload}>", ch], [payload], ch)
    assert sub.stdout_bytes == b"<" + payload + b">"


def test_escapes_and_braces(amr, plain_server):
    ch = unique()
    sub = collect(amr, plain_server, ["--count", "1", "--template",
                                      r'{{"ch":"{channel}"}}\t\\\r\n\e[1m{payload}\e[0m\n', ch], [b"p"], ch)
    assert sub.stdout_bytes == ('{"ch":"%s"}\t\\\r\n\x1b[1mp\x1b[0m\n' % ch).encode()


def test_receive_times(amr, plain_server):
    ch = unique()
    before = datetime.now(timezone.utc)
    sub = collect(amr, plain_server, ["--count", "1", "--template",
                                      r"{utc}|{time}|{utc:%Y-%m-%d %H:%M:%S.%6N}|{time:%s}\n", ch], [b"x"], ch)
    after = datetime.now(timezone.utc)
    utc, local, custom, epoch = sub.stdout.rstrip("\n").split("|")
    assert re.fullmatch(UTC_STAMP, utc), utc
    assert re.fullmatch(LOCAL_STAMP, local), local
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", custom), custom
    received = datetime.strptime(custom, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)
    slack = timedelta(seconds=1)
    assert before - slack <= received <= after + slack, (before, received, after)
    assert utc[:-1] == custom.replace(" ", "T")[:23], "the same instant, in milliseconds"
    assert int(epoch) == int(received.timestamp())


def test_local_time_follows_tz(amr, plain_server):
    ch = unique()
    env = {**plain_server.env(), "TZ": "UTC0"}
    sub = amr.subscribe("--count", "1", "--template", r"{time} {utc}\n", ch, env=env, count=1)
    assert plain_server.publish(ch, b"x") == 1
    assert sub.wait() == 0, sub
    local, utc = sub.stdout.split()
    assert local + "Z" == utc


# ----------------------------------------------------------------------------- usage errors


@pytest.mark.parametrize("template, message", [
    ("{chanel}", "--template: unknown placeholder {chanel} at byte 1"),
    (r"{channel}\t{data.order_id}\t{paylaod}", "--template: unknown placeholder {paylaod} at byte 29"),
    ("abc{", "--template: unclosed '{' at byte 4"),
    ("{channel", "--template: unclosed '{' at byte 1"),
    ("a}", "--template: unmatched '}' at byte 2"),
    (r"{payload}\q", r"--template: unknown escape '\q' at byte 10"),
    ("x\\", r"--template: '\' at the end of the template at byte 2"),
    ("{data..id}", "--template: empty field name in {data..id} at byte 1"),
    ("{time:}", "--template: empty strftime format in {time:} at byte 1"),
    ("{}", "--template: empty placeholder {} at byte 1"),
    ("", "--template is empty"),
])
@pytest.mark.parametrize("command", ["subscribe", "psubscribe", "ssubscribe"])
def test_bad_template_exits_2_before_connecting(amr, closed_port, command, template, message):
    env = {"REDIS_HOST": "localhost", "REDIS_PORT": str(closed_port), "REDIS_TLS": "false"}
    r = expect(amr.run(command, "--template", template, "ch", env=env), 2)
    assert r.stdout == ""
    assert f"amr: error: {message}\n" in r.stderr, r
    assert "hint: " in r.stderr, r
    # The same command with a good template does try to connect: nothing listens there.
    expect(amr.run(command, "--template", "{payload}", "ch", env=env), 3)


def test_bad_template_suggests_the_placeholder(amr, closed_port):
    env = {"REDIS_HOST": "localhost", "REDIS_PORT": str(closed_port), "REDIS_TLS": "false"}
    r = expect(amr.run("subscribe", "--template", "{dat.order_id}", "ch", env=env), 2)
    assert "did you mean {data.order_id}?" in r.stderr, r


@pytest.mark.parametrize("args, message", [
    (["-j", "--template", "{payload}"], "--template cannot be combined with -j/--json"),
    (["-F", "json", "--template", "{payload}"], "--template cannot be combined with --format json"),
    (["--format", "raw", "--template", "{payload}"], "--template cannot be combined with --format raw"),
    (["-F", "pretty", "--template", "{payload}"], "--template cannot be combined with --format pretty"),
    (["-F", "template"], "--format template needs --template TEMPLATE"),
])
def test_template_and_other_formats_conflict(amr, closed_port, args, message):
    env = {"REDIS_HOST": "localhost", "REDIS_PORT": str(closed_port), "REDIS_TLS": "false"}
    r = expect(amr.run("subscribe", *args, "ch", env=env), 2)
    assert f"amr: error: {message}" in r.stderr, r


def test_help_lists_the_template_option(amr):
    for command in ("subscribe", "psubscribe", "ssubscribe"):
        out = expect(amr.run(command, "--help"), 0).stdout
        assert "--template TEMPLATE" in out, out
        assert "{pretty,json,raw,template}" in out, out
