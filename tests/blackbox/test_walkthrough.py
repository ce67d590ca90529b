"""The lab's walk-through with build/amr over TLS, configured by a .env like the lab's:
a subscriber on orders:created receives order_created in the lab's display, does not
receive order_shipped, and the publisher reports 1 and then 0 subscribers."""

import json
import re
import signal

import pytest

from amrtest import expect

RULE = "\u2500" * 50
ISO_LOCAL_MICRO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}"


@pytest.fixture
def lab(amr, tls_server):
    """The lab's set-up: .env with REDIS_HOST and REDIS_KEY (plus port and CA of the local
    AMR-like server) in the working directory."""
    (amr.cwd / ".env").write_text(
        f"REDIS_HOST={tls_server.host}\nREDIS_KEY={tls_server.password}\n"
        f"REDIS_PORT={tls_server.port}\nREDIS_CACERT={tls_server.ca}\n")
    return tls_server


def test_walkthrough(amr, lab):
    sub = amr.subscribe("orders:created")
    assert "[+] Subscribed to channel: 'orders:created'" in sub.stderr

    created = expect(amr.run("publish", "--preset", "order_created"), 0)
    assert created.stdout == "1\n"
    sub.wait_stdout(RULE + "\n" + "Event: order_created")
    shipped = expect(amr.run("publish", "--preset", "order_shipped"), 0)
    assert shipped.stdout == "0\n"

    sub.wait_stdout("Total: $129.99\n" + RULE + "\n")
    sub.signal(signal.SIGINT)
    assert sub.wait() == 0, sub
    lines = sub.stdout.splitlines()
    assert re.fullmatch(r"\[\d\d:\d\d:\d\d\] Message on 'orders:created'", lines[0]), lines
    assert lines[1] == RULE
    assert lines[2] == "Event: order_created"
    assert re.fullmatch(r"Order ID: ORD-\d{14}", lines[3]), lines
    assert lines[4] == "Customer: Jane Doe"
    assert lines[5] == "Total: $129.99"
    assert lines[6] == RULE
    assert all(line == "" for line in lines[7:]), lines
    assert "order_shipped" not in sub.stdout
    assert "\x1b[" not in sub.stdout, "no colour when stdout is not a terminal"


def test_publisher_report_like_the_lab(amr, lab):
    sub = amr.subscribe("orders:created")
    r = expect(amr.run("publish", "--preset", "order_created", "-o", "report"), 0)
    lines = r.stdout.splitlines()
    while lines and lines[0] == "":
        lines.pop(0)
    assert lines[0] == "[>] Published to channel: 'orders:created'"
    assert lines[1] == "[#] Active subscribers: 1"
    assert lines[2] == ""
    assert lines[3] == "[i] Message content:"
    body = "\n".join(lines[4:])
    message = json.loads(body)
    assert list(message) == ["event", "order_id", "customer", "total", "timestamp"]
    assert message["event"] == "order_created"
    assert re.fullmatch(r"ORD-\d{14}", message["order_id"])
    assert message["customer"] == "Jane Doe"
    assert message["total"] == 129.99
    assert re.fullmatch(ISO_LOCAL_MICRO, message["timestamp"]), message
    assert re.search(r'^  "event": "order_created",$', body, re.M), "indented by 2 like the lab"

    r = expect(amr.run("publish", "--preset", "order_shipped", "--output", "report"), 0)
    assert "[>] Published to channel: 'orders:shipped'" in r.stdout
    assert "[#] Active subscribers: 0" in r.stdout
    sub.stop()


def test_publisher_on_a_terminal_prints_the_report(amr, lab):
    r = expect(amr.run_tty("publish", "--preset", "order_created"), 0)
    assert "[>] Published to channel: 'orders:created'" in r.stdout
    assert "[#] Active subscribers: 0" in r.stdout
    assert "[i] Message content:" in r.stdout


def test_subscriber_receives_the_labs_payload(amr, lab):
    sub = amr.subscribe("-j", "--count", "1", "orders:created")
    expect(amr.run("publish", "--preset", "order_created"), 0)
    assert sub.wait() == 0, sub
    line = json.loads(sub.stdout)
    assert line["type"] == "message"
    assert line["channel"] == "orders:created"
    data = line["data"]
    assert list(data) == ["event", "order_id", "customer", "total", "timestamp"]
    assert data["customer"] == "Jane Doe" and data["total"] == 129.99


def test_walkthrough_with_a_pattern_subscriber(amr, lab):
    sub = amr.subscribe("orders:*", pattern=True)
    assert "[+] Subscribed to pattern: 'orders:*'" in sub.stderr
    assert expect(amr.run("publish", "--preset", "order_created"), 0).stdout == "1\n"
    assert expect(amr.run("publish", "--preset", "order_shipped"), 0).stdout == "1\n"
    assert expect(amr.run("publish", "--preset", "inventory_low"), 0).stdout == "0\n"
    sub.wait_stdout("Pattern 'orders:*' matched 'orders:shipped'")
    sub.signal(signal.SIGTERM)
    assert sub.wait() == 0
    assert "Pattern 'orders:*' matched 'orders:created'" in sub.stdout
    assert "inventory" not in sub.stdout
