"""ApacheBench (`ab`, C, Debian package apache2-utils) as the load generator, and its output parsed.

`ab -k` speaks HTTP/1.0 with `Connection: Keep-Alive`; every target must keep each connection
open for the whole run, or the run would measure handshakes instead of round trips.
"""

from __future__ import annotations

import csv
import re
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from procs import on_cpu

AB_TIMEOUT_S = 600.0  # a wedged target must not hang the benchmark forever


@dataclass(frozen=True)
class AbRun:
    """What one ab run reported; `problems` lists every reason it cannot be trusted."""

    requests: int
    complete: int
    failed: int
    non_2xx: int
    keepalive: int
    requests_per_s: float
    mean_ms: float
    p50_ms: float | None
    p99_ms: float | None
    tls: str
    returncode: int
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def ab_argv(
    url: str, client_pem: Path, requests: int, concurrency: int, csv_path: Path
) -> list[str]:
    # -f TLS1.3: same protocol for every target (nginx 1.22 would also accept 1.2).
    return [
        "ab", "-q", "-k", "-f", "TLS1.3",
        "-c", str(concurrency), "-n", str(requests),
        "-E", str(client_pem), "-e", str(csv_path),
        url,
    ]  # fmt: skip


def run_ab(
    url: str,
    client_pem: Path,
    requests: int,
    concurrency: int,
    csv_path: Path,
    cpu: int | None,
) -> tuple[AbRun, str]:
    """Run ab pinned to `cpu`; returns the parsed result and ab's raw output."""
    argv = on_cpu(cpu, ab_argv(url, client_pem, requests, concurrency, csv_path))
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=AB_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return _broken(requests, f"ab did not finish in {AB_TIMEOUT_S:.0f}s"), ""
    raw = done.stdout + done.stderr
    return parse_ab(done.stdout, requests, done.returncode, csv_path, done.stderr), raw


def parse_ab(
    text: str, requests: int, returncode: int, csv_path: Path | None, stderr: str = ""
) -> AbRun:
    """Parse ab's report (and its `-e` percentile CSV); list every reason to distrust it."""
    complete = _int(r"Complete requests:\s+(\d+)", text)
    failed = _int(r"Failed requests:\s+(\d+)", text)
    non_2xx = _int(r"Non-2xx responses:\s+(\d+)", text)  # the line only appears when > 0
    keepalive = _int(r"Keep-Alive requests:\s+(\d+)", text)
    percentiles = read_percentiles(csv_path) if csv_path else {}
    run = AbRun(
        requests=requests,
        complete=complete,
        failed=failed,
        non_2xx=non_2xx,
        keepalive=keepalive,
        requests_per_s=_float(r"Requests per second:\s+([\d.]+)", text),
        mean_ms=_float(r"Time per request:\s+([\d.]+) \[ms\] \(mean\)", text),
        p50_ms=percentiles.get(50),
        p99_ms=percentiles.get(99),
        tls=_str(r"SSL/TLS Protocol:\s+(\S+)", text),
        returncode=returncode,
    )
    run.problems.extend(_problems(run, stderr))
    return run


def _problems(run: AbRun, stderr: str) -> list[str]:
    problems = []
    if run.returncode != 0:
        problems.append(f"ab exited with {run.returncode}: {stderr.strip()[-300:]}")
    if run.complete != run.requests:
        problems.append(f"{run.complete} of {run.requests} requests completed")
    if run.failed:
        problems.append(f"{run.failed} failed requests")
    if run.non_2xx:
        problems.append(f"{run.non_2xx} non-2xx responses")
    if run.keepalive != run.complete:
        problems.append(f"only {run.keepalive} of {run.complete} requests kept the connection")
    if not run.requests_per_s:
        problems.append("no requests/s in ab's output")
    if not run.tls.startswith("TLSv1.3"):
        problems.append(f"TLS was {run.tls or 'not reported'}, not TLS 1.3")
    return problems


def read_percentiles(path: Path) -> dict[int, float]:
    """ab -e CSV: 'Percentage served,Time in ms' then one row per percent 0..100."""
    try:
        with path.open(newline="") as f:
            rows = list(csv.reader(f))[1:]
    except OSError:
        return {}
    return {int(float(pct)): float(ms) for pct, ms in rows}


def _broken(requests: int, problem: str) -> AbRun:
    return AbRun(requests, 0, 0, 0, 0, 0.0, 0.0, None, None, "", -1, [problem])


def _int(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else 0


def _float(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    return float(match.group(1)) if match else 0.0


def _str(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    return match.group(1) if match else ""
