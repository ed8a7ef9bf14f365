"""Runs a real gateway (and the echo backend) on a background event loop, for integration tests.

Clients are plain blocking sockets with the stdlib `ssl` module, so the gateway is exercised over
real TLS on loopback exactly as a user's client would.
"""

from __future__ import annotations

import asyncio
import http.client
import socket
import ssl
import textwrap
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import uvloop

from certgate.io.server import Gateway
from certgate.snapshot import load_snapshot
from certgate.testing.backend import start_echo_backend
from certgate.testing.pki import LISTENER_YAML, Issued

T = TypeVar("T")

# The listener of in-process test gateways: localhost with the pki fixture's server certificate,
# client certificates asked for.
LISTENER = """
hostnames:
  - hostName: localhost
    listen: 127.0.0.1:0
    certificateId: gateway-tls
    negotiateClientCertificate: true
certificates:
  gateway-tls: {file: pki/gateway.pem}
"""

# The listener of a `certgate serve` process, to `.format(port=…, pki=…)` (the pki fixture's
# folder) once the rest of its configuration is appended.
SERVED_LISTENER = LISTENER_YAML


def free_port() -> int:
    """A port nothing listens on now (for a process that binds it next)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listener_yaml(rest: str) -> str:
    """A test's configuration: the common listener, then `rest` (more `certificates:` entries,
    then its settings and APIs)."""
    return LISTENER + rest


class LoopThread:
    """One uvloop event loop on a daemon thread; `run(coro)` executes a coroutine on it."""

    def __init__(self) -> None:
        self.loop = uvloop.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, fn: Callable[[], T]) -> T:
        async def wrapper() -> T:
            return fn()

        return self.run(wrapper())

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@dataclass
class Reply:
    status: int
    reason: str
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


@dataclass
class Client:
    """Blocking HTTPS client with an optional client certificate."""

    port: int
    ca_pem: Path
    cert: Path | None = None
    sni: str | None = "localhost"
    extra: dict[str, Any] = field(default_factory=dict)

    def context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.ca_pem))
        ctx.check_hostname = False  # tests also connect with unknown or no SNI
        if self.cert is not None:
            ctx.load_cert_chain(str(self.cert))
        return ctx

    def connect(self, ctx: ssl.SSLContext | None = None) -> ssl.SSLSocket:
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return (ctx or self.context()).wrap_socket(raw, server_hostname=self.sni)

    def request(
        self,
        path: str,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> Reply:
        conn = http.client.HTTPConnection("localhost", self.port, timeout=10)
        conn.sock = self.connect()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return Reply(resp.status, resp.reason, resp.headers, resp.read())
        finally:
            conn.close()


@dataclass
class Harness:
    loop: LoopThread
    tmp: Path
    backend_port: int
    backend_log: list[Any]
    tls_backend: str
    ca_pem: Path
    gateway: Gateway | None = None
    port: int = 0

    def start(self, config_yaml: str, files: dict[str, str | bytes] | None = None) -> int:
        """Write the config (and policy/cert files), start a gateway; returns its port."""
        self.stop_gateway()
        for name, content in (files or {}).items():
            path = self.tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
        config = self.tmp / "config.yaml"
        text = textwrap.dedent(config_yaml).replace("BACKEND", f"127.0.0.1:{self.backend_port}")
        config.write_text(text)
        snapshot = load_snapshot(config)
        gateway = Gateway(snapshot, self.tls_backend)
        bound = self.loop.run(gateway.start())
        self.gateway = gateway
        self.port = bound[0][1]
        return self.port

    def client(self, cert: Issued | Path | None = None, sni: str | None = "localhost") -> Client:
        path = cert if isinstance(cert, Path) or cert is None else self._pem(cert)
        return Client(self.port, self.ca_pem, path, sni)

    def _pem(self, issued: Issued) -> Path:
        path = self.tmp / f"client-{issued.thumbprint}.pem"
        if not path.exists():
            issued.write_pem(path)
        return path

    def stop_gateway(self) -> None:
        if self.gateway is not None:
            self.loop.run(self.gateway.stop())
            self.gateway = None


def start_backend(loop: LoopThread) -> tuple[asyncio.AbstractServer, int, list[Any]]:
    return loop.run(start_echo_backend())
