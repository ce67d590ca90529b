"""The bash, zsh and fish completions in completions/, driven through each shell's own
completion machinery: bash calls the function `complete -p amr` names with COMP_WORDS,
COMP_CWORD, COMP_LINE and COMP_POINT set and bash-completion loaded; zsh runs compinit in
an interactive zsh on a pseudo-terminal (zpty), presses TAB and records every match the
completion functions hand to compadd; fish answers `complete -C LINE`.

Checked in each shell: the commands, every option of every command (read from amr's own
--help), option values (formats, presets, output modes), files for --cacert and
--env-file, and channel names that come live from a real redis-server through `amr
channels`, with the connection options typed on the line, the environment or a .env.
When the server cannot be reached the static names come back, nothing is printed on
stderr, and amr ran under `timeout 2` with --connect-timeout 1 after the typed options
(how long completion takes is scripts/bench.sh's business, not a test's)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from amrtest import AMR_BIN, HANG, PATH, ROOT, missing, require_tools

COMPLETIONS = ROOT / "completions"
BASH_COMPLETION = Path("/usr/share/bash-completion/bash_completion")

COMMANDS = {"publish", "broadcast", "subscribe", "psubscribe", "ssubscribe", "request", "reply", "channels",
            "ping", "profile", "check", "top", "bench"}
LAB_CHANNELS = {"orders:created", "orders:shipped", "inventory:alerts", "notifications"}
PRESETS = {"order_created", "order_shipped", "inventory_low", "customer_notification", "system_announcement"}
SHELLS = ["bash", "zsh", "fish"]


@dataclass
class Completion:
    candidates: list[str]
    stderr: str

    @property
    def names(self) -> set[str]:
        return set(self.candidates)


# ----------------------------------------------------------------------------- bash

_BASH_DRIVER = r"""
if [[ $1 == with-bash-completion ]]; then
    source /usr/share/bash-completion/bash_completion || exit 90
