"""publish --lines / --file and broadcast --lines against real redis-servers: order,
empty lines, CRLF, invalid lines, summaries and outputs, error replies, the server killed
mid-stream (with and without --retry), signals and the terminal progress line.

The subscriber here is a plain socket read on a thread into memory, as fast as the server
sends, so what it received is what the server delivered."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections import Counter

import pytest

from amrtest import HANG, RedisServer, expect, unique, wait_until
from respclient import encode, parse_messages

SUMMARY = re.compile(r"sent (\d+) message\(s\) to (.+) in [\d.]+ m?s \((\d+|-) messages/s\): "
                     r"(\d+) receiver\(s\) in total, (\d+) invalid line\(s\) skipped")
LOST = re.compile(r"connection lost after (\d+) confirmed message\(s\); the first unconfirmed is line (\d+)")


MESSAGE = b"*3\r\n$7\r\nmessage\r\n"


class RawSubscriber:
    """SUBSCRIBE on a plain socket; a thread keeps reading into memory until the
    connection ends, and counts the messages as they come (a poll must not rescan
    hundreds of megabytes)."""

    def __init__(self, server: RedisServer, *channels: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=HANG)
        self.sock.settimeout(None)
        self.sock.sendall(encode("SUBSCRIBE", *channels))
        self.data = bytearray()
        self.counted = 0  # messages in data[:self.scanned + len(MESSAGE) - 1]
        self.scanned = 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()
        wait_until(lambda: self._raw().count(b"$9\r\nsubscribe\r\n") == len(channels), "SUBSCRIBE confirmations")

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
                # A header split across reads is counted once both halves are in.
                self.counted += self.data.count(MESSAGE, self.scanned)
                self.scanned = max(self.scanned, len(self.data) - len(MESSAGE) + 1)

    def _raw(self) -> bytes:
        with self.lock:
            return bytes(self.data)

    def count(self) -> int:
        with self.lock:
            return self.counted

    def wait_count(self, n: int) -> None:
        wait_until(lambda: self.count() >= n, f"{n} messages at the subscriber")

    def messages(self) -> list[tuple[str, str]]:
        """(channel, payload) of every complete message, in order of arrival."""
        return [(channel.decode(), payload.decode())
                for kind, channel, payload in parse_messages(self._raw()) if kind == b"message"]

    def payloads(self) -> list[str]:
        return [p for _, p in self.messages()]

    def wait_closed(self) -> None:
        self.thread.join(timeout=HANG)

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(timeout=HANG)


class CuttableProxy:
    """A TCP proxy to a server on a loopback port; cut() resets every connection through it
    at once (the server and its other clients live on), as a network drop would."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                self.sockets += [client, server]
                self.connections += 1
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while chunk := src.recv(1 << 16):
                dst.sendall(chunk)
        except OSError:
            pass

    def cut(self) -> None:
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def close(self) -> None:
        self.listener.close()
        self.cut()


@pytest.fixture
def subscribers():
    made: list[RawSubscriber] = []

    def make(server: RedisServer, *channels: str) -> RawSubscriber:
        sub = RawSubscriber(server, *channels)
        made.append(sub)
        return sub

    yield make
    for sub in made:
        sub.close()


def event(n: int) -> str:
    return json.dumps({"event": "order_created", "order_id": f"ORD-{n:08d}", "customer": "Jane Doe",
                       "total": 129.99, "n": n}, separators=(",", ":"))


def summary(stderr: str) -> re.Match:
    m = SUMMARY.search(stderr)
    assert m, stderr
    return m


