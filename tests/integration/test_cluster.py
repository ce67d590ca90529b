"""amr against a real local Redis Cluster (3 primaries with replicas): shard channels
across slots, a failover, a slot migration and a killed primary while ssubscribe runs,
publish and subscribe through different nodes, channels summed over the nodes.

A cluster takes seconds to form, so the tests that leave it as they found it share one
per module (and TLS mode), each on channels of its own; a test that fails a node over,
moves a slot or kills a node gets a cluster of its own (`own_cluster`)."""

import json

import pytest

from amrcluster import RedisCluster
from amrtest import require_tools, unique, wait_until

# Channels whose hash tags put them in three different slots, on different shards.
TAGS = ["{a}", "{b}", "{c}"]


def started_cluster(directory, pki, mode):
    require_tools("redis-cli")
    c = RedisCluster(directory, pki, tls=mode == "tls")
    try:
        yield c.start()
    finally:
        c.stop()


@pytest.fixture(scope="module", params=["plain", "tls"])
def cluster(request, tmp_path_factory, redis_tools, pki):
    """Shared by the module's tests of one mode: a test may not change it."""
    yield from started_cluster(tmp_path_factory.mktemp("cluster"), pki, request.param)


@pytest.fixture(params=["plain", "tls"])
def own_cluster(request, tmp_path, redis_tools, pki):
    """A cluster for one test, which may fail nodes over, move slots or kill nodes."""
    yield from started_cluster(tmp_path / "cluster", pki, request.param)


def shard_channels(cluster):
    base = unique()
    channels = [f"{base}:{tag}" for tag in TAGS]
    owners = {cluster.owner_of(ch).port for ch in channels}
    assert len(owners) >= 2, "the test channels should live on different shards"
    return channels


def seen_by(sub, cluster, ch):
    """For a failing wait: what amr said, and each node's view of itself and of ch."""
    return lambda: f"--- amr's stderr\n{sub.stderr}\n--- nodes\n{cluster.describe(ch)}"


def test_ssubscribe_across_shards(amr, cluster):
    channels = shard_channels(cluster)
    sub = amr.start("ssubscribe", "-F", "raw", "--count", str(len(channels)), *channels,
                    env=cluster.env())
    sub.wait_stderr("[+] Subscribed to shard channel", count=len(channels))
    for ch in channels:
        assert cluster.spublish(ch, f"to {ch}") == 1
    assert sub.wait() == 0, sub
    assert sorted(sub.stdout.splitlines()) == sorted(f"to {ch}" for ch in channels)


def test_ssubscribe_json_says_smessage(amr, cluster):
    ch = shard_channels(cluster)[0]
    sub = amr.start("ssubscribe", "-j", "--count", "1", ch, env=cluster.env())
    sub.wait_stderr("[+] Subscribed")
    cluster.spublish(ch, '{"event":"x"}')
    assert sub.wait() == 0, sub
    assert '"type":"smessage"' in sub.stdout and '"data":{"event":"x"}' in sub.stdout


def test_ssubscribe_follows_a_cluster_failover(amr, own_cluster):
    ch = shard_channels(own_cluster)[0]
    sub = amr.start("ssubscribe", "-F", "raw", ch, env=own_cluster.env())
    sub.wait_stderr("[+] Subscribed")
    assert own_cluster.spublish(ch, "before") == 1
    sub.wait_stdout("before\n")

    old = own_cluster.owner_of(ch)
    replica = own_cluster.replica_of(old)
    replica.call("CLUSTER", "FAILOVER")
    wait_until(lambda: own_cluster.owner_port(ch) == replica.port, "the replica to take over")

    # The old primary said the channel left, after taking in the new layout: amr asks it
    # where the channel lives now, and so subscribes on the new primary, which counts it.
    wait_until(lambda: own_cluster.spublish(ch, "after") == 1, "amr subscribed on the new primary",
               detail=seen_by(sub, own_cluster, ch))
    sub.wait_stdout("after\n")
    assert sub.stdout.startswith("before\nafter\n")
    assert "left" in sub.stderr or "reconnect" in sub.stderr


def test_ssubscribe_follows_a_slot_migration(amr, own_cluster):
    ch = shard_channels(own_cluster)[0]
    source = own_cluster.owner_of(ch)
    roles = own_cluster.roles()
    target, third = [n for n in own_cluster.nodes if roles[n.port] == "master" and n.port != source.port]
    # Through the third primary, which has no part in the move.
    sub = amr.start("ssubscribe", "-F", "raw", ch, env=own_cluster.env(third))
    sub.wait_stderr("[+] Subscribed")
    own_cluster.move_slot(own_cluster.keyslot(ch), source, target)

    # The source drops the channel's subscribers when it gives the slot away (the target
    # has told every node already); amr asks where the slot went and subscribes on the
    # target, which counts it, without a MOVED on the way.
    wait_until(lambda: own_cluster.spublish(ch, "moved") == 1, "amr subscribed on the slot's new owner",
               detail=seen_by(sub, own_cluster, ch))
    sub.wait_stdout("moved\n")
    assert f"left 127.0.0.1:{source.port}" in sub.stderr
    assert "MOVED" not in sub.stderr, "amr asked a node with the old layout"


