"""A real local Redis Cluster for the tests: 3 primaries with a replica each, on free
loopback ports (bus ports set explicitly), created with redis-cli --cluster create,
plain or TLS."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from amrtest import HANG, PATH, RedisServer, wait_until
from respclient import RespError


def text(reply) -> str:
    """A reply as text, nested arrays one leaf a line (as redis-cli prints them)."""
    if isinstance(reply, list):
        return "\n".join(text(r) for r in reply)
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def ask(node: RedisServer, *args: str) -> str:
    """A command's reply as text, or the error it got (for failure messages and polls
    that must not fail while the cluster changes)."""
    try:
        return text(node.call(*args))
    except (OSError, RespError) as e:
        return f"({type(e).__name__}: {e})"


class RedisCluster:
    def __init__(self, directory: Path, pki, *, tls: bool = False, size: int = 6) -> None:
        self.nodes: list[RedisServer] = []
        for i in range(size):
            conf = ["cluster-enabled yes", f"cluster-config-file nodes-{i}.conf",
                    "cluster-node-timeout 2000", "cluster-port {free_port}",
                    "cluster-replica-validity-factor 0", "appendonly no"]
            if tls:
                # Nodes dial each other over TLS and must present a client certificate.
                conf += ["tls-cluster yes", "tls-replication yes",
                         f"tls-client-cert-file {pki.client_cert}",
                         f"tls-client-key-file {pki.client_key}"]
            self.nodes.append(RedisServer(directory / f"node{i}", tls=tls, cert=pki.server_cert,
                                          key=pki.server_key, ca=pki.ca.cert, extra_conf=conf))
        self.tls = tls

    def start(self) -> "RedisCluster":
        for node in self.nodes:
            node.start()
        addresses = [f"127.0.0.1:{n.port}" for n in self.nodes]
        argv = self.nodes[0].cli_argv() + ["--cluster", "create", *addresses, "--cluster-replicas", "1",
                                           "--cluster-yes"]
        subprocess.run(argv, check=True, capture_output=True, timeout=HANG, env={"PATH": PATH})
        wait_until(self.healthy, "the cluster to be ok with a replica for every shard")
        return self

    def healthy(self) -> bool:
        for node in self.live_nodes():
            if "cluster_state:ok" not in ask(node, "CLUSTER", "INFO"):
                return False
        slots = ask(self.live_nodes()[0], "CLUSTER", "SHARDS")
        return slots.count("master") == 3 and slots.count("replica") >= 3 and "fail" not in slots

    def live_nodes(self) -> list[RedisServer]:
        return [n for n in self.nodes if n.proc is not None and n.proc.poll() is None]

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def describe(self, channel: str) -> str:
        """Every live node's own view of itself, and its count of channel's shard
        subscribers (or its redirect): for failure messages."""
        lines = []
        for node in self.live_nodes():
            me = [ln for ln in ask(node, "CLUSTER", "NODES").splitlines() if "myself" in ln]
            count = ask(node, "PUBSUB", "SHARDNUMSUB", channel)
            lines.append(f"{node.port}: {' '.join(me)} | SHARDNUMSUB: {' '.join(count.split())}")
        return "\n".join(lines)

    def keyslot(self, key: str) -> int:
        return self.live_nodes()[0].call("CLUSTER", "KEYSLOT", key)

    def nodes_lines(self) -> list[str]:
        return text(self.live_nodes()[0].call("CLUSTER", "NODES")).splitlines()

    def roles(self) -> dict[int, str]:
        """port -> 'master' or 'slave', as CLUSTER NODES says."""
        roles = {}
        for line in self.nodes_lines():
            fields = line.split()
            port = int(fields[1].split("@")[0].rsplit(":", 1)[1])
            roles[port] = "master" if "master" in fields[2] else "slave"
        return roles

    def owner_port(self, key: str) -> int:
        """The port of the primary serving key's slot; 0 while none does (failover)."""
        try:
            return self.owner_of(key).port
        except AssertionError:
            return 0

    def owner_of(self, key: str) -> RedisServer:
        slot = self.keyslot(key)
        for line in self.nodes_lines():
            fields = line.split()
            if "master" not in fields[2] or "fail" in fields[2]:
                continue
            for r in fields[8:]:
                lo, _, hi = r.partition("-")
                if lo.isdigit() and int(lo) <= slot <= int(hi or lo):
                    port = int(fields[1].split("@")[0].rsplit(":", 1)[1])
                    return next(n for n in self.nodes if n.port == port)
        raise AssertionError(f"no primary owns slot {slot}")

    def replica_of(self, primary: RedisServer) -> RedisServer:
        """A replica in sync with `primary` (waits for one)."""
        node_id = text(primary.call("CLUSTER", "MYID"))
        found: list[RedisServer] = []

        def look() -> bool:
            for line in text(primary.call("CLUSTER", "NODES")).splitlines():
                fields = line.split()
                if fields[3] == node_id and "fail" not in fields[2]:
                    port = int(fields[1].split("@")[0].rsplit(":", 1)[1])
                    replica = next(n for n in self.nodes if n.port == port)
                    if "master_link_status:up" in text(replica.call("INFO", "replication")):
                        found.append(replica)
                        return True
            return False

        wait_until(look, "a replica in sync with the primary")
        return found[0]

    def move_slot(self, slot: int, source: RedisServer, target: RedisServer) -> None:
        """Migrates an empty slot from one primary to another, as redis-cli --cluster
        reshard would (IMPORTING, MIGRATING, then NODE on the target and the source)."""
        source_id = text(source.call("CLUSTER", "MYID"))
        target_id = text(target.call("CLUSTER", "MYID"))
        target.call("CLUSTER", "SETSLOT", slot, "IMPORTING", source_id)
        source.call("CLUSTER", "SETSLOT", slot, "MIGRATING", target_id)
        for node in (target, source):
            node.call("CLUSTER", "SETSLOT", slot, "NODE", target_id)

    def spublish(self, channel: str, message: str) -> int:
        """SPUBLISH on the slot's owner, following MOVED as redis-cli -c would."""
        node = self.owner_of(channel)
        for _ in range(5):
            try:
                return node.call("SPUBLISH", channel, message)
            except RespError as e:
                if not str(e).startswith("MOVED "):
                    raise
                port = int(str(e).rsplit(":", 1)[1])
                node = next(n for n in self.nodes if n.port == port)
        raise AssertionError(f"SPUBLISH {channel}: MOVED again and again")

    def kill(self, node: RedisServer) -> None:
        node.proc.send_signal(signal.SIGKILL)
        node.proc.wait()
        node.proc = None
        node.client.close()

    def env(self, node: RedisServer | None = None) -> dict[str, str]:
        return (node or self.nodes[0]).env()
