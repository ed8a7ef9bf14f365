"""Latency of ordinary requests with and without a slowloris load on the same gateway.

    .venv/bin/python bench/slowloris.py [--slow 300] [--seconds 15] [--rate 200]
                                        [--connections 8] [--header-timeout 30] [--rounds 2]

`certgate serve` (one worker, pinned to CPU 1 when it can be) in front of the echo backend, one
API. Ordinary traffic is `bench/latency.py`'s open-loop client: `--rate` requests/s over
`--connections` keep-alive TLS 1.3 connections with the client certificate, latency counted from
the scheduled time. Each round measures it alone, then again while `--slow` other TLS
connections each send one byte of a never-ending request head per second (an attacker that
opens a new one whenever the gateway closes one, so that as many as it can stay held). The
gateway runs with `headerTimeout` = `--header-timeout` (the product default: 30 s).

Prints per run: p50/p99 of the ordinary requests, non-200 answers, and for the slow phase the
slow connections held (lowest and mean of 10 samples a second), how many the gateway closed
(with its 408) and how many handshakes failed.
"""

from __future__ import annotations

import argparse
import asyncio
import ssl
import statistics
import tempfile
import time
from pathlib import Path

import uvloop
from latency import client_tls, open_loop, percentile
from scalebench import (
    LISTENER,
    check,
    echo_backend,
    free_port,
    gateway,
    make_pki,
    raise_own_priority,
)

CONFIG = (
    LISTENER
    + """\
gateway:
  accessLog: "off"
  headerTimeout: {header_timeout}
apis:
  echo:
    path: echo
    serviceUrl: http://127.0.0.1:{backend}
"""
)
HEAD = b"GET /echo/slow HTTP/1.1\r\nHost: localhost\r\nX-Slow: "


class _Slow(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = asyncio.get_running_loop().create_future()
        self.answer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.answer += data

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if not self.closed.done():
            self.closed.set_result(None)


class Slowloris:
    """`count` connections dripping a head, a byte a second each, re-opened when closed."""

    def __init__(self, port: int, tls: ssl.SSLContext, count: int) -> None:
        self.port, self.tls, self.count = port, tls, count
        self.held = 0
        self.closed_by_gateway = 0
        self.answered_408 = 0
        self.failed_handshakes = 0
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        for i in range(self.count):
            self.tasks.append(asyncio.create_task(self._one(i)))
        while self.held < self.count:  # all held before the measurement starts
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def _one(self, index: int) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(index / self.count)  # spread the bytes over each second
        while True:
            try:
                _, slow = await loop.create_connection(
                    _Slow, "127.0.0.1", self.port, ssl=self.tls, server_hostname="localhost"
                )
            except (OSError, ssl.SSLError):
                self.failed_handshakes += 1
                await asyncio.sleep(1.0)
                continue
            self.held += 1
            try:
                data = HEAD + b"x" * 100_000
                for i in range(len(data)):
                    if slow.transport is None:
                        break
                    slow.transport.write(data[i : i + 1])
                    try:
                        await asyncio.wait_for(asyncio.shield(slow.closed), 1.0)
                        break
                    except TimeoutError:
                        pass
            finally:
                self.held -= 1
                if slow.transport is not None:
                    slow.transport.abort()
            self.closed_by_gateway += 1
            self.answered_408 += slow.answer.startswith(b"HTTP/1.1 408 ")


async def measure(
    port: int, tls: ssl.SSLContext, args: argparse.Namespace, slow: int
) -> dict[str, float]:
    attack = Slowloris(port, tls, slow) if slow else None
    if attack is not None:
        await attack.start()
    samples: list[int] = []

    async def sample() -> None:
        while True:
            samples.append(attack.held if attack is not None else 0)
            await asyncio.sleep(0.1)

    sampler = asyncio.create_task(sample())
    try:
        lat, _sent, failed = await open_loop(
            port, "/echo/x", tls, args.rate, args.seconds, args.connections
        )
    finally:
        sampler.cancel()
        if attack is not None:
            await attack.stop()
    return {
        "requests": len(lat),
        "non_200": failed,
        "p50_ms": percentile(lat, 50) * 1000,
        "p99_ms": percentile(lat, 99) * 1000,
        "held_min": min(samples),
        "held_mean": statistics.fmean(samples),
        "closed_by_gateway": attack.closed_by_gateway if attack else 0,
        "answered_408": attack.answered_408 if attack else 0,
        "failed_handshakes": attack.failed_handshakes if attack else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slow", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--header-timeout", type=float, default=30.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    raise_own_priority()
    with tempfile.TemporaryDirectory(prefix="certgate-slowloris-") as tmp:
        folder = Path(tmp)
        files = make_pki(folder)
        backend_port, gw_port = free_port(), free_port()
        config = folder / "config.yaml"
        config.write_text(
            CONFIG.format(
                port=gw_port,
                pki=folder,
                backend=backend_port,
                header_timeout=args.header_timeout,
            )
        )
        with (
            echo_backend(backend_port, folder / "backend.log"),
            gateway(config, gw_port, folder / "gateway.log"),
        ):
            check("/echo/x", gw_port, files)
            tls = client_tls(files)
            uvloop.run(open_loop(gw_port, "/echo/x", tls, args.rate, 2.0, args.connections))
            results: dict[str, list[dict[str, float]]] = {"without": [], "with": []}
            for i in range(args.rounds):
                for name, slow in (("without", 0), ("with", args.slow)):
                    began = time.monotonic()
                    figures = uvloop.run(measure(gw_port, tls, args, slow))
                    results[name].append(figures)
                    print(
                        f"round {i + 1} {name:7s} slowloris ({time.monotonic() - began:.0f} s): "
                        + ", ".join(
                            f"{k} {v:,.2f}" if isinstance(v, float) else f"{k} {v}"
                            for k, v in figures.items()
                        ),
                        flush=True,
                    )
    for name, runs in results.items():
        p50 = statistics.median(r["p50_ms"] for r in runs)
        p99 = statistics.median(r["p99_ms"] for r in runs)
        failed = sum(r["non_200"] for r in runs)
        held = min(r["held_min"] for r in runs)
        print(
            f"{name} slowloris: p50 {p50:.2f} ms, p99 {p99:.2f} ms (median of {len(runs)} runs), "
            f"non-200 {failed}, slow connections held at least {held}"
        )


if __name__ == "__main__":
    main()
