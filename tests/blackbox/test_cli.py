"""--help, --version and the exit codes of build/amr, each from its simplest cause."""

import re
import signal
import subprocess

import pytest

from amrtest import HANG, ROOT, expect, require_tools, unique

COMMANDS = ["publish", "broadcast", "subscribe", "psubscribe", "ping", "profile"]


def project_version() -> str:
    text = (ROOT / "meson.build").read_text()
    return re.search(r"version\s*:\s*'([^']+)'", text).group(1)


# ----------------------------------------------------------------------------- help, version


def test_help_lists_commands_and_exit_codes(amr):
    r = expect(amr.run("--help"), 0)
    for command in COMMANDS:
        assert command in r.stdout, command
    for code in ("124",):
        assert code in r.stdout, "exit codes are documented in --help"
    for option in ("--url", "--env-file", "--insecure", "--cacert"):
        assert option in r.stdout, option


@pytest.mark.parametrize("command, options", [
    ("publish", ["--preset", "--event", "--raw", "--min-receivers", "--output"]),
    ("broadcast", ["--channel", "--min-receivers"]),
    ("subscribe", ["--count", "--timeout", "--format"]),
    ("psubscribe", ["--count", "--timeout", "--format"]),
    ("ping", []),
    ("request", ["--replies", "--timeout", "--reply-field", "--reply-to", "--format", "--preset"]),
    ("reply", ["--echo", "--pattern", "--reply-field", "--count"]),
    ("profile", ["list", "show", "path"]),
])
def test_subcommand_help(amr, command, options):
    r = expect(amr.run(command, "--help"), 0)
    assert command in r.stdout
    for option in options:
        assert option in r.stdout, option


def test_help_needs_no_configuration(amr):
    (amr.cwd / ".env").write_text("not a valid line\n")
    expect(amr.run("--help", env={"REDIS_PORT": "nonsense"}), 0)


def test_version_names_amr_hiredis_and_the_openssl_built_with_and_run_with(amr):
    require_tools("openssl")
    r = expect(amr.run("--version"), 0)
    assert len(r.lines) == 3, r.stdout
    assert r.lines[0] == f"amr {project_version()}"
    # hiredis >= 1.0 (the system's, or the 1.2.0 fallback) and OPENSSL_VERSION_TEXT.
    assert re.fullmatch(r"built with hiredis [1-9]\d*\.\d+\.\d+, OpenSSL \d+\.\d+\.\d+\S* .+", r.lines[1]), \
        r.lines[1]
    # The library loaded at run time is the one `openssl version` reports as its library.
    proc = subprocess.run(["openssl", "version"], capture_output=True, text=True, timeout=HANG)
    library = re.search(r"\(Library: (.+)\)", proc.stdout)
    assert r.lines[2] == f"running with {library.group(1) if library else proc.stdout.strip()}"


# ----------------------------------------------------------------------------- exit codes


def test_exit_0_on_success(amr, plain_server):
    expect(amr.run("publish", unique(), "{}", env=plain_server.env()), 0)


def test_exit_1_on_another_failure(amr, redis_factory):
    # A server error that is neither about the connection nor about permissions.
    server = redis_factory(extra_conf=['rename-command PUBLISH ""'])
    r = expect(amr.run("publish", unique(), "{}", env=server.env()), 1)
    assert r.stdout == ""
    assert r.stderr.strip()


@pytest.mark.parametrize("args", [
    [],
    ["frobnicate"],
    ["--no-such-option", "ping"],
    ["publish"],
    ["publish", "a", "{}", "extra"],
    ["subscribe"],
    ["psubscribe"],
    ["subscribe", "--count", "abc", "x"],
    ["-p", "notaport", "ping"],
    ["-p", "70000", "ping"],
    ["publish", "x", "{}", "-o", "yaml"],
    ["subscribe", "-F", "xml", "x"],
], ids=lambda a: " ".join(a) or "nothing")
def test_exit_2_on_usage_errors(amr, plain_server, args):
    r = expect(amr.run(*args, env=plain_server.env()), 2)
    assert r.stdout == "" or args == [], r
    assert r.stderr.strip()


def test_exit_2_without_a_host(amr):
    r = expect(amr.run("publish", "x", "{}"), 2)
    assert "REDIS_HOST" in r.stderr or "host" in r.stderr.lower()


def test_exit_3_when_nothing_listens(amr, closed_port):
    expect(amr.run("ping", env={"REDIS_HOST": "localhost", "REDIS_PORT": str(closed_port)}), 3)


def test_exit_4_on_a_wrong_password(amr, tls_server):
    expect(amr.run("ping", env={**tls_server.env(), "REDIS_KEY": "wrong"}), 4)


def test_exit_5_with_fewer_receivers(amr, plain_server):
    expect(amr.run("publish", unique(), "{}", "--min-receivers", "1", env=plain_server.env()), 5)
    expect(amr.run("broadcast", "{}", "--min-receivers", "1", env=plain_server.env()), 5)


def test_exit_124_when_the_timeout_ends_before_count(amr, plain_server):
    expect(amr.run("subscribe", "--count", "1", "--timeout", "200ms", unique(), env=plain_server.env()), 124)


def test_exit_0_when_the_timeout_ends_without_count(amr, plain_server):
    expect(amr.run("subscribe", "--timeout", "200ms", unique(), env=plain_server.env()), 0)


def test_exit_0_on_sigint(amr, plain_server):
    sub = amr.subscribe(unique(), env=plain_server.env())
    sub.signal(signal.SIGINT)
    assert sub.wait() == 0, sub


@pytest.mark.parametrize("args, hint", [
    (["pubish", "ch", "{}"], "did you mean 'publish'?"),
    (["subcribe", "ch"], "did you mean 'subscribe'?"),
    (["reqest", "ch", "{}"], "did you mean 'request'?"),
    (["subscribe", "--formt", "json", "ch"], "did you mean '--format'?"),
    (["--hots", "localhost", "ping"], "did you mean '--host'?"),
    (["profile", "lst"], "'lst' is not a 'profile' command; did you mean 'list'?"),
    (["profile", "shwo", "prod", "-v"], "did you mean 'show'?"),
])
def test_typos_get_a_suggestion(amr, args, hint):
    result = amr.run(*args)
    assert result.rc == 2, result
    assert hint in result.stderr
    assert result.stdout == ""


def test_no_suggestion_for_unrelated_words(amr):
    # ("deploy" was the word here until `reply` came, 2 edits from it.)
    result = amr.run("install")
    assert result.rc == 2, result
    assert "did you mean" not in result.stderr
