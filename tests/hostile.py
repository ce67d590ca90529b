"""A scripted misbehaving Redis server for tests/integration/test_hostile_server.py.

A real redis-server cannot send malformed frames, trickle bytes or lie about lengths, and
the point of these tests is a server that does; so this is a stand-in, on purpose. It
listens on a loopback port (plain TCP) and runs a script for each connection it accepts:

    def script(peer: Peer) -> None:
        peer.expect("HELLO")             # read one command, check its name
        peer.send(b"-ERR unknown command 'HELLO'\\r\\n")   # stay on RESP2
        peer.expect("PING")
        peer.send(b"$100000000000\\r\\n")  # a 100 GB bulk announced
        peer.stream_forever()            # ... and streamed until amr closes

    with HostileServer(script) as server:
        r = run_measured(amr, "ping", env=server.env())

Scripts end when they return or when amr closes its side (PeerClosed). `answer_setup`
answers what amr sends before its own command (HELLO, AUTH, PING, CLIENT ...) the way a
RESP2 server would, so a script can start at the command that matters.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Callable

from amrtest import HANG, Amr, Result


class PeerClosed(Exception):
    """amr closed its side of the connection."""


class Peer:
    """One accepted connection, seen from the server."""

    def __init__(self, sock: socket.socket, index: int) -> None:
        self.sock = sock
        self.index = index  # 0 for the first connection of the server, 1 for the next ...
        self.buf = bytearray()
        self.commands: list[list[bytes]] = []

    # ---- reading what amr sends

    def _fill(self) -> None:
        try:
            chunk = self.sock.recv(65536)
        except (ConnectionResetError, OSError):
            chunk = b""
        if not chunk:
            raise PeerClosed()
        self.buf += chunk

    def _line(self) -> bytes:
        while True:
            at = self.buf.find(b"\r\n")
            if at >= 0:
                line = bytes(self.buf[:at])
                del self.buf[:at + 2]
                return line
            self._fill()

    def _exactly(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    def read_command(self) -> list[bytes]:
        """The next command amr sent, as its arguments (RESP array of bulks, or inline)."""
        line = self._line()
        if not line.startswith(b"*"):
            args = line.split()
        else:
            args = []
            for _ in range(int(line[1:])):
                head = self._line()
                assert head.startswith(b"$"), head
                args.append(self._exactly(int(head[1:]) + 2)[:-2])
        self.commands.append(args)
        return args

    def expect(self, *names: str) -> list[bytes]:
        """Reads a command and checks that its name is one of `names`."""
        args = self.read_command()
        name = args[0].decode(errors="replace").upper() if args else ""
        assert name in {n.upper() for n in names}, f"expected {names}, amr sent {args!r}"
        return args

    def answer_setup(self, resp3: bool = False) -> list[bytes]:
        """Answers HELLO (an error, so amr stays on RESP2, unless resp3), AUTH, CLIENT and
        PING as a plain server would, until amr sends anything else; returns that command."""
        while True:
            args = self.read_command()
            name = args[0].upper() if args else b""
            if name == b"HELLO":
                if resp3:
                    self.send(b"%1\r\n+proto\r\n:3\r\n")
                else:
                    self.send(b"-ERR unknown command 'HELLO'\r\n")
            elif name in (b"AUTH", b"CLIENT", b"SELECT"):
                self.send(b"+OK\r\n")
            elif name == b"PING" and len(args) == 1:
                self.send(b"+PONG\r\n")
            else:
                return args

    # ---- sending

    def send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError:
            raise PeerClosed()

    def trickle(self, data: bytes, every: float = 0.01, size: int = 1) -> None:
        """Sends `data` `size` bytes at a time, `every` seconds apart."""
        for i in range(0, len(data), size):
            self.send(data[i:i + size])
            time.sleep(every)

    def stream_forever(self, chunk: bytes = b"x" * 65536, limit: float = HANG) -> None:
        """Sends `chunk` again and again until amr closes (or `limit` seconds pass)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            self.send(chunk)

    def hold(self, limit: float = HANG) -> None:
        """Says nothing until amr closes (or `limit` seconds pass)."""
        self.sock.settimeout(limit)
        try:
            while self.sock.recv(65536):
                pass
        except (socket.timeout, OSError):
            pass

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class HostileServer:
    """Listens on a loopback port and runs `script(peer)` in a thread per connection."""

    def __init__(self, script: Callable[[Peer], None]) -> None:
        self.script = script
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.peers: list[Peer] = []
        self.errors: list[BaseException] = []  # assertion failures inside scripts
        self._lock = threading.Lock()
        self._accepted = threading.Condition(self._lock)
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                if self._closed:
                    sock.close()
                    return
                peer = Peer(sock, len(self.peers))
                self.peers.append(peer)
                self._accepted.notify_all()
            threading.Thread(target=self._serve, args=(peer,), daemon=True).start()

    def _serve(self, peer: Peer) -> None:
        try:
            self.script(peer)
        except PeerClosed:
            pass
        except BaseException as e:  # reported by check()
            with self._lock:
                self.errors.append(e)
        finally:
            peer.close()

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self.peers)

    def wait_connections(self, count: int, timeout: float = HANG) -> None:
        deadline = time.monotonic() + timeout
        with self._accepted:
            while len(self.peers) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"still waiting for {count} connections, "
                                         f"have {len(self.peers)}")
                self._accepted.wait(left)

    def env(self) -> dict[str, str]:
        return {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.port), "REDIS_TLS": "false"}

    def check(self) -> None:
        """Fails the test when a script's own assertion failed."""
        with self._lock:
            if self.errors:
                raise self.errors[0]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            peers = list(self.peers)
        self.listener.close()
        for p in peers:
            p.close()

    def __enter__(self) -> "HostileServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Measured(Result):
    """A Result with the process's peak resident memory and its run time."""

    def __init__(self, result: Result, max_rss_mb: float, seconds: float) -> None:
        super().__init__(result.argv, result.rc, result.stdout_bytes, result.stderr_bytes)
        self.max_rss_mb = max_rss_mb
        self.seconds = seconds

    def __repr__(self) -> str:
        return f"{super().__repr__()}\n(peak RSS {self.max_rss_mb:.1f} MB, {self.seconds:.1f} s)"


