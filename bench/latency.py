"""Latency certgate adds over calling the backend directly, at half of its maximum rate.

    .venv/bin/python bench/latency.py [--rounds 3] [--seconds 15] [--connections 32]
                                      [--write-docs]

1. A fresh demo PKI; the echo backend (`certgate.testing.backend`, plain HTTP) on CPU 0 and
   `certgate serve` on CPU 1, one API (`/echo`, default policy: forward) in front of it.
2. Maximum rate: this script's own client, closed loop (each of C keep-alive connections sends
   its next request as soon as the previous one is answered), TLS 1.3 with the client
   certificate, through the gateway; median of the rounds. The same client, machine and CPUs as
   the latency runs, so "half of the maximum" is half of what this set-up can do.
3. At half that rate, an open-loop load (requests are scheduled at fixed intervals whatever the
   answers do; latency counts from the scheduled time, so a stall is not hidden by the load
   generator waiting, i.e. no coordinated omission) over C keep-alive connections: once straight
   to the backend (plain HTTP: what a client would see without the gateway) and once through the
   gateway (TLS 1.3 with the client certificate). The first second of each run is not recorded.
   The two alternate, `--rounds` times each.

Prints p50/p90/p99 for both and the difference ("added"), and per run the CPU share of the
gateway, the backend, this client and whatever else ran on the gateway's CPU; raw figures go to
bench/out/latency.json, the docs section with --write-docs. The client is Python (uvloop +
httptools) and shares CPU 0 with the backend.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import tempfile
import time
from collections import deque
from pathlib import Path

import httptools
import uvloop
from scalebench import (
    LISTENER,
    OUT,
    SERVER_CPU,
    Files,
    check,
    commit,
    cpu_busy,
    cpu_seconds,
    echo_backend,
    free_port,
    gateway,
    machine,
    make_pki,
    median,
    raise_own_priority,
    write_part,
)

CONFIG = (
    LISTENER
    + """\
apis:
  echo:
    path: echo
    serviceUrl: http://127.0.0.1:{backend}
