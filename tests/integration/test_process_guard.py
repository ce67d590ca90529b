"""What amr guarantees about its process, against real servers: closed standard
descriptors are never reused for sockets (or printed messages become Redis commands),
the token command inherits no descriptor of amr's and dies with amr, and a crash leaves
no core dump holding the password unless AMR_CORE_DUMPS=1."""

import os
import signal
from pathlib import Path

import pytest

from amrtest import unique, wait_until
from test_entra import entra_env, mint_script, runs


def error_replies(server) -> str:
    """The server's error counters: every line a client sent that was not a command
    it accepts shows here (an injected SET on a subscribed RESP2 connection too)."""
    return "\n".join(line for line in server.cli("INFO", "errorstats").stdout.splitlines()
                     if line.startswith("errorstat_"))


def test_closed_stdout_does_not_turn_messages_into_commands(amr, plain_server):
    ch = unique("inj")
    env = plain_server.env()
    sub = amr.start_shell(f'exec "$AMR" subscribe -F raw --count 1 {ch} >&-', env=env)
    sub.wait_subscribed()
    assert plain_server.publish(ch, "SET injected x") == 1
    assert sub.wait() == 0, sub
    assert plain_server.cli("EXISTS", "injected").stdout.strip() == "0"
    assert error_replies(plain_server) == "", sub


def test_closed_stderr_does_not_send_log_lines_to_the_server(amr, plain_server):
    ch = unique()
    sub = amr.start_shell(f'exec "$AMR" -v subscribe -F raw --count 1 {ch} 2>&-',
                          env=plain_server.env())
    wait_until(lambda: plain_server.numsub(ch) == 1, "the subscription")
    assert plain_server.publish(ch, "m") == 1
    sub.wait_stdout("m\n")
    assert sub.wait() == 0, sub
    assert error_replies(plain_server) == ""


def test_closed_stdin_is_an_empty_input_not_the_socket(amr, plain_server):
    ch = unique()
    result = amr.shell(f'"$AMR" publish --lines -o count {ch} <&-', env=plain_server.env())
    assert result.rc == 0, result
    assert result.stdout == "0\n"
    assert error_replies(plain_server) == ""


FD_LIST = r"""
python3 -c 'import os, sys
d = "/proc/%d/fd" % os.getppid()
fds = {f: os.readlink(d + "/" + f) for f in os.listdir(d) if int(f) > 2}
open(sys.argv[1], "a").write(repr(sorted(fds.values())) + "\n")' {fdlog}
"""


def test_the_token_command_inherits_no_socket_or_pipe(amr, redis_factory, tmp_path):
    """The second run refreshes the token while the subscriber's socket is open."""
    server = redis_factory(password="admin-secret")
    fdlog = tmp_path / "fds.log"
    script, log = mint_script(tmp_path, server, extra=FD_LIST.replace("{fdlog}", str(fdlog)))
    ch = unique()
    sub = amr.subscribe("-v", "-F", "raw", ch, env=entra_env(server, script), count=1)
    sub.wait_stderr("re-authenticated on")
    sub.signal(signal.SIGTERM)
    assert sub.wait() == 0, sub
    seen = fdlog.read_text().splitlines()
    assert len(seen) >= 2 and runs(log) >= 2
    for line in seen:
        assert "socket:" not in line and "pipe:" not in line, seen


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def hanging_token_command(tmp_path, server):
    """A token command that never prints: a shell whose child hangs, as `az` (a script
    starting python) may. Returns amr's environment and the file that will hold the
    shell's and the child's pids."""
    pids = tmp_path / "pids"
    script = tmp_path / "hang.sh"
    script.write_text(f"#!/bin/sh\nsleep 1000 &\necho $$ $! > {pids}.tmp\nmv {pids}.tmp {pids}\nwait\n")
    script.chmod(0o755)
    return {**server.env(), "REDIS_USER": "u", "REDIS_TOKEN_COMMAND": str(script)}, pids


def test_the_token_command_and_its_children_die_with_amr(amr, plain_server, tmp_path):
    env, pids = hanging_token_command(tmp_path, plain_server)
    bg = amr.start("ping", env=env)
    wait_until(pids.exists, "the token command to start")
    shell, child = map(int, pids.read_text().split())
    bg.proc.kill()  # SIGKILL: amr cannot clean up
    bg.wait()
    wait_until(lambda: not alive(shell) and not alive(child), "the token command to die with amr")


def test_a_hung_token_command_is_killed_after_the_connect_timeout(amr, plain_server, tmp_path):
    env, pids = hanging_token_command(tmp_path, plain_server)
    result = amr.run("--connect-timeout", "0.5", "ping", env=env)
    assert result.rc == 4, result
    assert "token command did not finish within 500 ms (--connect-timeout)" in result.stderr
    shell, child = map(int, pids.read_text().split())
    wait_until(lambda: not alive(shell) and not alive(child), "the hung command to be killed")


def core_limit(pid: int) -> str:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max core file size"):
            return line.split()[4]
    raise AssertionError("no core limit")


@pytest.mark.parametrize("wanted", [False, True])
def test_a_crash_dumps_core_only_with_amr_core_dumps(amr, plain_server, wanted):
    """With `ulimit -c unlimited`, SIGABRT would write the process's memory (REDIS_KEY
    among it) to a core file; amr allows that only when AMR_CORE_DUMPS=1."""
    ch = unique()
    env = {**plain_server.env(), **({"AMR_CORE_DUMPS": "1"} if wanted else {})}
    sub = amr.start_shell(f'ulimit -c unlimited && exec "$AMR" subscribe {ch}', env=env)
    sub.wait_subscribed()
    assert (core_limit(sub.proc.pid) != "0") == wanted
    sub.signal(signal.SIGABRT)
    assert sub.wait() == -signal.SIGABRT
    pattern = Path("/proc/sys/kernel/core_pattern").read_text().strip()
    if pattern.startswith("|") or "/" in pattern:
        return  # cores go elsewhere: the limit above is what can be checked
    cores = [p.name for p in amr.cwd.iterdir() if p.name.startswith(pattern.split("%")[0])]
    assert bool(cores) == wanted, cores
    for name in cores:
        (amr.cwd / name).unlink()