class Streamer:
    """amr publish/broadcast --lines (in the background) with stdin fed by a thread, in
    chunks, so a test can act while the stream flows."""

    def __init__(self, amr, args: list[str], env: dict) -> None:
        self.bg = amr.start(*args, env=env, stdin=True)
        self.proc = self.bg.proc
        self.resume = threading.Event()
        self.resume.set()
        self.sent_lines = 0
        self.feeder: threading.Thread | None = None

    def feed(self, lines: list[str], chunk: int = 2000, pause: float = 0.002,
             hold_after: int | None = None) -> None:
        """Writes the lines in chunks on a thread; with hold_after, waits for resume() after
        that many lines; closes stdin at the end."""
        def run() -> None:
            try:
                for start in range(0, len(lines), chunk):
                    if hold_after is not None and start >= hold_after:
                        self.resume.wait(HANG)
                    self.bg.write("".join(line + "\n" for line in lines[start:start + chunk]).encode())
                    self.sent_lines = start + chunk
                    time.sleep(pause)
                self.bg.close_stdin()
            except (BrokenPipeError, ValueError, OSError):
                pass

        if hold_after is not None:
            self.resume.clear()
        self.feeder = threading.Thread(target=run, daemon=True)
        self.feeder.start()

    def wait(self) -> tuple[int, str, str]:
        rc = self.bg.wait()
        if self.feeder:
            self.feeder.join(timeout=HANG)
        return rc, self.bg.stdout, self.bg.stderr


@pytest.fixture
def streamers(amr):
    """make(ARGS, ENV) -> a Streamer, stopped with the amr fixture."""
    return lambda args, env: Streamer(amr, args, env)


# ----------------------------------------------------------------------------- basics


def test_every_line_arrives_in_order(amr, plain_server, subscribers):
    channel = unique()
    sub = subscribers(plain_server, channel)
    lines = [event(n) for n in range(5000)]
    r = expect(amr.run("publish", channel, "--lines", env=plain_server.env(), input="\n".join(lines) + "\n"), 0)
    assert r.stdout == "5000\n", r
    sub.wait_count(5000)
    assert sub.messages() == [(channel, line) for line in lines]
    m = summary(r.stderr)
    assert (m.group(1), m.group(2), m.group(4), m.group(5)) == ("5000", f"'{channel}'", "5000", "0")


def test_empty_lines_crlf_and_a_last_line_without_newline(amr, plain_server, subscribers):
    channel = unique()
    sub = subscribers(plain_server, channel)
    data = '{"n":1}\r\n\n\n{"n":2}\n\r\n  {"n": 3}  \r\n"four"\n{"n":5}'
    r = expect(amr.run("publish", channel, "--lines", env=plain_server.env(), input=data), 0)
    assert r.stdout == "5\n"
    sub.wait_count(5)
    assert sub.payloads() == ['{"n":1}', '{"n":2}', '  {"n": 3}  ', '"four"', '{"n":5}']
    assert summary(r.stderr).group(1) == "5"
    assert "not valid" not in r.stderr


def test_only_empty_lines_send_nothing(amr, plain_server):
    r = expect(amr.run("publish", unique(), "--lines", env=plain_server.env(), input="\n\r\n\n"), 0)
    assert r.stdout == "0\n"
    assert summary(r.stderr).group(1) == "0"


def test_invalid_line_stops_before_it_after_sending_the_lines_before(amr, plain_server, subscribers):
    channel = unique()
    sub = subscribers(plain_server, channel)
    data = '{"n":1}\n\n{"n":2}\n{"n":3,}\n{"n":4}\n'
    r = expect(amr.run("publish", channel, "--lines", env=plain_server.env(), input=data), 2)
    assert "<stdin>:4: not valid JSON at byte 7: " in r.stderr, r
    assert "stopped before line 4" in r.stderr
    assert summary(r.stderr).group(1) == "2"
    assert r.stdout == ""
    sub.wait_count(2)
    time.sleep(0.2)
    assert sub.payloads() == ['{"n":1}', '{"n":2}']


