"""amr check: the probe against real servers (plain, TLS with a password, the cluster
with --all-shards), in each output format, with the exit codes --warn and --critical
give, and its failures (a wrong password, nothing listening).

Thresholds force each state without timing anything: --warn or --critical 0.001ms is
shorter than any round trip through a server, 1h longer than any."""

from __future__ import annotations

import json
import re

import pytest

from amrcluster import RedisCluster
from amrtest import RedisServer, expect, require_tools, unique
from conftest import new_password

TINY = "0.001ms"
HUGE = "1h"
PHASES = ["tcp_connect", "tls_handshake", "auth", "subscribe", "publish", "receive"]


@pytest.fixture(scope="module")
def plain(tmp_path_factory, redis_tools):
    server = RedisServer(tmp_path_factory.mktemp("plain")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def secured(tmp_path_factory, redis_tools, pki):
    """TLS and a password: the AMR-like set-up."""
    server = RedisServer(tmp_path_factory.mktemp("tls"), tls=True, password=new_password(),
                         cert=pki.server_cert, key=pki.server_key, ca=pki.ca.cert).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, redis_tools, pki):
    require_tools("redis-cli")
    c = RedisCluster(tmp_path_factory.mktemp("cluster"), pki)
    try:
        yield c.start()
    finally:
        c.stop()


def check(amr, server, *args, env=None):
    return amr.run("check", *args, env={**server.env(), **(env or {})})


def check_json(amr, server, *args, rc=0):
    r = expect(check(amr, server, "-o", "json", *args), rc)
    return json.loads(r.stdout), r


def prometheus_samples(text: str) -> dict[str, float]:
    """'name{labels}' -> value, after checking each family has its HELP and TYPE first."""
    samples, typed = {}, set()
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            name, kind = line.split()[2:4]
            assert kind == "gauge", line
            typed.add(name)
            continue
        m = re.fullmatch(r'([a-z_]+)(\{[^}]*\})? (\S+)', line)
        assert m, f"not a sample line: {line!r}"
        assert m.group(1) in typed, f"{m.group(1)} has no # TYPE line before it"
        samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    for name in typed:
        assert f"# HELP {name} " in text
    return samples


# ---------------------------------------------------------------- text and JSON


def test_text_over_tls_with_password_names_every_phase(amr, secured):
    r = expect(check(amr, secured), 0)
    assert len(r.lines) == 1, r
    line = r.lines[0]
    assert line.startswith(f"OK localhost:{secured.port} round trip "), r
    for phase in ("connect", "TLS", "auth", "subscribe", "publish"):
        assert re.search(rf"\b{phase} \d+\.\d{{3}} ms", line), (phase, r)
    assert re.search(r" on amr:check:[0-9a-f]{16}$", line), r
    assert secured.password not in r.stdout + r.stderr


def test_json_of_a_plain_server_has_no_tls_or_auth_phase(amr, plain):
    doc, _ = check_json(amr, plain)
    assert doc["status"] == "ok" and doc["warn_s"] is None and doc["critical_s"] is None
    [result] = doc["results"]
    assert result["endpoint"] == f"localhost:{plain.port}"
    assert result["sharded"] is False and result["error"] is None
    [probe] = result["probes"]
    assert probe["tls_handshake_s"] is None and probe["auth_s"] is None
    for key in ("tcp_connect_s", "subscribe_s", "publish_s", "rtt_s"):
        assert probe[key] > 0, key
    assert result["rtt_s"] == {"min": probe["rtt_s"], "avg": probe["rtt_s"], "max": probe["rtt_s"]}


def test_json_over_tls_times_the_handshake_and_auth(amr, secured):
    doc, _ = check_json(amr, secured)
    [probe] = doc["results"][0]["probes"]
    assert probe["tls_handshake_s"] > 0 and probe["auth_s"] > 0


