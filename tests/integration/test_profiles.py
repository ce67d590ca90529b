"""Profiles end to end: --profile NAME and AMR_PROFILE read
${XDG_CONFIG_HOME:-~/.config}/amr/NAME.env in place of ./.env, against real servers
(plain, and one with a password); their precedence against flags, the environment and
--env-file; the directory from XDG_CONFIG_HOME or HOME; the permission warning; `amr
profile list|show|path`, with secrets that never reach stdout or stderr; names that are
not plain and profiles that do not exist."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amrtest import expect, unique

MESSAGE = '{"ok":true}'


def profile_dir(amr) -> Path:
    return amr.home / ".config" / "amr"


def write_profile(directory: Path, name: str, values: dict, mode: int = 0o600) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.env"
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    path.chmod(mode)
    return path


@pytest.fixture
def profiles(amr):
    """write(name, values, mode=0o600) writes ~/.config/amr/NAME.env in amr's HOME."""
    return lambda name, values, mode=0o600: write_profile(profile_dir(amr), name, values, mode)


def assert_usage_error(r, *words: str) -> None:
    expect(r, 2)
    assert r.stdout == ""
    for word in words:
        assert word in r.stderr, r


# ----------------------------------------------------------------------------- reading a profile


@pytest.mark.parametrize("how", ["flag", "flag=", "environment"])
def test_a_profile_reaches_a_plain_server(amr, plain_server, profiles, how):
    profiles("local", plain_server.env())
    if how == "environment":
        r = amr.run("ping", env={"AMR_PROFILE": "local"})
    else:
        r = amr.run(*(["--profile", "local"] if how == "flag" else ["--profile=local"]), "ping")
    expect(r, 0)
    assert r.stdout.startswith(f"PONG from {plain_server.host}:{plain_server.port}")
    assert r.stderr == ""


def test_a_profile_with_a_password_publishes_and_subscribes(amr, auth_server, profiles):
    profiles("secure", auth_server.env())
    channel = unique()
    sub = amr.start("--profile", "secure", "subscribe", "-F", "raw", "--count", "1", channel)
    sub.wait_subscribed()
    r = expect(amr.run("publish", channel, MESSAGE, env={"AMR_PROFILE": "secure"}), 0)
    assert r.stdout == "1\n"
    assert sub.wait() == 0
    assert sub.stdout == MESSAGE + "\n"
    assert auth_server.password not in sub.stderr + r.stderr


def test_a_profile_with_a_password_in_its_url(amr, auth_server, profiles):
    profiles("url", {"REDIS_URL": f"redis://:{auth_server.password}@{auth_server.host}:{auth_server.port}"})
    expect(amr.run("--profile", "url", "ping"), 0)


def test_a_wrong_password_in_the_profile_is_an_auth_failure(amr, auth_server, profiles):
    profiles("secure", {**auth_server.env(), "REDIS_KEY": "wrong"})
    r = expect(amr.run("--profile", "secure", "ping"), 4)
    assert "wrong" not in r.stderr


def test_the_profile_replaces_dotenv(amr, auth_server, profiles, closed_port):
    # ./.env points elsewhere and names a user the server does not know: read, it fails.
    (amr.cwd / ".env").write_text(f"REDIS_HOST=127.0.0.1\nREDIS_PORT={closed_port}\nREDIS_USER=nobody\n")
    profiles("secure", auth_server.env())
    expect(amr.run("ping"), 3)
    expect(amr.run("--profile", "secure", "ping"), 0)
    expect(amr.run("ping", env={"AMR_PROFILE": "secure"}), 0)


def test_flags_and_the_environment_beat_the_profile(amr, auth_server, profiles, closed_port):
    profiles("stale", {**auth_server.env(), "REDIS_PORT": closed_port})
    expect(amr.run("--profile", "stale", "ping"), 3)
    expect(amr.run("--profile", "stale", "-p", str(auth_server.port), "ping"), 0)
    expect(amr.run("--profile", "stale", "ping", env={"REDIS_PORT": str(auth_server.port)}), 0)
    profiles("wrong-key", {**auth_server.env(), "REDIS_KEY": "wrong"})
    expect(amr.run("--profile", "wrong-key", "ping", env={"REDIS_KEY": auth_server.password}), 0)