def test_skip_invalid_reports_each_bad_line_and_sends_the_rest(amr, plain_server, subscribers):
    channel = unique()
    sub = subscribers(plain_server, channel)
    data = '{"n":1}\nnope\n{"n":3,}\n{"n":4}\n[1 2]'
    r = expect(amr.run("publish", channel, "--lines", "--skip-invalid", "-o", "json", env=plain_server.env(),
                       input=data), 0)
    assert json.loads(r.stdout) == {"channel": channel, "messages": 2, "receivers": 2, "skipped": 3}
    assert "<stdin>:2: not valid JSON at byte 1: " in r.stderr, r
    assert "<stdin>:3: not valid JSON at byte 7: " in r.stderr
    assert "<stdin>:5: not valid JSON at byte 3: " in r.stderr
    m = summary(r.stderr)
    assert (m.group(1), m.group(5)) == ("2", "3")
    sub.wait_count(2)
    assert sub.payloads() == ['{"n":1}', '{"n":4}']


def test_raw_sends_lines_that_are_not_json(amr, plain_server, subscribers):
    channel = unique()
    sub = subscribers(plain_server, channel)
    r = expect(amr.run("publish", channel, "--lines", "--raw", env=plain_server.env(),
                       input="plain text\n{broken\n"), 0)
    assert r.stdout == "2\n"
    sub.wait_count(2)
    assert sub.payloads() == ["plain text", "{broken"]


def test_file_is_read_like_stdin_and_named_in_reports(amr, plain_server, subscribers, tmp_path):
    channel = unique()
    sub = subscribers(plain_server, channel)
    path = tmp_path / "events.jsonl"
    path.write_text('{"n":1}\n{"n":2\n{"n":3}\n')
    r = expect(amr.run("publish", channel, "--file", str(path), "--skip-invalid", env=plain_server.env()), 0)
    assert f"{path}:2: not valid JSON at byte 6: " in r.stderr, r
    assert r.stdout == "2\n"
    sub.wait_count(2)
    assert sub.payloads() == ['{"n":1}', '{"n":3}']


def test_file_dash_is_stdin(amr, plain_server):
    r = expect(amr.run("publish", unique(), "--file", "-", env=plain_server.env(), input="1\n2\n"), 0)
    assert summary(r.stderr).group(1) == "2"


def test_large_file_with_long_lines(amr, plain_server, subscribers, tmp_path):
    channel = unique()
    sub = subscribers(plain_server, channel)
    lines = [json.dumps({"n": n, "pad": "x" * (n * 997 % 300000)}) for n in range(40)]
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines))
    r = expect(amr.run("publish", channel, "--file", str(path), "--window", "3", env=plain_server.env()), 0)
    assert r.stdout == "40\n"
    sub.wait_count(40)
    assert sub.payloads() == lines


def test_quiet_prints_no_summary(amr, plain_server):
    r = expect(amr.run("-q", "publish", unique(), "--lines", env=plain_server.env(), input="1\n2\n"), 0)
    assert r.stderr == ""
    assert r.stdout == "0\n"


def test_report_output(amr, plain_server, subscribers):
    channel = unique()
    subscribers(plain_server, channel)
    r = expect(amr.run("publish", channel, "--lines", "-o", "report", "--skip-invalid", env=plain_server.env(),
                       input="1\nx\n2\n"), 0)
    assert r.stdout == (f"[>] Published 2 message(s) to channel: '{channel}'\n"
                        "[#] Receivers in total: 2\n"
                        "[!] Invalid lines skipped: 1\n")


def test_min_receivers_applies_to_every_message(amr, plain_server):
    r = expect(amr.run("publish", unique(), "--lines", "--min-receivers", "1", env=plain_server.env(),
                       input="1\n2\n3\n"), 5)
    assert r.stdout == "0\n"
    assert "3 message(s) reached fewer than --min-receivers 1; the first is line 1" in r.stderr
    assert summary(r.stderr).group(1) == "3", "sent all the same"


def test_error_reply_stops_with_its_line(amr, redis_factory):
    server = redis_factory(extra_conf=["user pub on >secret-pw ~* resetchannels &allowed +@all"])
    env = {**server.env(), "REDIS_USER": "pub", "REDIS_KEY": "secret-pw"}
    expect(amr.run("publish", "allowed", "--lines", env=env, input="1\n2\n"), 0)
    r = expect(amr.run("publish", "denied", "--lines", env=env, input="1\n2\n"), 4)
    assert "line 1: PUBLISH refused: NOPERM" in r.stderr, r
    assert summary(r.stderr).group(1) == "0"


