"""subscribe, psubscribe and ssubscribe for scripts (issue 11): --idle-timeout, --exclude
and --exec (--jobs, --exec-fail-fast), against a real redis-server shared by the module
(no test changes it; every test has its own channels)."""

import base64
import os
import re
import signal
import threading
import time

import pytest

from amrtest import RedisServer, expect, unique, wait_until


@pytest.fixture(scope="module")
def server(tmp_path_factory, redis_tools):
    s = RedisServer(tmp_path_factory.mktemp("scripts")).start()
    yield s
    s.stop()


def start(amr, server, command, *args, count=1):
    """Starts `amr COMMAND ARGS` and waits for `count` subscription confirmations."""
    return amr.start(command, *args, env=server.env()).wait_subscribed(count)


def publish_until_exit(server, sub, channel, payload, limit=10.0, pause=0.1):
    """Publishes every `pause` seconds until `sub` ends (or `limit` passes); returns how
    many were published."""
    n = 0
    end = time.monotonic() + limit
    while sub.running() and time.monotonic() < end:
        server.publish(channel, payload)
        n += 1
        time.sleep(pause)
    return n


# ----------------------------------------------------------------------------- --idle-timeout


def test_idle_timeout_without_count_exits_0(amr, server):
    ch = unique()
    sub = start(amr, server, "subscribe", "--idle-timeout", "500ms", "-F", "raw", ch)
    server.publish(ch, "one")
    assert sub.wait() == 0, sub
    assert sub.stdout == "one\n"
    assert "no message for 500ms (--idle-timeout)" in sub.stderr


def test_idle_timeout_before_count_exits_124_and_says_so(amr, server):
    ch = unique()
    sub = start(amr, server, "subscribe", "--idle-timeout", "500ms", "--count", "3", "-F", "raw", ch)
    server.publish(ch, "one")
    assert sub.wait() == 124, sub
    assert sub.stdout == "one\n"
    assert "--idle-timeout 500ms: no message for 500ms; ended after 1 of 3 message(s)" in sub.stderr


def test_idle_timeout_restarts_with_every_message(amr, server):
    ch = unique()
    sub = start(amr, server, "subscribe", "--idle-timeout", "2s", "-F", "raw", ch)
    began = time.monotonic()
    while time.monotonic() - began < 4:  # twice the idle timeout, a message every 0.2 s
        assert sub.running(), sub
        server.publish(ch, "tick")
        time.sleep(0.2)
    assert sub.wait() == 0, sub


def test_pings_do_not_count_as_messages(amr, server):
    sub = start(amr, server, "subscribe", "--idle-timeout", "1s", "--ping-interval", "100ms", unique())
    assert sub.wait() == 0, sub


def test_excluded_messages_do_not_reset_the_idle_timer(amr, server):
    base = unique()
    sub = start(amr, server, "psubscribe", "--idle-timeout", "1s", "--exclude", f"{base}:noise*",
                f"{base}:*")
    published = publish_until_exit(server, sub, f"{base}:noise", "x", limit=15)
    assert sub.wait() == 0, sub
    assert published < 140, "amr went on while only excluded messages came"
    assert sub.stdout == ""


def test_idle_timeout_and_timeout_together_the_first_ends_it(amr, server):
    ch = unique()
    sub = start(amr, server, "subscribe", "--timeout", "60s", "--idle-timeout", "500ms", "--count", "5", ch)
    assert sub.wait() == 124, sub
    assert "--idle-timeout 500ms" in sub.stderr and "ended after 0 of 5" in sub.stderr

    sub = start(amr, server, "subscribe", "--timeout", "1500ms", "--idle-timeout", "60s", "--count", "1000",
                "-F", "raw", ch)
    published = publish_until_exit(server, sub, ch, "m", limit=30)
    assert sub.wait() == 124, sub
    assert re.search(r"--timeout 1500ms ended after \d+ of 1000 message", sub.stderr), sub
    assert 0 < sub.stdout.count("m\n") <= published


# ----------------------------------------------------------------------------- --exclude


def test_exclude_on_subscribe_drops_before_count(amr, server):
    a, b = unique(), unique()
    sub = start(amr, server, "subscribe", "--exclude", b, "--count", "2", "-j", a, b, count=2)
    for ch, p in [(a, "a1"), (b, "b1"), (b, "b2"), (a, "a2")]:
        assert server.publish(ch, p) == 1
    assert sub.wait() == 0, sub
    assert [line.split('"data":')[1].split(",")[0] for line in sub.stdout.splitlines()] == ['"a1"', '"a2"']
    assert b not in sub.stdout


