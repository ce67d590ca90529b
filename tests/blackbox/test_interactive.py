"""amr subscribe --interactive: commands on stdin change the live subscriptions while a
publisher runs; no message is lost or repeated on the subscriptions that stay."""

import signal
import threading
import time

import pytest

from amrtest import unique, wait_until


@pytest.fixture
def interactive(amr, plain_server):
    """Starts amr subscribe --interactive -F raw ARGS with a pipe for stdin."""
    return lambda *args: amr.start("subscribe", "--interactive", "-F", "raw", *args, env=plain_server.env(),
                                   stdin=True)


def terminate(sub) -> int:
    sub.signal(signal.SIGTERM)
    return sub.wait()


def test_subscribe_psubscribe_unsubscribe_while_publishing(interactive, plain_server):
    a, b, p = unique(), unique(), unique()
    sub = interactive(a)
    sub.wait_stderr(f"[+] Subscribed to channel: '{a}'")

    # A publisher on `a` runs the whole time; every one of its messages must arrive once.
    stop = threading.Event()
    sent = []

    def publish():
        i = 0
        while not stop.is_set():
            plain_server.publish(a, f"a{i}")
            sent.append(f"a{i}")
            i += 1

    publisher = threading.Thread(target=publish)
    publisher.start()
    try:
        sub.send(f"subscribe {b}")
        sub.wait_stderr(f"[+] Subscribed to channel: '{b}'")
        assert plain_server.publish(b, "on-b") == 1
        sub.send(f"psubscribe {p}:*")
        sub.wait_stderr(f"[+] Subscribed to pattern: '{p}:*'")
        assert plain_server.publish(f"{p}:x", "on-p") == 1
        sub.send(f"unsubscribe {b}")
        sub.wait_stderr(f"[-] Unsubscribed from channel: '{b}'")
        assert plain_server.publish(b, "after-unsubscribe") == 0
        sub.send(f"punsubscribe {p}:*")
        sub.wait_stderr(f"[-] Unsubscribed from pattern: '{p}:*'")
        assert plain_server.numpat() == 0
    finally:
        stop.set()
        publisher.join()
    sub.wait_stdout(f"{sent[-1]}\n")  # the publisher's last message
    lines = sub.stdout.splitlines()
    assert [x for x in lines if x.startswith("a")] == sent  # none lost, none twice
    assert "on-b" in lines and "on-p" in lines and "after-unsubscribe" not in lines
    assert terminate(sub) == 0


def test_list_unknown_and_unsubscribe_all(interactive, plain_server):
    a = unique()
    sub = interactive(a)
    sub.wait_stderr("[+] Subscribed")
    sub.send("psubscribe x:*")
    sub.wait_stderr("[+] Subscribed to pattern")
    sub.send("list")
    sub.wait_stderr(f"channels: '{a}'; patterns: 'x:*'")
    sub.send("frobnicate now")
    sub.wait_stderr("unknown command 'frobnicate'")
    sub.send("subscribe")
    sub.wait_stderr("subscribe needs at least one name")
    sub.send("help")
    sub.wait_stderr("unsubscribe-all", count=3)
    # The stream goes on after the bad lines.
    assert plain_server.publish(a, "still") == 1
    sub.wait_stdout("still\n")  # the stream goes on after bad commands
    sub.send("unsubscribe-all")
    sub.wait_stderr(f"[-] Unsubscribed from channel: '{a}'")
    sub.wait_stderr("[-] Unsubscribed from pattern: 'x:*'")
    wait_until(lambda: plain_server.numsub(a) == 0 and plain_server.numpat() == 0, "no subscriptions")
    sub.send("list")
    sub.wait_stderr("channels: none; patterns: none")
    assert sub.proc.poll() is None, "amr keeps running with no subscriptions"
    assert terminate(sub) == 0


def test_end_of_stdin_keeps_the_stream_going(interactive, plain_server):
    a = unique()
    sub = interactive(a)
    sub.wait_stderr("[+] Subscribed")
    sub.close_stdin()
    time.sleep(0.2)
    assert plain_server.publish(a, "after-eof") == 1
    sub.wait_stdout("after-eof\n")
    assert terminate(sub) == 0