def test_tls_stream(amr, tls_server):
    r = expect(amr.run("publish", unique(), "--lines", env=tls_server.env(),
                       input="".join(event(n) + "\n" for n in range(3000))), 0)
    assert r.stdout == "0\n"
    assert summary(r.stderr).group(1) == "3000"
    stats = tls_server.cli("INFO", "commandstats").stdout
    assert re.search(r"cmdstat_publish:calls=3000,", stats), stats


def test_tls_stream_with_quiet_input(amr, tls_server):
    r = expect(amr.shell('(seq 1 3; sleep 1; seq 4 6) | "$AMR" publish ch --lines', env=tls_server.env()), 0)
    assert summary(r.stderr).group(1) == "6"
    assert "lost" not in r.stderr


# ----------------------------------------------------------------------------- broadcast


def test_broadcast_lines_sends_each_line_to_every_channel(amr, plain_server, subscribers):
    a, b, c = unique("a"), unique("b"), unique("c")
    sub_a = subscribers(plain_server, a)
    sub_ab = subscribers(plain_server, a, b)
    lines = [event(n) for n in range(1000)]
    r = expect(amr.run("broadcast", "-c", a, "-c", b, "-c", c, "--lines", env=plain_server.env(),
                       input="\n".join(lines)), 0)
    assert r.lines == [f"{a}\t2000", f"{b}\t1000", f"{c}\t0", "total\t3000"], r
    sub_a.wait_count(1000)
    sub_ab.wait_count(2000)
    assert sub_a.payloads() == lines
    ab = sub_ab.messages()
    assert [p for ch, p in ab if ch == a] == lines
    assert [p for ch, p in ab if ch == b] == lines
    assert ab[:2] == [(a, lines[0]), (b, lines[0])], "a line goes to every channel before the next line"
    m = summary(r.stderr)
    assert (m.group(1), m.group(2), m.group(4)) == ("1000", "3 channels", "3000")


def test_broadcast_lines_json_and_skipped(amr, plain_server, subscribers):
    a, b = unique("a"), unique("b")
    subscribers(plain_server, b)
    r = expect(amr.run("broadcast", "-c", a, "-c", b, "--lines", "--skip-invalid", "-o", "json",
                       env=plain_server.env(), input='{"x":1}\nbad\n{"x":2}\n'), 0)
    assert json.loads(r.stdout) == {"channels": [{"channel": a, "receivers": 0}, {"channel": b, "receivers": 2}],
                                    "messages": 2, "total": 2, "skipped": 1}


def test_broadcast_min_receivers_sums_the_channels_of_each_message(amr, plain_server, subscribers):
    a, b = unique("a"), unique("b")
    subscribers(plain_server, b)
    expect(amr.run("broadcast", "-c", a, "-c", b, "--lines", "--min-receivers", "1", env=plain_server.env(),
                   input="1\n2\n"), 0)
    r = expect(amr.run("broadcast", "-c", a, "-c", b, "--lines", "--min-receivers", "2", env=plain_server.env(),
                       input="1\n2\n"), 5)
    assert "2 message(s) reached fewer than --min-receivers 2; the first is line 1" in r.stderr


# ----------------------------------------------------------------------------- faults


def wait_stable(sub: RawSubscriber, quiet: float = 0.3) -> None:
    """Waits until the subscriber has received nothing new for `quiet` seconds."""
    last, since = -1, time.monotonic()
    while time.monotonic() - since < quiet:
        n = sub.count()
        if n != last:
            last, since = n, time.monotonic()
        time.sleep(0.02)


