"""What live apply and the request metrics add to each request (docs/operations.md, "Live apply").

Measures, on this machine: the version check alone (one read of the shared counter), and
`Gateway._handle` (check + `Proxy.handle` + `Metrics.observe_request`) against calling the proxy
directly, with a stand-in proxy whose `handle` does nothing, so only the added work is timed.

    .venv/bin/python scripts/live_check_cost.py
"""

from __future__ import annotations

import tempfile
import time
import timeit
from pathlib import Path
from types import SimpleNamespace

import uvloop

from certgate.core.model import Response
from certgate.io.live import LiveSnapshot, SharedCounter
from certgate.io.server import Gateway
from certgate.metrics import Metrics

N = 1_000_000


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        counter = SharedCounter.open(Path(folder))
        live = LiveSnapshot.__new__(LiveSnapshot)
        live.words, live.generation = counter.words, counter.generation
        check = timeit.timeit("live.words[0] != live.generation", globals={"live": live}, number=N)
        print(f"version check alone:            {check / N * 1e9:6.0f} ns")

        response = Response(200)
        incoming = SimpleNamespace(api_id="orders", operation_id="get", started=0.0)

        async def handle(_incoming: object) -> Response:
            return response

        gateway = Gateway.__new__(Gateway)
        gateway.proxy = SimpleNamespace(handle=handle, snapshot=None)  # type: ignore[assignment]

        async def run(fn: object, n: int) -> float:
            started = time.perf_counter()
            for _ in range(n):
                await fn(incoming)  # type: ignore[operator]
            return (time.perf_counter() - started) / n * 1e9

        async def measure() -> None:
            incoming.started = time.perf_counter()
            base = min([await run(handle, N // 4) for _ in range(3)])
            gateway.live, gateway.metrics = live, None
            with_live = min([await run(gateway._handle, N // 4) for _ in range(3)])
            gateway.metrics = Metrics()
            with_both = min([await run(gateway._handle, N // 4) for _ in range(3)])
            print(f"Proxy.handle called directly:   {base:6.0f} ns (the stand-in)")
            print(f"+ live check (wrapper + read):  {with_live - base:6.0f} ns")
            print(f"+ live check + request metrics: {with_both - base:6.0f} ns")

        uvloop.run(measure())
        counter.close()


if __name__ == "__main__":
    main()
