"""--exclude's glob matcher (src/util/glob.cpp) against Redis's own: every row of the
table in tests/unit/test_glob.cpp is asked of a real redis-server with PUBSUB CHANNELS
PATTERN, which matches with the same stringmatchlen() as PSUBSCRIBE."""

import re
import socket
from pathlib import Path

import pytest

from amrtest import RedisServer, wait_until
from respclient import encode

TABLE = Path(__file__).resolve().parent.parent / "unit" / "test_glob.cpp"
ROW = re.compile(r'^\s*\{"((?:[^"\\]|\\.)*)", "((?:[^"\\]|\\.)*)", (true|false)\},', re.M)


def c_string(text: str) -> bytes:
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


def table():
    rows = [(c_string(p), c_string(t), m == "true") for p, t, m in ROW.findall(TABLE.read_text())]
    assert len(rows) > 50, "the table of test_glob.cpp was not found"
    return rows


@pytest.fixture(scope="module")
def server(tmp_path_factory, redis_tools):
    s = RedisServer(tmp_path_factory.mktemp("glob")).start()
    yield s
    s.stop()


def test_the_table_is_what_redis_matches(server):
    rows = table()
    texts = sorted({t for _, t, _ in rows})
    # One connection subscribed to every text of the table, for PUBSUB CHANNELS to list.
    sub = socket.create_connection(("127.0.0.1", server.port))
    try:
        sub.sendall(encode("SUBSCRIBE", *texts))
        wait_until(lambda: len(server.call("PUBSUB", "CHANNELS")) == len(texts),
                   "the table's channels subscribed")
        wrong = []
        for pattern, text, expected in rows:
            listed = set(server.call("PUBSUB", "CHANNELS", pattern))
            if (text in listed) != expected:
                wrong.append((pattern, text, expected))
        assert not wrong, f"rows Redis matches otherwise: {wrong}"
    finally:
        sub.close()