def test_the_profile_fills_what_the_environment_leaves_out(amr, auth_server, profiles):
    profiles("secure", {"REDIS_KEY": auth_server.password, "REDIS_TLS": "false"})
    expect(amr.run("--profile", "secure", "ping",
                   env={"REDIS_HOST": auth_server.host, "REDIS_PORT": str(auth_server.port)}), 0)


def test_the_flag_beats_amr_profile(amr, plain_server, profiles, closed_port):
    profiles("good", plain_server.env())
    profiles("bad", {**plain_server.env(), "REDIS_PORT": closed_port})
    expect(amr.run("ping", env={"AMR_PROFILE": "bad"}), 3)
    expect(amr.run("--profile", "good", "ping", env={"AMR_PROFILE": "bad"}), 0)
    # Even a missing or malformed AMR_PROFILE gives way to the flag.
    expect(amr.run("--profile", "good", "ping", env={"AMR_PROFILE": "../nothing"}), 0)


def test_env_file_options_beat_amr_profile(amr, plain_server, profiles):
    env_file = amr.cwd / "other.env"
    env_file.write_text(plain_server.env_file_text())
    # AMR_PROFILE names a profile that does not exist: not read at all.
    expect(amr.run("--env-file", str(env_file), "ping", env={"AMR_PROFILE": "missing"}), 0)
    expect(amr.run("--no-env-file", "ping", env={"AMR_PROFILE": "missing", **plain_server.env()}), 0)


def test_an_empty_amr_profile_counts_as_unset(amr, plain_server):
    (amr.cwd / ".env").write_text(plain_server.env_file_text())
    expect(amr.run("ping", env={"AMR_PROFILE": ""}), 0)


@pytest.mark.parametrize("other", [["--env-file", "x.env"], ["--no-env-file"]])
def test_profile_with_an_env_file_option_is_a_usage_error(amr, plain_server, profiles, other):
    profiles("local", plain_server.env())
    r = amr.run("--profile", "local", *other, "ping")
    assert_usage_error(r, "--profile", other[0])


# ----------------------------------------------------------------------------- where profiles live


def test_xdg_config_home_holds_the_profiles(amr, plain_server, tmp_path, closed_port):
    xdg = tmp_path / "xdg"
    write_profile(xdg / "amr", "p", plain_server.env())
    write_profile(profile_dir(amr), "p", {**plain_server.env(), "REDIS_PORT": closed_port})
    expect(amr.run("--profile", "p", "ping", env={"XDG_CONFIG_HOME": str(xdg)}), 0)
    r = expect(amr.run("profile", "path", "p", env={"XDG_CONFIG_HOME": str(xdg)}), 0)
    assert r.stdout == f"{xdg}/amr/p.env\n"


def test_a_relative_xdg_config_home_is_ignored(amr, plain_server, closed_port):
    # As the XDG specification says: only absolute paths count; ~/.config is used.
    write_profile(amr.cwd / "rel" / "amr", "p", {**plain_server.env(), "REDIS_PORT": closed_port})
    write_profile(profile_dir(amr), "p", plain_server.env())
    expect(amr.run("--profile", "p", "ping", env={"XDG_CONFIG_HOME": "rel"}), 0)
    r = expect(amr.run("profile", "path", "p", env={"XDG_CONFIG_HOME": "rel"}), 0)
    assert r.stdout == f"{amr.home}/.config/amr/p.env\n"


@pytest.mark.parametrize("xdg", [None, "", "relative"])
def test_no_home_and_no_xdg_config_home_is_a_clear_error(amr, xdg):
    env = {"HOME": ""}
    if xdg is not None:
        env["XDG_CONFIG_HOME"] = xdg
    for args in (["--profile", "p", "ping"], ["profile", "list"], ["profile", "path", "p"]):
        r = amr.run(*args, env=env)
        assert_usage_error(r, "HOME is not set")
    # Without a profile, HOME is not needed.
    assert "HOME" not in amr.run("-H", "127.0.0.1", "-p", "1", "--no-tls", "ping", env=env).stderr


