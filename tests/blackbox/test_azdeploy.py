"""scripts/azdeploy.sh against a fake `az` on PATH.

The fake is a small Python script the tests write into a temporary bin/ folder: it
appends each call's arguments to a log (one JSON list per line) and answers from a JSON
state file the way the Azure CLI does (objects as JSON, `--query NAME -o tsv` as the
bare value, a missing resource as an error). Create calls change that state, so a menu
session sees its own work. Nothing here talks to Azure.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from amrtest import HANG, ROOT

AZDEPLOY = ROOT / "scripts" / "azdeploy.sh"
OBJECT_ID = "5f2b8c1e-3d4a-4b6c-9e7f-0a1b2c3d4e5f"
CLUSTER = "amr-exercise-" + hashlib.sha1(OBJECT_ID.encode()).hexdigest()[:8]
HOST = f"{CLUSTER}.eastus2.redis.azure.net"
KEY = "s3cretK3yWith+/and=Padding=="
TOKEN_COMMAND = "az account get-access-token --scope https://redis.azure.com/.default --query accessToken -o tsv"

FAKE_AZ = r'''#!/usr/bin/python3
import json, os, sys

args = sys.argv[1:]
with open(os.environ["FAKE_AZ_LOG"], "a") as log:
    log.write(json.dumps(args) + "\n")
state_path = os.environ["FAKE_AZ_STATE"]
with open(state_path) as f:
    state = json.load(f)

words = []
for a in args:
    if a.startswith("-"):
        break
    words.append(a)
cmd = " ".join(words)


def opt(name):
    return args[args.index(name) + 1] if name in args else None


def save():
    with open(state_path, "w") as f:
        json.dump(state, f)


def answer(obj):
    query = opt("--query")
    if query is not None:
        obj = obj.get(query) if isinstance(obj, dict) else None
    if opt("-o") == "tsv":
        if obj is not None:
            print(str(obj).lower() if isinstance(obj, bool) else obj)
    else:
        print(json.dumps(obj, indent=2))
    sys.exit(0)


def not_found(what):
    print(f"(ResourceNotFound) The Resource '{what}' was not found.", file=sys.stderr)
    sys.exit(3)


if cmd in state.get("fail", []):
    print(f"ERROR: (Conflict) {cmd} failed in the fake az", file=sys.stderr)
    sys.exit(1)
if cmd == "account show":
    if not state["logged_in"]:
        print("ERROR: Please run 'az login' to setup account.", file=sys.stderr)
        sys.exit(1)
    answer({"id": "00000000-0000-0000-0000-000000000001", "name": "test subscription"})
if cmd == "extension show":
    if not state["extension"]:
        print("ERROR: The extension redisenterprise is not installed.", file=sys.stderr)
        sys.exit(1)
    answer({"name": "redisenterprise", "version": "1.2.0"})
if cmd == "ad signed-in-user show":
    answer({"id": state["object_id"], "userPrincipalName": "ann@example.com"})
if cmd == "group exists":
    answer(opt("--name") in state["groups"])
if cmd == "group create":
    state["groups"].append(opt("--name"))
    save()
    answer({"name": opt("--name"), "location": opt("--location")})
if cmd == "group delete":
    state["groups"].remove(opt("--name"))
    save()
    sys.exit(0)
if cmd == "redisenterprise show":
    if state["cluster"] is None:
        not_found(opt("--name"))
    answer(state["cluster"])
if cmd == "redisenterprise create":
    state["cluster"] = {"name": opt("--name"), "provisioningState": "Creating",
                        "hostName": f"{opt('--name')}.{opt('--location')}.redis.azure.net"}
    save()
    sys.exit(0)
if cmd == "redisenterprise database show":
    if state["database"] is None:
        not_found("default")
    answer(state["database"])
if cmd == "redisenterprise database create":
    state["database"] = {"name": "default", "provisioningState": "Succeeded",
                         "accessKeysAuthentication": opt("--access-keys-auth") or "Disabled"}
    save()
    answer(state["database"])
if cmd == "redisenterprise database update":
    state["database"]["accessKeysAuthentication"] = opt("--access-keys-auth")
    save()
    answer(state["database"])
if cmd == "redisenterprise database list-keys":
    answer({"primaryKey": state["key"], "secondaryKey": "secondary" + state["key"]})
if cmd == "redisenterprise database access-policy-assignment show":
    if state["assignment"] is None:
        not_found(opt("--access-policy-assignment-name"))
    answer(state["assignment"])
if cmd == "redisenterprise database access-policy-assignment create":
    state["assignment"] = {"name": opt("--access-policy-assignment-name"), "provisioningState": "Succeeded",
                           "user": {"objectId": opt("--object-id")}}
    save()
    answer(state["assignment"])
print(f"fake az: unexpected call: {args}", file=sys.stderr)
sys.exit(2)
'''

# The calls every Azure step starts with.
PRECHECKS = [["account", "show"], ["extension", "show", "--name", "redisenterprise"],
             ["ad", "signed-in-user", "show", "--query", "id", "-o", "tsv"]]
CLUSTER_STATE = ["redisenterprise", "show", "--resource-group", "rg-amr", "--name", CLUSTER,
                 "--query", "provisioningState", "-o", "tsv"]
DATABASE_STATE = ["redisenterprise", "database", "show", "--resource-group", "rg-amr",
                  "--cluster-name", CLUSTER, "--query", "provisioningState", "-o", "tsv"]
CREATE = ["redisenterprise", "create", "--resource-group", "rg-amr", "--name", CLUSTER,
          "--location", "eastus2", "--sku", "Balanced_B0", "--public-network-access", "Enabled",
          "--no-database", "--no-wait"]
DATABASE_CREATE = ["redisenterprise", "database", "create", "--resource-group", "rg-amr",
                   "--cluster-name", CLUSTER, "--client-protocol", "Encrypted", "--clustering-policy",
                   "NoCluster", "--eviction-policy", "AllKeysLRU", "--port", "10000"]
HOST_NAME = ["redisenterprise", "show", "--resource-group", "rg-amr", "--name", CLUSTER,
             "--query", "hostName", "-o", "tsv"]
LIST_KEYS = ["redisenterprise", "database", "list-keys", "--cluster-name", CLUSTER,
             "--resource-group", "rg-amr", "--query", "primaryKey", "-o", "tsv"]
SUCCEEDED_CLUSTER = {"name": CLUSTER, "provisioningState": "Succeeded", "hostName": HOST}


class FakeAz:
    def __init__(self, tmp_path: Path) -> None:
        self.bin = tmp_path / "bin"
        self.bin.mkdir()
        az = self.bin / "az"
        az.write_text(FAKE_AZ)
        az.chmod(0o755)
        self.log = tmp_path / "az-calls.jsonl"
        self.log.touch()
        self.state_file = tmp_path / "az-state.json"
        self.cwd = tmp_path / "project"
        self.cwd.mkdir()
        self.set(logged_in=True, extension=True, object_id=OBJECT_ID, groups=[], cluster=None,
                 database=None, key=KEY, assignment=None, fail=[])

    def set(self, **changes) -> None:
        state = json.loads(self.state_file.read_text()) if self.state_file.exists() else {}
        state.update(changes)
        self.state_file.write_text(json.dumps(state))

    def state(self) -> dict:
        return json.loads(self.state_file.read_text())

    def calls(self) -> list[list[str]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def env(self, **extra: str) -> dict:
        return {"PATH": f"{self.bin}:/usr/bin:/bin", "HOME": str(self.cwd), "LANG": "C.UTF-8",
                "FAKE_AZ_LOG": str(self.log), "FAKE_AZ_STATE": str(self.state_file), **extra}

    def run(self, *args: str, stdin: str = "", env: dict | None = None, argv0=None,
            umask: int = 0o022) -> subprocess.CompletedProcess:
        return subprocess.run([*(argv0 or [str(AZDEPLOY)]), *args], input=stdin, capture_output=True,
                              text=True, cwd=self.cwd, env=env or self.env(), timeout=HANG,
                              preexec_fn=lambda: os.umask(umask))


@pytest.fixture
def az(tmp_path) -> FakeAz:
    return FakeAz(tmp_path)


def read_env(path: Path) -> dict:
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --------------------------------------------------------------------------- usage


def test_help_needs_no_az_and_names_every_command(az):
    proc = az.run("--help")
    assert proc.returncode == 0, proc.stderr
    for word in ("create", "status", "env", "delete", "--resource-group", "--location", "--entra",
                 "--env-file", "--profile", "--yes"):
        assert word in proc.stdout
    assert az.calls() == []


@pytest.mark.parametrize("args", [["bogus"], ["create", "status"], ["status", "--resource-group"],
                                  ["status"], ["--location", "x", "create"]])
def test_usage_errors_exit_2_before_calling_az(az, args):
    proc = az.run(*args)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert "azdeploy:" in proc.stderr
    assert az.calls() == []


def test_no_resource_group_says_how_to_give_one(az):
    proc = az.run("status")
    assert "--resource-group" in proc.stderr and "AMR_RESOURCE_GROUP" in proc.stderr


# --------------------------------------------------------------------------- prerequisites


def test_missing_az_exits_3(az, tmp_path):
    empty = tmp_path / "empty-path"
    empty.mkdir()
    proc = az.run("status", "-g", "rg-amr", argv0=["/bin/bash", str(AZDEPLOY)],
                  env={"PATH": str(empty), "HOME": str(az.cwd)})
    assert proc.returncode == 3, proc.stderr
    assert "az (the Azure CLI) not found" in proc.stderr
    assert proc.stdout == ""


def test_not_signed_in_exits_4_and_says_az_login(az):
    az.set(logged_in=False)
    proc = az.run("status", "-g", "rg-amr")
    assert proc.returncode == 4, proc.stderr
    assert "not signed in" in proc.stderr and "az login" in proc.stderr
    assert az.calls() == [["account", "show"]]


def test_missing_extension_exits_5_and_says_how_to_add_it(az):
    az.set(extension=False)
    proc = az.run("create", "-g", "rg-amr", "-l", "eastus2")
    assert proc.returncode == 5, proc.stderr
    assert "az extension add --name redisenterprise" in proc.stderr
    assert az.calls() == PRECHECKS[:2]


def test_a_login_without_a_signed_in_user_exits_4(az):
    az.set(object_id="")
    proc = az.run("status", "-g", "rg-amr")
    assert proc.returncode == 4, proc.stderr
    assert "object id" in proc.stderr
    assert az.calls() == PRECHECKS


# --------------------------------------------------------------------------- create


def test_create_makes_the_resource_group_then_the_resource(az):
    proc = az.run("create", "--resource-group", "rg-amr", "--location", "eastus2")
    assert proc.returncode == 0, proc.stderr
    assert az.calls() == PRECHECKS + [
        ["group", "exists", "--name", "rg-amr"],
        ["group", "create", "--name", "rg-amr", "--location", "eastus2"],
        CLUSTER_STATE,
        CREATE,
    ]
    assert proc.stdout == ""
    assert "5-10 minutes" in proc.stderr
    assert az.state()["cluster"]["provisioningState"] == "Creating"


def test_create_takes_group_and_location_from_the_environment(az):
    az.set(groups=["rg-amr"])
    proc = az.run("create", env=az.env(AMR_RESOURCE_GROUP="rg-amr", AMR_LOCATION="eastus2"))
    assert proc.returncode == 0, proc.stderr
    assert az.calls() == PRECHECKS + [["group", "exists", "--name", "rg-amr"], CLUSTER_STATE, CREATE]


def test_flags_override_the_environment(az):
    az.set(groups=["rg-amr"])
    proc = az.run("create", "-g", "rg-amr", "-l", "eastus2",
                  env=az.env(AMR_RESOURCE_GROUP="other-rg", AMR_LOCATION="westus"))
    assert proc.returncode == 0, proc.stderr
    assert az.calls()[-1] == CREATE


def test_create_leaves_an_existing_resource_alone(az):
    az.set(groups=["rg-amr"], cluster=SUCCEEDED_CLUSTER)
    proc = az.run("create", "-g", "rg-amr", "-l", "eastus2")
    assert proc.returncode == 0, proc.stderr
    assert CREATE not in az.calls()
    assert "already exists" in proc.stderr and "Succeeded" in proc.stderr


def test_create_after_a_failed_deployment_says_what_to_do(az):
    az.set(groups=["rg-amr"], cluster={**SUCCEEDED_CLUSTER, "provisioningState": "Failed"})
    proc = az.run("create", "-g", "rg-amr", "-l", "eastus2")
    assert proc.returncode == 1
    assert CREATE not in az.calls()
    assert f"az redisenterprise delete --resource-group rg-amr --name {CLUSTER}" in proc.stderr


def test_create_without_a_location_is_a_usage_error(az):
    proc = az.run("create", "-g", "rg-amr")
    assert proc.returncode == 2
    assert "--location" in proc.stderr
    assert az.calls() == PRECHECKS


def test_a_failing_az_command_exits_1_and_shows_its_error(az):
    az.set(groups=["rg-amr"], fail=["redisenterprise create"])
    proc = az.run("create", "-g", "rg-amr", "-l", "eastus2")
    assert proc.returncode == 1
    assert "(Conflict) redisenterprise create failed in the fake az" in proc.stderr
    assert az.calls()[-1] == CREATE


# --------------------------------------------------------------------------- status


@pytest.mark.parametrize("cluster,database,rc", [
    ("Succeeded", "Succeeded", 0),
    ("Succeeded", "Creating", 6),
    ("Succeeded", None, 6),
    ("Creating", None, 6),
])
def test_status_prints_both_provisioning_states(az, cluster, database, rc):
    az.set(cluster={**SUCCEEDED_CLUSTER, "provisioningState": cluster},
           database=database and {"name": "default", "provisioningState": database})
    proc = az.run("status", "-g", "rg-amr")
    assert proc.returncode == rc, proc.stderr
    assert proc.stdout == f"cluster {CLUSTER} {cluster}\ndatabase default {database or 'NotCreated'}\n"
    assert az.calls() == PRECHECKS + [CLUSTER_STATE, DATABASE_STATE]


def test_status_of_nothing_created(az):
    proc = az.run("status", "-g", "rg-amr")
    assert proc.returncode == 6
    assert proc.stdout == f"cluster {CLUSTER} NotCreated\ndatabase default NotCreated\n"
    assert az.calls() == PRECHECKS + [CLUSTER_STATE]


# --------------------------------------------------------------------------- env


def test_env_creates_the_database_and_writes_host_and_key_mode_600(az):
    az.set(cluster=SUCCEEDED_CLUSTER)
    # umask 0: only the script can keep the file private.
    proc = az.run("env", "-g", "rg-amr", umask=0)
    assert proc.returncode == 0, proc.stderr
    assert az.calls() == PRECHECKS + [CLUSTER_STATE, DATABASE_STATE,
                                      DATABASE_CREATE + ["--access-keys-auth", "Enabled"], HOST_NAME,
                                      LIST_KEYS]
    env_file = az.cwd / ".env"
    assert read_env(env_file) == {"REDIS_HOST": HOST, "REDIS_KEY": KEY}
    assert mode(env_file) == 0o600, oct(mode(env_file))
    assert proc.stdout == ".env\n"
    assert KEY not in proc.stdout + proc.stderr
    assert HOST in proc.stderr
    assert [p.name for p in az.cwd.iterdir()] == [".env"], "no temporary file is left"


def test_env_file_option_and_replacing_a_readable_file(az, tmp_path):
    az.set(cluster=SUCCEEDED_CLUSTER)
    target = tmp_path / "conf" / "prod.env"
    target.parent.mkdir()
    target.write_text("REDIS_HOST=old\nREDIS_KEY=old\n")
    target.chmod(0o644)
    proc = az.run("env", "-g", "rg-amr", "--env-file", str(target))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{target}\n"
    assert read_env(target) == {"REDIS_HOST": HOST, "REDIS_KEY": KEY}
    assert mode(target) == 0o600
    assert not (az.cwd / ".env").exists()


def test_env_profile_writes_the_profile_mode_600_in_a_private_directory(az):
    az.set(cluster=SUCCEEDED_CLUSTER)
    proc = az.run("env", "-g", "rg-amr", "--profile", "prod", umask=0)
    assert proc.returncode == 0, proc.stderr
    directory = az.cwd / ".config" / "amr"
    target = directory / "prod.env"
    assert proc.stdout == f"{target}\n"
    assert read_env(target) == {"REDIS_HOST": HOST, "REDIS_KEY": KEY}
    assert mode(target) == 0o600, oct(mode(target))
    assert mode(directory) == 0o700, oct(mode(directory))
    assert list(directory.iterdir()) == [target], "no temporary file is left"
    assert not (az.cwd / ".env").exists()
    assert KEY not in proc.stdout + proc.stderr


def test_env_profile_keeps_an_existing_directory_and_replaces_the_profile(az):
    az.set(cluster=SUCCEEDED_CLUSTER)
    directory = az.cwd / ".config" / "amr"
    directory.mkdir(parents=True)
    directory.chmod(0o750)
    (directory / "prod.env").write_text("REDIS_HOST=old\n")
    proc = az.run("env", "-g", "rg-amr", "--profile=prod")
    assert proc.returncode == 0, proc.stderr
    assert read_env(directory / "prod.env") == {"REDIS_HOST": HOST, "REDIS_KEY": KEY}
    assert mode(directory) == 0o750
    assert "replacing" in proc.stderr


@pytest.mark.parametrize("xdg, where", [("abs", "xdg/amr"), ("relative/conf", "project/.config/amr"),
                                        ("", "project/.config/amr")])
def test_env_profile_in_xdg_config_home_when_absolute(az, tmp_path, xdg, where):
    az.set(cluster=SUCCEEDED_CLUSTER)
    value = str(tmp_path / "xdg") if xdg == "abs" else xdg
    proc = az.run("env", "-g", "rg-amr", "--profile", "eu.west-1", env=az.env(XDG_CONFIG_HOME=value))
    assert proc.returncode == 0, proc.stderr
    target = tmp_path / where / "eu.west-1.env"
    assert proc.stdout == f"{target}\n"
    assert read_env(target)["REDIS_KEY"] == KEY


@pytest.mark.parametrize("args, says", [
    (["--profile", "../x"], "not a profile name"), (["--profile", "a/b"], "not a profile name"),
    (["--profile", ".hidden"], "not a profile name"), (["--profile=-x"], "not a profile name"),
    (["--profile", "a\x1bb"], "not a profile name"), (["--profile", "x" * 65], "not a profile name"),
    (["--profile="], "needs a value"), (["--profile"], "needs a value"),
    (["--profile", "p", "--env-file", "x.env"], "--profile and --env-file"),
    (["--env-file=x.env", "--profile=p"], "--profile and --env-file"),
])
def test_env_profile_usage_errors_write_nothing(az, args, says):
    proc = az.run("env", "-g", "rg-amr", *args)
    assert proc.returncode == 2, proc.stderr
    assert says in proc.stderr
    assert "\x1b" not in proc.stderr
    assert az.calls() == []
    assert list(az.cwd.iterdir()) == []


def test_env_profile_without_home_or_xdg_config_home(az):
    proc = az.run("env", "-g", "rg-amr", "--profile", "p", env=az.env(HOME="", XDG_CONFIG_HOME="rel"))
    assert proc.returncode == 2
    assert "HOME is not set" in proc.stderr
    assert az.calls() == []


def test_amr_reads_the_profile_azdeploy_writes(az, amr):
    az.set(cluster=SUCCEEDED_CLUSTER)
    assert az.run("env", "-g", "rg-amr", "--profile", "prod").returncode == 0
    home = {"HOME": str(az.cwd)}
    assert amr.run("profile", "list", env=home).stdout == "prod\n"
    r = amr.run("profile", "show", "prod", env=home)
    assert r.rc == 0, r
    assert r.lines == [f"REDIS_HOST={HOST}", "REDIS_KEY=<hidden>"]
    assert KEY not in r.stdout + r.stderr
    assert amr.run("profile", "path", "prod", env=home).stdout == f"{az.cwd}/.config/amr/prod.env\n"


def test_env_enables_access_keys_on_an_existing_database(az):
    az.set(cluster=SUCCEEDED_CLUSTER,
           database={"name": "default", "provisioningState": "Succeeded", "accessKeysAuthentication": "Disabled"})
    proc = az.run("env", "-g", "rg-amr")
    assert proc.returncode == 0, proc.stderr
    calls = az.calls()
    assert not any(c[:3] == ["redisenterprise", "database", "create"] for c in calls)
    assert ["redisenterprise", "database", "update", "--resource-group", "rg-amr", "--cluster-name", CLUSTER,
            "--access-keys-auth", "Enabled"] in calls
    assert calls[-1] == LIST_KEYS


def test_env_leaves_an_existing_database_with_access_keys_alone(az):
    az.set(cluster=SUCCEEDED_CLUSTER,
           database={"name": "default", "provisioningState": "Succeeded", "accessKeysAuthentication": "Enabled"})
    assert az.run("env", "-g", "rg-amr").returncode == 0
    assert not any(c[2:3] in (["create"], ["update"]) for c in az.calls())


def test_env_before_the_cluster_is_ready_writes_nothing(az):
    az.set(cluster={**SUCCEEDED_CLUSTER, "provisioningState": "Creating"})
    proc = az.run("env", "-g", "rg-amr")
    assert proc.returncode == 6
    assert "Creating" in proc.stderr
    assert az.calls() == PRECHECKS + [CLUSTER_STATE]
    assert not (az.cwd / ".env").exists()


def test_env_without_a_key_fails_and_writes_nothing(az):
    az.set(cluster=SUCCEEDED_CLUSTER, key="")
    proc = az.run("env", "-g", "rg-amr")
    assert proc.returncode == 1
    assert "access key" in proc.stderr
    assert not (az.cwd / ".env").exists()


def test_env_entra_assigns_the_default_access_policy_and_writes_a_token_command(az):
    az.set(cluster=SUCCEEDED_CLUSTER)
    proc = az.run("env", "--entra", "-g", "rg-amr", umask=0)
    assert proc.returncode == 0, proc.stderr
    assignment = ["--resource-group", "rg-amr", "--cluster-name", CLUSTER, "--database-name", "default",
                  "--access-policy-assignment-name", "useraccess"]
    assert az.calls() == PRECHECKS + [
        CLUSTER_STATE, DATABASE_STATE, DATABASE_CREATE,
        ["redisenterprise", "database", "access-policy-assignment", "show", *assignment,
         "--query", "provisioningState", "-o", "tsv"],
        ["redisenterprise", "database", "access-policy-assignment", "create", *assignment,
         "--access-policy-name", "default", "--object-id", OBJECT_ID],
        HOST_NAME,
    ]
    env_file = az.cwd / ".env"
    text = env_file.read_text()
    assert f"REDIS_TOKEN_COMMAND='{TOKEN_COMMAND}'\n" in text
    assert read_env(env_file) == {"REDIS_HOST": HOST, "REDIS_USER": OBJECT_ID,
                                  "REDIS_TOKEN_COMMAND": f"'{TOKEN_COMMAND}'"}
    assert "REDIS_KEY" not in text
    assert mode(env_file) == 0o600


def test_env_entra_keeps_an_existing_assignment(az):
    az.set(cluster=SUCCEEDED_CLUSTER, database={"name": "default", "provisioningState": "Succeeded"},
           assignment={"name": "useraccess", "provisioningState": "Succeeded"})
    proc = az.run("env", "--entra", "-g", "rg-amr")
    assert proc.returncode == 0, proc.stderr
    assert not any("create" in c or "update" in c for c in az.calls())
    assert "REDIS_USER=" + OBJECT_ID in (az.cwd / ".env").read_text()


# --------------------------------------------------------------------------- delete


def test_delete_yes_deletes_the_resource_group_without_asking(az):
    az.set(groups=["rg-amr"])
    proc = az.run("delete", "-g", "rg-amr", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert az.calls() == [["account", "show"], ["group", "delete", "--name", "rg-amr", "--yes", "--no-wait"]]
    assert az.state()["groups"] == []


@pytest.mark.parametrize("answer,deleted", [("y\n", True), ("yes\n", True), ("n\n", False), ("\n", False),
                                            ("", False)])
def test_delete_asks_first(az, answer, deleted):
    az.set(groups=["rg-amr"])
    proc = az.run("delete", "-g", "rg-amr", stdin=answer)
    assert "delete resource group 'rg-amr'" in proc.stderr
    assert proc.returncode == (0 if deleted else 1), proc.stderr
    delete = ["group", "delete", "--name", "rg-amr", "--yes", "--no-wait"]
    assert (delete in az.calls()) is deleted


# --------------------------------------------------------------------------- menu


def test_menu_1_enter_4_starts_the_deployment(az):
    proc = az.run("-g", "rg-amr", "-l", "eastus2", stdin="1\n\n4\n")
    assert proc.returncode == 0, proc.stderr
    assert "1. Create Azure Managed Redis resource" in proc.stderr
    assert f"Cache Name: {CLUSTER}" in proc.stderr
    assert "Press Enter to continue" in proc.stderr
    assert az.calls()[-1] == CREATE
    assert proc.stdout == ""


def test_menu_status_then_env_then_exit(az):
    az.set(groups=["rg-amr"], cluster=SUCCEEDED_CLUSTER)
    proc = az.run("--resource-group", "rg-amr", stdin="2\n\n3\n\n4\n", umask=0)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"cluster {CLUSTER} Succeeded\ndatabase default NotCreated\n"
    assert read_env(az.cwd / ".env") == {"REDIS_HOST": HOST, "REDIS_KEY": KEY}
    assert mode(az.cwd / ".env") == 0o600
    assert KEY not in proc.stderr


def test_menu_survives_a_bad_choice_and_a_failing_step_and_ends_at_eof(az):
    az.set(cluster={**SUCCEEDED_CLUSTER, "provisioningState": "Creating"})
    proc = az.run("-g", "rg-amr", stdin="9\n\n3\n\n")
    assert proc.returncode == 0, proc.stderr
    assert "invalid option '9'" in proc.stderr
    assert "not ready" in proc.stderr
    assert proc.stderr.count("4. Exit") == 3
    assert not (az.cwd / ".env").exists()
