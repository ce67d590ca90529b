"""amr top: rates per channel against paced publishers (amr publish --rate), the JSON
lines format, hostile channel names (control bytes, bytes that are not UTF-8), the
channel cap, and the full-screen mode on a pseudo-terminal: q, SIGTERM and a failure
each restore the terminal."""

from __future__ import annotations

import base64
import json
import os
import pty
import re
import select
import signal
import subprocess
import termios
import time

import pytest

from amrtest import HANG, RedisServer, expect, unique, wait_until
from conftest import new_password


@pytest.fixture(scope="module")
def server(tmp_path_factory, redis_tools):
    s = RedisServer(tmp_path_factory.mktemp("top")).start()
    yield s
    s.stop()


def start_top(amr, server, *args):
    top = amr.start("top", *args, env=server.env())
    top.wait_stderr("[+] Subscribed")
    return top


def json_lines(top) -> list[dict]:
    return [json.loads(line) for line in top.stdout.splitlines()]


def by_channel(line: dict) -> dict[str, dict]:
    return {c["channel"]: c for c in line["channels"]}


def test_rates_match_paced_publishers(amr, server):
    base = unique("top")
    rates = {f"{base}:slow": 50, f"{base}:mid": 100, f"{base}:fast": 200}
    payload = "x" * 100
    seconds = 5
    top = start_top(amr, server, "--interval", "1s", f"{base}:*")
    publishers = [amr.start("publish", "--raw", "--rate", str(rate), "--count", str(rate * seconds),
                            ch, payload, env=server.env()) for ch, rate in rates.items()]
    for p in publishers:
        assert p.wait() == 0, p
    wait_until(lambda: any(by_channel(line).get(f"{base}:slow", {}).get("total") == 50 * seconds
                           and line["channels"][0]["rate"] == 0 for line in json_lines(top)),
               "top to count every message and show an idle interval", timeout=HANG)
    top.terminate()
    top.wait()
    lines = json_lines(top)
    for line in lines:
        assert line["interval_s"] == pytest.approx(1.0, abs=0.5), line
        names = [c["channel"] for c in line["channels"]]
        rates_seen = [c["rate"] for c in line["channels"]]
        assert rates_seen == sorted(rates_seen, reverse=True), line
        assert set(names) <= set(rates), line
    for ch, rate in rates.items():
        seen = [by_channel(line)[ch] for line in lines if ch in by_channel(line)]
        assert seen[-1]["total"] == rate * seconds
        # The intervals wholly inside the publisher's run: all but the first and the
        # last in which its messages came.
        busy = [c for c in seen if c["rate"] > 0]
        inner = busy[1:-1]
        assert len(inner) >= 2, (ch, busy)
        mean = sum(c["rate"] for c in inner) / len(inner)
        assert mean == pytest.approx(rate, rel=0.10), (ch, inner)
        assert sum(c["bytes_rate"] for c in inner) / len(inner) == pytest.approx(mean * len(payload))


def test_count_and_limit(amr, server):
    base = unique("top")
    top = start_top(amr, server, "--interval", "200ms", "--count", "3", "--limit", "2", f"{base}:*")
    for i, ch in enumerate(["a", "b", "c"]):
        for _ in range(i + 1):
            server.publish(f"{base}:{ch}", "m")
    assert top.wait() == 0, top
    lines = json_lines(top)
    assert len(lines) == 3, top
    assert all(len(line["channels"]) <= 2 for line in lines)
    last = lines[-1]["channels"]
    assert [c["channel"] for c in last] == [f"{base}:c", f"{base}:b"], lines  # by total when idle


def test_hostile_channel_names_are_escaped_in_json(amr, server):
    base = unique("top")
    hostile = base.encode() + b":\x1b]0;pwned\x07\xff\xfe"
    top = start_top(amr, server, "--interval", "200ms", f"{base}:*")
    server.publish(hostile, "m")
    wait_until(lambda: any(line["channels"] for line in json_lines(top)), "the hostile channel")
    top.terminate()
    top.wait()
    assert b"\x1b" not in top.stdout_bytes and b"\x07" not in top.stdout_bytes
    row = next(line["channels"][0] for line in json_lines(top) if line["channels"])
    assert base64.b64decode(row["channel_base64"]) == hostile
    assert row["channel"].startswith(f"{base}:\x1b]0;pwned\x07")  # JSON-escaped, decoded here
    assert "\ufffd" in row["channel"]


def last_line(top) -> dict | None:
    """The last whole JSON line (parsing only it: these lines are large)."""
    lines = top.stdout_bytes.split(b"\n")
    return json.loads(lines[-2]) if len(lines) >= 2 else None


def test_channels_past_the_cap_count_as_other_channels(amr, server):
    base = unique("cap")
    top = start_top(amr, server, "--interval", "500ms", f"{base}:*")
    expect(amr.run("publish", "--raw", "--count", "10050", f"{base}:{{{{count}}}}", "m", env=server.env()), 0)

    def all_counted() -> bool:
        line = last_line(top)
        return line is not None and sum(c["total"] for c in line["channels"]) == 10050

    wait_until(all_counted, "top to count all 10050 messages")
    channels = last_line(top)["channels"]
    top.terminate()
    top.wait()
    other = [c for c in channels if c.get("other")]
    assert len(channels) == 10001 and len(other) == 1
    assert other[0]["channel"] == "(other channels)" and other[0]["total"] == 50