def test_server_killed_mid_stream_reports_what_was_confirmed(amr, plain_server, subscribers, streamers):
    channel = unique()
    sub = subscribers(plain_server, channel)
    lines = [event(n) for n in range(300_000)]
    s = streamers(["publish", channel, "--lines"], plain_server.env())
    s.feed(lines, chunk=2000, pause=0.005)
    sub.wait_count(60_000)
    # Within one turn of its event loop Redis writes the replies to the publisher before
    # the messages to subscribers: killed between the two writes, it would lose messages
    # it had confirmed, whatever the client does. CLIENT PAUSE WRITE stops it between
    # turns (it executes no more PUBLISH, and writes what it owes), with amr's next
    # commands sent and unanswered; then the SIGKILL.
    plain_server.cli("CLIENT", "PAUSE", "60000", "WRITE")
    wait_stable(sub)
    plain_server.proc.send_signal(signal.SIGKILL)
    rc, out, err = s.wait()
    assert rc == 3, err
    m = LOST.search(err)
    assert m, err
    confirmed, first = int(m.group(1)), int(m.group(2))
    assert 0 < confirmed < len(lines)
    assert first == confirmed + 1, "no empty or skipped lines: the next line is the first unconfirmed"
    assert summary(err).group(1) == str(confirmed)
    assert out == ""
    sub.wait_closed()
    received = sub.payloads()
    # Every message the server confirmed reached the subscriber, in order, and nothing
    # the server did not execute.
    assert len(received) == confirmed
    assert received == lines[:confirmed]


def test_retry_resends_after_a_restart_on_the_same_port(amr, redis_factory, subscribers, streamers):
    first = redis_factory()
    channel = unique()
    sub1 = subscribers(first, channel)
    lines = [event(n) for n in range(300_000)]
    s = streamers(["publish", channel, "--lines", "--retry"], first.env())
    s.feed(lines, chunk=2000, pause=0.001, hold_after=150_000)
    sub1.wait_count(150_000)
    # amr waits for more input; the server dies and a new one takes the port.
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait()
    sub1.wait_closed()
    second = redis_factory(port=first.port)
    sub2 = subscribers(second, channel)
    s.resume.set()
    rc, out, err = s.wait()
    assert rc == 0, err
    # amr noticed the loss while waiting for input, every message sent had been confirmed,
    # and it reconnected before the rest of the input came.
    assert "reconnected" in err, err
    sub2.wait_count(len(lines) - sub1.count())
    got = sub1.payloads() + sub2.payloads()
    assert set(got) == set(lines), "every line arrived at least once"
    assert len(got) - len(lines) <= 1000, "only the in-flight window may arrive twice"
    # Each message counts once, from the reply that confirmed it.
    assert out == f"{len(lines)}\n"
    assert summary(err).group(1) == str(len(lines))


def test_retry_resends_what_a_cut_connection_left_unconfirmed(amr, plain_server, subscribers, streamers):
    channel = unique()
    sub = subscribers(plain_server, channel)
    proxy = CuttableProxy(plain_server.port)
    lines = [event(n) for n in range(200_000)]
    try:
        s = streamers(["publish", channel, "--lines", "--retry"], {**plain_server.env(),
                                                                     "REDIS_PORT": str(proxy.port)})
        s.feed(lines, chunk=10_000, pause=0)  # faster than the proxy: the window stays full
        sub.wait_count(50_000)
        proxy.cut()
        rc, out, err = s.wait()
    finally:
        proxy.close()
    assert rc == 0, err
    assert proxy.connections == 2, err
    assert "reconnected" in err, err
    m = re.search(r"sending again from line (\d+): (\d+) PUBLISH", err)
    assert m, err
    again_from, again = int(m.group(1)), int(m.group(2))
    assert 0 < again <= 1000
    sub.wait_count(len(lines))
    got = sub.payloads()
    assert set(got) == set(lines), "every line arrived at least once"
    assert len(got) - len(lines) <= again, "only what was sent again may arrive twice"
    twice = {p for p, n in Counter(got).items() if n > 1}
    assert twice <= set(lines[again_from - 1:again_from - 1 + again])
    assert list(dict.fromkeys(got)) == lines, "in order, apart from the lines sent again"
    assert out == f"{len(lines)}\n"
    assert summary(err).group(1) == str(len(lines))


