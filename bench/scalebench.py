"""Shared pieces of `latency.py` and `routing_scale.py`: a fresh PKI, `certgate serve` and the echo
backend as pinned subprocesses, ApacheBench runs, and the `## Latency and routing scale` section of
docs/benchmarks.md (each script owns one `###` part of it; other sections are left alone).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from certgate.testing.pki import LISTENER_YAML, DemoPki

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
OUT = ROOT / "bench" / "out"
SECTION = "## Latency and routing scale"
LOAD_CPU, SERVER_CPU = 0, 1  # load generator and backend on CPU 0, the gateway alone on CPU 1
LISTENER = LISTENER_YAML  # every scale benchmark's gateway listener


def pinned() -> bool:
    return {LOAD_CPU, SERVER_CPU} <= os.sched_getaffinity(0) and bool(shutil.which("taskset"))


# The benchmark's own processes run at a higher priority than the rest of the machine (when we
# may raise it): other work on a shared machine then disturbs the measurement less.
PRIORITY = -10


def can_raise_priority() -> bool:
    return os.geteuid() == 0 and bool(shutil.which("nice"))


def on_cpu(cpu: int, argv: Sequence[str]) -> list[str]:
    argv = list(argv)
    if can_raise_priority():
        argv = ["nice", "-n", str(PRIORITY), *argv]
    return ["taskset", "-c", str(cpu), *argv] if pinned() else argv


def raise_own_priority() -> None:
    """The same for the calling process (the Python load generator)."""
    if can_raise_priority():
        os.setpriority(os.PRIO_PROCESS, 0, PRIORITY)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Files:
    folder: Path
    client_pem: Path  # certificate + chain + key, for ab -E and the Python client
    root_crt: Path
    gateway_pem: Path


def make_pki(folder: Path) -> Files:
    demo = DemoPki.create(("localhost",))
    demo.write(folder)
    return Files(folder, folder / "client.pem", folder / "root.crt", folder / "gateway.pem")


def wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"process exited with {proc.returncode}") from None
            if time.monotonic() > deadline:
                raise SystemExit(f"nothing listens on port {port}") from None
            time.sleep(0.1)


@contextlib.contextmanager
def started(argv: Sequence[str], port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server, wait until it listens, stop it (and its group) at the end."""
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=out, start_new_session=True)
        try:
            wait_listening(port, proc)
            yield proc
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def echo_backend(
    port: int, log: Path
) -> contextlib.AbstractContextManager[subprocess.Popen[bytes]]:
    argv = on_cpu(LOAD_CPU, [sys.executable, "-m", "certgate.testing.backend", str(port)])
    return started(argv, port, log)


def gateway(
    config: Path, port: int, log: Path
) -> contextlib.AbstractContextManager[subprocess.Popen[bytes]]:
    argv = [sys.executable, "-m", "certgate.cli", "serve", "--config", str(config)]
    return started(on_cpu(SERVER_CPU, argv), port, log)


def check(url_path: str, port: int, files: Files, expect: int = 200) -> None:
    """One request with the client certificate; the status must be `expect`."""
    ctx = ssl.create_default_context(cafile=str(files.root_crt))
    ctx.check_hostname = False
    ctx.load_cert_chain(str(files.client_pem))
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        ctx.wrap_socket(raw, server_hostname="localhost") as sock,
    ):
        sock.sendall(
            f"GET {url_path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    if status != expect:
        raise SystemExit(f"GET {url_path} answered {status}, expected {expect}: {data[:300]!r}")


@dataclass(frozen=True)
class AbResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    failed: int
    non_2xx: int

    @property
    def valid(self) -> bool:
        return self.failed == 0 and self.non_2xx == 0


def ab(url: str, client_pem: Path, requests: int, concurrency: int, csv: Path) -> AbResult:
    """`ab -k` (HTTP/1.0 keep-alive) over TLS 1.3 with the client certificate."""
    argv = ["ab", "-q", "-k", "-f", "TLS1.3", "-c", str(concurrency), "-n", str(requests)]
    argv += ["-E", str(client_pem), "-e", str(csv), url]
    proc = subprocess.run(
        on_cpu(LOAD_CPU, argv), capture_output=True, text=True, timeout=600, check=False
    )
    out = proc.stdout
    if proc.returncode != 0:
        raise SystemExit(f"ab failed ({proc.returncode}): {proc.stderr.strip()[:500]}")

    def number(label: str, default: float = 0.0) -> float:
        match = re.search(rf"^{label}:\s+([\d.]+)", out, re.MULTILINE)
        return float(match.group(1)) if match else default

    percentiles = {}
    for line in csv.read_text().splitlines()[1:]:
        pct, ms = line.split(",")
        percentiles[int(float(pct))] = float(ms)
    return AbResult(
        number("Requests per second"),
        percentiles.get(50, 0.0),
        percentiles.get(99, 0.0),
        int(number("Failed requests")),
        int(number("Non-2xx responses")),
    )


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc (robust to other load on the machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_busy(cpu: int) -> float:
    """Seconds CPU `cpu` has spent busy (everything but idle and iowait), from /proc/stat."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith(f"cpu{cpu} "):
            ticks = [int(x) for x in line.split()[1:]]
            return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    return 0.0


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    pin = "gateway pinned to CPU 1, load generator and backend to CPU 0" if pinned() else "unpinned"
    nice = f", at nice {PRIORITY}" if can_raise_priority() else ""
    return f"{os.cpu_count()} CPUs ({cpu}); {pin}{nice}; load average before the run {load}"


def commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "src"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return head + (" + uncommitted changes in src/" if dirty else "")


# --- docs ----------------------------------------------------------------------------------------

INTRO = """_Written by `bench/latency.py --write-docs` and `bench/routing_scale.py --write-docs`
(each rewrites its own part below; raw figures in `bench/out/`)._
"""


def write_part(part: str, body: str) -> None:
    """Replace the `### part` subsection of our section (creating either as needed)."""
    OUT.mkdir(parents=True, exist_ok=True)
    store = OUT / "scale_parts.json"
    parts: dict[str, str] = json.loads(store.read_text()) if store.exists() else {}
    parts[part] = body.strip("\n")
    store.write_text(json.dumps(parts, indent=1))
    ordered = sorted(parts.items(), key=lambda kv: 0 if kv[0].startswith("Latency") else 1)
    section = INTRO + "".join(f"\n### {name}\n\n{text}\n" for name, text in ordered)
    _replace_section(DOCS, SECTION, section)


def _replace_section(path: Path, heading: str, body: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    lines = text.splitlines()
    new = [heading, "", *body.strip("\n").splitlines(), ""]
    if heading in lines:
        start = lines.index(heading)
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        lines[start:end] = new
    else:
        while lines and not lines[-1].strip():
            lines.pop()
        lines += ["", *new]
    while lines and not lines[-1].strip():
        lines.pop()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
