#!/usr/bin/python3
"""The lab's subscriber loop without the window: redis-py's blocking
pubsub.listen() iterator on one channel, as listen_messages() of subscriber.py runs it,
counting messages instead of formatting them for tkinter (so it is faster than the
lab's window, never slower).

    lab_subscriber.py HOST PORT CHANNEL END_MARKER

Stops at a message whose data is END_MARKER (not counted), when the connection is
lost, or on SIGTERM/SIGINT, and prints one line: "received=N disconnected=yes|no".
Exit 0 in all three cases; 1 when it could not subscribe. Plain TCP, no password: the benchmark's local server.
Run with Debian's /usr/bin/python3 and python3-redis.
"""
import signal
import sys

import redis


class Stop(Exception):
    pass


def stop(_signum, _frame):
    raise Stop()


def main() -> int:
    host, port, channel, end = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    r = redis.Redis(host=host, port=port, decode_responses=True,
                    socket_connect_timeout=30)
    pubsub = r.pubsub()
    try:
        pubsub.subscribe(channel)
    except redis.RedisError as e:
        print(f"could not subscribe: {e}", file=sys.stderr)
        return 1
    received = 0
    disconnected = "no"
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        for message in pubsub.listen():
            if message["type"] == "message":
                if message["data"] == end:
                    break
                received += 1
    except (redis.ConnectionError, OSError) as e:
        disconnected = "yes"
        print(f"lab_subscriber: {type(e).__name__}: {e}", file=sys.stderr)
    except Stop:
        print("lab_subscriber: stopped by a signal", file=sys.stderr)
    print(f"received={received} disconnected={disconnected}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
