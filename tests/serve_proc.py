"""`certgate serve` as a subprocess, for the live-apply and workers tests: a YAML file with an admin
section, a data folder, the gateway's and the admin listener's ports, per-worker access logs and
the process's log (in a file, so a chatty process never blocks on a full pipe)."""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from certgate.testing.pki import Issued
from tests.conftest import Pki
from tests.harness import SERVED_LISTENER, Reply, free_port

CERTGATE = [sys.executable, "-m", "certgate.cli"]
TOKEN = "live-admin-token-0123456789abcdef"

# Admits exactly the client certificates uploaded as certificates (the README's twin policy).
UPLOADED_ONLY = """<policies>
  <inbound>
    <choose>
      <when condition="@(context.Request.Certificate == null || !context.Deployment.Certificates.Any(c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint))">
        <return-response><set-status code="401" reason="Invalid client certificate" /></return-response>
      </when>
    </choose>
  </inbound>
  <backend><forward-request /></backend>
  <outbound><set-header name="X-Marker" exists-action="override"><value>{{marker}}</value></set-header></outbound>
  <on-error />
</policies>"""

CONFIG = (
    SERVED_LISTENER
    + """\
namedValues:
  marker: one
apis:
  echo:
    path: echo
    serviceUrl: http://127.0.0.1:{backend}
    policy: policy.xml
admin:
  listen: 127.0.0.1:{admin_port}
  certificateId: gateway-tls
  tokenEnv: CG_LIVE_TOKEN
gateway:
  accessLog: {folder}/access-{{worker}}.log
"""
)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass
class Served:
    """One `certgate serve` process and what talks to it."""

    folder: Path
    pki: Pki
    port: int
    admin_port: int
    workers: int
    args: list[str]
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)
    certs: dict[str, Path] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.log_path = self.folder / "serve.log"

    # --- the process -----------------------------------------------------------------------
    def start(self, *, wait: bool = True) -> Served:
        env = {**os.environ, "CG_LIVE_TOKEN": TOKEN}
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.args, stdout=log, stderr=log, env=env)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 30) -> None:
        marker = "workers serving" if self.workers > 1 else "INFO certgate.server: serving"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"certgate serve exited {self.proc.returncode}:\n{self.log()}")
            if marker in self.log():
                return
            time.sleep(0.05)
        raise AssertionError(f"certgate serve did not start:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def stop(self, timeout: float = 40) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise

    def worker_pids(self) -> dict[int, int]:
        """Worker index → pid of its latest start, from the supervisor's log."""
        found: dict[int, int] = {}
        for index, pid in re.findall(r"worker (\d+) started \(pid (\d+)\)", self.log()):
            found[int(index)] = int(pid)
        return found

    def wait_log(self, pattern: str, timeout: float = 15, count: int = 1) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(re.findall(pattern, self.log())) >= count:
                return
            time.sleep(0.05)
        raise AssertionError(f"no {pattern!r} in the log:\n{self.log()}")

    # --- the data plane ----------------------------------------------------------------------
    def context(self, cert: Issued | None) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.pki.folder / "root.crt"))
        ctx.check_hostname = False
        if cert is not None:
            path = self.certs.get(cert.thumbprint)
            if path is None:  # written whole, then renamed: other threads may be reading it
                path = self.folder / f"{cert.thumbprint}.pem"
                cert.write_pem(path.with_suffix(f".{threading.get_ident()}"))
                path.with_suffix(f".{threading.get_ident()}").replace(path)
                self.certs[cert.thumbprint] = path
            ctx.load_cert_chain(str(path))
        return ctx

    def connection(self, cert: Issued | None) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(
            "localhost", self.port, context=self.context(cert), timeout=15
        )

    def request(
        self,
        path: str = "/echo/x",
        cert: Issued | None = None,
        conn: http.client.HTTPSConnection | None = None,
    ) -> Reply:
        """On `conn` (kept open) or a fresh connection (closed after)."""
        own = conn is None
        connection = conn or self.connection(cert)
        try:
            connection.request("GET", path)
            resp = connection.getresponse()
            return Reply(resp.status, resp.reason, resp.headers, resp.read())
        finally:
            if own:
                connection.close()

    def access_lines(self) -> dict[int, list[dict[str, Any]]]:
        """Worker index → its access-log lines (parsed)."""
        lines: dict[int, list[dict[str, Any]]] = {}
        for path in self.folder.glob("access-*.log"):
            index = int(path.stem.rpartition("-")[2])
            lines[index] = [json.loads(line) for line in path.read_text().splitlines() if line]
        return lines

    # --- the admin API ------------------------------------------------------------------------
    def admin(self, token: str = TOKEN) -> httpx.Client:
        ctx = ssl.create_default_context(cafile=str(self.pki.folder / "root.crt"))
        ctx.check_hostname = False
        return httpx.Client(
            base_url=f"https://127.0.0.1:{self.admin_port}",
            verify=ctx,
            headers={"Authorization": f"Bearer {token}"},
            timeout=20,
        )


def prepare(
    folder: Path,
    pki: Pki,
    backend_port: int,
    *,
    workers: int = 1,
    tls_backend: str | None = None,
    config: str = CONFIG,
    policy: str = UPLOADED_ONLY,
) -> Served:
    """Write the files; `Served.start()` runs the process."""
    port, admin_port = free_port(), free_port()
    (folder / "policy.xml").write_text(policy)
    text = textwrap.dedent(config).format(
        port=port, admin_port=admin_port, pki=pki.folder, backend=backend_port, folder=folder
    )
    path = folder / "config.yaml"
    path.write_text(text)
    args = [*CERTGATE, "serve", "--config", str(path), "--data", str(folder / "data")]
    if workers != 1:
        args += ["--workers", str(workers)]
    if tls_backend is not None:
        args += ["--tls-backend", tls_backend]
    return Served(folder, pki, port, admin_port, workers, args)
