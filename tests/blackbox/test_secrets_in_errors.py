"""No error prints a value that could be a secret: a password in a URL without "@host",
a .env line wrapped onto the next, a password typed after a mistyped option or given to
-p. Each case runs amr and looks for the marked secret anywhere in what it printed."""

import pytest

from amrtest import expect

SECRET = "TopSecret0x5e3c"


def assert_hidden(result, *, rc=2):
    expect(result, rc)
    assert SECRET not in result.stdout + result.stderr, result
    assert result.stderr.strip(), result
    return result


def test_url_without_host_does_not_echo_the_password(amr):
    r = assert_hidden(amr.run("--url", f"redis://default:{SECRET}", "ping"))
    assert "--url: port must be a number" in r.stderr


def test_redis_url_without_host_does_not_echo_the_password(amr):
    r = assert_hidden(amr.run("ping", env={"REDIS_URL": f"rediss://default:{SECRET}/0"}))
    assert "REDIS_URL (environment)" in r.stderr


def test_a_wrapped_dotenv_line_is_not_printed_as_a_name(amr):
    (amr.cwd / ".env").write_text(f"REDIS_HOST=h\nREDIS_KEY=abc\n{SECRET}\n")
    r = assert_hidden(amr.run("ping"))
    assert ".env:3:" in r.stderr


def test_a_huge_wrapped_dotenv_line_is_not_printed(amr):
    (amr.cwd / ".env").write_text("REDIS_HOST=h\n" + "k" * 500_000 + SECRET + "\n")
    r = assert_hidden(amr.run("ping"))
    assert len(r.stderr) < 1000


@pytest.mark.parametrize("args", [
    ["--passwrd", SECRET, "ping"],
    ["ping", "--passwrd", SECRET],
    ["-p", SECRET, "ping"],
    [f"--port={SECRET}", "ping"],
    [f"-p{SECRET}", "ping"],
    ["-H", "h", "subscribe", "-F", SECRET, "ch"],
    ["-H", "h", "subscribe", "--count", SECRET, "ch"],
    ["-H", "h", "publish", "--min-receivers", SECRET, "ch", "{}"],
    ["--tls", "--no-tls", "-a", SECRET, "ping"],
    ["-a", SECRET],
    ["-a", SECRET, "pnig"],
], ids=["typo-before-command", "typo-after-command", "password-as-port", "port-equals",
        "short-port", "format", "count", "min-receivers", "excludes", "no-command",
        "command-typo"])
def test_parse_errors_name_arguments_by_position(amr, args):
    assert_hidden(amr.run(*args))


def test_a_password_close_to_a_command_name_is_not_suggested_as_one(amr):
    r = expect(amr.run("-a", "pinh"), 2)
    assert "pinh" not in r.stderr, r


def test_a_mistyped_option_is_still_named_with_its_suggestion(amr):
    r = assert_hidden(amr.run("--passwrd", SECRET, "ping"))
    assert "--passwrd" in r.stderr and "<argument 2>" in r.stderr
    assert "did you mean '--password'?" in r.stderr


def test_a_huge_argument_is_not_echoed(amr):
    r = expect(amr.run("--" + "x" * 100_000, "ping"), 2)
    assert len(r.stderr) < 3000, len(r.stderr)