"""
)


class _Conn(asyncio.Protocol):
    """One keep-alive connection of the load generator; one request in flight at a time."""

    def __init__(self, done: deque[_Conn], latencies: list[float]) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.done = done
        self.latencies = latencies
        self.scheduled = 0.0
        self.record = False
        self.failed = 0
        self.repeat: bytes | None = None  # closed loop: send this again as soon as answered
        self.answered = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_message_complete(self) -> None:
        if self.parser.get_status_code() != 200:
            self.failed += 1
        self.answered += 1
        if self.repeat is not None and self.transport is not None:
            self.transport.write(self.repeat)
            return
        if self.record:
            self.latencies.append(time.perf_counter() - self.scheduled)
        self.done.append(self)

    def send(self, request: bytes, scheduled: float, record: bool) -> None:
        self.scheduled, self.record = scheduled, record
        assert self.transport is not None
        self.transport.write(request)


async def connect(
    port: int, tls: ssl.SSLContext | None, connections: int, idle: deque[_Conn], lat: list[float]
) -> list[_Conn]:
    loop = asyncio.get_running_loop()
    conns = []
    for _ in range(connections):
        _, conn = await loop.create_connection(
            lambda: _Conn(idle, lat),
            "127.0.0.1",
            port,
            ssl=tls,
            server_hostname="localhost" if tls else None,
        )
        conns.append(conn)
        idle.append(conn)
    return conns


async def closed_loop(
    port: int, path: str, tls: ssl.SSLContext | None, seconds: float, connections: int
) -> float:
    """The highest rate this client reaches: every connection sends its next request as soon as
    the previous one is answered. Requests/s over `seconds` after a 1 s warm-up."""
    idle: deque[_Conn] = deque()
    conns = await connect(port, tls, connections, idle, [])
    request = f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode()
    for conn in conns:
        conn.repeat = request
        conn.send(request, 0.0, False)
    await asyncio.sleep(1.0)
    before, began = sum(c.answered for c in conns), time.perf_counter()
    await asyncio.sleep(seconds)
    rate = (sum(c.answered for c in conns) - before) / (time.perf_counter() - began)
    for conn in conns:
        conn.repeat = None
    while len(idle) < connections:
        await asyncio.sleep(0.01)
    for conn in conns:
        assert conn.transport is not None
        conn.transport.close()
    if any(c.failed for c in conns):
        raise SystemExit("non-200 answers in the closed-loop run")
    return rate


async def open_loop(
    port: int,
    path: str,
    tls: ssl.SSLContext | None,
    rate: float,
    seconds: float,
    connections: int,
    warmup: float = 1.0,
) -> tuple[list[float], int, int]:
    """(latencies in s, requests sent, non-200 answers) of an open-loop run at `rate` req/s."""
    idle: deque[_Conn] = deque()
    latencies: list[float] = []
    conns = await connect(port, tls, connections, idle, latencies)
    request = f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode()
    waiting: deque[tuple[float, bool]] = deque()  # scheduled, not yet sent: no idle connection
    interval = 1.0 / rate
    start = time.perf_counter() + 0.05
    total = int(rate * (seconds + warmup))
    sent = 0
    while sent < total or waiting or len(idle) < connections:
        now = time.perf_counter()
        while sent < total and start + sent * interval <= now:
            scheduled = start + sent * interval
            waiting.append((scheduled, scheduled - start >= warmup))
            sent += 1
        while waiting and idle:
            scheduled, record = waiting.popleft()
            idle.popleft().send(request, scheduled, record)
        if sent < total:
            await asyncio.sleep(max(0.0, min(0.001, start + sent * interval - now)))
        else:
            await asyncio.sleep(0.001)
    for conn in conns:
        assert conn.transport is not None
        conn.transport.close()
    return latencies, sent, sum(c.failed for c in conns)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def client_tls(files: Files) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(files.root_crt))
    ctx.check_hostname = False
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(str(files.client_pem))
    return ctx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    raise_own_priority()
    with tempfile.TemporaryDirectory(prefix="certgate-latency-") as tmp:
        folder = Path(tmp)
        files = make_pki(folder)
        backend_port, gw_port = free_port(), free_port()
        config = folder / "config.yaml"
        config.write_text(CONFIG.format(port=gw_port, pki=folder, backend=backend_port))
        with (
            echo_backend(backend_port, folder / "backend.log") as be,
            gateway(config, gw_port, folder / "gateway.log") as gw,
        ):
            check("/echo/x", gw_port, files)
            tls = client_tls(files)
            uvloop.run(closed_loop(gw_port, "/echo/x", tls, 2.0, args.connections))  # warm-up
            maxima = [
                uvloop.run(closed_loop(gw_port, "/echo/x", tls, args.seconds, args.connections))
                for _ in range(args.rounds)
            ]
            max_rate = median(maxima)
            rate = max_rate / 2
            print(
                f"max rate through the gateway (this client, closed loop, "
                f"{args.connections} connections): {max_rate:,.0f} req/s (runs: "
                f"{', '.join(f'{m:,.0f}' for m in maxima)}); open-loop rate: {rate:,.0f} req/s"
            )
            runs: dict[str, list[dict[str, float]]] = {"direct": [], "gateway": []}
            for i in range(args.rounds):
                order = [("direct", backend_port, "/x", None), ("gateway", gw_port, "/echo/x", tls)]
                for name, port, path, ctx in order if i % 2 == 0 else order[::-1]:
                    busy, own = cpu_busy(SERVER_CPU), cpu_seconds(gw.pid)
                    load_cpu, backend_cpu = time.process_time(), cpu_seconds(be.pid)
                    began = time.monotonic()
                    lat, _sent, failed = uvloop.run(
                        open_loop(port, path, ctx, rate, args.seconds, args.connections)
                    )
                    wall = time.monotonic() - began
                    # CPU 1 time used by anything but the gateway: others' load on its core.
                    others = (cpu_busy(SERVER_CPU) - busy - (cpu_seconds(gw.pid) - own)) / wall
                    generator = (time.process_time() - load_cpu) / wall
                    backend = (cpu_seconds(be.pid) - backend_cpu) / wall
                    if failed:
                        raise SystemExit(f"{name}: {failed} non-200 answers")
                    figures = {
                        "requests": len(lat),
                        "p50_ms": percentile(lat, 50) * 1000,
                        "p90_ms": percentile(lat, 90) * 1000,
                        "p99_ms": percentile(lat, 99) * 1000,
                        "others_on_cpu1_pct": max(0.0, others * 100),
                        "generator_cpu_pct": generator * 100,
                        "backend_cpu_pct": backend * 100,
                        "gateway_cpu_pct": (cpu_seconds(gw.pid) - own) / wall * 100,
                    }
                    runs[name].append(figures)
                    print(
                        f"round {i + 1} {name:8s}: "
                        + ", ".join(f"{k} {v:,.2f}" for k, v in figures.items())
                    )
    summary = {
        name: {k: median([r[k] for r in rs]) for k in ("p50_ms", "p90_ms", "p99_ms")}
        for name, rs in runs.items()
    }  # (others_on_cpu1_pct stays per run)
    added = {k: summary["gateway"][k] - summary["direct"][k] for k in summary["direct"]}
    print(
        "median of rounds: "
        + "; ".join(
            f"{k}: direct {summary['direct'][k]:.2f}, gateway {summary['gateway'][k]:.2f}, "
            f"added {added[k]:.2f}"
            for k in added
        )
    )
    OUT.mkdir(parents=True, exist_ok=True)
    record = {
        "max_rate": max_rate,
        "maxima": maxima,
        "rate": rate,
        "runs": runs,
        "summary": summary,
        "added": added,
        "args": vars(args),
        "machine": machine(),
        "commit": commit(),
        "time": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    (OUT / "latency.json").write_text(json.dumps(record, indent=1))
    if args.write_docs:
        write_part("Latency added over calling the backend directly", _docs(record))


def _docs(r: dict[str, object]) -> str:
    s = r["summary"]  # type: ignore[index]
    a = r["added"]  # type: ignore[index]
    args = r["args"]  # type: ignore[index]
    rows = "\n".join(
        f"| {label} | {s['direct'][k]:.2f} | {s['gateway'][k]:.2f} | **{a[k]:.2f}** |"  # type: ignore[index]
        for label, k in (("p50", "p50_ms"), ("p90", "p90_ms"), ("p99", "p99_ms"))
    )
    runs = "\n".join(
        f"| {i + 1} | {d['p50_ms']:.2f} / {g['p50_ms']:.2f} | {d['p99_ms']:.1f} / "
        f"{g['p99_ms']:.1f} | {g['gateway_cpu_pct']:.0f}% | {g['others_on_cpu1_pct']:.0f}% | "
        f"{g['generator_cpu_pct'] + g['backend_cpu_pct']:.0f}% |"
        for i, (d, g) in enumerate(
            zip(
                r["runs"]["direct"],  # type: ignore[index]
                r["runs"]["gateway"],  # type: ignore[index]
                strict=True,
            )
        )
    )
    loads = [
        g["generator_cpu_pct"] + g["backend_cpu_pct"]
        for g in r["runs"]["gateway"]  # type: ignore[index]
    ]
    saturated = (
        "\n\n**CPU 0 was saturated** (client and backend at "
        f"{min(loads):.0f} to {max(loads):.0f} % of it): the client then sends late, and an "
        "open-loop latency counted from the scheduled send time charges that delay to the "
        "request; the tails (p90, p99) measure the client's core more than the gateway. Rerun "
        "on a machine with a spare core for the client."
        if max(loads) >= 90
        else ""
    )
    command = (
        f".venv/bin/python bench/latency.py --rounds {args['rounds']} "
        f"--seconds {args['seconds']:g} --connections {args['connections']} --write-docs"
    )
    return f"""\
