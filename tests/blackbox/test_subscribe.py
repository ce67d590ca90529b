"""amr subscribe / psubscribe: the three formats, --count, --timeout, signals, payloads of
any bytes."""

import base64
import json
import re
import signal
import threading

import pytest

from amrtest import expect, unique, wait_until

RULE = "\u2500" * 50
DASHES = "-" * 50
RECEIVED_AT = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
CLOCK = r"\[\d\d:\d\d:\d\d\]"


def collect(amr, server, args, payloads, channel=None, pattern=False):
    """Subscribes with `args`, publishes `payloads` (bytes) with redis-cli to channel, and
    returns the finished subscriber (it must end by itself through --count)."""
    sub = amr.subscribe(*args, env=server.env(), pattern=pattern)
    for p in payloads:
        assert server.publish(channel, p) == 1
    assert sub.wait() == 0, sub
    return sub


# ----------------------------------------------------------------------------- json


def json_lines(sub):
    lines = sub.stdout_bytes.split(b"\n")
    assert lines[-1] == b"", "every line ends with a newline"
    return [json.loads(line.decode("utf-8")) for line in lines[:-1]]


def test_json_message_fields(amr, plain_server):
    ch = unique()
    sub = collect(amr, plain_server, ["-j", "--count", "1", ch], [b'{"event":"x","n":[1,2]}'], ch)
    (line,) = json_lines(sub)
    assert set(line) == {"type", "channel", "data", "received_at"}, line
    assert line["type"] == "message"
    assert line["channel"] == ch
    assert line["data"] == {"event": "x", "n": [1, 2]}
    assert re.fullmatch(RECEIVED_AT, line["received_at"]), line


@pytest.mark.parametrize("payload, data", [
    (b"hello world", "hello world"),
    (b"42", 42),
    (b'"quoted"', "quoted"),
    (b"[1, true, null]", [1, True, None]),
    (b"", ""),
    (b"{broken", "{broken"),
    (b"line1\nline2\r\n", "line1\nline2\r\n"),
    ("h\u00e9llo \u2713 \U0001F600".encode(), "h\u00e9llo \u2713 \U0001F600"),
    (b"nul\x00and\x1besc\x7f", "nul\x00and\x1besc\x7f"),
], ids=["text", "number", "string", "array", "empty", "broken-json", "newlines", "utf8", "controls"])
def test_json_data_is_the_parsed_payload_or_the_string(amr, plain_server, payload, data):
    ch = unique()
    sub = collect(amr, plain_server, ["--format", "json", "--count", "1", ch], [payload], ch)
    (line,) = json_lines(sub)
    assert line["data"] == data
    if payload.startswith(b'"'):
        # data alone would give back quoted, not "quoted": the exact bytes come along.
        assert base64.b64decode(line["data_base64"]) == payload
    else:
        assert "data_base64" not in line, "valid UTF-8 needs no base64"


@pytest.mark.parametrize("payload", [b"\xff\xfe\xfd", b"caf\xe9 latin-1", b"\xc3\x28 bad continuation",
                                     b'{"a":"\xff"}', b"\x00\x80\xbf\xf8\x88\x80\x80\x80",
                                     b"ok \xed\xa0\x80 surrogate", bytes(range(256))],
                         ids=["ff", "latin1", "c328", "json-with-bad-bytes", "overlong", "surrogate", "all"])
def test_json_non_utf8_payload_has_replacements_and_base64(amr, plain_server, payload):
    ch = unique()
    sub = collect(amr, plain_server, ["-j", "--count", "1", ch], [payload], ch)
    (line,) = json_lines(sub)
    assert base64.b64decode(line["data_base64"], validate=True) == payload
    assert isinstance(line["data"], str)
    assert "\ufffd" in line["data"]


def test_json_many_messages_one_line_each(amr, plain_server):
    ch = unique()
    payloads = [b"plain", b'{"a":1}', b"\xff\n\xfe", b"", b"multi\nline", b"\x00"]
    sub = collect(amr, plain_server, ["-j", "--count", str(len(payloads)), ch], payloads, ch)
    lines = json_lines(sub)
    assert len(lines) == len(payloads)
    for line, payload in zip(lines, payloads):
        if payload == b"\xff\n\xfe":
            assert base64.b64decode(line["data_base64"]) == payload
        elif payload == b'{"a":1}':
            assert line["data"] == {"a": 1}
        else:
            assert line["data"] == payload.decode()


# ----------------------------------------------------------------------------- raw


def test_raw_is_the_payload_and_a_newline(amr, plain_server):
    ch = unique()
    payloads = [b"one", b'{"two":2}', b"\xff\xfe\x00three", b""]
    sub = collect(amr, plain_server, ["-F", "raw", "--count", "4", ch], payloads, ch)
    assert sub.stdout_bytes == b"".join(p + b"\n" for p in payloads)


