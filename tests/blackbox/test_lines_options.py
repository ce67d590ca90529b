"""publish --lines / --file and broadcast --lines: the options that do not go together,
a missing file, and the help. (Streams against servers: tests/integration.)"""

import pytest

from amrtest import expect


def test_missing_file_is_a_usage_error_naming_it(amr):
    r = expect(amr.run("publish", "ch", "--file", "no-such-events.jsonl"), 2)
    assert "no-such-events.jsonl" in r.stderr
    assert "No such file" in r.stderr
    assert r.stdout == ""
    r = expect(amr.run("broadcast", "--file", "missing.jsonl"), 2)
    assert "missing.jsonl" in r.stderr


def test_a_directory_is_not_a_file_of_lines(amr):
    r = expect(amr.run("publish", "ch", "--file", "."), 2)
    assert "directory" in r.stderr


def test_missing_file_is_reported_before_connecting(amr, closed_port):
    env = {"REDIS_HOST": "localhost", "REDIS_PORT": str(closed_port), "REDIS_TLS": "false"}
    r = expect(amr.run("publish", "ch", "--file", "gone.jsonl", env=env), 2)
    assert "gone.jsonl" in r.stderr


@pytest.mark.parametrize("args, words", [
    (["publish", "ch", "{}", "--lines"], "not both"),
    (["publish", "--lines"], "CHANNEL"),
    (["publish", "ch", "--lines", "--preset", "order_created"], "--preset"),
    (["publish", "ch", "--lines", "--event", "e"], "--event"),
    (["publish", "ch", "--skip-invalid", "{}"], "--skip-invalid"),
    (["publish", "ch", "--window", "5", "{}"], "--window"),
    (["publish", "ch", "--retry", "{}"], "--retry"),
    (["publish", "ch", "--lines", "--raw", "--skip-invalid"], "--raw"),
    (["publish", "ch", "--lines", "--reconnect-max", "3"], "--retry"),
    (["publish", "ch", "--lines", "--retry", "--reconnect-max", "0"], "at least 1"),
    (["publish", "ch", "--lines", "--window", "0"], "--window"),
    (["broadcast", "{}", "--lines"], "not both"),
    (["broadcast", "--retry"], "--retry"),
], ids=["message", "no-channel", "preset", "event", "skip-invalid-alone", "window-alone", "retry-alone",
        "skip-invalid-raw", "reconnect-max-without-retry", "reconnect-max-zero", "window-zero",
        "broadcast-message", "broadcast-retry-alone"])
def test_options_that_do_not_go_together(amr, args, words):
    r = expect(amr.run(*args, input=""), 2)
    assert words in r.stderr, r
    assert r.stdout == ""


@pytest.mark.parametrize("command", ["publish", "broadcast"])
def test_help_lists_the_stream_options(amr, command):
    r = expect(amr.run(command, "--help"), 0)
    for option in ("--lines", "--file", "--skip-invalid", "--window", "--retry", "--reconnect-max"):
        assert option in r.stdout, option
