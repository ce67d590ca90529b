"""publish --envelope against real redis-servers: a capture made with `amr psubscribe -j`
on one server replayed into another byte for byte, a live bridge between two servers,
invalid lines, smessage lines, --pace received, the per-channel summary and -o json, and
placeholders in CHANNEL (publish --count).

The receiving side is a plain socket read on a thread into memory, as fast as the server
sends, so what it holds is exactly what the server delivered."""

from __future__ import annotations

import base64
import json
import random
import re
import socket
import threading
import time

import pytest

from amrtest import HANG, expect, unique, wait_until
from respclient import encode, parse_messages

SUMMARY = re.compile(r"sent (\d+) message\(s\) to (.+?) in [\d.]+ m?s \((\d+|-) messages/s\): "
                     r"(\d+) receiver\(s\) in total, (\d+) invalid line\(s\) skipped")

# Payloads whose exact bytes a -j line must carry: binary and non-UTF-8 bytes, a payload
# that is itself a JSON string, pretty-printed JSON, numbers as written, escapes, key
# order and duplicate keys, whitespace around JSON, the empty payload.
HARD = [
    b'"abc"', b"abc", b'{"a":1}', b'{\n  "a": [1,\n    2],\n  "b": {"c": null}\n}\n',
    b'{"n":1.0,"m":1e5,"z":-0,"big":12345678901234567890123}', b"1.0", b"1e5", b"-0",
    b'{"e":"\\u00e9","t":"\\t"}', '{"e":"\u00e9"}'.encode(), b'{"b":1,"a":2,"b":3}',
    b'  {"x":1}  ', b"\t[1, 2]\n", b"", b" ", bytes(range(256)), b"caf\xe9", b"\xff\xfe\x00",
    b"null", b"true", b'""', b'"\\u0000"', b"line one\r\nline two\n", b"\x1b]0;title\x07",
    b"[" * 200 + b"]" * 200, b'{"a":1} trailing', b'{"seq":', b"\x00",
]


