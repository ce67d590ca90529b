#!/usr/bin/python3
"""The floor of the subscribe benchmark: a subscriber that does nothing with what it
receives. It sends SUBSCRIBE on a plain socket and then only recv()s into one 16 MiB
buffer, counting message frames with bytes.count (no parsing, no formatting, no output),
so a payload must not hold a frame's start ("*3" CR LF "$7" CR LF "message"): the
benchmark's one-line JSON does not.
No client can drain a connection faster than this one; when the server disconnects it
too, the server is what limits, not the client.

    socket_floor.py HOST PORT CHANNEL END_MARKER

Stops at the message whose data is END_MARKER (not counted), when the server closes
the connection, or on SIGTERM/SIGINT, and prints one line like lab_subscriber.py:
"received=N disconnected=yes|no reads=R median_read=B" (B: the median bytes one recv()
returned). Exit 0 in all three cases; 1 when it could not subscribe.
"""
import signal
import socket
import statistics
import sys

FRAME = b"*3\r\n$7\r\nmessage\r\n"  # how every RESP2 message frame starts


class Stop(Exception):
    pass


def stop(_signum, _frame):
    raise Stop()


class FrameCounter:
    """Counts message frames in a byte stream fed in pieces of any size, and sees the end
    marker's message, also where a frame start or the marker spans two pieces."""

    def __init__(self, end: str) -> None:
        self.end = end.encode() + b"\r\n"
        self.keep = max(len(FRAME), len(self.end)) - 1
        self.tail = b""  # the last bytes seen, up to keep of them
        self.frames = 0
        self.ended = False

    def feed(self, buf: bytearray, n: int) -> None:
        self.frames += buf.count(FRAME, 0, n)
        # Frame starts that began in an earlier piece and end in this one.
        self.frames += (self.tail[len(self.tail) - (len(FRAME) - 1):] +
                        bytes(buf[:min(n, len(FRAME) - 1)])).count(FRAME)
        self.ended = self.ended or (self.end in self.tail + bytes(buf[:min(n, self.keep)]) or
                                    buf.find(self.end, 0, n) >= 0)
        self.tail = (self.tail + bytes(buf[max(0, n - self.keep):n]))[-self.keep:]

    def received(self) -> int:
        """Messages before the end marker."""
        return self.frames - (1 if self.ended else 0)


def main() -> int:
    host, port, channel, end = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    try:
        s = socket.create_connection((host, port), timeout=30)
        s.settimeout(None)
        name = channel.encode()
        s.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$%d\r\n%s\r\n" % (len(name), name))
    except OSError as e:
        print(f"socket_floor: could not subscribe: {e}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    buf = bytearray(16 << 20)
    counter = FrameCounter(end)
    sizes = []
    disconnected = "no"
    try:
        while not counter.ended:
            n = s.recv_into(buf)
            if n == 0:
                disconnected = "yes"
                print("socket_floor: the server closed the connection", file=sys.stderr)
                break
            sizes.append(n)
            counter.feed(buf, n)
    except OSError as e:
        disconnected = "yes"
        print(f"socket_floor: {e}", file=sys.stderr)
    except Stop:
        print("socket_floor: stopped by a signal", file=sys.stderr)
    median = int(statistics.median(sizes)) if sizes else 0
    print(f"received={counter.received()} disconnected={disconnected} reads={len(sizes)} "
          f"median_read={median}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
