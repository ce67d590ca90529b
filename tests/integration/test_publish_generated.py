"""publish and broadcast --count, --interval, --rate and --expand against a real
redis-server: placeholders per message, the rule that nothing is expanded unless asked,
pacing, --min-receivers per message, and SIGINT after the message in flight."""

from __future__ import annotations

import json
import re
import signal
import uuid

import pytest

from amrtest import expect, unique

SUMMARY = re.compile(r"sent (\d+) message\(s\) to")


def received(amr, server, ch, count, *args):
    return amr.subscribe("-F", "raw", "--count", str(count), ch, env=server.env(), count=1)


def lines_of(sub):
    assert sub.wait() == 0, sub
    return sub.stdout.splitlines()


def test_count_expands_placeholders_in_every_message(amr, plain_server):
    ch = unique()
    sub = received(amr, plain_server, ch, 5)
    r = expect(amr.run("publish", ch, '{"seq":{{count}},"id":"{{uuid}}","at":"{{utc}}","d":{{random 1 6}},'
                       '"unix":{{unix}},"ms":{{unix_ms}},"t":"{{time}}","h":"{{hostname}}"}',
                       "--count", "5", env=plain_server.env()), 0)
    assert SUMMARY.search(r.stderr).group(1) == "5", r
    messages = [json.loads(line) for line in lines_of(sub)]
    assert [m["seq"] for m in messages] == [1, 2, 3, 4, 5]
    assert len({m["id"] for m in messages}) == 5
    for m in messages:
        assert uuid.UUID(m["id"]).version == 4
        assert 1 <= m["d"] <= 6
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", m["at"]), m
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}", m["t"]), m
        assert m["ms"] // 1000 in (m["unix"], m["unix"] + 1)
        assert m["h"] and "{{" not in m["h"]


def test_a_message_nobody_asked_to_expand_is_sent_as_it_is(amr, plain_server):
    ch = unique()
    sub = received(amr, plain_server, ch, 2)
    expect(amr.run("publish", ch, "--raw", "a{{count}}b", env=plain_server.env()), 0)
    expect(amr.run("publish", ch, "--raw", "{{{{count}} {{count}}", "--expand", env=plain_server.env()), 0)
    assert lines_of(sub) == ["a{{count}}b", "{{count}} 1"]


def test_a_placeholder_without_expansion_is_pointed_out(amr, plain_server):
    r = expect(amr.run("publish", unique(), '{"seq":{{count}}}', env=plain_server.env()), 2)
    assert "the message is not valid JSON at byte 8" in r.stderr, r
    assert "expanded only with --count, --rate, --interval or --expand" in r.stderr, r


def test_presets_and_events_are_made_afresh(amr, plain_server):
    ch = unique()
    sub = received(amr, plain_server, ch, 3)
    expect(amr.run("publish", ch, "--preset", "order_created", "--count", "3", env=plain_server.env()), 0)
    orders = [json.loads(line) for line in lines_of(sub)]
    # The lab's ids count seconds (ORD-<date and time>); each message gets its own
    # timestamp, to the microsecond.
    assert len({o["timestamp"] for o in orders}) == 3, orders
    assert all(o["order_id"].startswith("ORD-") for o in orders), orders
    sub = received(amr, plain_server, ch, 2)
    expect(amr.run("publish", ch, "--event", "tick", "-f", "n:={{count}}", "-f", "label=no. {{count}}",
                   "--count", "2", env=plain_server.env()), 0)
    ticks = [json.loads(line) for line in lines_of(sub)]
    assert [(t["event"], t["n"], t["label"]) for t in ticks] == [("tick", 1, "no. 1"), ("tick", 2, "no. 2")]


def test_broadcast_sends_each_message_to_every_channel(amr, plain_server):
    a, b = unique(), unique()
    sub = amr.subscribe("-F", "raw", "--count", "6", a, b, env=plain_server.env(), count=2)
    r = expect(amr.run("broadcast", "-c", a, "-c", b, '{"n":{{count}}}', "--count", "3", "-o", "json",
                       env=plain_server.env()), 0)
    assert json.loads(r.stdout)["total"] == 6, r
    assert sorted(lines_of(sub)) == sorted(['{"n":1}', '{"n":2}', '{"n":3}'] * 2)


def test_rate_keeps_each_message_to_its_planned_time(amr, plain_server):
    # Message i is never sent before start + i / rate (a lower bound, which load cannot break).
    ch = unique()
    sub = received(amr, plain_server, ch, 5)
    expect(amr.run("publish", ch, '{"ms":{{unix_ms}}}', "--count", "5", "--rate", "20", env=plain_server.env()), 0)
    stamps = [json.loads(line)["ms"] for line in lines_of(sub)]
    assert stamps[-1] - stamps[0] >= 4 * 50 - 1, stamps
    sub = received(amr, plain_server, ch, 3)
    expect(amr.run("publish", ch, '{"ms":{{unix_ms}}}', "--count", "3", "--interval", "100ms",
                   env=plain_server.env()), 0)
    stamps = [json.loads(line)["ms"] for line in lines_of(sub)]
    assert stamps[-1] - stamps[0] >= 2 * 100 - 1, stamps


def test_min_receivers_applies_to_every_message(amr, plain_server):
    r = expect(amr.run("publish", unique(), "{}", "--count", "3", "--min-receivers", "1",
                       env=plain_server.env()), 5)
    assert "3 message(s) reached fewer than --min-receivers 1; the first is message 1" in r.stderr, r


@pytest.mark.parametrize("args, says", [
    (['{"seq":{{cnt}}}', "--count", "2"], "MESSAGE: unknown placeholder {{cnt}} at byte 7"),
    (['{"seq":{{count}}', "--count", "2"], "message 1 is not valid JSON"),
    (["{}", "--count", "0"], "--count"),
    (["{}", "--rate", "0"], "--rate"),
    (["{}", "--rate", "5", "--interval", "1s"], "--rate"),
    (["{}", "--interval", "soon"], "--interval"),
    (["--lines", "--count", "2"], "do not go with --lines"),
    (["--event", "e", "-f", "n:={{random 9 1}}", "--count", "2"], "-f n: {{random A B}} needs two whole numbers"),
])
def test_bad_generation_options_are_usage_errors(amr, plain_server, args, says):
    r = expect(amr.run("publish", unique(), *args, env=plain_server.env()), 2)
    assert says in r.stderr, r


def test_sigint_stops_after_the_message_in_flight(amr, plain_server):
    ch = unique()
    sub = amr.subscribe("-F", "raw", ch, env=plain_server.env(), count=1)
    pub = amr.start("publish", ch, '{"seq":{{count}}}', "--count", "1000000", "--rate", "50",
                    env=plain_server.env())
    sub.wait_stdout_lines(3)
    pub.signal(signal.SIGINT)
    assert pub.wait() == 130, pub
    sent = int(re.search(r"stopped by a signal after message (\d+) of 1000000", pub.stderr).group(1))
    assert int(SUMMARY.search(pub.stderr).group(1)) == sent, pub
    # Every message it says it sent arrived, numbered 1 to `sent`, and nothing after.
    plain_server.publish(ch, "end")
    sub.wait_stdout("end")
    lines = sub.stdout.splitlines()
    assert lines[:-1] == [json.dumps({"seq": i}, separators=(",", ":")) for i in range(1, sent + 1)]
