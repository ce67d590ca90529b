"""amr bench against real servers: exact counts with --messages (checked against the
server's INFO commandstats and a separate `amr subscribe`), the JSON report's fields,
TLS with a password, a token command, the 6-node cluster with --sharded, loss when the
server disconnects a subscriber (its pubsub output-buffer limit), --max-loss, messages
that are not the run's, --csv, and bad usage."""

import csv
import json
import re
import signal

import pytest

from amrtest import expect, unique, wait_until
from test_cluster import started_cluster
from test_entra import entra_env, mint_script, token_server  # noqa: F401 (a fixture)

FIELDS = {"published", "delivered", "expected", "lost", "duplicates", "reorders", "rejected",
          "disconnects", "buffer_limit_disconnects", "buffer_limit_source", "receivers",
          "publish_rate", "deliver_rate", "publish_seconds", "deliver_seconds", "latency",
          "server_version", "endpoint", "tls", "cluster", "options"}
LATENCY = {"unit", "count", "p50", "p90", "p99", "p99.9", "p99.99", "max", "mean", "from"}


def bench(amr, server_or_env, *args, rc=0):
    env = server_or_env if isinstance(server_or_env, dict) else server_or_env.env()
    r = expect(amr.run("bench", "-o", "json", "--prefix", unique("bench"), *args, env=env), rc)
    assert len(r.lines) == 1, r
    return json.loads(r.stdout), r


def commandstat(server, command):
    info = server.call("INFO", "commandstats").decode()
    m = re.search(rf"cmdstat_{command}:calls=(\d+)", info)
    return int(m.group(1)) if m else 0


def check_clean(doc):
    assert FIELDS <= doc.keys(), doc
    assert LATENCY <= doc["latency"].keys(), doc
    counts = {k: doc[k] for k in ("lost", "duplicates", "reorders", "rejected", "delivered", "expected",
                                  "disconnects")}
    assert doc["lost"] == 0 and doc["duplicates"] == 0 and doc["reorders"] == 0, counts
    assert doc["rejected"] == 0 and doc["disconnects"] == 0, doc
    assert doc["delivered"] == doc["expected"], doc
    assert doc["latency"]["count"] == doc["delivered"], doc
    lat = doc["latency"]
    assert lat["unit"] == "us"
    assert 0 < lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p99.9"] <= lat["p99.99"] <= lat["max"], lat


def test_messages_exact_counts_and_json_fields(amr, plain_server):
    doc, _ = bench(amr, plain_server, "--messages", "30001", "--publishers", "3",
                   "--subscribers", "2", "--channels", "4", "--size", "200")
    check_clean(doc)
    assert doc["published"] == 30001
    assert doc["delivered"] == 2 * 30001
    assert doc["receivers"] == 2 * 30001  # every PUBLISH reached both subscribers
    assert commandstat(plain_server, "publish") == 30001
    assert doc["publish_rate"] > 0 and doc["deliver_rate"] > 0
    assert doc["server_version"] == plain_server.version()
    assert doc["tls"] is False and doc["cluster"] is False
    assert doc["latency"]["from"] == "sent"
    o = doc["options"]
    assert (o["publishers"], o["subscribers"], o["channels"], o["size"], o["messages"]) == (3, 2, 4, 200, 30001)


def test_delivered_agrees_with_a_separate_subscriber_and_commandstats(amr, plain_server):
    prefix = unique("bench")
    n = 20000
    watcher = amr.subscribe("-j", "--count", str(n), f"{prefix}:0", env=plain_server.env())
    r = expect(amr.run("bench", "-o", "json", "--prefix", prefix, "--messages", str(n),
                       "--publishers", "2", env=plain_server.env()), 0)
    doc = json.loads(r.stdout)
    assert watcher.wait() == 0, watcher
    seen = [json.loads(line) for line in watcher.stdout.splitlines()]
    assert len(seen) == n == doc["delivered"] == doc["published"]
    assert commandstat(plain_server, "publish") == doc["published"]
    assert doc["receivers"] == 2 * n  # bench's subscriber and the watcher
    assert all(s["data"].startswith("amrb") and len(s["data"]) == 128 for s in seen[:10]), seen[:2]