def test_exclude_on_psubscribe_takes_globs_and_repeats(amr, server):
    base = unique()
    sub = start(amr, server, "psubscribe", "--exclude", f"{base}:x*", "--exclude", f"{base}:[yz]",
                "--count", "2", "--template", "{channel}\n", f"{base}:*")
    for suffix in ["x1", "y", "z", "keep1", "xx", "w", "yy"]:
        server.publish(f"{base}:{suffix}", "p")
    assert sub.wait() == 0, sub
    assert sub.stdout == f"{base}:keep1\n{base}:w\n"


def test_exclude_on_ssubscribe(amr, server):
    a, b = unique(), unique()
    sub = start(amr, server, "ssubscribe", "--exclude", "*" + b[-4:], "--count", "1", "-F", "raw", a, b,
                count=2)
    server.call("SPUBLISH", b, "excluded")
    server.call("SPUBLISH", a, "kept")
    assert sub.wait() == 0, sub
    assert sub.stdout == "kept\n"


# ----------------------------------------------------------------------------- --exec

ENV_LINE = 'printf "%s|%s|%s|%s|%s\\n" "$AMR_CHANNEL" "${AMR_PATTERN-unset}" "$AMR_TYPE" "$AMR_RECEIVED_AT" "$(cat)"'
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def test_exec_environment_for_each_kind(amr, server):
    base = unique()
    sub = start(amr, server, "psubscribe", "--count", "1", "--exec", ENV_LINE, f"{base}:*")
    server.publish(f"{base}:p", "hello")
    assert sub.wait() == 0, sub
    assert re.fullmatch(rf"{base}:p\|{base}:\*\|pmessage\|{STAMP}\|hello\n", sub.stdout), sub

    sub = start(amr, server, "subscribe", "--count", "1", "--exec", ENV_LINE, base)
    server.publish(base, "plain")
    assert sub.wait() == 0, sub
    assert re.fullmatch(rf"{base}\|\|message\|{STAMP}\|plain\n", sub.stdout), sub

    sub = start(amr, server, "ssubscribe", "--count", "1", "--exec", ENV_LINE, base)
    server.call("SPUBLISH", base, "sharded")
    assert sub.wait() == 0, sub
    assert re.fullmatch(rf"{base}\|\|smessage\|{STAMP}\|sharded\n", sub.stdout), sub


def test_exec_gets_binary_payloads_and_channels_exactly(amr, server):
    base = unique()
    payload = bytes(range(256)) * 3 + b"\x00end"
    odd = f"{base}:a b\n\x1b$(id)"
    sub = start(amr, server, "psubscribe", "--count", "2", "--exec",
                'printf "%s" "$AMR_CHANNEL" | base64 -w0; echo; base64 -w0; echo', f"{base}:*")
    server.publish(f"{base}:bin", payload)
    server.publish(odd, b"x")
    assert sub.wait() == 0, sub
    lines = sub.stdout_bytes.split(b"\n")
    assert base64.b64decode(lines[0]) == f"{base}:bin".encode()
    assert base64.b64decode(lines[1]) == payload
    assert base64.b64decode(lines[2]) == odd.encode()


def test_exec_channel_with_nul_is_reported_and_the_stream_goes_on(amr, server):
    base = unique()
    sub = start(amr, server, "psubscribe", "--count", "2", "--exec", "cat; echo", f"{base}*")
    server.publish(f"{base}\x00nul", "first")
    server.publish(f"{base}:ok", "second")
    assert sub.wait() == 0, sub
    assert sub.stdout == "second\n"
    assert "NUL byte" in sub.stderr and "\\x00nul" in sub.stderr, sub.stderr
    assert "1 of 2 message(s) failed" in sub.stderr


def test_exec_jobs_1_runs_in_order(amr, server):
    ch = unique()
    # Later messages take less time: any overlap would reorder the output.
    sub = start(amr, server, "subscribe", "--count", "30", "--exec",
                'read n; sleep "0.0$((9 - n % 10))"; echo "$n"', ch)
    for i in range(30):
        server.publish(ch, str(i))
    assert sub.wait() == 0, sub
    assert sub.stdout.split() == [str(i) for i in range(30)]


def test_exec_jobs_4_runs_4_at_once(amr, server, tmp_path):
    ch = unique()
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    # Each waits (at most 30 s) until four have started: only concurrent commands pass.
    script = (f'touch "{barrier}/$(cat)"; i=0; '
              f'while [ "$(ls "{barrier}" | wc -l)" -lt 4 ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; '
              f'[ $i -lt 600 ] && echo together || echo alone')
    sub = start(amr, server, "subscribe", "--count", "4", "--jobs", "4", "--exec", script, ch)
    for i in range(4):
        server.publish(ch, str(i))
    assert sub.wait() == 0, sub
    assert sub.stdout == "together\n" * 4