def test_a_readable_profile_with_a_secret_gets_the_warning(amr, auth_server, profiles):
    path = profiles("secure", auth_server.env(), mode=0o644)
    r = expect(amr.run("--profile", "secure", "ping"), 0)
    assert f"amr: warning: {path} is readable by other users (mode 0644); chmod 600 {path}\n" in r.stderr
    path.chmod(0o600)
    assert "readable" not in expect(amr.run("--profile", "secure", "ping"), 0).stderr
    # show reads the profile as --profile does: the same warning.
    path.chmod(0o640)
    assert f"{path} is readable by other users (mode 0640)" in amr.run("profile", "show", "secure").stderr


def test_a_malformed_profile_names_its_file_and_line(amr, profiles):
    path = profiles("broken", {"REDIS_HOST": "h"})
    path.write_text("REDIS_HOST=h\nREDIS_KEY='s3cret-value\n")
    for r in (amr.run("--profile", "broken", "ping"), amr.run("profile", "show", "broken")):
        assert_usage_error(r, f"{path}:2: missing closing quote")
        assert "s3cret" not in r.stderr


def test_a_profile_that_is_a_directory(amr):
    (profile_dir(amr) / "dir.env").mkdir(parents=True)
    assert_usage_error(amr.run("--profile", "dir", "ping"), "dir.env is not a file (a directory)")


# ----------------------------------------------------------------------------- names and missing profiles


