"""amr broadcast: one message to many channels; per-channel counts and the total."""

import json
import re

from amrtest import expect, unique

LAB_CHANNELS = ["orders:created", "orders:shipped", "inventory:alerts", "notifications"]


def test_default_broadcast_is_the_system_announcement_to_the_labs_channels(amr, plain_server):
    env = plain_server.env()
    created = amr.subscribe("-j", "--count", "1", "orders:created", env=env)
    note1 = amr.subscribe("-j", "--count", "1", "notifications", env=env)
    note2 = amr.subscribe("-j", "--count", "1", "notifications", env=env)
    r = expect(amr.run("broadcast", env=env), 0)
    assert r.lines == ["orders:created\t1", "orders:shipped\t0", "inventory:alerts\t0", "notifications\t2",
                       "total\t3"], r
    for sub in (created, note1, note2):
        assert sub.wait() == 0, sub
    data = json.loads(created.stdout)["data"]
    assert list(data) == ["event", "message", "priority", "timestamp"]
    assert data["event"] == "system_announcement"
    assert data["message"] == "System maintenance scheduled for 2 AM"
    assert data["priority"] == "high"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}", data["timestamp"])
    assert json.loads(note1.stdout)["data"] == data == json.loads(note2.stdout)["data"], "the same message"


def test_broadcast_message_to_chosen_channels(amr, plain_server):
    env = plain_server.env()
    a, b, c = unique("a"), unique("b"), unique("c")
    sub = amr.subscribe("-j", "--count", "1", b, env=env)
    r = expect(amr.run("broadcast", '{"x":1}', "-c", a, "--channel", b, "-c", c, env=env), 0)
    assert r.lines == [f"{a}\t0", f"{b}\t1", f"{c}\t0", "total\t1"]
    assert sub.wait() == 0
    assert json.loads(sub.stdout)["data"] == {"x": 1}


def test_broadcast_json_output(amr, plain_server):
    env = plain_server.env()
    a, b = unique("a"), unique("b")
    sub = amr.subscribe(a, env=env)
    r = expect(amr.run("broadcast", '"hi"', "-c", a, "-c", b, "-o", "json", env=env), 0)
    assert json.loads(r.stdout) == {"channels": [{"channel": a, "receivers": 1}, {"channel": b, "receivers": 0}],
                                    "total": 1}
    sub.stop()


def test_broadcast_default_json_lists_the_four_channels(amr, plain_server):
    r = expect(amr.run("broadcast", "-o", "json", env=plain_server.env()), 0)
    doc = json.loads(r.stdout)
    assert [c["channel"] for c in doc["channels"]] == LAB_CHANNELS
    assert doc["total"] == 0


def test_broadcast_report_on_a_terminal(amr, plain_server):
    r = expect(amr.run_tty("broadcast", env=plain_server.env()), 0)
    for channel in LAB_CHANNELS:
        assert channel in r.stdout
    assert "system_announcement" in r.stdout


def test_broadcast_preset_and_event(amr, plain_server):
    env = plain_server.env()
    ch = unique()
    sub = amr.subscribe("-j", "--count", "2", ch, env=env)
    expect(amr.run("broadcast", "-c", ch, "--preset", "order_created", env=env), 0)
    expect(amr.run("broadcast", "-c", ch, "--event", "custom", "-f", "k=v", env=env), 0)
    assert sub.wait() == 0
    first, second = (json.loads(line)["data"] for line in sub.stdout.splitlines())
    assert first["event"] == "order_created" and first["customer"] == "Jane Doe"
    assert second["event"] == "custom" and second["k"] == "v"


def test_broadcast_message_from_stdin(amr, plain_server):
    env = plain_server.env()
    ch = unique()
    sub = amr.subscribe("-j", "--count", "1", ch, env=env)
    r = expect(amr.run("broadcast", "-", "-c", ch, env=env, input='{"stdin":true}\n'), 0)
    assert r.lines == [f"{ch}\t1", "total\t1"]
    assert sub.wait() == 0
    assert json.loads(sub.stdout)["data"] == {"stdin": True}


def test_broadcast_min_receivers_applies_to_the_total(amr, plain_server):
    env = plain_server.env()
    a, b = unique("a"), unique("b")
    sa = amr.subscribe(a, env=env)
    sb = amr.subscribe(b, env=env)
    expect(amr.run("broadcast", "{}", "-c", a, "-c", b, "--min-receivers", "2", env=env), 0)
    r = expect(amr.run("broadcast", "{}", "-c", a, "-c", b, "--min-receivers", "3", env=env), 5)
    assert r.stderr.strip()
    sa.stop()
    sb.stop()


def test_broadcast_invalid_json_is_a_usage_error(amr, plain_server):
    r = expect(amr.run("broadcast", "{nope", "-c", unique(), env=plain_server.env()), 2)
    assert re.search(r"byte \d+", r.stderr)
    assert r.stdout == ""


def test_channel_option_takes_one_value(amr, plain_server):
    # -c is repeatable, one channel each (like mosquitto_sub -t); the message may follow.
    env = plain_server.env()
    a = unique("a")
    r = expect(amr.run("broadcast", "-c", a, '{"x":1}', env=env), 0)
    assert r.lines == [f"{a}\t0", "total\t0"], r