def test_duration_text_report_and_csv(amr, plain_server):
    out = amr.cwd / "rows.csv"
    r = expect(amr.run("bench", "--duration", "2s", "--rate", "2000", "--csv", out,
                       "--prefix", unique("bench"), env=plain_server.env()), 0)
    assert r.stdout == ""  # the text report goes to stderr
    assert "delivered" in r.stderr and "p99.99" in r.stderr and plain_server.version() in r.stderr
    m = re.search(r"published\s+(\d+) in", r.stderr)
    assert m and 3600 <= int(m.group(1)) <= 4001, r.stderr  # 2 s at 2000/s, on schedule
    rows = list(csv.DictReader(out.open()))
    assert len(rows) >= 1, out.read_text()
    assert {"elapsed_s", "published", "delivered", "publish_rate", "deliver_rate", "p99_us", "lost",
            "disconnects", "warmup"} <= rows[0].keys()


def test_rate_and_warmup_latency_from_planned_time(amr, plain_server):
    doc, _ = bench(amr, plain_server, "--rate", "1000", "--duration", "1s", "--warmup", "500ms",
                   "--pattern", "--channels", "2")
    check_clean(doc)
    assert doc["latency"]["from"] == "planned"
    assert 900 <= doc["published"] <= 1001, doc  # the warm-up's 500 are not counted
    assert doc["options"]["pattern"] is True and doc["options"]["warmup"] == 0.5


def test_tls_with_password(amr, tls_server):
    doc, r = bench(amr, tls_server, "--messages", "5000", "--subscribers", "2")
    check_clean(doc)
    assert doc["tls"] is True and doc["published"] == 5000 and doc["delivered"] == 10000
    assert tls_server.password not in r.stdout + r.stderr


def test_token_command(amr, token_server, tmp_path):  # noqa: F811
    script, log = mint_script(tmp_path, token_server, ttl=60)
    doc, _ = bench(amr, entra_env(token_server, script), "--messages", "3000", "--publishers", "2")
    check_clean(doc)
    assert doc["published"] == 3000 and doc["delivered"] == 3000
    assert log.read_text().count("minted") >= 1


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, redis_tools, pki):
    yield from started_cluster(tmp_path_factory.mktemp("cluster"), pki, "plain")


def test_sharded_over_every_shard_of_a_cluster(amr, cluster):
    primaries = [n for n in cluster.live_nodes() if "role:master" in n.call("INFO", "replication").decode()]
    assert len(primaries) == 3
    before = {n.port: commandstat(n, "spublish") for n in primaries}
    doc, _ = bench(amr, cluster.env(), "--sharded", "--channels", "6", "--messages", "6000",
                   "--subscribers", "2", "--publishers", "2")
    check_clean(doc)
    assert doc["cluster"] is True and doc["published"] == 6000 and doc["delivered"] == 12000
    # Channel i on shard i mod 3: each primary took a third of the SPUBLISH commands.
    for n in primaries:
        assert commandstat(n, "spublish") - before[n.port] == 2000, n.port


def test_loss_when_the_server_disconnects_a_subscriber(amr, plain_server):
    plain_server.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1kb 1kb 0")
    doc, r = bench(amr, plain_server, "--messages", "200000", "--max-loss", "0", rc=5)
    assert doc["disconnects"] >= 1, r.stderr
    assert doc["lost"] > 0
    assert doc["published"] == 200000 == doc["expected"]
    assert doc["lost"] == doc["published"] - doc["delivered"]
    assert doc["buffer_limit_disconnects"] >= 1, doc
    assert "more than --max-loss 0" in r.stderr
    # The same loss under a --max-loss that allows it is exit 0.
    doc, _ = bench(amr, plain_server, "--messages", "200000", "--max-loss", "200000")
    assert doc["lost"] == doc["expected"] - doc["delivered"]


def test_messages_that_are_not_the_runs_are_rejected(amr, plain_server):
    prefix = unique("bench")
    run = amr.start("bench", "-o", "json", "--prefix", prefix, "--duration", "3s", "--rate", "500",
                    env=plain_server.env())
    wait_until(lambda: plain_server.numsub(f"{prefix}:0") == 1, "bench subscribed")
    foreign = ["hello", "amrb" + "0" * 41, "amrb" + "g" * 41, "amrb12345678m" + "f" * 32 + ".",
               "\x1b]0;title\x07" + "x" * 60, ""]
    wait_until(lambda: "published" in run.stderr, "bench publishing")
    for payload in foreign:
        assert plain_server.publish(f"{prefix}:0", payload) == 1
    assert run.wait() == 0, run
    doc = json.loads(run.stdout)
    assert doc["rejected"] == len(foreign), doc
    assert doc["lost"] == 0 and doc["delivered"] == doc["published"], doc
    assert "\x1b" not in run.stderr


