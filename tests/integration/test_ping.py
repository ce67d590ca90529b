"""amr ping: connect, authenticate, PING; text and JSON output."""

import json
import re

from amrtest import expect


def test_ping_text_names_round_trip_time_and_server_version(amr, tls_server):
    r = expect(amr.run("ping", env=tls_server.env()), 0)
    assert len(r.lines) == 1, r
    assert tls_server.version() in r.stdout
    assert re.search(r"\d+(\.\d+)?\s*ms\b", r.stdout), r


def test_ping_json_over_tls(amr, tls_server):
    r = expect(amr.run("ping", "-o", "json", env=tls_server.env()), 0)
    assert len(r.lines) == 1, r
    doc = json.loads(r.stdout)
    assert doc["host"] == "localhost"
    assert doc["port"] == tls_server.port
    assert doc["tls"] is True
    assert isinstance(doc["rtt_ms"], (int, float)) and doc["rtt_ms"] >= 0
    assert doc["server_version"] == tls_server.version()


def test_ping_json_plain(amr, plain_server):
    r = expect(amr.run("ping", "--output", "json", *plain_server.flags()), 0)
    doc = json.loads(r.stdout)
    assert doc["tls"] is False
    assert doc["port"] == plain_server.port
    assert doc["server_version"] == plain_server.version()


def test_ping_does_not_print_the_password(amr, tls_server):
    for args in (["ping"], ["ping", "-o", "json"], ["-v", "ping"]):
        r = expect(amr.run(*args, env=tls_server.env()), 0)
        assert tls_server.password not in r.stdout + r.stderr


def test_ping_checks_a_dotenv(amr, tls_server):
    (amr.cwd / ".env").write_text(tls_server.env_file_text())
    expect(amr.run("ping"), 0)
    (amr.cwd / ".env").write_text(tls_server.env_file_text().replace(tls_server.password, "stale-key"))
    expect(amr.run("ping"), 4)
