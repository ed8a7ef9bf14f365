"""testssl.sh audits a running gateway's TLS listener (docs/reliability.md, "TLS posture").

A real gateway, on each TLS backend, serves `gateway.test` with a certificate from a test PKI
made here; testssl.sh connects to 127.0.0.1 under that name, trusts the test root (`--add-ca`),
makes no DNS or other network lookups, and writes its findings as JSON. No finding may be HIGH or
CRITICAL except those on ALLOWED, which only a test PKI causes. The twin audits a deliberately
weak TLS server with the same rule and must fail it, so a silent testssl (no findings, a changed
JSON layout) cannot pass for a clean audit.

testssl.sh is a Debian package (`testssl.sh`, installed by .ci/run); without it these tests skip.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from certgate.testing.pki import DemoPki
from tests.harness import Harness

TESTSSL = shutil.which("testssl") or shutil.which("testssl.sh")
pytestmark = [
    pytest.mark.skipif(TESTSSL is None, reason="testssl.sh is not installed"),
    pytest.mark.slow,
    pytest.mark.timeout(600),
]

HOST = "gateway.test"
# Checks run: protocols, cipher categories, forward secrecy, server preference, server defaults
# (certificate, tickets, resumption), vulnerabilities. Left out: the HTTP header checks (the
# backend's headers, not TLS), the per-cipher listing and client simulations (covered by -s/-f/-P
# and slow). About a minute per backend on a loaded 2-core machine.
CHECKS = ["-p", "-s", "-f", "-P", "-S", "-U"]
SEVERE = {"HIGH", "CRITICAL"}
# Findings a test PKI causes and a real deployment's certificate does not, with the reason.
ALLOWED = {
    "cert_revocation": "the test certificates name no CRL or OCSP URI (testssl rates it HIGH); "
    "certificates from a public or enterprise CA carry one",
}

CONFIG = """
hostnames:
  - hostName: gateway.test
    listen: 127.0.0.1:0
    certificateId: gateway-tls
    negotiateClientCertificate: true
certificates:
  gateway-tls: {file: audit-gateway.pem}
apis:
  echo:
    path: echo
    serviceUrl: http://BACKEND
gateway:
  accessLog: "off"
"""


@pytest.fixture(scope="module")
def audit_pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoPki, dict[str, Path]]:
    folder = tmp_path_factory.mktemp("audit-pki")
    pki = DemoPki.create((HOST,))
    return pki, pki.write(folder)


def run_testssl(port: int, root: Path, out: Path, checks: list[str]) -> list[dict[str, Any]]:
    """Run testssl.sh against 127.0.0.1:port as HOST; its JSON findings."""
    assert TESTSSL is not None
    report = out / "testssl.json"
    command = [
        TESTSSL,
        "--quiet",
        "--color",
        "0",
        "--warnings",
        "off",
        "--nodns",
        "none",  # with --ip: no DNS at all
        "--ip",
        "127.0.0.1",
        "--add-ca",
        str(root),
        "--connect-timeout",
        "10",
        "--openssl-timeout",
        "20",
        "--jsonfile",
        str(report),
        *checks,
        f"{HOST}:{port}",
    ]
    done = subprocess.run(command, cwd=out, capture_output=True, text=True, timeout=500)
    assert report.exists(), f"testssl wrote no report (rc {done.returncode}): {done.stdout[-2000:]}"
    findings: list[dict[str, Any]] = json.loads(report.read_text())
    return findings


def severe(findings: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [
        (f["id"], f["severity"], f["finding"])
        for f in findings
        if f.get("severity") in SEVERE and f.get("id") not in ALLOWED
    ]


def by_id(findings: list[dict[str, Any]]) -> dict[str, str]:
    return {f["id"]: f"{f['severity']}: {f['finding']}" for f in findings}


def test_gateway_passes_the_testssl_audit(
    harness: Harness, audit_pki: tuple[DemoPki, dict[str, Path]], tmp_path: Path
) -> None:
    pki, paths = audit_pki
    files = {"audit-gateway.pem": pki.gateway.cert_pem(with_chain=True) + pki.gateway.key_pem()}
    port = harness.start(CONFIG, files)
    findings = run_testssl(port, paths["root"], tmp_path, CHECKS)
    assert not severe(findings), severe(findings)
    seen = by_id(findings)
    # The facts the posture rests on, as testssl reports them.
    for old in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
        assert seen[old].endswith(": not offered"), (old, seen[old])
    assert seen["TLS1_2"].startswith("OK: offered")
    assert seen["TLS1_3"].startswith("OK: offered")
    assert seen["cipher_order"] == "OK: server"
    assert seen["PFS"] == "OK: offered"
    for category in ("NULL", "aNULL", "EXPORT", "LOW", "3DES_IDEA", "AVERAGE"):
        assert seen[f"cipherlist_{category}"].endswith("not offered"), category
    for attack in ("secure_client_renego", "CRIME_TLS", "ROBOT", "SWEET32", "LOGJAM", "BEAST"):
        assert seen[attack].startswith("OK: not vulnerable"), (attack, seen[attack])
    assert seen["cert_chain_of_trust"] == "OK: passed."  # --add-ca worked: a real verdict


# --- the twin: a weak server fails the same rule ----------------------------------------------


@pytest.fixture
def weak_server(audit_pki: tuple[DemoPki, dict[str, Path]]) -> Iterator[int]:
    """A bare `ssl` server offering TLS 1.0 and every suite OpenSSL still has (NULL included)."""
    _, paths = audit_pki
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.set_ciphers("ALL:COMPLEMENTOFALL:@SECLEVEL=0")
    ctx.load_cert_chain(paths["gateway"])
    listener = socket.create_server(("127.0.0.1", 0))

    def answer(raw: socket.socket) -> None:
        raw.settimeout(10)
        with contextlib.suppress(OSError), ctx.wrap_socket(raw, server_side=True) as tls:
            tls.recv(4096)
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                raw, _ = listener.accept()
                threading.Thread(target=answer, args=(raw,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    with contextlib.suppress(OSError):
        listener.shutdown(socket.SHUT_RDWR)
    listener.close()
    thread.join(10)


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1 is deprecated:DeprecationWarning")
def test_a_weak_server_fails_the_audit(
    weak_server: int, audit_pki: tuple[DemoPki, dict[str, Path]], tmp_path: Path
) -> None:
    _, paths = audit_pki
    findings = run_testssl(weak_server, paths["root"], tmp_path, ["-s"])
    ids = {finding_id for finding_id, _, _ in severe(findings)}
    assert {"cipherlist_NULL", "cipherlist_aNULL"} <= ids
