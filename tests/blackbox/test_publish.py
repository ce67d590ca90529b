"""amr publish: presets, --event with fields, stdin, --raw, output modes, --min-receivers."""

import json
import re

import pytest

from amrtest import expect, unique

ISO_LOCAL_MICRO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}"

PRESETS = {
    "order_created": ("orders:created", ["event", "order_id", "customer", "total", "timestamp"]),
    "order_shipped": ("orders:shipped", ["event", "order_id", "tracking_number", "carrier", "timestamp"]),
    "inventory_low": ("inventory:alerts",
                      ["event", "product_id", "product_name", "current_stock", "threshold", "timestamp"]),
    "customer_notification": ("notifications",
                              ["event", "notification_id", "customer_id", "type", "message", "timestamp"]),
    "system_announcement": ("notifications", ["event", "message", "priority", "timestamp"]),
}

EXPECTED_VALUES = {
    "order_created": {"customer": "Jane Doe", "total": 129.99},
    "order_shipped": {"carrier": "FastShip"},
    "inventory_low": {"product_id": "PROD-12345", "product_name": "Wireless Headphones", "current_stock": 5,
                      "threshold": 10},
    "customer_notification": {"customer_id": "CUST-789", "type": "promotional",
                              "message": "Flash sale: 20% off on selected items!"},
    "system_announcement": {"message": "System maintenance scheduled for 2 AM", "priority": "high"},
}

GENERATED = {
    "order_id": r"ORD-\d{14}",
    "tracking_number": r"TRK-\d{6}",
    "notification_id": r"NOT-\d{14}",
}


def receive_one(amr, server, channel, publish_args, stdin=None):
    """Publishes with amr while `amr subscribe -j --count 1 channel` listens; returns
    (publish result, the subscriber's JSON line)."""
    sub = amr.subscribe("-j", "--count", "1", channel, env=server.env())
    pub = amr.run("publish", *publish_args, env=server.env(), input=stdin)
    if pub.rc != 0:
        sub.stop()
        return pub, None
    assert sub.wait() == 0, sub
    return pub, json.loads(sub.stdout)


@pytest.mark.parametrize("preset", list(PRESETS))
def test_preset_goes_to_its_channel_with_the_labs_fields(amr, plain_server, preset):
    channel, keys = PRESETS[preset]
    pub, line = receive_one(amr, plain_server, channel, ["--preset", preset])
    expect(pub, 0)
    assert pub.stdout == "1\n"
    assert line["channel"] == channel
    data = line["data"]
    assert list(data) == keys
    assert data["event"] == preset
    for key, value in EXPECTED_VALUES[preset].items():
        assert data[key] == value, key
        assert type(data[key]) is type(value), key
    for key, pattern in GENERATED.items():
        if key in data:
            assert re.fullmatch(pattern, data[key]), (key, data[key])
    assert re.fullmatch(ISO_LOCAL_MICRO, data["timestamp"]), data["timestamp"]


def test_preset_with_an_explicit_channel(amr, plain_server):
    channel = unique()
    pub, line = receive_one(amr, plain_server, channel, [channel, "--preset", "inventory_low"])
    expect(pub, 0)
    assert line["channel"] == channel
    assert line["data"]["event"] == "inventory_low"


def test_preset_order_id_is_made_from_the_current_local_time(amr, plain_server):
    sub = amr.subscribe("-j", "--count", "1", "orders:created", env=plain_server.env())
    expect(amr.run("publish", "--preset", "order_created", env=plain_server.env()), 0)
    assert sub.wait() == 0
    stamp = json.loads(sub.stdout)["data"]["timestamp"]
    # order_id is ORD-<YYYYmmddHHMMSS> of the same moment as the timestamp
    order_id = json.loads(sub.stdout)["data"]["order_id"]
    assert order_id[4:12] == stamp[:10].replace("-", ""), (order_id, stamp)


def test_preset_field_can_be_replaced(amr, plain_server):
    pub, line = receive_one(amr, plain_server, "inventory:alerts",
                            ["--preset", "inventory_low", "-f", "current_stock:=2", "-f", "note=low"])
    expect(pub, 0)
    data = line["data"]
    assert data["current_stock"] == 2
    assert data["note"] == "low"
    assert data["product_id"] == "PROD-12345" and data["threshold"] == 10
    assert list(data)[0] == "event" and list(data)[-1] == "timestamp"


def test_event_with_string_and_typed_fields(amr, plain_server):
    channel = unique()
    pub, line = receive_one(amr, plain_server, channel, [
        channel, "--event", "user_signup", "-f", "name=Ann Lee", "-f", "age:=42", "-f", 'tags:=["a","b"]',
        "--field", "active:=true", "-f", "note=x=y", "-f", "quote=say \"hi\"", "-f", "price:=12.5",
        "-f", "nothing:=null", "-f", 'nested:={"k":[1,{"z":false}]}', "-f", "zip=01234"])
    expect(pub, 0)
    data = line["data"]
    assert list(data)[0] == "event" and list(data)[-1] == "timestamp", data
    assert data["event"] == "user_signup"
    assert data["name"] == "Ann Lee"
    assert data["age"] == 42
    assert data["tags"] == ["a", "b"]
    assert data["active"] is True
    assert data["note"] == "x=y"
    assert data["quote"] == 'say "hi"'
    assert data["price"] == 12.5
    assert data["nothing"] is None
    assert data["nested"] == {"k": [1, {"z": False}]}
    assert data["zip"] == "01234", "KEY=VALUE is always a string"
    assert list(data)[1:-1] == ["name", "age", "tags", "active", "note", "quote", "price", "nothing",
                                "nested", "zip"], "fields in the order given"
    assert re.fullmatch(ISO_LOCAL_MICRO, data["timestamp"])