def test_count_runs_that_many_probes_and_summarises_them(amr, plain):
    doc, _ = check_json(amr, plain, "--count", "3")
    [result] = doc["results"]
    rtts = [p["rtt_s"] for p in result["probes"]]
    assert len(rtts) == 3
    assert result["rtt_s"]["min"] == min(rtts) and result["rtt_s"]["max"] == max(rtts)
    assert result["rtt_s"]["avg"] == pytest.approx(sum(rtts) / 3)
    r = expect(check(amr, plain, "--count", "3"), 0)
    assert [line.split()[:2] for line in r.lines[:3]] == [["probe", "1"], ["probe", "2"], ["probe", "3"]], r
    assert r.lines[3].startswith(f"OK localhost:{plain.port} 3 probe(s), round trip min "), r


def test_channel_option_publishes_on_that_channel(amr, plain):
    ch = unique("check")
    sub = amr.subscribe("-F", "raw", "--count", "1", ch, env=plain.env())
    doc, _ = check_json(amr, plain, "--channel", ch)
    assert doc["results"][0]["channel"] == ch
    assert sub.wait() == 0, sub
    assert re.fullmatch(r"amr check 1 [0-9a-f]{16}\n", sub.stdout), sub


def test_the_probe_leaves_no_subscription_behind(amr, plain):
    ch = unique("check")
    expect(check(amr, plain, "--channel", ch), 0)
    assert plain.numsub(ch) == 0


@pytest.mark.parametrize("mode", ["text", "json"])
def test_thresholds_in_text_and_json(amr, plain, mode):
    def run(*args, rc):
        return expect(check(amr, plain, "-o", mode, *args), rc)

    ok = run("--warn", HUGE, "--critical", HUGE, rc=0)
    assert "over --" not in ok.stderr
    warned = run("--warn", TINY, "--critical", HUGE, rc=0)
    assert f"round trip over --warn {TINY}" in warned.stderr, warned
    critical = run("--warn", TINY, "--critical", TINY, rc=6)
    assert f"round trip over --critical {TINY}" in critical.stderr, critical
    if mode == "json":
        assert json.loads(ok.stdout)["status"] == "ok"
        assert json.loads(warned.stdout)["status"] == "warning"
        doc = json.loads(critical.stdout)
        assert doc["status"] == "critical" and doc["critical_s"] == pytest.approx(1e-6)
    else:
        assert ok.stdout.startswith("OK ") and warned.stdout.startswith("WARNING ")
        assert critical.stdout.startswith("CRITICAL "), critical


def test_warn_longer_than_critical_is_a_usage_error(amr, plain):
    r = expect(check(amr, plain, "--warn", "2s", "--critical", "1s"), 2)
    assert "--warn is longer than --critical" in r.stderr


def test_bad_threshold_names_the_option(amr, plain):
    r = expect(check(amr, plain, "--critical", "soon"), 2)
    assert "--critical: bad duration 'soon'" in r.stderr


# ---------------------------------------------------------------- failures


def test_wrong_password_exits_4(amr, secured):
    r = expect(check(amr, secured, env={"REDIS_KEY": "wrong-" + secured.password}), 4)
    assert r.stdout == ""
    assert "make sure the access key is correct" in r.stderr


def test_wrong_password_in_json_is_a_failed_result(amr, secured):
    r = expect(amr.run("check", "-o", "json", env={**secured.env(), "REDIS_KEY": "nope"}), 4)
    [result] = json.loads(r.stdout)["results"]
    assert result["status"] == "failed" and result["probes"] == []
    assert result["error"]["exit_code"] == 4 and "AUTH" in result["error"]["message"]


def test_dead_port_exits_3(amr, closed_port):
    r = expect(amr.run("check", "-H", "127.0.0.1", "-p", str(closed_port), "--no-tls"), 3)
    assert r.stdout == "" and "127.0.0.1" in r.stderr


# ---------------------------------------------------------------- Nagios