# Starts amr from a small process and reports amr's peak RSS on fd argv[1]. The peak that
# wait4() gives counts the process from its fork, before exec: forked from the test
# process itself, amr would be charged with all the memory pytest holds (hundreds of MB
# after a test that collected a subscriber's output).
_LAUNCHER = """
import os, signal, sys
fd = int(sys.argv[1])
pid = os.fork()
if pid == 0:
    os.close(fd)
    os.execv(sys.argv[2], sys.argv[2:])
# SIGTERM from run_measured's deadline: amr is killed, its peak still reported.
signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGKILL))
_, status, usage = os.wait4(pid, 0)
os.write(fd, str(usage.ru_maxrss).encode())
os.close(fd)
if os.WIFSIGNALED(status):
    signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
    os.kill(os.getpid(), os.WTERMSIG(status))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(amr: Amr, *args: str, env: dict | None = None, input: bytes | None = None,
                 timeout: float = HANG) -> Measured:
    """Runs amr like Amr.run and reads its peak RSS from wait4(): a test can bound the
    memory a hostile server made amr use. A run past `timeout` is killed (exit -9)."""
    argv = [amr.bin, *map(str, args)]
    start = time.monotonic()
    report_r, report_w = os.pipe()
    proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(report_w), *argv],
                            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=amr.env(env),
                            cwd=amr.cwd, pass_fds=(report_w,), start_new_session=True)
    os.close(report_w)
    out: dict[str, bytes] = {}

    def pump(name: str, stream) -> None:
        out[name] = stream.read()

    threads = [threading.Thread(target=pump, args=("out", proc.stdout), daemon=True),
               threading.Thread(target=pump, args=("err", proc.stderr), daemon=True)]
    for t in threads:
        t.start()
    if input is not None:
        try:
            proc.stdin.write(input)
            proc.stdin.close()
        except BrokenPipeError:
            pass
    def kill(sig: int) -> None:
        try:
            os.killpg(proc.pid, sig) if sig == signal.SIGKILL else proc.send_signal(sig)
        except ProcessLookupError:
            pass

    killers = [threading.Timer(timeout, kill, (signal.SIGTERM,)),
               threading.Timer(timeout + 10, kill, (signal.SIGKILL,))]  # the launcher too
    for k in killers:
        k.start()
    try:
        _, status, _ = os.wait4(proc.pid, 0)
    finally:
        for k in killers:
            k.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    with os.fdopen(report_r, "rb") as report:
        max_rss_kib = int(report.read() or 0)
    for t in threads:
        t.join(timeout=10)
    seconds = time.monotonic() - start
    result = Result(argv, proc.returncode, out.get("out", b""), out.get("err", b""))
    return Measured(result, max_rss_kib / 1024, seconds)
