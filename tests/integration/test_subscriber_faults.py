"""amr subscribe under faults: the server killed and restarted, CLIENT KILL, a stalled
stdout while the publisher runs at full speed, a full --buffer, an unanswered PING.
Real redis-server processes; nothing here asserts on time."""

import os
import signal
from pathlib import Path

import pytest

from amrtest import HANG, unique, wait_until

LOST = "reconnecting"
REGAINED = "reconnected to"
OVERFLOW = "client-output-buffer-limit"


def restart_same_port(server):
    """SIGKILLs the server and starts a fresh one on the same port."""
    server.proc.kill()
    server.proc.wait()
    server.proc = None
    server.fixed_port = server.port
    server.start()


def wait_numsub(server, channel, n=1):
    wait_until(lambda: server.numsub(channel) == n, f"{n} subscriber(s) on {channel}")


def _tcp_queue(local: int, remote: int, which: int) -> int | None:
    """The send (which=0) or receive (1) queue of the loopback TCP socket from port
    `local` to port `remote`, from /proc/net/tcp."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if (int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16)) == (local, remote):
            return int(fields[4].split(":")[which], 16)
    return None


def wait_read_everything(server, sub):
    """Waits until amr, the server's one subscriber, has read all that was published: the
    server holds no output for it and no byte waits in the kernel on either side. A test
    that holds amr's stdout then knows amr itself has every message, however slowly it
    reads (a sanitized amr is several times slower than redis-benchmark)."""
    def state() -> tuple[list[str], int | None, int | None]:
        lines = server.cli("CLIENT", "LIST", "TYPE", "pubsub").stdout.splitlines()
        if len(lines) != 1:
            return lines, None, None
        port = int(lines[0].split(" addr=")[1].split()[0].rsplit(":", 1)[1])
        return lines, _tcp_queue(server.port, port, 0), _tcp_queue(port, server.port, 1)

    def drained() -> bool:
        lines, sent, received = state()
        if not lines:  # gone: its --count reached (redis-benchmark may send a few more than
            return True  # -n), or closed by the server, which the test's checks then see
        return (len(lines) == 1 and all(f" {k}=0 " in lines[0] for k in ("obl", "oll", "omem"))
                and sent == received == 0)
    wait_until(drained, "amr to read all that was published", detail=lambda: f"{state()}\n{sub!r}")


def test_server_killed_and_restarted_while_subscribed(amr, redis_factory):
    server = redis_factory(tls=True, password="s3cret-restart")
    ch = unique()
    sub = amr.subscribe("-F", "raw", ch, env=server.env())
    assert server.publish(ch, "before") == 1
    sub.wait_stdout("before\n")

    restart_same_port(server)
    sub.wait_stderr(REGAINED)
    wait_numsub(server, ch)
    assert server.publish(ch, "after") == 1
    sub.wait_stdout("after\n")

    # Waited for, not read at once: the test's reader of amr's stderr may not have taken
    # the line yet when "after" is on stdout (seen in CI's ASan run).
    sub.wait_stderr("published while disconnected are lost")
    assert "lost" in sub.stderr
    assert sub.stdout == "before\nafter\n"
    assert "s3cret-restart" not in sub.stderr
    sub.signal(signal.SIGTERM)
    assert sub.wait() == 0, sub


def test_client_kill_type_pubsub(amr, plain_server):
    ch, pat = unique(), unique() + ":*"
    sub = amr.subscribe("-F", "raw", ch, env=plain_server.env())
    psub = amr.subscribe("-F", "raw", pat, env=plain_server.env(), pattern=True)
    plain_server.cli("CLIENT", "KILL", "TYPE", "pubsub")
    sub.wait_stderr(REGAINED)
    psub.wait_stderr(REGAINED)
    wait_numsub(plain_server, ch)
    wait_until(lambda: plain_server.numpat() == 1, "the pattern subscription back")
    assert plain_server.publish(ch, "one") == 1
    assert plain_server.publish(pat[:-1] + "x", "two") == 1
    sub.wait_stdout("one\n")
    psub.wait_stdout("two\n")
    # Idle connections: nothing suggests the output buffer limit.
    assert OVERFLOW not in sub.stderr and OVERFLOW not in psub.stderr


def test_no_reconnect_exits_3(amr, plain_server):
    ch = unique()
    sub = amr.subscribe("--no-reconnect", ch, env=plain_server.env())
    plain_server.cli("CLIENT", "KILL", "TYPE", "pubsub")
    assert sub.wait() == 3, sub
    assert "lost the connection" in sub.stderr
    assert REGAINED not in sub.stderr


def test_reconnect_max_gives_up_with_exit_3(amr, plain_server):
    ch = unique()
    sub = amr.subscribe("--reconnect-max", "2", ch, env=plain_server.env(), count=1)
    plain_server.stop()
    assert sub.wait() == 3, sub
    assert "gave up reconnecting" in sub.stderr and "after 2 attempt(s)" in sub.stderr


@pytest.mark.serial  # amr must read as fast as redis-benchmark publishes
def test_stalled_stdout_loses_nothing_while_500000_are_published(amr, plain_server, tmp_path):
    """stdout is not read while redis-benchmark publishes 500 480 messages (about 60 MB,
    far over the server's 32 MB pub/sub output limit): amr buffers them itself, is never
    disconnected, and every one arrives once stdout is read again. Published in 10 rounds,
    each once amr has read the one before: a sanitized amr reads more slowly than
    redis-benchmark publishes, and the server would close it for that, not for a stall."""
    ch = unique()
    rounds, per_round = 10, 64 * 782  # redis-benchmark -P 64 sends whole pipelines
    total = rounds * per_round
    gate = tmp_path / "gate"
    counted = tmp_path / "counted"
    # The consumer waits for the gate file before it reads a byte.
    script = (f'"$AMR" subscribe -F raw --count {total} {ch} '
              f'| {{ while [ ! -e {gate} ]; do sleep 0.1; done; wc -l > {counted}; }}')
    sub = amr.start_shell(script, env=plain_server.env())
    sub.wait_subscribed()
    for i in range(rounds):
        if i:
            wait_read_everything(plain_server, sub)
        plain_server.benchmark_publish(ch, per_round, "x" * 100)
    gate.touch()
    assert sub.wait(timeout=HANG * 3) == 0, sub
    assert int(counted.read_text()) == total
    # Never disconnected by the server (that would say "reconnecting"), nothing dropped.
    assert "dropped" not in sub.stderr and LOST not in sub.stderr


@pytest.mark.serial  # the publishers must outpace the server's writes
def test_publishers_faster_than_the_server_writes_get_the_loss_explained(amr, redis_factory):
    """redis-benchmark's 50 connections publish faster than Redis writes to one
    connection (64 KiB a turn of its event loop): the server closes every subscriber for
    its output buffer limit. amr says why it was probably closed (once), reconnects, and
    goes on receiving."""
    server = redis_factory()  # its own log: the server's word on why it closed amr
    ch = unique()
    sub = amr.subscribe("-F", "raw", ch, env=server.env())
    # 1 KB payloads: the server takes in far more per turn than the 64 KiB it may write
    # to amr, even when a loaded machine slows the publishers down.
    server.benchmark_publish(ch, 64 * 3_125, "x" * 1000, clients=50)
    sub.wait_stderr(REGAINED)
    wait_numsub(server, ch)
    assert server.publish(ch, "after") == 1
    sub.wait_stdout("after\n")
    assert "for overcoming of output buffer limits" in server.log.read_text()
    assert sub.stderr.count(OVERFLOW) == 1, sub.stderr
    assert "MB/s" in sub.stderr and "published while disconnected are lost" in sub.stderr
    sub.signal(signal.SIGTERM)
    assert sub.wait() == 0, sub


def test_full_buffer_drops_oldest_and_says_how_many(amr, plain_server, tmp_path):
    ch = unique()
    total = 64 * 782
    gate = tmp_path / "gate"
    out = tmp_path / "out"
    script = (f'"$AMR" subscribe -F raw --buffer 512KiB --timeout 60s {ch} '
              f'| {{ while [ ! -e {gate} ]; do sleep 0.1; done; cat > {out}; }}')
    sub = amr.start_shell(script, env=plain_server.env())
    sub.wait_subscribed()
    plain_server.benchmark_publish(ch, total, "x" * 100)
    plain_server.publish(ch, "last")
    wait_read_everything(plain_server, sub)  # else a slow amr's reader may never fill --buffer
    gate.touch()
    sub.wait_stderr("dropped the")
    wait_until(lambda: out.exists() and out.read_bytes().endswith(b"last\n"), "the last message")
    sub.signal(signal.SIGTERM, group=True)
    sub.wait()
    received = out.read_bytes().count(b"\n")
    dropped = sum(int(line.split("dropped the ")[1].split()[0])
                  for line in sub.stderr.splitlines() if "dropped the " in line)
    assert dropped > 0
    assert received + dropped == total + 1, (received, dropped)


def test_unanswered_ping_counts_as_a_lost_connection(amr, plain_server):
    ch = unique()
    sub = amr.subscribe("-F", "raw", "--ping-interval", "500ms", "--connect-timeout", "1", ch,
                        env=plain_server.env(), count=1)
    os.kill(plain_server.proc.pid, signal.SIGSTOP)
    try:
        sub.wait_stderr("no reply to PING")
    finally:
        os.kill(plain_server.proc.pid, signal.SIGCONT)
    sub.wait_stderr(REGAINED)
    wait_numsub(plain_server, ch)
    assert plain_server.publish(ch, "alive") == 1
    sub.wait_stdout("alive\n")


def test_idle_ping_keeps_the_subscription(amr, plain_server):
    ch = unique()
    sub = amr.subscribe("-v", "-F", "raw", "--ping-interval", "200ms", ch, env=plain_server.env(),
                        count=1)
    sub.wait_stderr("PING", count=3)
    assert LOST not in sub.stderr
    assert plain_server.publish(ch, "still here") == 1
    sub.wait_stdout("still here\n")
