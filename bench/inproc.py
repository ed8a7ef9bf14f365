"""certgate's Python work per keep-alive request, in one process, without sockets or TLS.

    .venv/bin/python bench/inproc.py [--requests 20000] [--rounds 7] [--profile OUT] [--bytecodes]

The real `ClientConnection`, `Proxy` and upstream `Pool` of a gateway configured as in
bench/run.py (the seed thumbprint policy, a client certificate), but with in-memory transports:
each request's bytes are handed to the connection, the backend's canned response to the upstream
connection the moment the request goes out. What is left is the Python work a request costs
(what the kernel, TLS and the network cost is in bench/run.py), timed by process CPU time, the
best of `--rounds`; `--profile` writes a cProfile dump of one more round instead; `--bytecodes`
counts the bytecodes 200 requests execute (sys.settrace opcode events: exact, whatever the
machine's load) and prints them per request, by function. For comparing one version of the code
with another quickly; bench/hotpath.py's callgrind count is the check.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

import uvloop
from cryptography.hazmat.primitives.serialization import Encoding
from run import certgate_config, make_pki

from certgate.io.http_server import ClientConnection, Limits
from certgate.io.server import Gateway
from certgate.io.tls.base import PeerInfo
from certgate.io.upstream import Endpoint, UpstreamConnection
from certgate.snapshot import load_snapshot

REQUEST = (
    b"GET / HTTP/1.1\r\nHost: localhost:8443\r\nUser-Agent: ApacheBench/2.3\r\n"
    b"Accept: */*\r\nConnection: Keep-Alive\r\n\r\n"
)
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 29 Nov 2026 08:00:00 GMT\r\n"
    b"Content-Type: text/plain\r\nContent-Length: 19\r\nConnection: keep-alive\r\n"
    b'ETag: "6929a8c0-13"\r\nAccept-Ranges: bytes\r\n\r\nhello from backend\n'
)


class _Transport:
    """Enough of a transport for both sides; `reply` receives what is written."""

    def __init__(self, reply: Any) -> None:
        self.reply = reply

    def write(self, data: bytes) -> None:
        self.reply(data)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 40000) if name == "peername" else default

    def is_closing(self) -> bool:
        return False

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def close(self) -> None:
        raise RuntimeError("the benchmark connection closed")

    abort = close


class _Tls:
    name = "memory"

    def __init__(self, peer: PeerInfo) -> None:
        self.peer = peer

    def peer_info(self, transport: object) -> PeerInfo:
        return self.peer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--bytecodes", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="certgate-inproc-") as tmp:
        pki = make_pki(Path(tmp) / "pki")
        config = certgate_config(Path(tmp) / "gw", pki, 8443, 9000)
        snapshot = load_snapshot(config)
        leaf = pki.pki.client.cert.public_bytes(Encoding.DER)
        peer = PeerInfo("localhost", "localhost", leaf, (leaf,), False, "TLSv1.3")
        uvloop.install()
        return asyncio.run(_run(snapshot, peer, args))


async def _run(snapshot: Any, peer: PeerInfo, args: argparse.Namespace) -> int:
    loop = asyncio.get_running_loop()
    gateway = Gateway(snapshot, "stdlib")
    upstream = UpstreamConnection(gateway.pool, Endpoint("http", "127.0.0.1", 9000))
    upstream.connection_made(_Transport(lambda _: loop.call_soon(upstream.data_received, RESPONSE)))
    gateway.pool.release(upstream)
    answer: list[asyncio.Future[bytes]] = []
    client = ClientConnection(
        gateway.proxy.handle,
        _Tls(peer),  # type: ignore[arg-type]
        Limits.from_settings(snapshot.settings),
    )

    def deliver(data: bytes) -> None:
        answer[0].set_result(data)

    client.connection_made(_Transport(deliver))

    async def requests(n: int) -> bytes:
        data = b""
        for _ in range(n):
            answer[:] = [loop.create_future()]
            client.data_received(REQUEST)
            data = await answer[0]
        return data

    last = await requests(200)
    if not last.startswith(b"HTTP/1.1 200 ") or not last.endswith(b"hello from backend\n"):
        print(f"unexpected response: {last[:300]!r}", file=sys.stderr)
        return 1
    if args.bytecodes:
        return await _count_bytecodes(requests)
    if args.profile is not None:
        profile = cProfile.Profile()
        profile.enable()
        await requests(args.requests)
        profile.disable()
        profile.dump_stats(args.profile)
        return 0
    figures = []
    for _ in range(args.rounds):
        started = time.process_time()
        await requests(args.requests)
        figures.append((time.process_time() - started) / args.requests * 1e6)
    print(f"best {min(figures):.2f} µs/request, rounds {', '.join(f'{f:.2f}' for f in figures)}")
    return 0


async def _count_bytecodes(requests: Any, n: int = 200) -> int:
    counts: Counter[str] = Counter()

    def trace(frame: FrameType, event: str, arg: object) -> Any:
        frame.f_trace_opcodes = True
        if event == "opcode":
            code = frame.f_code
            counts[f"{Path(code.co_filename).name}:{code.co_qualname}"] += 1
        return trace

    sys.settrace(trace)
    try:
        await requests(n)
    finally:
        sys.settrace(None)
    own = {k: v for k, v in counts.items() if not k.startswith("inproc.py:")}
    print(f"{sum(own.values()) / n:.0f} bytecodes per request (the benchmark's own left out)")
    for name, count in sorted(own.items(), key=lambda kv: -kv[1])[:40]:
        print(f"{count / n:8.1f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