Measured {r["time"]} on {r["machine"]}; code {r["commit"]}.

Maximum rate through the gateway (this script's client, closed loop, {args["connections"]}
connections, median of {args["rounds"]}): **{r["max_rate"]:,.0f} req/s**. At half of it,
**{r["rate"]:,.0f} req/s**, open loop over {args["connections"]} keep-alive connections,
{args["seconds"]:g} s per run, {args["rounds"]} runs each, alternating (median of the runs, ms):

| percentile | backend directly (plain HTTP) | through certgate (TLS 1.3, client cert) | added |
|---|---|---|---|
{rows}

Each run, for judging the noise (direct / through certgate; CPU shares during the run through
certgate):

| round | p50 ms | p99 ms | gateway's CPU 1 | CPU 1 busy otherwise | client + backend on CPU 0 |
|---|---|---|---|---|---|
{runs}{saturated}

"CPU 1 busy otherwise" is time CPU 1 spent on anything but the gateway process: the kernel's
loopback network work, and other programs on a shared machine (a gateway at half its capacity
feels them at once).

"Added" is everything the client pays for going through the gateway: the TLS record layer, the
parse, the default policy (forward), the upstream hop over the keep-alive pool and the access log
line (to a file). Latency counts from each request's scheduled send time (open loop, no
coordinated omission). The load generator is Python (uvloop + httptools, `open_loop` in the
script) and shares CPU 0 with the backend; the gateway is pinned to CPU 1.

```bash
{command}
```"""


if __name__ == "__main__":
    main()
