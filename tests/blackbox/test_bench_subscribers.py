"""The Python subscribers that scripts/bench.sh sets beside amr count right: the floor
reader (recv() only, frames counted across read boundaries) and the lab's redis-py
loop. A wrong count there would make the benchmark's table wrong."""

import importlib.util
import sys

import pytest

from amrtest import HANG, PATH, ROOT, Background, unique, wait_until

BENCH = ROOT / "scripts" / "bench"
END = "__end_of_test__"


def run_counter(server, script, total, clients):
    """Starts `script`, publishes `total` messages with redis-benchmark (-P 64 on
    `clients` connections) and the end marker, and returns the script's line."""
    ch = unique()
    counter = Background([sys.executable, BENCH / script, "127.0.0.1", server.port, ch, END],
                         env={"PATH": PATH, "LANG": "C.UTF-8"}, cwd=server.dir)
    try:
        wait_until(lambda: server.numsub(ch) == 1, "the counter subscribed")
        # Payloads that hold most of the end marker: it must not end the count early.
        payload = '{"seq":1,"note":"' + END[:-1] + '"}'
        server.benchmark_publish(ch, total, payload, clients=clients)
        assert server.publish(ch, END) == 1
        assert counter.wait(timeout=HANG * 3) == 0, counter
    finally:
        counter.stop()
    return counter.stdout.strip()


@pytest.mark.serial  # the counter must read as fast as redis-benchmark publishes
@pytest.mark.parametrize("script", ["socket_floor.py", "lab_subscriber.py"])
def test_bench_subscribers_count_every_message(plain_server, script):
    total = 64 * 1_563  # redis-benchmark -P 64 sends whole pipelines
    line = run_counter(plain_server, script, total, clients=2)
    assert line.startswith(f"received={total} disconnected=no"), line


def test_floor_reader_reports_its_median_read(plain_server):
    line = run_counter(plain_server, "socket_floor.py", 64 * 10, clients=1)
    fields = dict(item.split("=") for item in line.split())
    assert fields["received"] == "640"
    assert int(fields["reads"]) >= 1 and int(fields["median_read"]) > 0


def load_floor():
    spec = importlib.util.spec_from_file_location("socket_floor", BENCH / "socket_floor.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("piece", [1, 2, 7, 17, 18, 19, 64, 1000, 1 << 20])
def test_floor_counts_frames_and_the_end_across_pieces_of_any_size(piece):
    floor = load_floor()
    frame = b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n"
    end = b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$9\r\n__the_end\r\n"
    stream = b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n" + frame * 1000 + end
    counter = floor.FrameCounter("__the_end")
    for at in range(0, len(stream), piece):
        chunk = bytearray(stream[at:at + piece])
        counter.feed(chunk, len(chunk))
        assert not counter.ended or at + piece >= len(stream) - len("__the_end\r\n") + 1
    assert counter.ended
    assert counter.received() == 1000
