"""Requests/s with 1 API and with 1,000 APIs configured: routing must not grow with the count.

    .venv/bin/python bench/routing_scale.py [--rounds 7] [--requests 20000] [--concurrency 32]
                                            [--apis 1000] [--write-docs]

Three `certgate serve` processes, all pinned to CPU 1 (only one loaded at a time), in front of
the same echo backend (CPU 0):

- `1 API`: a single API;
- `1 API (control)`: the same configuration again, so that the run measures its own noise: the
  difference between two identical gateways is what the machine does, not the code;
- `N APIs`: `--apis` APIs at paths `svc/0000` ... `svc/0999`, each with its own `serviceUrl` and a
  small API-scope policy (so N compiled policies).

The load always goes to the *last* API of a configuration (any scan over APIs would show there):
`ab -k -f TLS1.3 -c C -n R -E client.pem`, the order of the three rotating every round. Per run,
req/s and the gateway's CPU time per request (utime + stime from /proc: steadier than req/s on a
shared machine). Prints medians and ratios; raw figures go to bench/out/routing_scale.json, the
docs section with --write-docs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
import time
from pathlib import Path

from scalebench import (
    LISTENER,
    OUT,
    ab,
    check,
    commit,
    cpu_seconds,
    echo_backend,
    free_port,
    gateway,
    machine,
    make_pki,
    median,
    write_part,
)

from certgate.snapshot import load_snapshot

HEAD = (
    LISTENER
    + """\
apis:
"""
)
# Every API has a policy of its own, so a configuration of 1,000 APIs is 1,000 compiled policies.
API = """  api{i:04d}:
    path: svc/{i:04d}
    serviceUrl: http://127.0.0.1:{backend}/b{i:04d}
    policy: >-
      <policies><inbound><base/><set-header name="X-Api" exists-action="override">
      <value>{i:04d}</value></set-header></inbound></policies>