def test_event_without_fields(amr, plain_server):
    channel = unique()
    pub, line = receive_one(amr, plain_server, channel, [channel, "--event", "ping"])
    expect(pub, 0)
    assert list(line["data"]) == ["event", "timestamp"]


def test_message_is_sent_byte_for_byte(amr, plain_server):
    channel = unique()
    message = '{ "b": 2,\n  "a": [1, 2.50, "\u00e9\u2713"] }'
    sub = amr.subscribe("-F", "raw", "--count", "1", channel, env=plain_server.env())
    expect(amr.run("publish", channel, message, env=plain_server.env()), 0)
    assert sub.wait() == 0
    assert sub.stdout_bytes == message.encode() + b"\n", "not reformatted"


# ----------------------------------------------------------------------------- stdin


@pytest.mark.parametrize("args", [[], ["-"]], ids=["missing", "dash"])
def test_message_from_stdin_strips_one_trailing_newline(amr, plain_server, args):
    channel = unique()
    pub, line = receive_one(amr, plain_server, channel, [channel, *args], stdin='{"from":"stdin"}\n')
    expect(pub, 0)
    assert line["data"] == {"from": "stdin"}
    sub = amr.subscribe("-F", "raw", "--count", "1", channel, env=plain_server.env())
    expect(amr.run("publish", channel, *args, "--raw", env=plain_server.env(), input="two\nlines\n\n"), 0)
    assert sub.wait() == 0
    assert sub.stdout_bytes == b"two\nlines\n" + b"\n", "exactly one trailing newline stripped"


def test_stdin_message_is_validated(amr, plain_server):
    r = expect(amr.run("publish", unique(), "-", env=plain_server.env(), input="{oops}\n"), 2)
    assert re.search(r"byte \d+", r.stderr), r


def test_raw_skips_validation(amr, plain_server):
    channel = unique()
    sub = amr.subscribe("-j", "--count", "1", channel, env=plain_server.env())
    expect(amr.run("publish", "--raw", channel, "not json {", env=plain_server.env()), 0)
    assert sub.wait() == 0
    assert json.loads(sub.stdout)["data"] == "not json {"


def test_without_raw_a_non_json_message_is_refused_and_not_sent(amr, plain_server):
    channel = unique()
    sub = amr.subscribe("-F", "raw", "--count", "1", channel, env=plain_server.env())
    expect(amr.run("publish", channel, "not json", env=plain_server.env()), 2)
    assert plain_server.publish(channel, "sentinel") == 1
    assert sub.wait() == 0
    assert sub.stdout == "sentinel\n", "the refused message must not have been published"


# ----------------------------------------------------------------------------- output


def test_output_count_json_and_report(amr, plain_server):
    channel = unique()
    sub = amr.subscribe(channel, env=plain_server.env())
    env = plain_server.env()
    assert expect(amr.run("publish", channel, "{}", env=env), 0).stdout == "1\n"
    assert expect(amr.run("publish", channel, "{}", "-o", "count", env=env), 0).stdout == "1\n"
    assert expect(amr.run("publish", channel, "{}", "-o", "auto", env=env), 0).stdout == "1\n"
    doc = json.loads(expect(amr.run("publish", channel, "{}", "-o", "json", env=env), 0).stdout)
    assert doc == {"channel": channel, "receivers": 1}
    report = expect(amr.run("publish", channel, "{}", "--output", "report", env=env), 0).stdout
    assert f"[>] Published to channel: '{channel}'" in report
    assert "[#] Active subscribers: 1" in report
    sub.stop()


def test_output_json_and_count_on_a_terminal(amr, plain_server):
    channel = unique()
    r = expect(amr.run_tty("publish", channel, "{}", "-o", "json", env=plain_server.env()), 0)
    assert json.loads(r.stdout) == {"channel": channel, "receivers": 0}
    r = expect(amr.run_tty("publish", channel, "{}", "-o", "count", env=plain_server.env()), 0)
    assert r.stdout == "0\n"


def test_json_output_escapes_the_channel(amr, plain_server):
    channel = 'we"ird\\chan\u00e9'
    doc = json.loads(expect(amr.run("publish", channel, "1", "-o", "json", env=plain_server.env()), 0).stdout)
    assert doc["channel"] == channel


# ----------------------------------------------------------------------------- min receivers


def test_min_receivers(amr, plain_server):
    channel = unique()
    env = plain_server.env()
    r = expect(amr.run("publish", channel, "{}", "--min-receivers", "1", env=env), 5)
    assert r.stderr.strip()
    expect(amr.run("publish", channel, "{}", "--min-receivers", "0", env=env), 0)
    sub = amr.subscribe(channel, env=env)
    expect(amr.run("publish", channel, "{}", "--min-receivers", "1", env=env), 0)
    expect(amr.run("publish", channel, "{}", "--min-receivers", "2", env=env), 5)
    sub.stop()


def test_field_option_takes_one_value(amr, plain_server):
    # -f is repeatable, one KEY=VALUE each; the channel may follow it.
    channel = unique()
    sub = amr.subscribe("-j", "--count", "1", channel, env=plain_server.env())
    expect(amr.run("publish", "--event", "e", "-f", "k=v", channel, env=plain_server.env()), 0)
    assert sub.wait() == 0
    data = json.loads(sub.stdout)["data"]
    assert data["k"] == "v" and data["event"] == "e"