def test_a_failure_exits_with_its_code(amr, tmp_path, redis_tools):
    s = RedisServer(tmp_path / "auth", password=new_password()).start()
    try:
        r = expect(amr.run("top", env={**s.env(), "REDIS_KEY": "wrong"}), 4)
        assert r.stdout == ""
    finally:
        s.stop()


# ---------------------------------------------------------------- the terminal


class PtyTop:
    """amr top with stdin and stdout on a pseudo-terminal, stderr to a file."""

    def __init__(self, amr, env, *args):
        self.master, self.slave = pty.openpty()
        termios_size = b"\x18\x00\x50\x00\x00\x00\x00\x00"  # 24 rows, 80 columns
        import fcntl
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, termios_size)
        self.before = termios.tcgetattr(self.slave)
        self.err = open(amr.home / f"top-stderr-{unique()}", "w+b")
        self.proc = subprocess.Popen([amr.bin, "top", *args], stdin=self.slave, stdout=self.slave,
                                     stderr=self.err, env=amr.env(env), cwd=amr.cwd, start_new_session=True)
        self.out = bytearray()

    def read_until(self, predicate, what, timeout=HANG):
        deadline = time.monotonic() + timeout
        while not predicate(bytes(self.out)):
            left = deadline - time.monotonic()
            assert left > 0, f"timed out waiting for {what}; screen: {bytes(self.out[-2000:])!r}"
            ready, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if ready:
                try:
                    self.out += os.read(self.master, 65536)
                except OSError:
                    break

    def finish(self) -> int:
        rc = self.proc.wait(timeout=HANG)
        self.read_until(lambda out: True, "the rest")
        while select.select([self.master], [], [], 0.1)[0]:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.out += chunk
        return rc

    def stderr(self) -> str:
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
        os.close(self.slave)
        self.err.close()


@pytest.fixture
def pty_top(amr):
    made = []

    def make(env, *args):
        t = PtyTop(amr, env, *args)
        made.append(t)
        return t

    yield make
    for t in made:
        t.close()


def assert_restored(t: PtyTop):
    out = bytes(t.out)
    assert b"\x1b[?1049h" in out, out[-500:]
    assert out.rstrip(b"\r\n").endswith(b"\x1b[?25h\x1b[?1049l"), out[-500:]
    assert termios.tcgetattr(t.slave) == t.before


def test_terminal_table_quits_with_q_and_restores_the_terminal(server, pty_top):
    base = unique("top")
    t = pty_top(server.env(), "--interval", "200ms", f"{base}:*")
    t.read_until(lambda out: b"MSG/S" in out, "the table's header")
    server.publish(f"{base}:\x1b]0;pwned\x07", "m")
    server.publish(f"{base}:plain", "m")
    t.read_until(lambda out: f"{base}:plain".encode() in out and b"pwned" in out, "the channels' rows")
    os.write(t.master, b"q")
    assert t.finish() == 0, t.stderr()
    out = bytes(t.out)
    assert b"\x1b]0;" not in out and b"\x07" not in out  # no control sequence from the network
    assert f"{base}:\\x1b]0;pwned\\a".encode() in out
    assert_restored(t)


def test_terminal_rows_are_cut_to_the_width(server, pty_top):
    base = unique("top")
    t = pty_top(server.env(), "--interval", "200ms", f"{base}:*")
    t.read_until(lambda out: b"MSG/S" in out, "the table's header")
    server.publish(f"{base}:" + "w" * 200, "m")
    t.read_until(lambda out: b"wwww" in out, "the long channel")
    os.write(t.master, b"q")
    assert t.finish() == 0
    for line in bytes(t.out).split(b"\r\n"):
        visible = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", line).replace(b"\r", b"")
        assert len(visible) <= 80, line


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_terminal_restored_after_a_signal(server, pty_top, sig):
    t = pty_top(server.env(), "--interval", "200ms", f"{unique()}:*")
    t.read_until(lambda out: b"MSG/S" in out, "the table's header")
    t.proc.send_signal(sig)
    assert t.finish() == 0, t.stderr()
    assert_restored(t)


def test_terminal_restored_after_a_failure(amr, tmp_path, redis_tools, pty_top, closed_port):
    t = pty_top({"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(closed_port), "REDIS_TLS": "false"},
                "--interval", "200ms")
    rc = t.finish()
    assert rc == 3, t.stderr()
    assert termios.tcgetattr(t.slave) == t.before
    out = bytes(t.out)
    if b"\x1b[?1049h" in out:
        assert out.rstrip(b"\r\n").endswith(b"\x1b[?1049l"), out


def test_json_forced_on_a_terminal(amr, server):
    r = amr.run_tty("top", "-o", "json", "--interval", "100ms", "--count", "2", f"{unique()}:*",
                    env=server.env())
    assert r.rc == 0, r
    lines = r.stdout.splitlines()
    assert len(lines) == 2 and all(json.loads(line)["channels"] == [] for line in lines), r


def test_over_tls_with_a_password(amr, tls_server):
    base = unique("top")
    top = start_top(amr, tls_server, "--interval", "200ms", f"{base}:*")
    tls_server.publish(f"{base}:a", "hello")
    wait_until(lambda: any(by_channel(line).get(f"{base}:a", {}).get("total") == 1 for line in json_lines(top)),
               "the message counted")
    top.terminate()
    assert top.wait() == 0, top
    assert tls_server.password not in top.stdout + top.stderr