"""
ONE, CONTROL = "1 API", "1 API (control)"


def write_config(path: Path, count: int, port: int, pki: Path, backend: int) -> str:
    text = HEAD.format(port=port, pki=pki)
    text += "".join(API.format(i=i, backend=backend) for i in range(count))
    path.write_text(text)
    return f"/svc/{count - 1:04d}/x"  # the last API


def routing_alone(config: Path, path: str, n: int = 200_000) -> float:
    """µs per request of routing alone (API by path, then operation), in this process."""
    snapshot = load_snapshot(config)
    router = snapshot.router
    began = time.perf_counter()
    for _ in range(n):
        match = router.match(path)
        assert match is not None
        match.target.match("GET", match.remainder or "/", "")
    return (time.perf_counter() - began) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--apis", type=int, default=1000)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()

    many = f"{args.apis:,} APIs"
    counts = {ONE: 1, CONTROL: 1, many: args.apis}
    results: dict[str, list[dict[str, float]]] = {label: [] for label in counts}
    startup: dict[str, float] = {}
    with (
        tempfile.TemporaryDirectory(prefix="certgate-routing-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        folder = Path(tmp)
        files = make_pki(folder)
        backend_port = free_port()
        stack.enter_context(echo_backend(backend_port, folder / "backend.log"))
        ports, paths, pids, routing = {}, {}, {}, {}
        for k, (label, count) in enumerate(counts.items()):
            ports[label] = free_port()
            config = folder / f"{k}.yaml"
            paths[label] = write_config(config, count, ports[label], folder, backend_port)
            routing[label] = routing_alone(config, paths[label])
            began = time.monotonic()
            proc = stack.enter_context(gateway(config, ports[label], folder / f"g{k}.log"))
            startup[label] = time.monotonic() - began
            pids[label] = proc.pid
            check(paths[label], ports[label], files)
            url = f"https://127.0.0.1:{ports[label]}{paths[label]}"
            ab(url, files.client_pem, 2000, args.concurrency, folder / "warm.csv")
        labels = list(counts)
        for i in range(args.rounds):
            for label in labels[i % 3 :] + labels[: i % 3]:
                url = f"https://127.0.0.1:{ports[label]}{paths[label]}"
                cpu_before = cpu_seconds(pids[label])
                run = ab(url, files.client_pem, args.requests, args.concurrency, folder / "r.csv")
                cpu_us = (cpu_seconds(pids[label]) - cpu_before) / args.requests * 1e6
                if not run.valid:
                    raise SystemExit(f"{label}: ab saw failures: {run}")
                results[label].append(
                    {
                        "rps": run.requests_per_s,
                        "p50_ms": run.p50_ms,
                        "p99_ms": run.p99_ms,
                        "cpu_us": cpu_us,
                    }
                )
                print(
                    f"round {i + 1}, {label:>15}: {run.requests_per_s:,.0f} req/s, "
                    f"p50 {run.p50_ms:.2f} ms, p99 {run.p99_ms:.2f} ms, "
                    f"gateway CPU {cpu_us:.0f} µs/request"
                )
    summary = {
        label: {k: median([r[k] for r in rs]) for k in ("rps", "p50_ms", "p99_ms", "cpu_us")}
        for label, rs in results.items()
    }

    def ratios(label: str) -> dict[str, float]:
        """`label` over `1 API`: medians, and the median of the per-round ratios."""
        pairs = list(zip(results[ONE], results[label], strict=True))
        return {
            "rps": summary[label]["rps"] / summary[ONE]["rps"],
            "rps_per_round": median([b["rps"] / a["rps"] for a, b in pairs]),
            "cpu": summary[label]["cpu_us"] / summary[ONE]["cpu_us"],
            "cpu_per_round": median([b["cpu_us"] / a["cpu_us"] for a, b in pairs]),
        }

    compared = {CONTROL: ratios(CONTROL), many: ratios(many)}
    print("routing alone: " + ", ".join(f"{k} {v:.2f} µs" for k, v in routing.items()))
    for label, r in compared.items():
        print(
            f"{label} / {ONE}: req/s {r['rps']:.3f} (per round {r['rps_per_round']:.3f}), "
            f"CPU per request {r['cpu']:.3f} (per round {r['cpu_per_round']:.3f})"
        )
    record = {
        "summary": summary,
        "ratios": compared,
        "runs": results,
        "startup_s": startup,
        "routing_us": routing,
        "args": vars(args),
        "machine": machine(),
        "commit": commit(),
        "time": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "routing_scale.json").write_text(json.dumps(record, indent=1))
    if args.write_docs:
        write_part(f"Requests/s with 1 and with {many}", _docs(record, many))


def _docs(r: dict[str, object], many: str) -> str:
    s: dict[str, dict[str, float]] = r["summary"]  # type: ignore[assignment]
    ratios: dict[str, dict[str, float]] = r["ratios"]  # type: ignore[assignment]
    args: dict[str, object] = r["args"]  # type: ignore[assignment]
    start: dict[str, float] = r["startup_s"]  # type: ignore[assignment]
    routing: dict[str, float] = r["routing_us"]  # type: ignore[assignment]
    rows = "\n".join(
        f"| {label} | {s[label]['rps']:,.0f} | {s[label]['cpu_us']:.0f} | "
        f"{s[label]['p50_ms']:.2f} | {s[label]['p99_ms']:.2f} | {start[label]:.1f} | "
        f"{routing[label]:.2f} |"
        for label in s
    )
    ratio_rows = "\n".join(
        f"| {label} / {ONE} | {x['rps']:.3f} | {x['rps_per_round']:.3f} | {x['cpu']:.3f} | "
        f"{x['cpu_per_round']:.3f} |"
        for label, x in ratios.items()
    )
    command = (
        f".venv/bin/python bench/routing_scale.py --rounds {args['rounds']} "
        f"--requests {args['requests']} --concurrency {args['concurrency']} "
        f"--apis {args['apis']} --write-docs"
    )
    return f"""\
Measured {r["time"]} on {r["machine"]}; code {r["commit"]}.

| gateway | req/s (median) | gateway CPU µs/request | p50 ms | p99 ms | start-up, s | routing µs |
|---|---|---|---|---|---|---|
{rows}

| ratio | req/s | req/s, per round | CPU/request | CPU/request, per round |
|---|---|---|---|---|
{ratio_rows}

The control is a second, identical 1-API gateway: its ratios are the noise of this run; what
{many} add beyond them is what the count costs. "Routing µs" is routing alone (API by path, then
operation), timed in-process over 200,000 calls on the same configurations: one dict lookup per
path segment (`core/routing.py`), whatever the number of APIs. The load goes to the last API of
each configuration; each API has its own `serviceUrl` and API-scope policy.
`ab -k -f TLS1.3 -c {args["concurrency"]} -n {args["requests"]}` with the client certificate,
{args["rounds"]} rounds, the order of the three gateways rotating every round. CPU per request
is utime + stime of the gateway process (from /proc) over each run.

```bash
{command}
```"""


if __name__ == "__main__":
    main()
