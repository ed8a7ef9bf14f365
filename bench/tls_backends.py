"""Which TLS backend should be the default? Measures both on one core and prints medians.

    .venv/bin/python bench/tls_backends.py [--rounds 5] [--handshakes 3000] [--requests 100000]

Each round starts, for each backend in alternating order, a server process pinned to CPU 1
(`taskset -c 1`) that runs the real `start_server` with one hostname negotiating client
certificates, and a tiny HTTP/1.0 responder as the inner protocol (it calls `peer_info` once per
connection, like the gateway listener). The load generator, ApacheBench (`ab`, C, apt package
apache2-utils), runs on CPU 0 with a client certificate plus intermediate (ECDSA P-256):

(a) full mTLS handshakes: `ab -c 32 -n N -E client.pem` without keep-alive, one connection and
    one request per handshake; rate, and server CPU per connection (handshake and all);
(b) keep-alive round trips: `ab -k -c 32 -n N -E client.pem`: 32 connections, each doing
    request/response round trips over one established TLS connection.

Server CPU is utime+stime of the server process from /proc, read before and after each run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trustme
import uvloop
from cryptography.hazmat.backends.openssl import backend as ossl

from certgate.io.tls import get_backend
from certgate.io.tls.base import TlsHostname

BACKENDS = ("stdlib", "pyopenssl")
HOST = "bench.test"
CLIENTS = 32


# --- server process -------------------------------------------------------------------------------


def serve(backend_name: str, pki: Path) -> None:
    backend = get_backend(backend_name)
    hostname = TlsHostname(
        HOST, (pki / "server.pem").read_bytes(), (pki / "server.key").read_bytes(), True, True
    )
    keep = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: Keep-Alive\r\n\r\nok"
    close = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"

    class MiniHttp(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport: asyncio.Transport = transport  # type: ignore[assignment]
            self.peer = backend.peer_info(transport)
            self.buffer = b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
                head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
                if b"keep-alive" in head.lower():
                    self.transport.write(keep)
                else:
                    self.transport.write(close)
                    self.transport.close()
                    return

    async def main() -> None:
        backend.self_check()
        server = await backend.start_server(MiniHttp, "127.0.0.1", 0, [hostname], backlog=4096)
        print("ready", server.sockets[0].getsockname()[1], flush=True)  # type: ignore[attr-defined]
        await asyncio.Event().wait()

    uvloop.run(main())


# --- driver ---------------------------------------------------------------------------------------


def make_pki(folder: Path) -> None:
    ca = trustme.CA()
    server = ca.issue_cert(HOST)
    server.private_key_pem.write_to_path(str(folder / "server.key"))
    (folder / "server.pem").write_bytes(b"".join(b.bytes() for b in server.cert_chain_pems))
    client = ca.create_child_ca().issue_cert("bench-client@bench.test")
    chain = b"".join(b.bytes() for b in client.cert_chain_pems)
    (folder / "client.pem").write_bytes(chain + client.private_key_pem.bytes())


def pinned(cpu: int, argv: list[str]) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", str(cpu), *argv]
    return argv


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def run_ab(pid: int, port: int, pki: Path, requests: int, keepalive: bool) -> tuple[float, float]:
    """(requests per second, server CPU µs per request)."""
    argv = ["ab", "-q", "-c", str(CLIENTS), "-n", str(requests), "-E", str(pki / "client.pem")]
    argv += ["-k"] if keepalive else []
    before = cpu_seconds(pid)
    out = subprocess.run(
        [*pinned(0, argv), f"https://127.0.0.1:{port}/"], capture_output=True, text=True, check=True
    ).stdout
    used = cpu_seconds(pid) - before
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))  # type: ignore[union-attr]
    if failed or "Non-2xx" in out:
        raise SystemExit(f"ab reported failures:\n{out}")
    rate = float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return rate, used / requests * 1e6


def one_round(name: str, pki: Path, args: argparse.Namespace) -> dict[str, float]:
    server = subprocess.Popen(
        pinned(1, [sys.executable, __file__, "serve", name, str(pki)]),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline().split()
        if not line or line[0] != "ready":
            raise SystemExit(f"{name} server did not start")
        port = int(line[1])
        run_ab(server.pid, port, pki, 500, keepalive=False)  # warm-up
        hs_rate, hs_cpu = run_ab(server.pid, port, pki, args.handshakes, keepalive=False)
        time.sleep(0.5)  # let TIME_WAIT churn settle between the two loads
        ka_rate, ka_cpu = run_ab(server.pid, port, pki, args.requests, keepalive=True)
    finally:
        server.terminate()
        server.wait(5)
    return {"hs_rate": hs_rate, "hs_cpu": hs_cpu, "ka_rate": ka_rate, "ka_cpu": ka_cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--handshakes", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=100000)
    args = parser.parse_args()
    if not shutil.which("ab"):
        raise SystemExit("needs ApacheBench: apt-get install apache2-utils")
    results: dict[str, list[dict[str, float]]] = {b: [] for b in BACKENDS}
    with tempfile.TemporaryDirectory() as tmp:
        pki = Path(tmp)
        make_pki(pki)
        for r in range(args.rounds):
            for name in BACKENDS if r % 2 == 0 else BACKENDS[::-1]:
                res = one_round(name, pki, args)
                results[name].append(res)
                print(
                    f"round {r + 1} {name:9} " + "  ".join(f"{k}={v:,.0f}" for k, v in res.items())
                )
    report(results)


def report(results: dict[str, list[dict[str, float]]]) -> None:
    print(f"\nstdlib ssl: {ssl.OPENSSL_VERSION}; pyOpenSSL: {ossl.openssl_version_text()}")
    print(f"medians of {len(results[BACKENDS[0]])} alternating rounds, server on one core:")
    head = ("backend", "handshakes/s", "CPU µs/hs", "keep-alive rt/s", "CPU µs/rt")
    print(f"{head[0]:10} {head[1]:>13} {head[2]:>10} {head[3]:>16} {head[4]:>10}")
    for name, rows in results.items():
        med = {k: statistics.median(row[k] for row in rows) for k in rows[0]}
        print(
            f"{name:10} {med['hs_rate']:13,.0f} {med['hs_cpu']:10,.0f} "
            f"{med['ka_rate']:16,.0f} {med['ka_cpu']:10,.1f}"
        )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(sys.argv[2], Path(sys.argv[3]))
    else:
        main()
