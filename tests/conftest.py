"""Fixtures shared by tests/integration and tests/blackbox.

Run with Debian's interpreter: /usr/bin/python3 -m pytest tests/integration tests/blackbox
(scripts/test.sh does). AMR_BIN names the binary (default build/amr). Under CI=true a
missing redis-server, redis-cli, openssl or jq fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from amrtest import (AMR_BIN, SANITIZER_LOGS, Amr, ClosedPort, Pki, RedisServer,  # noqa: E402
                     missing, require_tools)


def pytest_configure(config):
    config.addinivalue_line("markers", "serial: passes only when one process keeps pace with another "
                            "(amr with redis-benchmark, say): scripts/test.sh runs these after the "
                            "parallel run, one at a time")


def pytest_report_header(config):
    return [f"amr binary: {AMR_BIN}", f"CI: {os.environ.get('CI', '')!r}"]


def _reports() -> set[Path]:
    return set(SANITIZER_LOGS.glob("report.*"))


@pytest.fixture(autouse=True)
def sanitizer_reports(request):
    """Fails the test during which a sanitized amr (or anything started with
    amrtest.sanitizer_env()) wrote a report, whatever its exit code was: the report is
    printed, and stays in SANITIZER_LOGS."""
    before = _reports()
    yield
    new = sorted(_reports() - before)
    if new:
        text = "".join(f"--- {p}\n{p.read_text(errors='replace')}" for p in new)
        pytest.fail(f"sanitizer report during {request.node.nodeid}:\n{text}", pytrace=False)


def pytest_sessionfinish(session):
    try:
        SANITIZER_LOGS.rmdir()  # kept where there are reports
    except OSError:
        pass


@pytest.fixture(scope="session")
def amr_bin() -> Path:
    if not (AMR_BIN.is_file() and os.access(AMR_BIN, os.X_OK)):
        pytest.fail(f"{AMR_BIN} not found or not executable: run scripts/build.sh (or set AMR_BIN)",
                    pytrace=False)
    return AMR_BIN


@pytest.fixture(scope="session")
def redis_tools() -> None:
    require_tools("redis-server", "redis-cli")


@pytest.fixture(scope="session")
def jq() -> str:
    require_tools("jq")
    return "jq"


@pytest.fixture(scope="session")
def pki(tmp_path_factory, redis_tools) -> Pki:
    require_tools("openssl")
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def amr(amr_bin, tmp_path) -> Amr:
    """Runs amr in tmp_path/cwd with only PATH, HOME and LANG in its environment."""
    runner = Amr(tmp_path)
    yield runner
    runner.close()


@pytest.fixture
def redis_factory(tmp_path, redis_tools, pki):
    """make(tls=..., password=..., cert='localhost'|'other'|'rogue', extra_conf=...) starts a
    redis-server on a free loopback port; every one is stopped after the test."""
    servers: list[RedisServer] = []

    def make(*, tls: bool = False, password: str | None = None, cert: str = "localhost",
             extra_conf=(), port: int | None = None, client_cert: bool = False) -> RedisServer:
        certs = {"localhost": (pki.server_cert, pki.server_key, pki.ca.cert),
                 "other": (pki.other_cert, pki.other_key, pki.ca.cert),
                 "rogue": (pki.rogue_cert, pki.rogue_key, pki.rogue_ca.cert)}[cert]
        server = RedisServer(tmp_path / f"redis{len(servers)}", tls=tls, password=password,
                             cert=certs[0], key=certs[1], ca=certs[2], extra_conf=extra_conf, port=port,
                             client_cert=(pki.client_cert, pki.client_key) if client_cert else None)
        servers.append(server)
        return server.start()

    yield make
    for server in servers:
        server.stop()


def new_password() -> str:
    return secrets.token_hex(16)


@pytest.fixture
def plain_server(redis_factory) -> RedisServer:
    """Plain TCP, no password."""
    return redis_factory()


@pytest.fixture
def auth_server(redis_factory) -> RedisServer:
    """Plain TCP with requirepass."""
    return redis_factory(password=new_password())


@pytest.fixture
def tls_server(redis_factory) -> RedisServer:
    """TLS only, requirepass, certificate for localhost and 127.0.0.1 from the test CA:
    the AMR-like set-up."""
    return redis_factory(tls=True, password=new_password())


@pytest.fixture
def other_host_server(redis_factory) -> RedisServer:
    """TLS with a certificate from the trusted test CA, but for DNS:other.example only."""
    return redis_factory(tls=True, password=new_password(), cert="other")


@pytest.fixture
def rogue_server(redis_factory) -> RedisServer:
    """TLS with a certificate for localhost from a CA the client is not given."""
    return redis_factory(tls=True, password=new_password(), cert="rogue")


@pytest.fixture
def closed_port() -> int:
    """A loopback port where nothing listens (held bound for the test)."""
    port = ClosedPort()
    yield port.port
    port.close()


__all__ = ["missing"]
