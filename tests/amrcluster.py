"""A real local Redis Cluster for the tests: 3 primaries with a replica each, on free
loopback ports (bus ports set explicitly), created with redis-cli --cluster create,
plain or TLS."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from amrtest import HANG, PATH, RedisServer, wait_until


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
            if "cluster_state:ok" not in node.cli("CLUSTER", "INFO", check=False).stdout:
                return False
        slots = self.live_nodes()[0].cli("CLUSTER", "SHARDS", check=False).stdout
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
            me = [ln for ln in node.cli("CLUSTER", "NODES", check=False).stdout.splitlines()
                  if "myself" in ln]
            count = node.cli("PUBSUB", "SHARDNUMSUB", channel, check=False)
            lines.append(f"{node.port}: {' '.join(me)} | SHARDNUMSUB: "
                         f"{' '.join((count.stdout + count.stderr).split())}")
        return "\n".join(lines)

    def keyslot(self, key: str) -> int:
        return int(self.live_nodes()[0].cli("CLUSTER", "KEYSLOT", key).stdout.strip())

    def roles(self) -> dict[int, str]:
        """port -> 'master' or 'slave', as CLUSTER NODES says."""
        roles = {}
        for line in self.live_nodes()[0].cli("CLUSTER", "NODES").stdout.splitlines():
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
        for line in self.live_nodes()[0].cli("CLUSTER", "NODES").stdout.splitlines():
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
        node_id = primary.cli("CLUSTER", "MYID").stdout.strip()
        found: list[RedisServer] = []

        def look() -> bool:
            for line in primary.cli("CLUSTER", "NODES").stdout.splitlines():
                fields = line.split()
                if fields[3] == node_id and "fail" not in fields[2]:
                    port = int(fields[1].split("@")[0].rsplit(":", 1)[1])
                    replica = next(n for n in self.nodes if n.port == port)
                    if "master_link_status:up" in replica.cli("INFO", "replication").stdout:
                        found.append(replica)
                        return True
            return False

        wait_until(look, "a replica in sync with the primary")
        return found[0]

    def move_slot(self, slot: int, source: RedisServer, target: RedisServer) -> None:
        """Migrates an empty slot from one primary to another, as redis-cli --cluster
        reshard would (IMPORTING, MIGRATING, then NODE on the target and the source)."""
        source_id = source.cli("CLUSTER", "MYID").stdout.strip()
        target_id = target.cli("CLUSTER", "MYID").stdout.strip()
        target.cli("CLUSTER", "SETSLOT", str(slot), "IMPORTING", source_id)
        source.cli("CLUSTER", "SETSLOT", str(slot), "MIGRATING", target_id)
        for node in (target, source):
            node.cli("CLUSTER", "SETSLOT", str(slot), "NODE", target_id)

    def spublish(self, channel: str, message: str) -> int:
        """SPUBLISH on the slot's owner (redis-cli -c follows MOVED)."""
        out = self.owner_of(channel).cli("-c", "SPUBLISH", channel, message)
        return int(out.stdout.strip())

    def kill(self, node: RedisServer) -> None:
        node.proc.send_signal(signal.SIGKILL)
        node.proc.wait()
        node.proc = None

    def env(self, node: RedisServer | None = None) -> dict[str, str]:
        return (node or self.nodes[0]).env()