def test_exec_outputs_are_never_interleaved_inside_a_line(amr, server):
    ch = unique()
    # Each command writes one long line in 20 pieces with pauses between, and a second.
    script = ('read n; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do '
              'printf "$n:%0300d|" $i; [ $((i % 5)) -ne 0 ] || sleep 0.01; done; echo; echo "end $n"')
    sub = start(amr, server, "subscribe", "--count", "40", "--jobs", "4", "--exec", script, ch)
    for i in range(40):
        server.publish(ch, str(i))
    assert sub.wait() == 0, sub
    lines = sub.stdout.splitlines()
    assert len(lines) == 80
    for k in range(0, 80, 2):
        n = lines[k].split(":", 1)[0]
        assert lines[k] == "".join(f"{n}:{i:0300d}|" for i in range(1, 21)), lines[k][:100]
        assert lines[k + 1] == f"end {n}", "a command's output is written in one piece"
    assert sorted(int(line.split(":")[0]) for line in lines[::2]) == list(range(40))


def test_exec_output_past_the_collect_limit_still_whole(amr, server):
    ch = unique()
    # 3 MiB per command, past the 1 MiB collected in memory: it takes stdout to itself.
    script = "read n; head -c 3145728 /dev/zero | tr '\\0' \"$n\"; echo"
    sub = start(amr, server, "subscribe", "--count", "4", "--jobs", "4", "--exec", script, ch)
    for c in "abcd":
        server.publish(ch, c)
    assert sub.wait() == 0, sub
    lines = sub.stdout.split("\n")
    assert lines[-1] == "" and sorted(line[0] for line in lines[:-1]) == list("abcd")
    for line in lines[:-1]:
        assert line == line[0] * 3145728


def test_exec_failure_is_reported_and_the_stream_goes_on(amr, server):
    ch = unique()
    sub = start(amr, server, "subscribe", "--count", "4", "--exec",
                'read n; case $n in 2) exit 3;; 3) kill -KILL $$;; esac; echo "$n"', ch)
    for i in range(1, 5):
        server.publish(ch, str(i))
    assert sub.wait() == 0, sub
    assert sub.stdout == "1\n4\n"
    assert f"the command for a message on '{ch}' failed: exit status 3" in sub.stderr
    assert f"the command for a message on '{ch}' failed: killed by signal 9 (KILL)" in sub.stderr
    assert "2 of 4 message(s) failed" in sub.stderr


def test_exec_fail_fast_stops_at_the_first_failure(amr, server):
    ch = unique()
    sub = start(amr, server, "subscribe", "--exec-fail-fast", "--exec",
                'read n; [ "$n" != 2 ] || exit 7; echo "$n"', ch)
    for i in range(1, 4):
        server.publish(ch, str(i))
    assert sub.wait() == 1, sub
    assert sub.stdout == "1\n"
    assert "exit status 7" in sub.stderr and "--exec-fail-fast" in sub.stderr


def test_exec_count_waits_for_the_last_commands(amr, server):
    ch = unique()
    sub = start(amr, server, "subscribe", "--count", "3", "--jobs", "2", "--exec", "sleep 0.5; cat; echo", ch)
    for i in range(3):
        server.publish(ch, f"m{i}")
    assert sub.wait() == 0, sub
    assert sorted(sub.stdout.split()) == ["m0", "m1", "m2"]


def test_exec_loses_nothing_while_commands_are_slow(amr, server):
    ch = unique()
    sub = start(amr, server, "subscribe", "--count", "1000", "--jobs", "4", "--exec", "cat; echo; sleep 0.005", ch)
    for i in range(1000):
        server.publish(ch, str(i))
    assert sub.wait(timeout=240) == 0, sub
    assert sorted(map(int, sub.stdout.split())) == list(range(1000))
    assert "dropped" not in sub.stderr


def unread_bytes(server):
    """Bytes waiting in the receive queues of the server's pub/sub clients' sockets (the
    kernel's count in /proc/net/tcp and tcp6, by the client's port). A subscriber that has
    closed its connection (its --count reached) has read everything."""
    ports = {int(m) for m in re.findall(rb"(?<![a-z])addr=[^ ]*:(\d+) [^\n]* flags=P ",
                                        server.call("CLIENT", "LIST"))}
    total = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for row in f.readlines()[1:]:
                fields = row.split()
                if int(fields[1].rsplit(":", 1)[1], 16) in ports:
                    total += int(fields[4].split(":")[1], 16)
    return total