# ----------------------------------------------------------------------------- pretty


def test_pretty_shows_the_labs_fields_in_the_labs_order(amr, plain_server):
    ch = unique()
    payload = json.dumps({"message": "Hello", "current_stock": 5, "product_name": "Widget",
                          "tracking_number": "TRK-1", "total": 129.99, "customer": "Jane Doe",
                          "order_id": "ORD-1", "extra": "not shown", "event": "everything"}).encode()
    sub = collect(amr, plain_server, ["--count", "1", ch], [payload], ch)
    lines = sub.stdout.splitlines()
    assert re.fullmatch(CLOCK + f" Message on '{re.escape(ch)}'", lines[0]), lines
    assert lines[1:10] == [RULE, "Event: everything", "Order ID: ORD-1", "Customer: Jane Doe",
                           "Total: $129.99", "Tracking: TRK-1", "Product: Widget", "Stock Level: 5",
                           "Message: Hello"]
    assert lines[10] == RULE
    assert "not shown" not in sub.stdout


def test_pretty_without_event_or_fields(amr, plain_server):
    ch = unique()
    sub = collect(amr, plain_server, ["--count", "1", "-F", "pretty", ch], [b'{"a":1}'], ch)
    lines = [line for line in sub.stdout.splitlines() if line]
    assert lines[1:] == [RULE, "Event: unknown", RULE]


def test_pretty_non_json_payload(amr, plain_server):
    ch = unique()
    sub = collect(amr, plain_server, ["--count", "1", ch], [b"just text"], ch)
    lines = [line for line in sub.stdout.splitlines() if line]
    assert len(lines) == 1
    assert re.fullmatch(CLOCK + f" {re.escape(ch)}: just text", lines[0]), lines


def test_pretty_has_no_colour_with_no_color_even_on_a_terminal(amr, plain_server):
    ch = unique()
    bg_env = {**plain_server.env(), "NO_COLOR": "1"}
    result = {}

    def run():
        result["r"] = amr.run_tty("subscribe", "--count", "1", ch, env=bg_env)

    t = threading.Thread(target=run)
    t.start()
    wait_until(lambda: plain_server.numsub(ch) == 1, "the subscriber on a terminal")
    assert plain_server.publish(ch, b'{"event":"order_created","order_id":"ORD-1"}') == 1
    t.join(timeout=60)
    r = expect(result["r"], 0)
    assert "Order ID: ORD-1" in r.stdout
    assert "\x1b[" not in r.stdout


# ----------------------------------------------------------------------------- patterns


def test_psubscribe_json(amr, plain_server):
    base = unique()
    sub = amr.subscribe("-j", "--count", "2", f"{base}:*", env=plain_server.env(), pattern=True)
    assert f"[+] Subscribed to pattern: '{base}:*'" in sub.stderr
    assert plain_server.publish(f"{base}:one", b'{"n":1}') == 1
    assert plain_server.publish(f"other:{base}", b'{"n":0}') == 0
    assert plain_server.publish(f"{base}:two", b"text") == 1
    assert sub.wait() == 0
    first, second = json_lines(sub)
    assert first["type"] == "pmessage" and second["type"] == "pmessage"
    assert first["pattern"] == second["pattern"] == f"{base}:*"
    assert (first["channel"], first["data"]) == (f"{base}:one", {"n": 1})
    assert (second["channel"], second["data"]) == (f"{base}:two", "text")
    assert re.fullmatch(RECEIVED_AT, first["received_at"])


def test_psubscribe_pretty(amr, plain_server):
    base = unique()
    payload = {"event": "order_created", "order_id": "ORD-7", "total": 1.5}
    sub = amr.subscribe("--count", "2", f"{base}:*", env=plain_server.env(), pattern=True)
    plain_server.publish(f"{base}:x", json.dumps(payload).encode())
    plain_server.publish(f"{base}:y", b"plain words")
    assert sub.wait() == 0
    lines = sub.stdout.splitlines()
    assert re.fullmatch(CLOCK + f" Pattern '{re.escape(base)}:\\*' matched '{re.escape(base)}:x'", lines[0]), lines
    assert lines[1] == DASHES
    assert lines[2] == "Event: order_created"
    assert lines[3].startswith("Full message: {")
    end = lines.index(DASHES, 4)
    full = "\n".join([lines[3][len("Full message: "):]] + lines[4:end])
    assert json.loads(full) == payload
    assert '  "order_id": "ORD-7",' in lines[4:end], "indented by 2"
    rest = [line for line in lines[end + 1:] if line]
    assert len(rest) == 1
    assert re.fullmatch(CLOCK + f" Pattern '{re.escape(base)}:\\*': plain words", rest[0]), rest