@pytest.mark.parametrize("args, says", [
    (["--size", "44"], "--size"),
    (["--pattern", "--sharded"], "--pattern"),
    (["--messages", "5", "--duration", "1s"], "--messages"),
    (["--subscribers", "1", "--subscribers-per-channel", "2"], "--subscribers-per-channel"),
    (["--publishers", "0"], "--publishers"),
    (["--duration", "soon"], "--duration"),
    (["-o", "yaml"], "--output"),
])
def test_bad_usage_exits_2(amr, closed_port, args, says):
    r = expect(amr.run("bench", *args, "-H", "127.0.0.1", "-p", str(closed_port), "--no-tls"), 2)
    assert says in r.stderr, r


def test_cannot_connect_or_authenticate(amr, closed_port, auth_server):
    expect(amr.run("bench", "-H", "127.0.0.1", "-p", str(closed_port), "--no-tls"), 3)
    env = auth_server.env()
    env["REDIS_KEY"] = "wrong"
    expect(amr.run("bench", "--messages", "10", env=env), 4)


def test_sigterm_ends_the_run_with_a_report(amr, plain_server):
    run = amr.start("bench", "-o", "json", "--prefix", unique("bench"), "--duration", "60s", "--rate", "1000",
                    env=plain_server.env())
    wait_until(lambda: "published" in run.stderr, "bench publishing")
    run.signal(signal.SIGTERM)
    assert run.wait() == 0, run
    doc = json.loads(run.stdout)
    assert 0 < doc["published"] < 60000 and doc["lost"] == 0, doc
    assert "stopped by a signal" in run.stderr


def _bench_server(publish_reply, pushes):
    """A scripted server for bench: the control connection gets INFO, a subscriber gets its
    confirmation and then `pushes`, a publisher gets `publish_reply` to its first PUBLISH."""
    def script(peer):
        args = peer.answer_setup()
        name = args[0].upper()
        if name == b"INFO":
            peer.send(b"$22\r\nredis_version:7.0.99\r\n\r\n")
            peer.expect("INFO")
            peer.send(b"$0\r\n\r\n")
            peer.hold(10)
        elif name == b"SUBSCRIBE":
            peer.send(b"*3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:1\r\n" % (len(args[1]), args[1]))
            peer.send(pushes(args[1]))
            peer.hold(10)
        elif name == b"PUBLISH":
            peer.send(publish_reply)
            peer.hold(10)
    return script


def test_a_hostile_server_ends_the_run_with_exit_3_and_bounded_memory(amr):
    from hostile import HostileServer, run_measured

    def pushes(channel):
        # Messages that are not the run's, forged stamps, then a frame announcing 1 GB.
        frame = b"*3\r\n$7\r\nmessage\r\n$%d\r\n%s\r\n" % (len(channel), channel)
        forged = b"amrb00000000m0000000000000000000000000000000000"
        return (frame + b"$5\r\nhello\r\n") * 100 + (frame + b"$%d\r\n%s\r\n" % (len(forged), forged)) * 100 \
            + frame + b"$1000000000\r\nxx"

    with HostileServer(_bench_server(b"+NOT-A-NUMBER\r\n", pushes)) as server:
        r = run_measured(amr, "--connect-timeout", "5", "bench", "--messages", "10", env=server.env())
        assert r.rc == 3, r
        assert "PUBLISH" in r.stderr and "not an integer" in r.stderr, r
        assert r.max_rss_mb < 200, r



def test_subscribers_per_channel(amr, plain_server):
    # Channel 0 to subscriber 0, channel 1 to subscriber 1; subscribers 2 and 3 take none.
    doc, _ = bench(amr, plain_server, "--messages", "1000", "--subscribers", "4", "--channels", "2",
                   "--subscribers-per-channel", "1")
    check_clean(doc)
    assert doc["expected"] == 1000 == doc["delivered"] and doc["receivers"] == 1000, doc