def test_exec_drops_past_a_small_buffer_are_counted(amr, server, tmp_path):
    ch = unique()
    gate = tmp_path / "gate"
    # The first command waits for the gate: the whole burst must wait in the 4 KiB buffer.
    sub = start(amr, server, "subscribe", "--count", "1024", "--buffer", "4KiB", "--exec",
                f'i=0; while [ ! -e "{gate}" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; cat; echo', ch)
    server.benchmark_publish(ch, 1024, "p" * 100)
    wait_until(lambda: all(b" omem=0 " in line for line in server.call("CLIENT", "LIST").splitlines()
                           if b" flags=P " in line), "the server has written every message to amr")
    wait_until(lambda: unread_bytes(server) == 0, "amr has read every byte the server wrote",
               timeout=60)
    time.sleep(0.1)  # from its read to its queue: no system call on the way
    gate.touch()
    assert sub.wait(timeout=240) == 0, sub
    dropped = sum(int(n) for n in re.findall(r"dropped the (\d+) oldest message\(s\): the --exec commands",
                                              sub.stderr))
    assert dropped > 0, (len(sub.stdout.split()), sub.stderr)
    assert len(sub.stdout.split()) + dropped == 1024


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_exec_on_a_signal_running_commands_finish_queued_ones_do_not_start(amr, server, tmp_path, sig):
    ch = unique()
    started = tmp_path / "started"
    sub = start(amr, server, "subscribe", "--exec", f'touch "{started}"; sleep 1; echo "done $(cat)"', ch)
    for i in range(3):
        server.publish(ch, str(i))
    wait_until(started.exists, "the first command started")
    sub.signal(sig)
    assert sub.wait() == 0, sub
    assert sub.stdout == "done 0\n"
    assert "2 message(s) received were not given to the command" in sub.stderr


def test_exec_commands_die_when_amr_is_killed(amr, server, tmp_path):
    ch = unique()
    pidfile = tmp_path / "pid"
    sub = start(amr, server, "subscribe", "--exec", f'sleep 300 & echo $! > "{pidfile}"; wait', ch)
    server.publish(ch, "x")
    wait_until(lambda: pidfile.exists() and pidfile.read_text().strip(), "the command started")
    pid = int(pidfile.read_text())
    os.kill(sub.proc.pid, signal.SIGKILL)  # amr alone, not its process group
    sub.wait()
    wait_until(lambda: not os.path.exists(f"/proc/{pid}") or "zombie" in open(f"/proc/{pid}/status").read().lower(),
               "the command's child killed with amr", timeout=10)


@pytest.mark.parametrize("args, both", [
    (["--exec", "cat", "-j"], "-j/--json"),
    (["--exec", "cat", "--format", "raw"], "--format"),
    (["--exec", "cat", "--template", "{channel}"], "--template"),
])
def test_exec_with_a_format_is_a_usage_error(amr, server, args, both):
    r = expect(amr.run("subscribe", *args, "ch", env=server.env()), 2)
    assert f"--exec cannot be combined with {both}" in r.stderr


@pytest.mark.parametrize("args, message", [
    (["--jobs", "2"], "--jobs needs --exec"),
    (["--exec-fail-fast"], "--exec-fail-fast needs --exec"),
    (["--exec", "cat", "--jobs", "0"], "--jobs"),
    (["--idle-timeout", "soon"], "--idle-timeout"),
])
def test_exec_and_idle_option_errors(amr, server, args, message):
    r = expect(amr.run("subscribe", *args, "ch", env=server.env()), 2)
    assert message in r.stderr


def test_exec_on_sigint_with_stdout_blocked_gives_up_after_10s(amr, server, tmp_path):
    ch = unique()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    # stdout is a pipe held open and never read: the command's 3 MB cannot all be written.
    sub = amr.start_shell(f'exec 3<>"{fifo}"; exec "{amr.bin}" subscribe --exec "head -c 3000000 /dev/zero" '
                          f'{ch} >"{fifo}"', env=server.env())
    sub.wait_subscribed()
    server.publish(ch, "x")
    time.sleep(1)  # the command has filled the pipe by now
    sub.signal(signal.SIGINT)
    assert sub.wait(timeout=40) == 0, sub
    assert "gave up after 10s" in sub.stderr, sub


def test_exec_output_to_a_closed_pipe_ends_quietly(amr, server):
    ch = unique()
    sub = amr.start_shell(f'"{amr.bin}" subscribe --exec "cat; echo" {ch} | head -n 1; '
                          'echo "amr=${PIPESTATUS[0]}" >&2', env=server.env())
    sub.wait_subscribed()
    publish_until_exit(server, sub, ch, "line", limit=30)
    assert sub.wait() == 0, sub
    assert sub.stdout == "line\n"
    assert "amr=0" in sub.stderr