def payload(i: int, rng: random.Random) -> bytes:
    kind = i % 10
    if kind < len(HARD) and i % 3 == 0:
        return HARD[(i // 3) % len(HARD)]
    if i % 1000 == 7:  # large-ish
        return json.dumps({"seq": i, "blob": "x" * 60000}, indent=2).encode()
    if kind == 1:
        return rng.randbytes(rng.randrange(0, 64))
    if kind == 2:
        return f"plain text {i} é ✓".encode()
    return json.dumps({"seq": i, "total": 129.99, "tags": ["a", "b"]}, separators=(",", ":")).encode()


class Receiver:
    """(S|P)SUBSCRIBE on a plain socket; a thread reads into memory until closed."""

    def __init__(self, server, command: str, *channels: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=HANG)
        self.sock.settimeout(None)
        self.sock.sendall(encode(command, *channels))
        self.data = bytearray()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()
        confirm = command.lower().encode()
        wait_until(lambda: self._raw().count(b"\r\n" + confirm + b"\r\n") == len(channels),
                   f"{command} confirmations")
        self.skip = len(self._raw())  # the confirmations

    def _pump(self) -> None:
        while True:
            try:
                chunk = self.sock.recv(1 << 20)
            except OSError:
                break
            if not chunk:
                break
            with self.lock:
                self.data += chunk

    def _raw(self) -> bytes:
        with self.lock:
            return bytes(self.data)

    def messages(self) -> list[tuple[bytes, bytes, bytes]]:
        return parse_messages(self._raw()[self.skip:])

    def wait_count(self, n: int) -> list[tuple[bytes, bytes, bytes]]:
        """Every message, once at least n have come (counted by their frames' kind, which
        no payload here holds, so the wait does not parse everything on every look)."""
        def enough() -> bool:
            data = self._raw()
            return sum(data.count(k) for k in (b"$7\r\nmessage\r\n", b"$8\r\npmessage\r\n",
                                               b"$8\r\nsmessage\r\n")) >= n

        wait_until(enough, f"{n} messages at the receiver", timeout=HANG * 2)
        return self.messages()

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(timeout=HANG)


@pytest.fixture
def receivers():
    made: list[Receiver] = []

    def make(server, command: str, *channels: str) -> Receiver:
        r = Receiver(server, command, *channels)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


def publish_all(server, messages: list[tuple[str, bytes]], batch: int = 1000) -> None:
    """PUBLISH every (channel, payload), pipelined in batches on one plain socket."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=HANG)
    try:
        for start in range(0, len(messages), batch):
            chunk = messages[start:start + batch]
            sock.sendall(b"".join(encode("PUBLISH", ch, p) for ch, p in chunk))
            replies = b""
            while replies.count(b"\r\n") < len(chunk):
                data = sock.recv(1 << 16)
                assert data, "the server closed the publisher's connection"
                replies += data
            assert not replies.startswith(b"-"), replies[:200]
    finally:
        sock.close()


def by_channel(messages) -> dict[bytes, list[bytes]]:
    out: dict[bytes, list[bytes]] = {}
    for _, ch, p in messages:
        out.setdefault(ch, []).append(p)
    return out


def line(channel: str, data, **extra) -> str:
    return json.dumps({"type": "message", "channel": channel, "data": data, **extra}, separators=(",", ":"))


def test_a_capture_of_100000_mixed_payloads_replays_byte_for_byte(amr, redis_factory, receivers, tmp_path):
    a, b = redis_factory(), redis_factory()
    prefix = unique("rt")
    channels = [f"{prefix}:{n}" for n in range(50)]
    rng = random.Random(11)
    sent = [(channels[rng.randrange(50)], payload(i, rng)) for i in range(100_000)]

    capture = amr.subscribe("-j", f"{prefix}:*", env=a.env(), pattern=True)
    publish_all(a, sent)
    capture.wait_stdout_lines(len(sent))
    capture.terminate()
    path = tmp_path / "capture.jsonl"
    path.write_bytes(capture.stdout_bytes)
    assert capture.stdout_bytes.count(b"\n") == len(sent)

    receiver = receivers(b, "SUBSCRIBE", *channels)
    r = expect(amr.run("publish", "--envelope", "--file", str(path), "-o", "json", env=b.env()), 0)
    got = receiver.wait_count(len(sent))
    assert len(got) == len(sent)
    # Per channel and in order, byte for byte (and in the order of the capture overall).
    assert [(ch.decode(), p) for _, ch, p in got] == sent
    want = {ch.encode(): [] for ch in channels}
    for ch, p in sent:
        want[ch.encode()].append(p)
    assert by_channel(got) == {k: v for k, v in want.items() if v}
    totals = json.loads(r.stdout)
    assert totals["messages"] == len(sent) and totals["skipped"] == 0
    assert {c["channel"]: c["messages"] for c in totals["channels"]} == {k.decode(): len(v) for k, v in want.items() if v}
    assert totals["receivers"] == len(sent)


def test_a_live_bridge_between_two_servers_loses_nothing(amr, redis_factory, receivers):
    a, b = redis_factory(), redis_factory()
    prefix = unique("br")
    channels = [f"{prefix}:{n}" for n in range(5)]
    receiver = receivers(b, "SUBSCRIBE", *channels)
    flags_a, flags_b = " ".join(a.flags()), " ".join(b.flags())
    bridge = amr.start_shell(f'"$AMR" psubscribe -j {flags_a} "{prefix}:*" | "$AMR" publish --envelope {flags_b}')
    bridge.wait_subscribed()
    rng = random.Random(5)
    sent = [(channels[i % 5], payload(i, rng)) for i in range(20_000)]
    publisher = threading.Thread(target=publish_all, args=(a, sent, 200))
    publisher.start()
    publisher.join(timeout=HANG)
    got = receiver.wait_count(len(sent))
    assert len(got) == len(sent)
    assert [(ch.decode(), p) for _, ch, p in got] == sent
    bridge.signal(2, group=True)


def test_invalid_lines_are_named_by_number_and_reason(amr, plain_server, receivers):
    ch = unique()
    rec = receivers(plain_server, "SUBSCRIBE", ch)
    lines = [line(ch, 1), line(ch, "two"), json.dumps({"data": 3}), '{"channel":"' + ch + '","data":4', line(ch, 5)]
    r = expect(amr.run("publish", "--envelope", env=plain_server.env(), input="\n".join(lines) + "\n"), 2)
    assert '<stdin>:3: no "channel" field' in r.stderr, r
    assert "stopped before line 3 of <stdin>" in r.stderr, r
    assert [p for _, _, p in rec.wait_count(2)] == [b"1", b"two"]

    r = expect(amr.run("publish", "--envelope", "--skip-invalid", env=plain_server.env(),
                       input="\n".join(lines) + "\n\n" + line(ch, [6]) + "\n" + '["x"]\n'), 0)
    assert '<stdin>:3: no "channel" field' in r.stderr, r
    assert f"<stdin>:4: not valid JSON at byte {len(lines[3])}: " in r.stderr, r
    assert "<stdin>:8: not a JSON object" in r.stderr, r
    m = SUMMARY.search(r.stderr)
    assert m and m.group(1) == "4" and m.group(5) == "3", r
    assert [p for _, _, p in rec.wait_count(6)] == [b"1", b"two", b"1", b"two", b"5", b"[6]"]

    bad_b64 = json.dumps({"channel": ch, "data_base64": "ab=c"})
    r = expect(amr.run("publish", "--envelope", "--file", "-", env=plain_server.env(), input=bad_b64), 2)
    assert '<stdin>:1: "data_base64" is not base64 (character 2)' in r.stderr, r


def test_data_base64_wins_and_channel_base64_gives_exact_channel_bytes(amr, plain_server, receivers):
    ch = unique()
    rec = receivers(plain_server, "SUBSCRIBE", ch)
    lines = [json.dumps({"channel": "ignored", "channel_base64": base64.b64encode(ch.encode()).decode(),
                         "data": "junk", "data_base64": base64.b64encode(b"\x00\xff").decode()}),
             '{"channel":"' + ch + '","data": {"b":1, "a":[1.0,-0,1e5]} ,"extra":[{"channel":"x"}]}']
    expect(amr.run("publish", "--envelope", env=plain_server.env(), input="\r\n".join(lines)), 0)
    assert [p for _, _, p in rec.wait_count(2)] == [b"\x00\xff", b'{"b":1, "a":[1.0,-0,1e5]}']


def test_smessage_lines_are_sent_with_spublish(amr, plain_server, receivers):
    if int(plain_server.version().split(".")[0]) < 7:
        pytest.skip("SPUBLISH needs Redis 7")
    ch = unique()
    shard = receivers(plain_server, "SSUBSCRIBE", ch)
    plain = receivers(plain_server, "SUBSCRIBE", ch)
    lines = [line(ch, "to everyone"), json.dumps({"type": "smessage", "channel": ch, "data": {"s": 1}}, separators=(",", ":")),
             line(ch, "last")]
    expect(amr.run("publish", "--envelope", env=plain_server.env(), input="\n".join(lines)), 0)
    assert shard.wait_count(1) == [(b"smessage", ch.encode(), b'{"s":1}')]
    # The smessage went to the shard channel only: the plain subscriber's next is "last".
    assert plain.wait_count(2) == [(b"message", ch.encode(), b"to everyone"), (b"message", ch.encode(), b"last")]


def test_pace_received_keeps_the_gaps_at_least(amr, plain_server, receivers):
    ch = unique()
    rec = receivers(plain_server, "SUBSCRIBE", ch)
    stamps = ["2025-11-20T12:31:14.000Z", "2025-11-20T12:31:14.400Z", "2025-11-20T12:31:14.800Z"]
    text = "".join(line(ch, n, received_at=s) + "\n" for n, s in enumerate(stamps))
    start = time.monotonic()
    expect(amr.run("publish", "--envelope", "--pace", "received", env=plain_server.env(), input=text), 0)
    assert time.monotonic() - start >= 0.8
    start = time.monotonic()
    expect(amr.run("publish", "--envelope", "--pace", "received", "--speed", "4", env=plain_server.env(),
                   input=text), 0)
    assert time.monotonic() - start >= 0.2
    assert [p for _, _, p in rec.wait_count(6)] == [b"0", b"1", b"2"] * 2
    r = expect(amr.run("publish", "--envelope", "--pace", "received", env=plain_server.env(),
                       input=line(ch, 1)), 2)
    assert '<stdin>:1: no "received_at" field (--pace received needs it)' in r.stderr, r
    r = expect(amr.run("publish", "--speed", "2", "--envelope", env=plain_server.env(), input=line(ch, 1)), 2)
    assert "--speed needs --pace received" in r.stderr, r


def test_the_summary_counts_per_channel(amr, plain_server, receivers):
    a, b = unique(), unique()
    receivers(plain_server, "SUBSCRIBE", a)
    text = "".join(line(ch, n) + "\n" for n, ch in enumerate([a, b, a, a]))
    r = expect(amr.run("publish", "--envelope", "-o", "json", env=plain_server.env(), input=text), 0)
    assert json.loads(r.stdout) == {"channels": [{"channel": a, "messages": 3, "receivers": 3},
                                                 {"channel": b, "messages": 1, "receivers": 0}],
                                    "messages": 4, "receivers": 3, "skipped": 0}
    assert f"\n  {a}: 3 message(s), 3 receiver(s)\n  {b}: 1 message(s), 0 receiver(s)\n" in r.stderr, r
    m = SUMMARY.search(r.stderr)
    assert m and m.group(2) == "2 channels", r
    r = expect(amr.run("publish", "--envelope", "-o", "count", env=plain_server.env(), input=text), 0)
    assert r.stdout == f"{a}\t3\n{b}\t0\ntotal\t3\n"


def test_envelope_takes_no_channel(amr, plain_server):
    r = expect(amr.run("publish", "orders:created", "--envelope", env=plain_server.env(), input=""), 2)
    assert "publish --envelope takes no CHANNEL, got 'orders:created'" in r.stderr, r
    r = expect(amr.run("publish", "--envelope", "--raw", env=plain_server.env(), input=""), 2)
    assert "--raw does not go with --envelope" in r.stderr, r
    r = expect(amr.run("publish", "c", "{}", "--pace", "received", env=plain_server.env()), 2)
    assert "--pace applies to --envelope only" in r.stderr, r


def test_placeholders_in_channel_give_each_message_its_channel(amr, plain_server, receivers):
    prefix = unique("ph")
    rec = receivers(plain_server, "PSUBSCRIBE", f"{prefix}:*")
    r = expect(amr.run("publish", f"{prefix}:{{{{count}}}}", '{"n":{{count}}}', "--count", "3", "-o", "json",
                       env=plain_server.env()), 0)
    got = rec.wait_count(3)
    assert [(ch.decode(), p) for _, ch, p in got] == [(f"{prefix}:{n}", f'{{"n":{n}}}'.encode()) for n in (1, 2, 3)]
    doc = json.loads(r.stdout)
    assert [c["channel"] for c in doc["channels"]] == [f"{prefix}:{n}" for n in (1, 2, 3)]
    assert doc["messages"] == 3 and doc["receivers"] == 3
    # broadcast: each message to each of its channels
    r = expect(amr.run("broadcast", "-c", f"{prefix}:a{{{{count}}}}", "-c", f"{prefix}:b", "{}", "--count", "2",
                       env=plain_server.env()), 0)
    got = rec.wait_count(7)[3:]
    assert [ch.decode() for _, ch, _ in got] == [f"{prefix}:a1", f"{prefix}:b", f"{prefix}:a2", f"{prefix}:b"]
    r = expect(amr.run("publish", "x{{cnt}}", "{}", "--count", "2", env=plain_server.env()), 2)
    assert "CHANNEL: unknown placeholder" in r.stderr, r


def test_past_10000_channels_the_rest_are_counted_together(amr, plain_server):
    prefix = unique("many")
    text = "".join(line(f"{prefix}:{n}", n) + "\n" for n in range(10_003))
    r = expect(amr.run("publish", "--envelope", "-q", "-o", "json", env=plain_server.env(), input=text), 0)
    doc = json.loads(r.stdout)
    assert doc["messages"] == 10_003
    assert len(doc["channels"]) == 10_001
    assert doc["channels"][9_999] == {"channel": f"{prefix}:9999", "messages": 1, "receivers": 0}
    assert doc["channels"][10_000] == {"channel": "(other channels)", "messages": 3, "receivers": 0}


def test_sigint_while_a_paced_replay_waits_stops_it(amr, plain_server, receivers):
    ch = unique()
    rec = receivers(plain_server, "SUBSCRIBE", ch)
    text = (line(ch, 1, received_at="2025-11-20T12:31:14.000Z") + "\n" +
            line(ch, 2, received_at="2025-11-20T13:31:14.000Z") + "\n")  # an hour later
    bg = amr.start("publish", "--envelope", "--pace", "received", env=plain_server.env(), stdin=True)
    bg.write(text.encode())
    bg.close_stdin()
    assert [p for _, _, p in rec.wait_count(1)] == [b"1"]
    bg.signal(2)
    assert bg.wait() == 130, bg
    m = SUMMARY.search(bg.stderr)
    assert m and m.group(1) == "1", bg
    assert "stopped by a signal after line 1 of <stdin>; nothing after it was sent" in bg.stderr, bg
    assert len(rec.messages()) == 1
