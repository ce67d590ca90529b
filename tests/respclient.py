"""A small RESP2 client on one socket, for what the tests ask a real redis-server
(PING while it starts, PUBLISH, PUBSUB NUMSUB, CLUSTER NODES ...): one connection per
server instead of a redis-cli process per poll or per publish.

Replies come back as Python values: simple strings as str, bulks as bytes (None when
null), integers as int, arrays as lists; an error reply raises RespError."""

from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path


class RespError(Exception):
    """An error reply (-ERR ..., -MOVED ..., -NOAUTH ...)."""


def encode(*args: str | bytes | int) -> bytes:
    """A command as a RESP array of bulk strings."""
    out = bytearray(b"*%d\r\n" % len(args))
    for a in args:
        data = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(data), data)
    return bytes(out)


class RespClient:
    """One connection, opened at the first call and again after close(); calls from
    several threads take turns."""

    def __init__(self, port: int, *, host: str = "127.0.0.1", password: str | None = None,
                 user: str | None = None, tls: bool = False, ca: Path | None = None,
                 client_cert: tuple[Path, Path] | None = None, timeout: float = 60) -> None:
        self.addr = (host, port)
        self.password, self.user = password, user
        self.tls, self.ca, self.client_cert = tls, ca, client_cert
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.buf = bytearray()
        self.lock = threading.Lock()

    def _connect(self) -> None:
        sock = socket.create_connection(self.addr, timeout=self.timeout)
        if self.tls:
            # Like redis-cli: the chain is checked, not the name (the other-host server).
            context = ssl.create_default_context(cafile=str(self.ca) if self.ca else None)
            context.check_hostname = False
            if self.client_cert:
                context.load_cert_chain(str(self.client_cert[0]), str(self.client_cert[1]))
            sock = context.wrap_socket(sock)
        self.sock, self.buf = sock, bytearray()
        if self.password is not None:
            self._roundtrip(("AUTH", self.user, self.password) if self.user else ("AUTH", self.password))

    def call(self, *args: str | bytes | int):
        with self.lock:
            try:
                if self.sock is None:
                    self._connect()
                return self._roundtrip(args)
            except OSError:
                self._close()
                raise

    def _roundtrip(self, args):
        self.sock.sendall(encode(*args))
        reply = self._reply()
        if isinstance(reply, RespError):
            raise reply
        return reply

    def close(self) -> None:
        with self.lock:
            self._close()

    def _close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None

    # ---- reading one reply
    def _fill(self) -> None:
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionResetError("redis-server closed the connection")
        self.buf += chunk

    def _line(self) -> bytes:
        while (at := self.buf.find(b"\r\n")) < 0:
            self._fill()
        line = bytes(self.buf[:at])
        del self.buf[:at + 2]
        return line

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RespError(rest.decode(errors="replace"))  # raised once the reply is read
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            data = bytes(self.buf[:n])
            del self.buf[:n + 2]
            return data
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise ConnectionError(f"not a RESP2 reply: {line[:80]!r}")


def parse_messages(data: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """(kind, channel, payload) of every complete message, pmessage or smessage frame in
    the RESP2 bytes a subscriber read, up to the first frame not yet complete (bytes read
    so far may end inside one)."""
    out, i = [], 0
    while i < len(data):
        if data[i:i + 1] != b"*":
            break
        end = data.find(b"\r\n", i)
        if end < 0:
            return out
        n = int(data[i + 1:end])
        i = end + 2
        items = []
        for _ in range(n):
            if data[i:i + 1] == b":":
                end = data.find(b"\r\n", i)
                if end < 0:
                    return out
                items.append(data[i + 1:end])
                i = end + 2
                continue
            end = data.find(b"\r\n", i)
            if end < 0:
                return out
            size = int(data[i + 1:end])
            if len(data) < end + 2 + size + 2:
                return out
            items.append(data[end + 2:end + 2 + size])
            i = end + 2 + size + 2
        if not items:
            continue
        if items[0] in (b"message", b"smessage"):
            out.append((items[0], items[1], items[2]))
        elif items[0] == b"pmessage":
            out.append((items[0], items[2], items[3]))
    return out