PERF = r"'{name}'=\d+\.\d{{6}}s;{warn};{crit};0"


def test_nagios_ok_with_perfdata(amr, secured):
    r = expect(check(amr, secured, "-o", "nagios"), 0)
    assert len(r.lines) == 1, r
    text, _, perfdata = r.stdout.strip().partition(" | ")
    assert text.startswith(f"AMR OK - round trip ") and f"localhost:{secured.port}" in text, r
    labels = [re.match(r"'([^']+)'=", p).group(1) for p in perfdata.split()]
    assert labels == ["rtt", "tcp_connect", "tls_handshake", "auth", "subscribe", "publish"], r
    assert re.match(PERF.format(name="rtt", warn="", crit=""), perfdata), r


@pytest.mark.parametrize("warn, crit, rc, word", [(HUGE, HUGE, 0, "OK"), (TINY, HUGE, 1, "WARNING"),
                                                  (TINY, TINY, 2, "CRITICAL")])
def test_nagios_threshold_states(amr, plain, warn, crit, rc, word):
    r = expect(check(amr, plain, "-o", "nagios", "--warn", warn, "--critical", crit), rc)
    assert r.stdout.startswith(f"AMR {word} - "), r
    w = "0.000001" if warn == TINY else "3600.000000"
    c = "0.000001" if crit == TINY else "3600.000000"
    assert re.search(PERF.format(name="rtt", warn=w, crit=c), r.stdout), r


def test_nagios_count_reports_the_slowest_and_the_average(amr, plain):
    r = expect(check(amr, plain, "-o", "nagios", "--count", "2"), 0)
    assert "slowest of 2 probes" in r.stdout
    assert "'rtt_avg'=" in r.stdout and "'rtt_min'=" in r.stdout


def test_nagios_wrong_password_is_critical(amr, secured):
    r = expect(check(amr, secured, "-o", "nagios", env={"REDIS_KEY": "nope"}), 2)
    assert r.stdout.startswith(f"AMR CRITICAL - localhost:{secured.port}: "), r
    assert "|" not in r.stdout and "nope" not in r.stdout + r.stderr


def test_nagios_dead_port_is_critical(amr, closed_port):
    r = expect(amr.run("check", "-o", "nagios", "-H", "127.0.0.1", "-p", str(closed_port), "--no-tls"), 2)
    assert r.stdout.startswith("AMR CRITICAL - 127.0.0.1:"), r


def test_nagios_check_that_cannot_run_is_unknown(amr, plain):
    r = expect(check(amr, plain, "-o", "nagios", "--warn", "soon"), 3)
    assert r.stdout == "AMR UNKNOWN - --warn: bad duration 'soon'\n", r
    r = expect(amr.run("check", "-o", "nagios"), 3)  # no host anywhere
    assert r.stdout.startswith("AMR UNKNOWN - "), r


# ---------------------------------------------------------------- Prometheus


def test_prometheus_text_format(amr, secured):
    r = expect(check(amr, secured, "-o", "prometheus", "--warn", TINY), 0)
    samples = prometheus_samples(r.stdout)
    assert samples["amr_check_up"] == 1
    assert samples["amr_check_status"] == 1  # over --warn
    assert samples["amr_check_rtt_seconds"] > 0
    for phase in PHASES:
        assert samples[f'amr_check_phase_seconds{{phase="{phase}"}}'] > 0, phase
    assert samples['amr_check_phase_seconds{phase="receive"}'] == samples["amr_check_rtt_seconds"]


def test_prometheus_dead_port_says_down(amr, closed_port):
    r = expect(amr.run("check", "-o", "prometheus", "-H", "127.0.0.1", "-p", str(closed_port), "--no-tls"), 3)
    samples = prometheus_samples(r.stdout)
    assert samples == {"amr_check_up": 0, "amr_check_status": 2}, r