def test_ssubscribe_survives_a_killed_primary(amr, own_cluster):
    ch = shard_channels(own_cluster)[1]
    sub = amr.start("ssubscribe", "-F", "raw", ch, env=own_cluster.env(own_cluster.nodes[0]))
    sub.wait_stderr("[+] Subscribed")
    old = own_cluster.owner_of(ch)
    replica = own_cluster.replica_of(old)
    own_cluster.kill(old)
    wait_until(lambda: own_cluster.owner_port(ch) == replica.port, "the replica to be promoted")
    wait_until(lambda: own_cluster.spublish(ch, "again") >= 1, "amr subscribed where the channel lives",
               detail=seen_by(sub, own_cluster, ch))
    sub.wait_stdout("again\n")
    assert "reconnecting" in sub.stderr


def test_publish_and_subscribe_through_different_nodes(amr, cluster):
    ch = unique()
    sub = amr.subscribe("-F", "raw", "--count", "1", ch, env=cluster.env(cluster.nodes[1]), count=1)
    pub = amr.run("publish", "--raw", "-o", "count", ch, "hello", env=cluster.env(cluster.nodes[4]))
    assert pub.rc == 0, pub
    # PUBLISH in a cluster counts the receivers on the node it was sent to only.
    assert pub.stdout.strip() == "0"
    assert sub.wait() == 0, sub
    assert sub.stdout == "hello\n"


def test_channels_are_summed_over_every_node(amr, cluster):
    ch, other = unique(), unique()
    subs = [amr.subscribe(ch, env=cluster.env(cluster.nodes[i])) for i in (0, 1, 2)]
    subs.append(amr.subscribe(other, env=cluster.env(cluster.nodes[3])))
    subs.append(amr.subscribe("amrtest:*", env=cluster.env(cluster.nodes[5]), pattern=True))
    shard = shard_channels(cluster)[:2]
    sharded = amr.start("ssubscribe", *shard, env=cluster.env())
    sharded.wait_stderr("[+] Subscribed", count=2)

    result = amr.run("channels", "-o", "json", env=cluster.env(cluster.nodes[4]))
    assert result.rc == 0, result
    census = json.loads(result.stdout)
    counts = {c["channel"]: c["subscribers"] for c in census["channels"]}
    assert counts[ch] == 3 and counts[other] == 1
    assert census["patterns"] >= 1

    text = amr.run("channels", ch, env=cluster.env(cluster.nodes[2]))
    assert text.stdout == f"{ch}\t3\n"

    shard_result = amr.run("channels", "--sharded", env=cluster.env(cluster.nodes[3]))
    lines = dict(line.split("\t") for line in shard_result.stdout.splitlines())
    assert all(lines.get(c) == "1" for c in shard), shard_result


def test_cluster_flag_on_a_plain_server_is_an_error(amr, plain_server):
    result = amr.run("channels", "--cluster", env=plain_server.env())
    assert result.rc == 1, result
    assert "not a Redis Cluster" in result.stderr


def test_publish_sharded_reaches_the_shard_of_each_channel(amr, cluster):
    channels = shard_channels(cluster)
    sub = amr.start("ssubscribe", "-F", "raw", "--count", "4", *channels, env=cluster.env())
    sub.wait_stderr("[+] Subscribed", count=3)
    # Sent through a node that owns none of them, at least for some: MOVED is followed.
    for ch in channels:
        result = amr.run("publish", "--sharded", "--raw", "-o", "count", ch, f"p {ch}",
                         env=cluster.env(cluster.nodes[5]))
        assert result.rc == 0, result
        assert result.stdout == "1\n"
    result = amr.run("publish", "--sharded", "--lines", "--raw", channels[0],
                     input="line\n", env=cluster.env(cluster.nodes[4]))
    assert result.rc == 0, result
    assert sub.wait() == 0, sub
    assert sorted(sub.stdout.splitlines()) == sorted([f"p {ch}" for ch in channels] + ["line"])