fi
source "$2" || exit 91
COMP_LINE=$3
COMP_POINT=${#COMP_LINE}
shift 3
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
spec=$(complete -p amr) || exit 92
[[ $spec == *' -F '* ]] || exit 93
function=${spec#* -F }
function=${function%% *}
"$function" amr "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""


BREAKS = "=:><;|&("


def bash_words(line: str) -> list[str]:
    """COMP_WORDS as bash makes them: split at blanks outside quotes and not after a
    backslash, and every run of the COMP_WORDBREAKS characters =:><;|&( outside quotes
    is a word of its own ('orders:c' is three words)."""
    words: list[str] = []
    word, quote, escaped = "", "", False
    for ch in line:
        if escaped:
            word += ch
            escaped = False
            continue
        if ch == "\\" and quote != "'":
            word += ch
            escaped = True
            continue
        if quote:
            word += ch
            quote = "" if ch == quote else quote
            continue
        if ch in " \t":
            if word:
                words.append(word)
            word = ""
            continue
        if word and (ch in BREAKS) != (word[-1] in BREAKS):
            words.append(word)
            word = ""
        word += ch
        if ch in "'\"":
            quote = ch
    if word or not line or line[-1] in " \t":
        words.append(word)
    return words


# ----------------------------------------------------------------------------- zsh

# zsh -f THIS_SCRIPT FPATH_DIR DUMPFILE ERRFILE LINE: an interactive zsh on a
# pseudo-terminal with compinit and the completions of FPATH_DIR; TAB after LINE runs a
# completion widget (_main_complete) while a compadd wrapper prints every match it is
# given, then AMRDONE. The widget's stderr goes to ERRFILE. compinit reads DUMPFILE (made
# once, from FPATH_DIR, by Shells): scanning every completion file of the system takes
# about a second, each time.
_ZSH_DRIVER = r"""
zmodload zsh/zpty || exit 90
zpty z zsh -f -i || exit 91
zpty -w z "fpath=(${(q)1} \$fpath); autoload -U compinit; compinit -u -C -d ${(q)2}"
zpty -w z "PS1= PROMPT= RPROMPT=; AMR_ZSH_ERR=${(q)3}"
zpty -w z 'compadd() {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi
  local -a __amr_hits
  builtin compadd -O __amr_hits "$@"
  local __amr_hit
  for __amr_hit in "${__amr_hits[@]}"; do print -r -- "AMRCAND:$__amr_hit"; done
  builtin compadd "$@"
}'
zpty -w z '_amr_capture() { _main_complete 2>>$AMR_ZSH_ERR; print -r -- AMRDONE }'
zpty -w z 'zle -C amr-capture complete-word _amr_capture; bindkey "^I" amr-capture'
zpty -w z 'print -r -- AMR""READY'
local out
while zpty -r z out; do [[ $out == *AMRREADY* ]] && break; done
zpty -w -n z "$4"$'\t'
while zpty -r z out; do
  out=${out//$'\r'/}
  out=${out%$'\n'}
  if [[ $out == *AMRCAND:* ]]; then
    print -r -- "${out#*AMRCAND:}"
  elif [[ $out == *AMRDONE* ]]; then
    break
  fi
done
zpty -d z
"""

# ----------------------------------------------------------------------------- fish

_FISH_DRIVER = """
set -g fish_complete_path $argv[1]
source $argv[2]; or exit 90
complete -C $argv[3]
"""


class Shells:
    """Completes a command line in each shell, in amr's temporary working directory, with
    `amr` on PATH and only PATH, HOME, LANG (and TERM for zsh) in the environment."""

    def __init__(self, amr, tmp_path: Path, zsh_dump: Path) -> None:
        self.amr = amr
        self.zsh_dump = zsh_dump
        self.bin = tmp_path / "shell-bin"
        self.bin.mkdir()
        (self.bin / "amr").symlink_to(AMR_BIN)
        self.empty = tmp_path / "empty-dir"
        self.empty.mkdir()
        self.scripts = tmp_path / "drivers"
        self.scripts.mkdir()
        (self.scripts / "zsh-capture").write_text(_ZSH_DRIVER)
        self.errfile = tmp_path / "zsh-stderr"

    def env(self, extra: dict | None = None) -> dict:
        env = self.amr.env({"PATH": f"{self.bin}:{PATH}", "TERM": "xterm"})
        env.pop("AMR", None)
        env.update(extra or {})
        return env

    def trace_timeout(self) -> Path:
        """Puts a `timeout` on the shells' PATH that writes its arguments, one a line, to
        the file returned, and runs the real one."""
        log = self.bin.parent / "timeout-args"
        real = shutil.which("timeout", path=PATH)
        assert real, "timeout (coreutils) not found"
        wrapper = self.bin / "timeout"
        wrapper.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{log}'\nexec '{real}' \"$@\"\n")
        wrapper.chmod(0o755)
        return log

    def _run(self, argv: list[str], env: dict | None) -> subprocess.CompletedProcess:
        return subprocess.run(argv, capture_output=True, text=True, env=self.env(env), cwd=self.amr.cwd,
                              stdin=subprocess.DEVNULL, timeout=HANG)

    def bash(self, line: str, env: dict | None = None, bash_completion: bool = True) -> Completion:
        mode = "with-bash-completion" if bash_completion else "plain"
        proc = self._run(["bash", "--norc", "--noprofile", "-c", _BASH_DRIVER, "bash", mode,
                                   str(COMPLETIONS / "amr.bash"), line, *bash_words(line)], env)
        assert proc.returncode == 0, f"bash driver exit {proc.returncode}: {proc.stderr}"
        # COMPREPLY is inserted as it is, so names are quoted for the shell: unquote them.
        return Completion([re.sub(r"\\(.)", r"\1", c) for c in proc.stdout.split("\n") if c],
                          proc.stderr)

    def zsh(self, line: str, env: dict | None = None) -> Completion:
        if not self.zsh_dump.exists():
            proc = self._run(["zsh", "-f", "-c", f"fpath=({COMPLETIONS} $fpath); autoload -U compinit; "
                              f"compinit -u -d {self.zsh_dump}"], None)
            assert proc.returncode == 0 and self.zsh_dump.exists(), f"compinit: {proc.stderr}"
        self.errfile.write_text("")
        proc = self._run(["zsh", "-f", str(self.scripts / "zsh-capture"), str(COMPLETIONS),
                          str(self.zsh_dump), str(self.errfile), line], env)
        assert proc.returncode == 0, f"zsh driver exit {proc.returncode}: {proc.stderr}"
        return Completion(list(dict.fromkeys(c for c in proc.stdout.split("\n") if c)),
                          proc.stderr + self.errfile.read_text())

    def fish(self, line: str, env: dict | None = None) -> Completion:
        proc = self._run(["fish", "--no-config", "-c", _FISH_DRIVER, str(self.empty),
                          str(COMPLETIONS / "amr.fish"), line], env)
        assert proc.returncode == 0, f"fish driver exit {proc.returncode}: {proc.stderr}"
        return Completion([c.split("\t")[0] for c in proc.stdout.split("\n") if c], proc.stderr)

    def complete(self, shell: str, line: str, env: dict | None = None) -> Completion:
        return getattr(self, shell)(line, env)


def require_shell(shell: str) -> None:
    require_tools(shell)
    if shell == "bash" and not BASH_COMPLETION.is_file():
        missing(f"{BASH_COMPLETION} not found (Debian package bash-completion)")


@pytest.fixture(scope="session")
def zsh_dump(tmp_path_factory) -> Path:
    """Where the first zsh completion of the session leaves compinit's dump file."""
    return tmp_path_factory.mktemp("zsh") / "zcompdump"


@pytest.fixture
def shells(amr, tmp_path, zsh_dump) -> Shells:
    return Shells(amr, tmp_path, zsh_dump)


@pytest.fixture(params=SHELLS)
def shell(request) -> str:
    require_shell(request.param)
    return request.param


@pytest.fixture
def complete(shells, shell):
    """complete(LINE, env=None) -> Completion in the shell of the test's parameter."""
    return lambda line, env=None: shells.complete(shell, line, env)


def help_options(amr, *command: str) -> set[str]:
    """The options amr's --help lists (for the command, if given): -X and --long."""
    return set(amr.help_options(*command))


@pytest.fixture
def silent_port() -> int:
    """A loopback port that accepts connections (the kernel completes the handshake) and
    never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        yield s.getsockname()[1]


# ----------------------------------------------------------------------------- loading


def test_bash_registers_a_function_for_amr():
    require_shell("bash")
    proc = subprocess.run(["bash", "--norc", "-c", f"source {BASH_COMPLETION}; source "
                           f"{COMPLETIONS / 'amr.bash'}; complete -p amr"],
                          capture_output=True, text=True, timeout=HANG, env={"PATH": PATH})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "complete -F _amr amr"


def test_zsh_file_parses_and_compinit_binds_it_to_amr(tmp_path):
    require_shell("zsh")
    proc = subprocess.run(["zsh", "-n", str(COMPLETIONS / "_amr")], capture_output=True, text=True,
                          timeout=HANG)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run(["zsh", "-f", "-c", f"fpath=({COMPLETIONS} $fpath); autoload -U compinit; "
                           "compinit -u -D; print -r -- $_comps[amr]"],
                          capture_output=True, text=True, timeout=HANG,
                          env={"PATH": PATH, "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "_amr"


def test_zsh_connection_args_unquotes_and_keeps_only_connection_options(tmp_path):
    # The helper that turns the typed words into the options of `amr channels`.
    require_shell("zsh")
    script = (f"source {COMPLETIONS / '_amr'} 2>/dev/null; "
              "_amr_connection_args --url=redis://h:1 -H 'my host' -p6380 --no-tls subscribe "
              r"--count 3 -F json --cacert \~/ca.pem --env-file 'prod env' -v -- x; "
              "print -rl -- $reply")
    proc = subprocess.run(["zsh", "-f", "-c", script], capture_output=True, text=True, timeout=HANG,
                          env={"PATH": PATH, "HOME": str(tmp_path)})
    assert proc.stdout.splitlines() == ["--url=redis://h:1", "-H", "my host", "-p", "6380", "--no-tls",
                                        "--cacert", f"{tmp_path}/ca.pem", "--env-file", "prod env"]


# ----------------------------------------------------------------------------- commands and options


def test_commands(complete):
    c = complete("amr ")
    assert COMMANDS <= c.names
    assert not {n for n in c.names if not n.startswith("-")} - COMMANDS, c.candidates
    assert {"publish", "psubscribe", "ping", "profile"} == {n for n in complete("amr p").names}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_option_of_every_command(amr, complete, command):
    expected = (help_options(amr) | help_options(amr, command)) - {"--version"}
    c = complete(f"amr {command} -")
    assert expected <= c.names, f"not offered: {sorted(expected - c.names)}"


def test_global_options_before_the_command(amr, complete):
    c = complete("amr --")
    expected = {o for o in help_options(amr) if o.startswith("--")}
    assert expected <= c.names, f"not offered: {sorted(expected - c.names)}"
    assert "--preset" not in c.names and "--count" not in c.names


@pytest.mark.parametrize("command, has, has_not", [
    ("publish", {"--preset", "--raw", "--min-receivers", "--output", "--file", "--count", "--rate"}, {"--format", "--json", "--timeout"}),
    ("subscribe", {"--count", "--format", "--json", "--timeout"}, {"--preset", "--cluster", "--sharded"}),
    ("ssubscribe", {"--count", "--cluster"}, {"--preset", "--sharded"}),
    ("channels", {"--sharded", "--cluster", "--output"}, {"--count", "--preset"}),
    ("ping", {"--output"}, {"--count", "--preset", "--sharded"}),
    ("request", {"--replies", "--reply-to", "--reply-field", "--format", "--preset"}, {"--raw", "--output", "--echo"}),
    ("reply", {"--echo", "--pattern", "--reply-field", "--count"}, {"--preset", "--replies", "--format"}),
    ("bench", {"--publishers", "--rate", "--sharded", "--max-loss", "--output"}, {"--preset", "--count", "--format"}),
])
def test_options_belong_to_their_command(complete, command, has, has_not):
    c = complete(f"amr {command} --")
    assert has <= c.names, c.candidates
    assert not has_not & c.names, c.candidates


@pytest.mark.parametrize("line, values", [
    ("amr publish --preset ", PRESETS),
    ("amr broadcast --preset ", PRESETS),
    ("amr publish -o ", {"auto", "report", "count", "json"}),
    ("amr broadcast --output ", {"auto", "report", "count", "json"}),
    ("amr ping -o ", {"text", "json"}),
    ("amr channels --output ", {"text", "json"}),
    ("amr subscribe --format ", {"pretty", "json", "raw"}),
    ("amr psubscribe -F ", {"pretty", "json", "raw"}),
    ("amr request -F ", {"pretty", "json", "raw", "template"}),
    ("amr request --preset ", PRESETS),
    ("amr --url ", {"redis://", "rediss://"}),
])
def test_option_values(complete, line, values):
    c = complete(line)
    assert values <= c.names, c.candidates
    # The values, not a list of options or channels.
    assert not {n for n in c.names if n.startswith("-")}, c.candidates
    assert not LAB_CHANNELS & c.names, c.candidates


def test_output_values_are_those_of_the_command(complete):
    assert "report" not in complete("amr ping -o ").names
    assert "text" not in complete("amr publish -o ").names


def test_psubscribe_and_channels_offer_patterns(complete):
    assert {"orders:*", "inventory:*"} <= complete("amr psubscribe ").names
    assert {"orders:*", "inventory:*"} <= complete("amr channels ").names
    assert {"orders:*", "inventory:*"} <= complete("amr top ").names


@pytest.mark.parametrize("option", ["--cacert", "--env-file", "--cert", "--key", "subscribe --cacert",
                                    "publish --file", "broadcast --file"])
def test_files_for_options_that_take_a_file(amr, complete, option):
    (amr.cwd / "ca-bundle.pem").write_text("x\n")
    (amr.cwd / "prod.env").write_text("REDIS_HOST=x\n")
    c = complete(f"amr {option} ")
    assert {"ca-bundle.pem", "prod.env"} <= c.names, c.candidates
    assert {"ca-bundle.pem"} == complete(f"amr {option} ca").names


def test_channels_are_not_files(amr, complete):
    (amr.cwd / "orders-file").write_text("x\n")
    assert "orders-file" not in complete("amr subscribe ord").names


# ----------------------------------------------------------------------------- live channels


def test_live_channels_from_the_server_on_the_line(amr, complete, plain_server):
    amr.subscribe("live:chan:1", env=plain_server.env())
    flags = " ".join(plain_server.flags())
    for line in (f"amr {flags} subscribe ", f"amr {flags} publish ", f"amr {flags} broadcast -c ",
                 f"amr subscribe {flags} ", f"amr {flags} subscribe orders:created "):
        c = complete(line)
        assert "live:chan:1" in c.names, (line, c.candidates)
        assert LAB_CHANNELS <= c.names, (line, c.candidates)
        assert c.stderr == ""
    # After publish's channel comes the message, not another channel.
    assert "live:chan:1" not in complete(f"amr {flags} publish live:chan:1 ").names


def test_live_channels_match_what_is_typed(amr, shells, shell, plain_server):
    amr.subscribe("live:chan:1", "live:other", "elsewhere", env=plain_server.env())
    flags = " ".join(plain_server.flags())
    c = shells.complete(shell, f"amr {flags} subscribe live:c")
    # bash completes the part after the last ':' of the word (COMP_WORDBREAKS).
    assert c.candidates == (["chan:1"] if shell == "bash" else ["live:chan:1"])
    c = shells.complete(shell, f"amr {flags} subscribe l")
    assert c.names == {"live:chan:1", "live:other"}


@pytest.mark.parametrize("how", ["url", "environment", "env-file", "dotenv"])
def test_live_channels_with_the_connection_from(amr, complete, plain_server, how):
    amr.subscribe("live:chan:1", env=plain_server.env())
    env = None
    if how == "url":
        line = f"amr --url=redis://{plain_server.host}:{plain_server.port} publish "
    elif how == "environment":
        line, env = "amr publish ", plain_server.env()
    elif how == "env-file":
        env_file = amr.cwd / "conf dir" / "server.env"
        env_file.parent.mkdir()
        env_file.write_text(plain_server.env_file_text())
        env_file.chmod(0o600)
        line = "amr --env-file 'conf dir/server.env' publish "
    else:
        dotenv = amr.cwd / ".env"
        dotenv.write_text(plain_server.env_file_text())
        dotenv.chmod(0o600)
        line = "amr subscribe "
    c = complete(line, env)
    assert "live:chan:1" in c.names, c.candidates
    assert c.stderr == ""


def test_shard_channels_for_ssubscribe_and_sharded_publish(amr, complete, plain_server):
    amr.start("ssubscribe", "orders:{eu}", env=plain_server.env()).wait_subscribed()
    amr.subscribe("live:chan:1", env=plain_server.env())
    flags = " ".join(plain_server.flags())
    for line in (f"amr {flags} ssubscribe ", f"amr {flags} publish --sharded ",
                 f"amr {flags} broadcast --sharded -c "):
        c = complete(line)
        assert "orders:{eu}" in c.names, (line, c.candidates)
        assert not {"live:chan:1"} & c.names, "ordinary channels are not shard channels"
        assert not LAB_CHANNELS & c.names, (line, c.candidates)
    assert "orders:{eu}" not in complete(f"amr {flags} subscribe ").names
    assert "orders:{eu}" not in complete(f"amr {flags} publish ").names


def test_channel_names_are_never_evaluated(amr, complete, plain_server):
    marker = amr.cwd / "evaluated"
    name = f"x$(touch {marker})`touch {marker}`"
    amr.subscribe(name, env=plain_server.env())
    c = complete(f"amr {' '.join(plain_server.flags())} subscribe x")
    assert len(c.candidates) == 1, c.candidates
    assert not marker.exists()


def test_channel_names_with_blanks_are_quoted(amr, complete, plain_server):
    amr.subscribe("with space:1", env=plain_server.env())
    flags = " ".join(plain_server.flags())
    assert {"with space:1"} == complete(f"amr {flags} subscribe wi").names
    assert {"with space:1"} == complete(f"amr {flags} subscribe with\\ s").names


def assert_time_limited(timeout_args: Path, *typed: str) -> None:
    """amr ran once, as `timeout 2 amr TYPED... -q --connect-timeout 1 channels`, TYPED
    the connection options on the line: its only --connect-timeout is the completion's."""
    args = timeout_args.read_text().splitlines()
    assert args[0] == "2" and Path(args[1]).name == "amr", args
    assert args.count("channels") == 1 and args.index("channels") > 2, args
    assert args[2:args.index("channels")] == [*typed, "-q", "--connect-timeout", "1"], args


def test_unreachable_server_gives_the_lab_channels_quietly(shells, shell, closed_port):
    log = shells.trace_timeout()
    c = shells.complete(shell, f"amr -H 127.0.0.1 -p {closed_port} --no-tls subscribe ")
    assert c.names == LAB_CHANNELS, c.candidates
    assert c.stderr == ""
    assert_time_limited(log, "-H", "127.0.0.1", "-p", str(closed_port), "--no-tls")


def test_silent_server_gives_the_lab_channels_in_time(shells, shell, silent_port):
    # Connects, then no reply: only the short timeouts end it (the typed 60s, if amr got
    # it, would last as long as the test's deadline).
    log = shells.trace_timeout()
    c = shells.complete(shell, f"amr -H 127.0.0.1 -p {silent_port} --no-tls --connect-timeout 60 publish ")
    assert c.names == LAB_CHANNELS, c.candidates
    assert c.stderr == ""
    assert_time_limited(log, "-H", "127.0.0.1", "-p", str(silent_port), "--no-tls")


def test_no_amr_on_path_gives_the_lab_channels_quietly(shells, shell):
    c = shells.complete(shell, "amr -H 127.0.0.1 -p 1 subscribe ", env={"PATH": PATH})
    assert c.names == LAB_CHANNELS, c.candidates
    assert c.stderr == ""


# ----------------------------------------------------------------------------- profiles


def write_profiles(amr, *names: str, text: str = "REDIS_HOST=h\n") -> Path:
    """Writes ~/.config/amr/NAME.env for each name in the shells' HOME."""
    directory = amr.home / ".config" / "amr"
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        (directory / f"{name}.env").write_text(text)
        (directory / f"{name}.env").chmod(0o600)
    return directory


@pytest.mark.parametrize("line", ["amr --profile ", "amr subscribe --profile ", "amr profile show ",
                                  "amr profile path ", "amr -v profile show "])
def test_profile_names(amr, complete, line):
    write_profiles(amr, "prod", "staging", "eu.west-1")
    (amr.home / ".config" / "amr" / "notes.txt").write_text("x\n")
    c = complete(line)
    assert c.names == {"prod", "staging", "eu.west-1"}, c.candidates
    assert c.stderr == ""
    assert {"staging"} == complete(line + "st").names


def test_profile_names_from_xdg_config_home(amr, complete, tmp_path):
    write_profiles(amr, "home-profile")
    (tmp_path / "xdg" / "amr").mkdir(parents=True)
    (tmp_path / "xdg" / "amr" / "xdg-profile.env").write_text("REDIS_HOST=h\n")
    assert {"xdg-profile"} == complete("amr --profile ", {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}).names


def test_no_profiles_offers_nothing_quietly(complete):
    c = complete("amr --profile ")
    assert not {n for n in c.names if not n.startswith("-")} - {""}, c.candidates
    assert c.stderr == ""


def test_profile_subcommands(amr, complete):
    write_profiles(amr, "prod")
    assert {"list", "show", "path"} == complete("amr profile ").names
    assert "prod" not in complete("amr profile list ").names
    assert "prod" not in complete("amr profile show prod ").names
    assert {"--output", "-o"} <= complete("amr profile show -").names
    assert {"text", "json"} <= complete("amr profile list -o ").names


def test_live_channels_with_the_connection_from_a_profile(amr, complete, plain_server):
    amr.subscribe("live:chan:1", env=plain_server.env())
    write_profiles(amr, "local", text=plain_server.env_file_text())
    for line, env in (("amr --profile local subscribe ", None), ("amr --profile=local publish ", None),
                      ("amr subscribe ", {"AMR_PROFILE": "local"})):
        c = complete(line, env)
        assert "live:chan:1" in c.names, (line, c.candidates)
        assert c.stderr == ""


# ----------------------------------------------------------------------------- bash without bash-completion


def test_bash_without_bash_completion(amr, shells, plain_server):
    require_tools("bash")
    amr.subscribe("live:chan:1", env=plain_server.env())
    flags = " ".join(plain_server.flags())
    assert COMMANDS == shells.bash("amr ", bash_completion=False).names
    c = shells.bash(f"amr {flags} subscribe ", bash_completion=False)
    assert {"live:chan:1"} | LAB_CHANNELS == c.names
    assert ["chan:1"] == shells.bash(f"amr {flags} subscribe live:", bash_completion=False).candidates
    assert ["created"] == shells.bash("amr -p 1 publish orders:c", bash_completion=False).candidates
    assert c.stderr == ""