def test_prometheus_critical_exits_6(amr, plain):
    r = expect(check(amr, plain, "-o", "prometheus", "--critical", TINY), 6)
    assert prometheus_samples(r.stdout)["amr_check_status"] == 2


# ---------------------------------------------------------------- cluster


def primaries(cluster) -> set[int]:
    return {port for port, role in cluster.roles().items() if role == "master"}


def test_all_shards_probes_every_primary_in_its_slots(amr, cluster):
    doc, _ = check_json(amr, cluster, "--all-shards")
    results = doc["results"]
    ports = [int(r["endpoint"].rsplit(":", 1)[1]) for r in results]
    assert sorted(ports) == sorted(primaries(cluster)), doc
    for r, port in zip(results, ports):
        assert r["sharded"] is True and r["status"] == "ok", r
        assert re.fullmatch(r"amr:check:\{\d+\}:[0-9a-f]{16}", r["channel"]), r
        assert cluster.owner_port(r["channel"]) == port, r


def test_all_shards_text_nagios_and_prometheus_give_one_result_per_shard(amr, cluster):
    count = len(primaries(cluster))
    r = expect(check(amr, cluster, "--all-shards"), 0)
    assert len(r.lines) == count and all(line.startswith("OK 127.0.0.1:") for line in r.lines), r
    r = expect(check(amr, cluster, "--all-shards", "-o", "nagios", "--warn", TINY), 1)
    assert r.stdout.startswith(f"AMR WARNING - {count} of {count} shard(s) answered"), r
    assert len(re.findall(r"'rtt_127\.0\.0\.1:\d+'=", r.stdout)) == count, r
    r = expect(check(amr, cluster, "--all-shards", "-o", "prometheus"), 0)
    samples = prometheus_samples(r.stdout)
    ups = {k: v for k, v in samples.items() if k.startswith("amr_check_up{")}
    assert sorted(ups) == sorted(f'amr_check_up{{shard="127.0.0.1:{p}"}}' for p in primaries(cluster))
    assert set(ups.values()) == {1}
    assert len([k for k in samples if k.startswith("amr_check_phase_seconds{")]) == count * 4, samples


def test_all_shards_needs_a_cluster(amr, plain):
    r = expect(check(amr, plain, "--all-shards"), 2)
    assert "is not a Redis Cluster" in r.stderr
    r = expect(check(amr, plain, "--all-shards", "-o", "nagios"), 3)
    assert r.stdout.startswith("AMR UNKNOWN - --all-shards: "), r


def test_channel_and_all_shards_exclude_each_other(amr, plain):
    expect(check(amr, plain, "--all-shards", "--channel", "x"), 2)


# ---------------------------------------------------------------- a server that lies


def bulk(b: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(b), b)


def swallowing_server():
    """Confirms SUBSCRIBE and acknowledges PUBLISH, but delivers another payload (ignored:
    not the probe's) and never the probe's message."""
    from hostile import HostileServer

    def script(peer):
        args = peer.answer_setup()
        if args[0].upper() == b"SUBSCRIBE":
            channel = args[1]
            peer.send(b"*3\r\n" + bulk(b"subscribe") + bulk(channel) + b":1\r\n")
            peer.send(b"*3\r\n" + bulk(b"message") + bulk(channel) + bulk(b"someone else's"))
        else:
            peer.send(b":1\r\n")
        peer.hold()

    return HostileServer(script)


def test_a_message_that_does_not_come_back_fails(amr):
    with swallowing_server() as server:
        r = expect(amr.run("check", "--connect-timeout", "1", env=server.env()), 1)
        assert "did not come back from 127.0.0.1:" in r.stderr and r.stdout == "", r
        r = expect(amr.run("check", "-o", "nagios", "--connect-timeout", "1", env=server.env()), 2)
        assert r.stdout.startswith("AMR CRITICAL - 127.0.0.1:") and "did not come back" in r.stdout, r
        server.check()
