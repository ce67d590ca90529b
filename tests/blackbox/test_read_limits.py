"""Input amr reads from files and stdin is bounded and checked: a directory, a device, a
FIFO nobody writes, or an endless /dev/zero ends in an error naming the file and what was
wrong, never in an empty message, a hang or std::bad_alloc. Integer options that do not
fit are usage errors, not silently saturated."""

import os

import pytest

from amrtest import expect, unique


def test_a_directory_on_stdin_is_a_read_error_not_an_empty_message(amr, plain_server):
    ch = unique()
    r = amr.shell(f'"$AMR" publish --raw {ch} - < /tmp', env=plain_server.env())
    expect(r, 1)
    assert "cannot read <stdin>: Is a directory" in r.stderr, r
    assert r.stdout == ""


def test_endless_stdin_is_bounded_at_the_largest_message(amr, plain_server):
    r = amr.shell(f'"$AMR" publish --raw {unique()} - < /dev/zero', env=plain_server.env())
    expect(r, 2)
    assert "<stdin> is larger than 512 MiB" in r.stderr, r


def test_an_endless_line_in_a_file_is_bounded_at_the_largest_message(amr, plain_server):
    r = expect(amr.run("publish", "--raw", "--file", "/dev/zero", unique(), env=plain_server.env()), 2)
    assert "/dev/zero: line 1 is longer than 512 MiB" in r.stderr, r


@pytest.mark.parametrize("path, what", [("/tmp", "a directory"), ("/dev/zero", "a device")])
def test_an_env_file_that_is_not_a_file_is_named(amr, path, what):
    r = expect(amr.run("--env-file", path, "ping"), 2)
    assert f"env file {path} is not a file ({what})" in r.stderr, r
    assert "no Redis host" not in r.stderr and "bad_alloc" not in r.stderr


def test_a_huge_env_file_is_refused(amr):
    (amr.cwd / "big.env").write_text("# padding\n" * 200_000)
    r = expect(amr.run("--env-file", "big.env", "ping"), 2)
    assert "env file big.env is larger than 1 MiB" in r.stderr, r


def test_a_fifo_env_file_without_a_writer_does_not_hang(amr):
    fifo = amr.cwd / "fifo.env"
    os.mkfifo(fifo)
    r = expect(amr.run("--env-file", str(fifo), "--connect-timeout", "0.3", "ping"), 2)
    assert f"cannot read env file {fifo}: nothing came in time" in r.stderr, r


def test_an_env_file_from_a_pipe_is_read(amr, plain_server):
    r = amr.shell(f'"$AMR" --env-file <(printf "REDIS_HOST={plain_server.host}\\n'
                  f'REDIS_PORT={plain_server.port}\\nREDIS_TLS=false\\n") ping')
    assert r.rc == 0, r


@pytest.mark.parametrize("args, words", [
    (["subscribe", "--count", "99999999999999999999", "ch"], "too large: at most 9223372036854775807"),
    (["subscribe", "--count", "0x10", "ch"], "expected a whole number of at least 1"),
    (["subscribe", "--reconnect-max", "99999999999", "ch"], "too large: at most 2147483647"),
    (["publish", "--min-receivers", "99999999999999999999", "ch", "{}"], "too large"),
    (["publish", "--lines", "--window", "18446744073709551617", "ch"], "too large: at most 1000000"),
    (["-p", "99999999999999999999", "ping"], "too large: at most 65535"),
    (["-p", "0", "ping"], "must be a whole number from 1 to 65535"),
], ids=["count", "count-hex", "reconnect-max", "min-receivers", "window", "port", "port-zero"])
def test_integers_that_do_not_fit_are_usage_errors(amr, args, words):
    r = expect(amr.run("-H", "localhost", *args), 2)
    assert words in r.stderr, r