def test_broadcast_sharded_counts_per_channel(amr, cluster):
    channels = shard_channels(cluster)
    sub = amr.start("ssubscribe", "-F", "raw", "--count", "3", *channels, env=cluster.env())
    sub.wait_stderr("[+] Subscribed", count=3)
    args = [a for ch in channels for a in ("-c", ch)]
    result = amr.run("broadcast", "--sharded", "--raw", *args, "hello", env=cluster.env(cluster.nodes[1]))
    assert result.rc == 0, result
    assert result.stdout.splitlines() == [f"{ch}\t1" for ch in channels] + ["total\t3"]
    assert sub.wait() == 0, sub


def test_sharded_lines_need_one_slot_in_a_cluster(amr, cluster):
    channels = shard_channels(cluster)
    args = [a for ch in channels for a in ("-c", ch)]
    result = amr.run("broadcast", "--sharded", "--lines", *args, input="{}\n", env=cluster.env())
    assert result.rc == 2, result
    assert "share a slot" in result.stderr


def test_publish_sharded_on_a_single_server(amr, plain_server):
    ch = unique()
    sub = amr.start("ssubscribe", "-F", "raw", "--count", "1", ch, env=plain_server.env())
    sub.wait_stderr("[+] Subscribed")
    result = amr.run("publish", "--sharded", "--raw", "-o", "count", ch, "single",
                     env=plain_server.env())
    assert result.rc == 0 and result.stdout == "1\n", result
    assert sub.wait() == 0 and sub.stdout == "single\n", sub


def test_envelope_smessage_lines_go_to_each_channels_shard(amr, cluster):
    # publish --envelope through one node: each smessage line goes to the primary of its
    # channel's slot (one pipelined connection per primary), message lines over the first
    # connection; every subscriber gets its channel's messages in order, and the summary
    # counts them per channel over all connections.
    channels = shard_channels(cluster)
    plain = unique()
    entry = cluster.nodes[0]
    sub = amr.start("ssubscribe", "-j", "--count", "300", *channels, env=cluster.env())
    sub.wait_stderr("[+] Subscribed to shard channel", count=len(channels))
    psub = amr.start("subscribe", "-F", "raw", "--count", "30", plain,
                     env=cluster.env(cluster.nodes[-1]))
    psub.wait_stderr("[+] Subscribed")
    lines = []
    for i in range(300):
        lines.append(json.dumps({"type": "smessage", "channel": channels[i % 3], "data": {"n": i}}))
        if i % 10 == 0:
            lines.append(json.dumps({"type": "message", "channel": plain, "data": f"p{i}"}))
    result = amr.run("publish", "--envelope", "-o", "json", input="\n".join(lines) + "\n",
                     env=cluster.env(entry))
    assert result.rc == 0, result
    report = json.loads(result.stdout)
    # PUBLISH counts the receivers of the node it reached only: the plain channel's
    # subscriber is on another node.
    assert report["messages"] == 330 and report["receivers"] == 300, report
    per_channel = {c["channel"]: (c["messages"], c["receivers"]) for c in report["channels"]}
    assert per_channel == {**{ch: (100, 100) for ch in channels}, plain: (30, 0)}, report
    assert sub.wait() == 0, sub
    got = {ch: [] for ch in channels}
    for line in sub.stdout.splitlines():
        m = json.loads(line)
        got[m["channel"]].append(m["data"]["n"])
    for k, ch in enumerate(channels):
        assert got[ch] == list(range(k, 300, 3)), ch
    assert psub.wait() == 0, psub
    assert psub.stdout.split() == [f"p{i}" for i in range(0, 300, 10)], psub


def test_envelope_stops_naming_the_line_when_its_slot_moves(amr, own_cluster):
    # A slot that moves while the replay runs: the source node refuses the next smessage
    # to it (MOVED), and amr stops with exit 1 naming that line and saying why.
    ch = shard_channels(own_cluster)[0]
    source = own_cluster.owner_of(ch)
    roles = own_cluster.roles()
    target = next(n for n in own_cluster.nodes
                  if roles[n.port] == "master" and n.port != source.port)
    sub = amr.start("ssubscribe", "-F", "raw", ch, env=own_cluster.env(target))
    sub.wait_stderr("[+] Subscribed")
    pub = amr.start("publish", "--envelope", env=own_cluster.env(own_cluster.nodes[0]), stdin=True)
    pub.write((json.dumps({"type": "smessage", "channel": ch, "data": "before"}) + "\n").encode())
    sub.wait_stdout("before\n")
    own_cluster.move_slot(own_cluster.keyslot(ch), source, target)
    pub.write((json.dumps({"type": "smessage", "channel": ch, "data": "after"}) + "\n").encode())
    pub.close_stdin()
    assert pub.wait() == 1, pub
    assert "line 2: SPUBLISH failed: MOVED" in pub.stderr, pub
    assert "slot moved to another node while amr was sending" in pub.stderr, pub