def test_connection_lost_while_the_input_is_quiet_is_noticed_at_once(amr, plain_server, subscribers,
                                                                      streamers):
    channel = unique()
    sub = subscribers(plain_server, channel)
    s = streamers(["publish", channel, "--lines"], plain_server.env())
    s.feed([event(n) for n in range(2000)], chunk=1000, hold_after=1000)
    sub.wait_count(1000)
    plain_server.proc.send_signal(signal.SIGKILL)
    rc = s.proc.wait(timeout=HANG)  # stdin is still open: amr did not wait for it
    s.resume.set()
    rc, out, err = s.wait()
    assert rc == 3, err
    assert ("connection lost after 1000 confirmed message(s); the first unconfirmed is line 1001 "
            "(every message sent was confirmed)") in err, err


def test_retry_gives_up_after_reconnect_max(amr, plain_server, subscribers, streamers):
    channel = unique()
    sub = subscribers(plain_server, channel)
    s = streamers(["publish", channel, "--lines", "--retry", "--reconnect-max", "2"], plain_server.env())
    s.feed([event(n) for n in range(20_000)], chunk=1000, hold_after=10_000)
    sub.wait_count(10_000)
    plain_server.proc.send_signal(signal.SIGKILL)
    plain_server.proc.wait()
    s.resume.set()
    rc, out, err = s.wait()
    assert rc == 3, err
    assert "after 2 attempt(s)" in err
    m = LOST.search(err)
    assert m and 0 < int(m.group(1)) <= 10_000, err


def test_sigint_stops_reading_and_reports(amr, plain_server, subscribers, streamers):
    channel = unique()
    sub = subscribers(plain_server, channel)
    s = streamers(["publish", channel, "--lines"], plain_server.env())
    s.feed([event(n) for n in range(2000)], chunk=1000, hold_after=1000)
    sub.wait_count(1000)
    s.proc.send_signal(signal.SIGINT)
    rc = s.proc.wait(timeout=HANG)
    s.resume.set()
    rc, out, err = s.wait()
    assert rc == 130, err
    assert out == "1000\n"
    assert "stopped by a signal after line 1000" in err
    assert summary(err).group(1) == "1000"


# ----------------------------------------------------------------------------- progress


PROGRESS_LINE = re.compile(rb"\r\d+ sent, \d+ confirmed \(\d+ messages/s\)\x1b\[K")


def test_progress_line_only_on_a_terminal(amr, plain_server, tmp_path):
    import pty
    channel = unique()
    # Lines keep coming until the test has seen the progress line (however slowly amr
    # starts, e.g. under a sanitizer); the feeder then says how many it sent.
    gate, sent = tmp_path / "gate", tmp_path / "sent"
    feeder = (f"{{ n=0; while [ ! -e {gate} ]; do seq 1 500; n=$((n + 500)); sleep 0.2; done; "
              f"echo $n > {sent}; }}")
    master, slave = pty.openpty()
    proc = subprocess.Popen(["bash", "-c", f"{feeder} | \"$AMR\" publish {channel} --lines"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=slave, env=amr.env(plain_server.env()), cwd=amr.cwd)
    os.close(slave)
    deadline = threading.Timer(HANG, gate.touch)  # no progress line: the feeder stops
    deadline.start()
    err = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
        if PROGRESS_LINE.search(err):
            gate.touch()
    deadline.cancel()
    os.close(master)
    assert proc.wait(timeout=HANG) == 0
    text = err.decode()
    assert PROGRESS_LINE.search(err), repr(text)
    assert "\r\x1b[K" in text, "the line is erased before the summary"
    assert summary(text).group(1) == sent.read_text().strip()

    script = ("for i in $(seq 1 4); do seq 1 500; sleep 0.2; done | "
              f"\"$AMR\" publish {channel} --lines")
    piped = expect(amr.shell(script, env=plain_server.env()), 0)
    assert "\r" not in piped.stderr
