"""amr against a scripted misbehaving server (tests/hostile.py): malformed frames, lying
lengths, trickles, silence, storms and escape bytes. Each case ends with the documented
exit code, a message naming the server and what was wrong, bounded memory and no hang;
subscribers reconnect where that is the documented behaviour."""

import pytest

from amrtest import expect
from hostile import HostileServer, run_measured

# Memory a run may use against any hostile server (peak RSS; amr idles at a few MB).
MAX_RSS_MB = 100


def test_the_scripted_server_answers_like_redis(amr):
    # The stand-in itself: amr's ping against a server that answers as Redis does.
    def script(peer):
        for _ in range(2):  # the connection's check, then ping's timed one
            peer.expect("PING")
            peer.send(b"+PONG\r\n")
        peer.expect("INFO")
        peer.send(b"$22\r\nredis_version:7.0.99\r\n\r\n")
        peer.hold(5)

    with HostileServer(script) as server:
        r = expect(run_measured(amr, "--connect-timeout", "5", "ping", env=server.env()), 0)
        server.check()
        assert server.peers[0].commands == [[b"PING"], [b"PING"], [b"INFO", b"server"]]
    assert "PONG from 127.0.0.1" in r.stdout and "Redis 7.0.99" in r.stdout, r
    assert r.max_rss_mb < MAX_RSS_MB, r


# ------------------------------------------------------------ commands: ping, publish,
# publish --lines, channels (connect deadline, reply limits, reply types)


# ------------------------------------------------------------ subscribers: subscribe,
# psubscribe, ssubscribe (frame parser, pushes, reconnects)
