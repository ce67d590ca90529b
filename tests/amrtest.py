"""Helpers for the integration and black-box tests of build/amr.

Real redis-server processes on free loopback ports in temporary folders, certificates
made at test time with the openssl CLI, a runner for amr with a clean environment, and
background processes whose stderr can be awaited ("[+] Subscribed ...").

Nothing here asserts on time: the deadlines below only turn a hang into a failure.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

import pytest
from respclient import RespClient, RespError

ROOT = Path(__file__).resolve().parent.parent
_bin = Path(os.environ.get("AMR_BIN") or "build/amr")
AMR_BIN = (_bin if _bin.is_absolute() else ROOT / _bin).resolve()
CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")

# How long a command may run before the test fails as hung (not a timing assertion).
HANG = float(os.environ.get("AMR_TEST_HANG") or 60)
PATH = os.environ.get("PATH") or "/usr/local/bin:/usr/bin:/bin"

SUBSCRIBED = "[+] Subscribed"

# A sanitized amr (scripts/sanitize.sh, docs/TESTING.md) writes its reports as files
# report.<pid> here, one folder per pytest process, where conftest.py's sanitizer_reports
# fixture looks after every test: amr's environment is clean, so the runtimes' options
# reach it only through sanitizer_env(). AMR_SANITIZER_LOGS names the parent folder.
SANITIZER_LOGS = Path(os.environ.get("AMR_SANITIZER_LOGS") or "/tmp/amr-sanitizer-logs").resolve() / (
    f"pytest-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}")


def sanitizer_env() -> dict[str, str]:
    """ASAN_OPTIONS, UBSAN_OPTIONS, LSAN_OPTIONS and TSAN_OPTIONS for every process the
    tests start: this process's (scripts/sanitize.sh sets them) with log_path in
    SANITIZER_LOGS. Programs without a sanitizer ignore them."""
    SANITIZER_LOGS.mkdir(parents=True, exist_ok=True)
    return {name: ":".join(filter(None, (os.environ.get(name), f"log_path={SANITIZER_LOGS}/report")))
            for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS")}


def missing(what: str) -> None:
    """A missing tool or server: a failure under CI, a skip elsewhere."""
    if CI:
        pytest.fail(f"{what} (CI=true: missing test dependencies are failures)", pytrace=False)
    pytest.skip(what)


def require_tools(*names: str) -> None:
    for name in names:
        if shutil.which(name, path=PATH) is None:
            missing(f"{name} not found on PATH (Debian: scripts/test.sh installs it as root)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ClosedPort:
    """A loopback port that is bound but not listening, so connecting is refused and no
    other process can take it while the test runs."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = HANG,
               detail: Callable[[], str] | None = None) -> None:
    """Polls predicate until it holds; fails the test (as hung) when it never does, with
    what detail() says then (a subscriber's stderr, say)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            said = f"\n{detail()}" if detail else ""
            raise AssertionError(f"still waiting for {what} after {timeout:.0f}s{said}")
        time.sleep(0.02)


def unique(prefix: str = "amrtest") -> str:
    return f"{prefix}:{secrets.token_hex(4)}"


# --------------------------------------------------------------------------- certificates

_OPENSSL_CNF = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = ${ENV::AMR_TEST_SAN}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def _openssl(args: Sequence[str], cwd: Path, env: dict | None = None) -> None:
    proc = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=HANG)
    if proc.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed: {proc.stderr}")


class CertificateAuthority:
    """A CA made with the openssl CLI; issue() signs server certificates with given SANs."""

    def __init__(self, directory: Path, name: str) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.cnf = self.dir / "openssl.cnf"
        self.cnf.write_text(_OPENSSL_CNF)
        self.cert = self.dir / "ca.crt"
        self.key = self.dir / "ca.key"
        _openssl(["req", "-x509", "-new", "-nodes", "-newkey", "ec", "-pkeyopt",
                  "ec_paramgen_curve:prime256v1", "-keyout", str(self.key), "-out", str(self.cert),
                  "-days", "30", "-subj", f"/CN={name}", "-config", str(self.cnf),
                  "-extensions", "v3_ca"], self.dir, {"AMR_TEST_SAN": "DNS:unused"})

    def issue(self, stem: str, sans: Iterable[str], cn: str = "amr test server",
              extensions: str = "v3_server") -> tuple[Path, Path]:
        cert, key, csr = (self.dir / f"{stem}.crt", self.dir / f"{stem}.key", self.dir / f"{stem}.csr")
        env = {"AMR_TEST_SAN": ",".join(sans)}
        _openssl(["req", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                  "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={cn}", "-config", str(self.cnf)],
                 self.dir, env)
        _openssl(["x509", "-req", "-in", str(csr), "-CA", str(self.cert), "-CAkey", str(self.key),
                  "-set_serial", str(secrets.randbits(63)), "-days", "30", "-out", str(cert),
                  "-extfile", str(self.cnf), "-extensions", extensions], self.dir, env)
        csr.unlink()
        return cert, key


class Pki:
    """Everything the TLS tests need, made once per session."""

    def __init__(self, directory: Path) -> None:
        self.ca = CertificateAuthority(directory / "ca", "amr test CA")
        self.server_cert, self.server_key = self.ca.issue("localhost", ["DNS:localhost", "IP:127.0.0.1"],
                                                          cn="localhost")
        # Trusted chain, wrong name: only host name verification can reject it.
        self.other_cert, self.other_key = self.ca.issue("other", ["DNS:other.example"], cn="other.example")
        # A CA the client is never told about, with a certificate that is right in every
        # other way.
        self.rogue_ca = CertificateAuthority(directory / "rogue", "amr rogue CA")
        self.rogue_cert, self.rogue_key = self.rogue_ca.issue("localhost", ["DNS:localhost", "IP:127.0.0.1"],
                                                              cn="localhost")
        # For servers that demand client certificates (tls-auth-clients yes).
        self.client_cert, self.client_key = self.ca.issue("client", ["DNS:unused"], cn="amr test client",
                                                          extensions="v3_client")


# --------------------------------------------------------------------------- redis-server


class RedisServer:
    """A redis-server child process on a free loopback port."""

    def __init__(self, directory: Path, *, tls: bool = False, password: str | None = None,
                 cert: Path | None = None, key: Path | None = None, ca: Path | None = None,
                 extra_conf: Iterable[str] = (), port: int | None = None,
                 client_cert: tuple[Path, Path] | None = None) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.tls = tls
        self.password = password
        self.cert, self.key, self.ca = cert, key, ca
        self.extra_conf = list(extra_conf)
        self.fixed_port = port
        self.client_cert = client_cert  # what redis-cli presents, when the server asks
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.client: RespClient | None = None
        self.log = self.dir / "redis.log"
        # The name amr connects to; certificates carry DNS:localhost.
        self.host = "localhost"

    # The conf file holds the password, so it is mode 600 and never on a command line.
    def _write_conf(self) -> Path:
        lines = ["bind 127.0.0.1", "protected-mode no", f"dir {self.dir}", 'save ""', "appendonly no",
                 "daemonize no", 'logfile ""', "databases 1"]
        if self.tls:
            lines += ["port 0", f"tls-port {self.port}", f"tls-cert-file {self.cert}",
                      f"tls-key-file {self.key}", f"tls-ca-cert-file {self.ca}", "tls-auth-clients no"]
        else:
            lines += [f"port {self.port}"]
        if self.password is not None:
            lines.append(f"requirepass {self.password}")
        # "{free_port}" takes a fresh port at each attempt (a cluster bus port, say).
        lines += [line.replace("{free_port}", str(free_port())) for line in self.extra_conf]
        conf = self.dir / "redis.conf"
        conf.touch(mode=0o600)
        conf.write_text("\n".join(lines) + "\n")
        return conf

    def start(self) -> "RedisServer":
        if shutil.which("redis-server", path=PATH) is None:
            missing("redis-server not found (Debian package redis-server)")
        last_log = ""
        for _ in range(5):
            self.port = self.fixed_port or free_port()
            conf = self._write_conf()
            with open(self.log, "wb") as log:
                self.proc = subprocess.Popen(["redis-server", str(conf)], stdout=log, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL, cwd=self.dir)
            if self._wait_ready():
                return self
            last_log = self.log.read_text(errors="replace")
            self.stop()
            if self.fixed_port:
                break
        raise RuntimeError(f"redis-server did not start; log:\n{last_log}")

    def _wait_ready(self) -> bool:
        if self.client is not None:
            self.client.close()  # a restart (on the same port, say)
        self.client = RespClient(self.port, password=self.password, tls=self.tls, ca=self.ca,
                                 client_cert=self.client_cert, timeout=HANG)
        deadline = time.monotonic() + HANG
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            try:
                if self.call("PING") == "PONG":
                    return True
            except (OSError, RespError):  # not listening yet, or still loading
                self.client.close()
            time.sleep(0.02)
        return False

    def stop(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=HANG / 2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    # ---- redis-cli, with the password in REDISCLI_AUTH
    def cli_argv(self) -> list[str]:
        argv = ["redis-cli", "--no-auth-warning", "-h", "127.0.0.1", "-p", str(self.port)]
        if self.tls:
            # redis-cli checks the chain, not the name, so the other-host server works too.
            argv += ["--tls", "--cacert", str(self.ca)]
            if self.client_cert:
                argv += ["--cert", str(self.client_cert[0]), "--key", str(self.client_cert[1])]
        return argv

    def cli(self, *args: str | bytes, input: bytes | None = None, check: bool = True,
            user: str | None = None) -> subprocess.CompletedProcess:
        env = {"PATH": PATH, "HOME": str(self.dir)}
        if self.password is not None:
            env["REDISCLI_AUTH"] = self.password
        argv: list = self.cli_argv()
        if user:
            argv += ["--user", user]
        proc = subprocess.run(argv + list(args), input=input, capture_output=True, env=env, timeout=HANG)
        out = subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(errors="replace"),
                                          proc.stderr.decode(errors="replace"))
        if check and (proc.returncode != 0 or out.stdout.startswith(("ERR", "NOAUTH", "WRONGPASS"))):
            raise RuntimeError(f"redis-cli {args!r} failed: {out.stdout} {out.stderr}")
        return out

    # ---- one command on the test's own connection (no process per call)
    def call(self, *args: str | bytes | int):
        """Sends a command on the test's connection to the server and returns the reply
        (see respclient); an error reply raises RespError."""
        return self.client.call(*args)

    def publish(self, channel: str, message: str | bytes) -> int:
        """PUBLISH, the message byte for byte."""
        return self.call("PUBLISH", channel, message)

    def numsub(self, channel: str) -> int:
        return self.call("PUBSUB", "NUMSUB", channel)[1]

    def benchmark_publish(self, channel: str, count: int, payload: str, clients: int = 1) -> None:
        """Publishes `count` messages as fast as redis-benchmark can: -P 64 on each of
        `clients` connections (so it sends whole pipelines: make `count` a multiple of 64)."""
        require_tools("redis-benchmark")
        if self.tls:
            raise ValueError("benchmark_publish: plain servers only")
        env = {"PATH": PATH}
        if self.password is not None:
            env["REDISCLI_AUTH"] = self.password
        subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(self.port), "-c", str(clients),
                        "-P", "64", "-n", str(count), "-q", "PUBLISH", channel, payload],
                       check=True, capture_output=True, env=env, timeout=HANG * 3)

    def numpat(self) -> int:
        return self.call("PUBSUB", "NUMPAT")

    def version(self) -> str:
        info = self.call("INFO", "server").decode()
        return re.search(r"redis_version:(\S+)", info).group(1)

    # ---- what amr needs to reach this server
    def env(self, *, password: bool = True, cacert: bool = True) -> dict[str, str]:
        env = {"REDIS_HOST": self.host, "REDIS_PORT": str(self.port),
               "REDIS_TLS": "true" if self.tls else "false"}
        if self.tls and cacert and self.ca:
            env["REDIS_CACERT"] = str(self.ca)
        if password and self.password is not None:
            env["REDIS_KEY"] = self.password
        return env

    def flags(self, *, cacert: bool = True) -> list[str]:
        """Connection flags without the password (-a warns; tests pass REDIS_KEY)."""
        flags = ["-H", self.host, "-p", str(self.port), "--tls" if self.tls else "--no-tls"]
        if self.tls and cacert and self.ca:
            flags += ["--cacert", str(self.ca)]
        return flags

    def env_file_text(self) -> str:
        return "".join(f"{k}={v}\n" for k, v in self.env().items())


# --------------------------------------------------------------------------- running amr


class Result:
    def __init__(self, argv: Sequence[str], rc: int, stdout: bytes, stderr: bytes) -> None:
        self.argv = list(argv)
        self.rc = rc
        self.stdout_bytes = stdout
        self.stderr_bytes = stderr
        self.stdout = stdout.decode("utf-8", errors="replace")
        self.stderr = stderr.decode("utf-8", errors="replace")

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()

    def __repr__(self) -> str:
        return (f"<amr {' '.join(map(str, self.argv[1:]))}: exit {self.rc}\n"
                f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}--->")


def expect(result: Result, rc: int) -> Result:
    assert result.rc == rc, f"expected exit {rc}, got {result!r}"
    return result


def _tail(data: bytes | bytearray, keep: int = 4000) -> str:
    """The end of a stream for a failure message (a subscriber's may be huge)."""
    if len(data) <= keep:
        return bytes(data).decode(errors="replace")
    return f"[{len(data) - keep} bytes before]" + bytes(data[-keep:]).decode(errors="replace")


def _arg(a) -> str | bytes:
    """An argument for amr's argv: bytes as they are (a payload that is not UTF-8), the rest
    as text (paths, numbers)."""
    return a if isinstance(a, bytes) else str(a)


class Background:
    """A process whose stdout and stderr are collected by threads, so the test can wait
    for a stderr line (the subscription confirmation) while it runs; with stdin=True the
    test writes its stdin (send, write, close_stdin). The one way the tests run a process
    in the background."""

    def __init__(self, argv: Sequence[str], *, env: dict, cwd: Path, shell: bool = False,
                 stdin: bool = False) -> None:
        self.argv = list(map(_arg, argv)) if not shell else ["bash", "-c", argv[0]]
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd,
                                     start_new_session=True)
        self._cond = threading.Condition()
        self._out = bytearray()
        self._err = bytearray()
        self._threads = [threading.Thread(target=self._pump, args=(self.proc.stdout, self._out), daemon=True),
                         threading.Thread(target=self._pump, args=(self.proc.stderr, self._err), daemon=True)]
        for t in self._threads:
            t.start()
        self.rc: int | None = None

    def _pump(self, stream, buf: bytearray) -> None:
        while True:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(1)
            if not chunk:
                break
            with self._cond:
                buf.extend(chunk)
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    @property
    def stdout_bytes(self) -> bytes:
        with self._cond:
            return bytes(self._out)

    @property
    def stdout(self) -> str:
        return self.stdout_bytes.decode("utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        with self._cond:
            return bytes(self._err).decode("utf-8", errors="replace")

    def _wait_for(self, predicate: Callable[[], bool], what: str, timeout: float = HANG) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                if self.proc.poll() is not None and not any(t.is_alive() for t in self._threads):
                    if predicate():
                        return
                    raise AssertionError(f"process ended (exit {self.proc.returncode}) before {what}\n"
                                         f"--- stdout\n{_tail(self._out)}"
                                         f"--- stderr\n{bytes(self._err).decode(errors='replace')}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"still waiting for {what} after {timeout:.0f}s\n"
                                         f"--- stderr\n{bytes(self._err).decode(errors='replace')}")
                self._cond.wait(min(left, 0.2))

    def wait_stderr(self, text: str, count: int = 1, timeout: float = HANG) -> None:
        self._wait_for(lambda: bytes(self._err).decode(errors="replace").count(text) >= count,
                       f"{count} x {text!r} on stderr", timeout)

    def wait_subscribed(self, count: int = 1) -> "Background":
        self.wait_stderr(SUBSCRIBED, count, timeout=HANG / 3)
        return self

    # The stdout waits look only at what arrived since they last looked, in place: a
    # subscriber may write hundreds of megabytes, and copying or scanning all of it on
    # every read would slow the reading thread, and so amr, to a crawl.
    def wait_stdout_lines(self, count: int) -> None:
        counted = [0, 0]  # bytes looked at, newlines in them

        def enough() -> bool:
            counted[1] += self._out.count(b"\n", counted[0])
            counted[0] = len(self._out)
            return counted[1] >= count

        self._wait_for(enough, f"{count} lines on stdout")

    def wait_stdout(self, text: str) -> None:
        needle = text.encode()
        start = 0

        def found() -> bool:
            nonlocal start
            if self._out.find(needle, start) >= 0:
                return True
            start = max(0, len(self._out) - len(needle) + 1)
            return False

        self._wait_for(found, f"{text!r} on stdout")

    def running(self) -> bool:
        return self.proc.poll() is None

    # ---- stdin (stdin=True)
    def write(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, line: str) -> None:
        """Writes one line (a command for --interactive)."""
        self.write((line + "\n").encode())

    def close_stdin(self) -> None:
        self.proc.stdin.close()

    def signal(self, sig: int, group: bool = False) -> None:
        """Sends sig to the process, or to its whole process group (a shell pipeline)."""
        if self.proc.poll() is None:
            if group:
                self._killpg(sig)
            else:
                self.proc.send_signal(sig)

    def _killpg(self, sig: int) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def wait(self, timeout: float = HANG) -> int:
        try:
            self.rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()  # SIGTERM first: a script's trap may clean up what it started
            raise AssertionError(f"{self.argv} did not end within {timeout:.0f}s\n{self!r}")
        for t in self._threads:
            t.join(timeout=HANG)
        return self.rc

    def kill(self) -> None:
        self._killpg(signal.SIGKILL)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.proc.stdin:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        for t in self._threads:
            t.join(timeout=5)

    def terminate(self) -> None:
        """SIGTERM to the process group, if the process runs."""
        if self.proc.poll() is None:
            self._killpg(signal.SIGTERM)

    def stop(self) -> None:
        """Teardown: SIGTERM to the process group, then SIGKILL if anything lingers."""
        if self.proc.poll() is None:
            self.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def __repr__(self) -> str:
        return (f"<{' '.join(map(str, self.argv))}: exit {self.proc.poll()}\n"
                f"--- stdout\n{_tail(self.stdout_bytes)}--- stderr\n{self.stderr}--->")


class Amr:
    """Runs build/amr with a clean environment (no REDIS_* from the developer) in a
    temporary working directory (no ./.env from the project)."""

    def __init__(self, workdir: Path) -> None:
        self.bin = str(AMR_BIN)
        self.cwd = workdir / "cwd"
        self.cwd.mkdir(parents=True, exist_ok=True)
        self.home = workdir / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.background: list[Background] = []

    def env(self, extra: dict | None = None) -> dict[str, str]:
        env = {"PATH": PATH, "HOME": str(self.home), "LANG": "C.UTF-8", "AMR": self.bin,
               **sanitizer_env()}
        env.update(extra or {})
        return env

    def run(self, *args: str, env: dict | None = None, input: str | bytes | None = None,
            cwd: Path | None = None, timeout: float = HANG) -> Result:
        argv = [self.bin, *map(_arg, args)]
        data = input.encode() if isinstance(input, str) else input
        proc = subprocess.run(argv, input=data, stdin=None if data is not None else subprocess.DEVNULL,
                              capture_output=True, env=self.env(env), cwd=cwd or self.cwd, timeout=timeout)
        return Result(argv, proc.returncode, proc.stdout, proc.stderr)

    def shell(self, script: str, *, env: dict | None = None, input: str | bytes | None = None,
              timeout: float = HANG) -> Result:
        """Runs a bash script with $AMR set to the binary, with pipefail."""
        data = input.encode() if isinstance(input, str) else input
        argv = ["bash", "-c", "set -o pipefail\n" + script]
        proc = subprocess.run(argv, input=data, stdin=None if data is not None else subprocess.DEVNULL,
                              capture_output=True, env=self.env(env), cwd=self.cwd, timeout=timeout)
        return Result(argv, proc.returncode, proc.stdout, proc.stderr)

    def run_tty(self, *args: str, env: dict | None = None, timeout: float = HANG) -> Result:
        """Runs amr with stdout on a pseudo-terminal (stderr to a pipe); CRLF becomes LF."""
        import pty
        argv = [self.bin, *map(_arg, args)]
        master, slave = pty.openpty()
        errfile = self.home / f".stderr-{secrets.token_hex(4)}"
        with open(errfile, "wb") as err:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=err,
                                    env=self.env(env), cwd=self.cwd)
        os.close(slave)
        out = bytearray()
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed its side
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        rc = proc.wait(timeout=timeout)
        stderr = errfile.read_bytes()
        errfile.unlink()
        return Result(argv, rc, bytes(out).replace(b"\r\n", b"\n"), stderr)

    def start(self, *args: str, env: dict | None = None, stdin: bool = False) -> Background:
        bg = Background([self.bin, *map(_arg, args)], env=self.env(env), cwd=self.cwd, stdin=stdin)
        self.background.append(bg)
        return bg

    def start_shell(self, script: str, *, env: dict | None = None) -> Background:
        bg = Background([script], env=self.env(env), cwd=self.cwd, shell=True)
        self.background.append(bg)
        return bg

    def subscribe(self, *args: str, env: dict | None = None, count: int | None = None,
                  pattern: bool = False) -> Background:
        """Starts `amr subscribe ARGS` (or psubscribe) and waits for its confirmations:
        one per channel argument unless `count` says otherwise."""
        cmd = "psubscribe" if pattern else "subscribe"
        bg = self.start(cmd, *args, env=env)
        if count is None:
            takes_value = {o for o, value in {**self.help_options(), **self.help_options(cmd)}.items() if value}
            count = sum(1 for a in _positionals(args, takes_value))
        return bg.wait_subscribed(max(count, 1))

    def help_options(self, *command: str) -> dict[str, bool]:
        """The options `amr [COMMAND] --help` lists (-X and --long), each with whether it
        takes a value (a value name follows it: `--count N:INT >= 1`)."""
        key = (self.bin, *command)
        if key not in _help_options:
            r = self.run(*command, "--help")
            assert r.rc == 0, r
            options = {}
            for m in _HELP_OPTION.finditer(r.stdout):
                options.update((o, bool(m.group(3))) for o in m.groups()[:2] if o)
            _help_options[key] = options
        return _help_options[key]

    def close(self) -> None:
        for bg in self.background:  # all at once: each may take its time to end
            bg.terminate()
        for bg in self.background:
            bg.stop()


# An option line of CLI11's help: "  -F,--format FORMAT:{...}", "  --tls Excludes: --no-tls"
# (a value name is in capitals only).
_HELP_OPTION = re.compile(r"(?m)^ {2}(-\w)?,?(--[a-z][a-z-]*)?( [A-Z][A-Z_]*\b(?!:\s))?")
_help_options: dict[tuple, dict[str, bool]] = {}


def _positionals(args: Sequence[str], takes_value: set[str]):
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        a = a.decode("latin-1") if isinstance(a, bytes) else str(a)
        if a in takes_value:
            skip = True
            continue
        if a.startswith("-") and a != "-":
            continue
        yield a