BAD_NAMES = ["../x", "a/b", "", ".hidden", "..", "-x", "a b", "a\x1b[2Jb", "a\x07", "x" * 65, "caf\u00e9"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_name_that_is_not_plain_is_a_usage_error(amr, plain_server, name):
    # What the name would reach outside the directory exists and works: never read.
    write_profile(amr.home / ".config", "x", plain_server.env())
    write_profile(amr.home / ".config" / "amr" / "a", "b", plain_server.env())
    # --profile=NAME: a separate empty word, since CLI11 takes `--profile= ping` as --profile ping.
    flag = ["--profile", name] if name == "" else ["--profile=" + name]
    for args, env, origin in (([*flag, "ping"], None, "--profile"),
                              (["ping"], {"AMR_PROFILE": name}, "AMR_PROFILE"),
                              (["profile", "show", "--", name], None, "NAME"),
                              (["profile", "path", "--", name], None, "NAME")):
        if env and name == "":
            continue  # an empty AMR_PROFILE is unset
        r = amr.run(*args, env=env)
        assert_usage_error(r, origin)
        assert "\x1b" not in r.stderr and "\x07" not in r.stderr
        if name == "a\x1b[2Jb":
            assert "'a\\x1b[2Jb' is not a profile name" in r.stderr, r
        assert "not a profile name" in r.stderr or "the profile name is empty" in r.stderr


def test_a_missing_profile_names_its_path_and_the_profiles_there(amr, profiles):
    r = amr.run("--profile", "prod", "ping")
    assert_usage_error(r, f"--profile: no profile 'prod': {profile_dir(amr)}/prod.env does not exist",
                       "no profiles in")
    profiles("production", {"REDIS_HOST": "h"})
    profiles("staging", {"REDIS_HOST": "h"})
    r = amr.run("ping", env={"AMR_PROFILE": "qa"})
    assert_usage_error(r, "AMR_PROFILE: no profile 'qa'", "the profiles are: production, staging")
    r = amr.run("--profile", "stagin", "ping")
    assert_usage_error(r, "did you mean 'staging'?")
    r = amr.run("--profile", "staging.env", "ping")
    assert_usage_error(r, "a profile is named without .env: --profile staging")
    assert_usage_error(amr.run("profile", "show", "prod"), "NAME: no profile 'prod'")


# ----------------------------------------------------------------------------- amr profile


def test_list_without_a_directory_prints_nothing(amr):
    r = expect(amr.run("profile", "list"), 0)
    assert r.stdout == "" and r.stderr == ""
    r = expect(amr.run("profile", "list", "-o", "json"), 0)
    assert json.loads(r.stdout) == {"directory": f"{profile_dir(amr)}", "profiles": []}


def test_list_prints_the_names_sorted(amr, profiles):
    for name in ("prod", "dev", "eu.west-1", "Zeta"):
        profiles(name, {"REDIS_HOST": "h"})
    (profile_dir(amr) / "notes.txt").write_text("x\n")
    (profile_dir(amr) / ".hidden.env").write_text("x\n")
    (profile_dir(amr) / "sub.env").mkdir()
    r = expect(amr.run("profile", "list"), 0)
    assert r.stdout == "Zeta\ndev\neu.west-1\nprod\n"
    r = expect(amr.run("profile", "list", "-o", "json"), 0)
    assert json.loads(r.stdout)["profiles"] == ["Zeta", "dev", "eu.west-1", "prod"]


def test_path_prints_the_path_whether_it_exists_or_not(amr, profiles):
    r = expect(amr.run("profile", "path", "new"), 0)
    assert r.stdout == f"{profile_dir(amr)}/new.env\n"
    assert not profile_dir(amr).exists(), "path creates nothing"
    profiles("new", {"REDIS_HOST": "h"})
    assert expect(amr.run("profile", "path", "new"), 0).stdout == f"{profile_dir(amr)}/new.env\n"


def test_show_prints_the_settings_with_secrets_hidden(amr, profiles):
    secret, url_secret, token_secret, other_secret = (unique("key").replace(":", "-") for _ in range(4))
    profiles("prod", {"REDIS_HOST": "amr-x.eastus2.redis.azure.net", "REDIS_PORT": "10000",
                      "REDIS_KEY": secret, "REDIS_USER": "alice", "REDIS_TLS": "true",
                      "REDIS_URL": f"rediss://alice:{url_secret}@amr-x.eastus2.redis.azure.net:10000",
                      "REDIS_TOKEN_COMMAND": f"echo {token_secret}", "MY_API_TOKEN": other_secret})
    r = expect(amr.run("profile", "show", "prod"), 0)
    assert r.lines == [
        "MY_API_TOKEN=<hidden>",
        "REDIS_HOST=amr-x.eastus2.redis.azure.net",
        "REDIS_KEY=<hidden>",
        "REDIS_PORT=10000",
        "REDIS_TLS=true",
        "REDIS_TOKEN_COMMAND=<hidden>",
        "REDIS_URL=rediss://alice:<hidden>@amr-x.eastus2.redis.azure.net:10000",
        "REDIS_USER=alice",
    ]
    j = expect(amr.run("profile", "show", "prod", "-o", "json"), 0)
    doc = json.loads(j.stdout)
    assert doc["name"] == "prod" and doc["path"] == f"{profile_dir(amr)}/prod.env"
    assert doc["settings"]["REDIS_KEY"] == "<hidden>"
    assert doc["settings"]["REDIS_HOST"] == "amr-x.eastus2.redis.azure.net"
    profiles("cli-style", {"REDIS_URL": f"redis://{secret}@h:6379"})
    cli_style = expect(amr.run("profile", "show", "cli-style"), 0)
    assert cli_style.stdout == "REDIS_URL=redis://<hidden>@h:6379\n"
    for run in (r, j, cli_style, amr.run("-v", "profile", "show", "prod"),
                amr.run("-v", "--profile", "prod", "profile", "list")):
        for s in (secret, url_secret, token_secret, other_secret):
            assert s not in run.stdout + run.stderr, run


def test_show_escapes_control_bytes_and_keeps_one_line_per_setting(amr, profiles):
    path = profiles("odd", {"REDIS_HOST": "h"})
    path.write_text('REDIS_HOST="a\\nb\x1b[2Jc"\nREDIS_USER=u\n')
    r = expect(amr.run("profile", "show", "odd"), 0)
    assert r.lines == ["REDIS_HOST=a\\nb\\x1b[2Jc", "REDIS_USER=u"]


def test_show_of_an_empty_profile(amr, profiles):
    profiles("empty", {})
    r = expect(amr.run("profile", "show", "empty"), 0)
    assert r.stdout == ""


@pytest.mark.parametrize("args", [["profile"], ["profile", "show"], ["profile", "path"],
                                  ["profile", "bogus"], ["profile", "list", "-o", "yaml"]])
def test_profile_usage_errors(amr, args):
    expect(amr.run(*args), 2)


def test_profile_help_names_the_subcommands_and_the_directory(amr):
    r = expect(amr.run("profile", "--help"), 0)
    for word in ("list", "show", "path", "XDG_CONFIG_HOME", "AMR_PROFILE"):
        assert word in r.stdout
    assert "--profile NAME" in expect(amr.run("--help"), 0).stdout