def test_subscribe_to_several_channels(amr, plain_server):
    a, b = unique("a"), unique("b")
    sub = amr.subscribe("-j", "--count", "2", a, b, env=plain_server.env())
    assert f"[+] Subscribed to channel: '{a}'" in sub.stderr
    assert f"[+] Subscribed to channel: '{b}'" in sub.stderr
    plain_server.publish(b, b"1")
    plain_server.publish(a, b"2")
    assert sub.wait() == 0
    assert [(x["channel"], x["data"]) for x in json_lines(sub)] == [(b, 1), (a, 2)]


def test_psubscribe_several_patterns(amr, plain_server):
    sub = amr.subscribe("-j", "--count", "2", "p1:*", "p2:?", env=plain_server.env(), pattern=True)
    plain_server.publish("p2:x", b"a")
    plain_server.publish("p1:long", b"b")
    assert sub.wait() == 0
    assert [x["pattern"] for x in json_lines(sub)] == ["p2:?", "p1:*"]


# ----------------------------------------------------------------------------- ending


def test_count_stops_after_exactly_n_messages(amr, plain_server):
    ch = unique()
    sub = amr.subscribe("-F", "raw", "--count", "3", ch, env=plain_server.env())
    # Five messages on one connection, so they reach amr together.
    script = "".join(f"PUBLISH {ch} m{i}\n" for i in range(1, 6))
    plain_server.cli(input=script.encode())
    assert sub.wait() == 0
    assert sub.stdout == "m1\nm2\nm3\n"


@pytest.mark.parametrize("duration", ["10", "10s", "500ms", "2m"])
def test_timeout_formats_are_accepted(amr, plain_server, duration):
    ch = unique()
    sub = amr.subscribe("--timeout", duration, "--count", "1", "-F", "raw", ch, env=plain_server.env())
    plain_server.publish(ch, b"done")
    assert sub.wait() == 0, sub
    assert sub.stdout == "done\n"


def test_timeout_without_count_exits_0(amr, plain_server):
    r = expect(amr.run("subscribe", "--timeout", "300ms", unique(), env=plain_server.env()), 0)
    assert r.stdout == ""
    assert "[+] Subscribed" in r.stderr


def test_timeout_before_count_exits_124_after_printing_what_arrived(amr, plain_server):
    ch = unique()
    sub = amr.subscribe("--timeout", "2s", "--count", "3", "-F", "raw", ch, env=plain_server.env())
    delivered = plain_server.publish(ch, b"only one")
    assert sub.wait() == 124, sub
    if delivered:
        assert sub.stdout == "only one\n"


def test_psubscribe_timeout_exits_124(amr, plain_server):
    r = expect(amr.run("psubscribe", "--timeout", "200ms", "--count", "1", "nothing:*", env=plain_server.env()),
               124)
    assert r.stdout == ""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_ends_cleanly_with_0(amr, plain_server, sig):
    ch = unique()
    sub = amr.subscribe("-F", "raw", ch, env=plain_server.env())
    plain_server.publish(ch, b"before")
    sub.wait_stdout("before\n")
    sub.signal(sig)
    assert sub.wait() == 0, sub
    assert sub.stdout == "before\n"
    wait_until(lambda: plain_server.numsub(ch) == 0, "redis to see the subscriber gone")


def test_subscriber_sees_every_message_in_order(amr, plain_server):
    ch = unique()
    n = 500
    sub = amr.subscribe("-F", "raw", "--count", str(n), ch, env=plain_server.env())
    plain_server.cli(input="".join(f"PUBLISH {ch} {i}\n" for i in range(n)).encode())
    assert sub.wait() == 0
    assert sub.stdout.splitlines() == [str(i) for i in range(n)]


def test_each_message_is_written_without_waiting_for_the_next(amr, plain_server):
    # Pairs of messages close together; the next pair is only published once the second of
    # the previous one has been written, so a message held back until more data arrives
    # shows up as a hang (HANG), never as a timing threshold.
    ch = unique()
    sub = amr.subscribe("-F", "raw", ch, env=plain_server.env())
    for i in range(40):
        plain_server.cli(input=f"PUBLISH {ch} a{i}\nPUBLISH {ch} b{i}\n".encode())
        sub.wait_stdout(f"b{i}\n")
        plain_server.publish(ch, f"c{i}")
        sub.wait_stdout(f"c{i}\n")
    sub.signal(signal.SIGTERM)
    assert sub.wait() == 0
    assert sub.stdout.splitlines() == [x for i in range(40) for x in (f"a{i}", f"b{i}", f"c{i}")]
