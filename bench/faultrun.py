"""Mixed fault run: well-formed traffic to a healthy backend must not notice faults next to it.

    .venv/bin/python bench/faultrun.py [--seconds 60] [--json FILE]

A fresh demo PKI; a `certgate serve` process (one worker, mTLS) with two APIs: `/healthy` in
front of the echo backend, `/flap` (`forward-request timeout="1"`) in front of a backend that
cycles through refused, reset, hang and ok, one second each. Both backends run in a child
process of this script. For `--seconds`, in parallel:

- healthy: keep-alive connections sending GET /healthy/x back to back, plus one client opening
  a fresh TLS connection per request: every answer must be 200 `backend-ok`;
- flap: keep-alive connections sending GET /flap/x: every answer must be 200, 502 or 504 with
  APIM's JSON body (no connection cut, no other status);
- slow: clients sending a well-formed request one byte a second;
- malformed: fresh connections sending one malformed request each: every answer must be 4xx/5xx
  from the gateway, then the connection closed.

The gateway's resident memory (VmRSS from /proc/PID/status) is sampled every 0.25 s. The run
passes when no healthy request failed, every flap and malformed request got its expected kind
of answer, the RSS of the last third of the run stays within `RSS_MARGIN_KIB` of the first
third's maximum, and the gateway stops on SIGTERM with status 0 and no traceback in its log.
Exit status 0 when it passes, 1 when not; `--json` writes the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import uvloop

from certgate.testing.backend import start_echo_backend
from certgate.testing.faults import FlappingBackend
from certgate.testing.pki import LISTENER_YAML, DemoPki

RSS_MARGIN_KIB = 4096  # last-third peak over first-third peak allowed (allocator slack)
SAMPLE_SECONDS = 0.25
HEALTHY_CONNECTIONS = 4
FLAP_CONNECTIONS = 4
SLOW_CLIENTS = 4
CLIENT_TIMEOUT = 30.0  # a healthy answer slower than this counts as a failure

CONFIG = (
    LISTENER_YAML
    + """gateway:
  accessLog: {folder}/access.log
  backendConnectTimeout: 2
apis:
  healthy:
    path: healthy
    serviceUrl: http://127.0.0.1:{healthy}
  flap:
    path: flap
    serviceUrl: http://127.0.0.1:{flap}
    policy: flap.xml
"""
)
FLAP_POLICY = '<policies><backend><forward-request timeout="1" /></backend></policies>'

MALFORMED = [
    b"GARBAGE\r\n\r\n",
    b"GET /healthy/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n",
    b"GET /healthy/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n",
    b"GET /healthy/x HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n",
    b"GET /healthy/x HTTP/1.1\r\nHo\x00st: localhost\r\n\r\n",
    b"GET /healthy/x HTTP/7.3\r\nHost: localhost\r\n\r\n",
]
CERTGATE = [sys.executable, "-m", "certgate.cli", "serve"]
SLOW_REQUEST = b"GET /healthy/s HTTP/1.0\r\n\r\n"  # 27 bytes: 27 s at a byte a second


@dataclass
class Outcomes:
    """Requests per class and what came of them."""

    healthy: int = 0
    healthy_fresh: int = 0
    healthy_failures: list[str] = field(default_factory=list)
    flap: dict[str, int] = field(default_factory=dict)
    flap_anomalies: list[str] = field(default_factory=list)
    slow: dict[str, int] = field(default_factory=dict)
    malformed: dict[str, int] = field(default_factory=dict)
    malformed_anomalies: list[str] = field(default_factory=list)


@dataclass
class Result:
    seconds: float
    outcomes: Outcomes
    rss_kib: list[int]  # one sample per SAMPLE_SECONDS during the run
    rss_idle_kib: int  # before any load
    flap_phases_seen: dict[str, int]
    exit_status: int | None
    traceback_in_log: bool

    @property
    def rss_thirds(self) -> tuple[int, int]:
        """(max of the first third, max of the last third) of the samples."""
        third = max(1, len(self.rss_kib) // 3)
        return max(self.rss_kib[:third]), max(self.rss_kib[-third:])

    def problems(self) -> list[str]:
        out = self.outcomes
        found: list[str] = []
        if out.healthy_failures:
            found.append(f"{len(out.healthy_failures)} healthy requests failed")
        if out.flap_anomalies:
            found.append(f"{len(out.flap_anomalies)} flap requests got no APIM answer")
        if out.malformed_anomalies:
            found.append(f"{len(out.malformed_anomalies)} malformed requests not refused")
        if not rss_bounded(self.rss_kib):
            first, last = self.rss_thirds
            found.append(f"RSS grew: first third peak {first} KiB, last third peak {last} KiB")
        if self.exit_status != 0:
            found.append(f"gateway exit status {self.exit_status}")
        if self.traceback_in_log:
            found.append("a traceback in the gateway's log")
        return found

    def summary(self) -> dict[str, object]:
        first, last = self.rss_thirds
        data = asdict(self)
        data["rss_kib"] = {
            "idle": self.rss_idle_kib,
            "start": self.rss_kib[0],
            "peak": max(self.rss_kib),
            "end": self.rss_kib[-1],
            "first_third_peak": first,
            "last_third_peak": last,
            "samples": len(self.rss_kib),
            "every_seconds": SAMPLE_SECONDS,
        }
        data["rss_samples_kib"] = self.rss_kib
        data["problems"] = self.problems()
        return data


def rss_bounded(samples: list[int], margin_kib: int = RSS_MARGIN_KIB) -> bool:
    """The last third's peak is at most `margin_kib` above the first third's."""
    if len(samples) < 3:
        return False  # too short to tell
    third = len(samples) // 3
    return max(samples[-third:]) <= max(samples[:third]) + margin_kib


def rss_of(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


# --- the backends (a child process) ----------------------------------------------------------


async def serve_backends(phase_seconds: float) -> None:
    _, healthy, _ = await start_echo_backend()
    with socket.socket() as probe:  # a free port for the flapping one (it closes and reopens)
        probe.bind(("127.0.0.1", 0))
        flap_port = probe.getsockname()[1]
    flapping = FlappingBackend(flap_port, phase_seconds)
    task = asyncio.create_task(flapping.run())
    await asyncio.sleep(0)
    print(json.dumps({"healthy": healthy, "flap": flap_port}), flush=True)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    print(json.dumps({"phases": flapping.answered}), flush=True)


# --- the clients -----------------------------------------------------------------------------


class Closed(Exception):
    """The gateway closed the connection before a complete response."""


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes], bytes]:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        raise Closed(f"closed after {len(exc.partial)} bytes of head") from None
    lines = head[:-4].split(b"\r\n")
    status = int(lines[0].split(b" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    try:
        if b"content-length" in headers:
            body = await reader.readexactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            body = b""
            while True:
                size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
                body += (await reader.readexactly(size + 2))[:-2]
                if size == 0:
                    break
        else:
            body = await reader.read()
    except asyncio.IncompleteReadError:
        raise Closed("closed mid-body") from None
    return status, headers, body


class Load:
    def __init__(self, port: int, tls: ssl.SSLContext, out: Outcomes) -> None:
        self.port = port
        self.tls = tls
        self.out = out
        self.running = True

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(
            "127.0.0.1", self.port, ssl=self.tls, server_hostname="localhost"
        )

    async def healthy(self, fresh: bool) -> None:
        """Back to back on one keep-alive connection (or a new one per request)."""

        def judge(status: int, body: bytes) -> None:
            if (status, body) != (200, b"backend-ok"):
                self.out.healthy_failures.append(f"{status} {body[:100]!r}")
            elif fresh:
                self.out.healthy_fresh += 1
            else:
                self.out.healthy += 1

        await self._requests(b"/healthy/x", judge, self.out.healthy_failures, fresh)

    async def flap(self) -> None:
        """Every answer from the flapping API is 200, or the gateway's own 502 or 504."""

        def judge(status: int, body: bytes) -> None:
            _count(self.out.flap, str(status))
            if status != 200 and (
                status not in (502, 504) or json.loads(body)["statusCode"] != status
            ):
                self.out.flap_anomalies.append(f"{status} {body[:100]!r}")

        await self._requests(b"/flap/x", judge, self.out.flap_anomalies, fresh=False)

    async def _requests(
        self,
        path: bytes,
        judge: Callable[[int, bytes], None],
        failures: list[str],
        fresh: bool,
    ) -> None:
        """GET `path` until stopped, each answer to `judge`; a connection error goes to
        `failures` and the next request opens a new connection (as does every one if `fresh`)."""
        request = b"GET " + path + b" HTTP/1.1\r\nHost: localhost\r\n\r\n"
        writer: asyncio.StreamWriter | None = None
        try:
            while self.running:
                try:
                    if writer is None:
                        reader, writer = await self.connect()
                    writer.write(request)
                    status, _, body = await asyncio.wait_for(read_response(reader), CLIENT_TIMEOUT)
                except (OSError, ssl.SSLError, Closed, TimeoutError) as exc:
                    failures.append(f"{type(exc).__name__}: {exc}")
                    await _close(writer)
                    writer = None
                    continue
                judge(status, body)
                if fresh:
                    await _close(writer)
                    writer = None
        finally:
            await _close(writer)

    async def slow(self) -> None:
        """A byte a second: the gateway waits for the rest, or closes; either way, no harm."""
        while self.running:
            writer: asyncio.StreamWriter | None = None
            try:
                reader, writer = await self.connect()
                for byte in SLOW_REQUEST:
                    writer.write(bytes((byte,)))
                    await asyncio.sleep(1)
                status, _, _ = await asyncio.wait_for(read_response(reader), CLIENT_TIMEOUT)
                _count(self.out.slow, f"answered {status}")
            except asyncio.CancelledError:
                _count(self.out.slow, "unfinished at the end")
                await _close(writer)
                raise
            except (Closed, ConnectionError, ssl.SSLError):
                _count(self.out.slow, "closed by the gateway")
            except Exception as exc:
                _count(self.out.slow, f"client error {type(exc).__name__}")
            await _close(writer)

    async def malformed(self) -> None:
        index = 0
        while self.running:
            data = MALFORMED[index % len(MALFORMED)]
            index += 1
            writer: asyncio.StreamWriter | None = None
            try:
                reader, writer = await self.connect()
                writer.write(data)
                status, _, _ = await asyncio.wait_for(read_response(reader), CLIENT_TIMEOUT)
                _count(self.out.malformed, str(status))
                rest = await asyncio.wait_for(reader.read(), CLIENT_TIMEOUT)
                if not 400 <= status < 600 or rest:
                    self.out.malformed_anomalies.append(f"{status}, then {rest[:60]!r}")
            except asyncio.CancelledError:
                await _close(writer)
                raise
            except (ConnectionError, ssl.SSLError):
                # A reset after the answer (the gateway stops reading a refused request):
                # the answer was counted above; a reset before it has no status.
                _count(self.out.malformed, "reset")
            except Exception as exc:
                self.out.malformed_anomalies.append(f"{type(exc).__name__}: {exc}")
            await _close(writer)
            await asyncio.sleep(0.02)  # pressure, not a handshake benchmark


def _count(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1


async def _close(writer: asyncio.StreamWriter | None) -> None:
    if writer is not None:
        writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(writer.wait_closed(), 2)


# --- the run ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(path: Path, text: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited {proc.returncode}:\n{path.read_text(errors='replace')}")
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.05)
    raise RuntimeError(f"no {text!r} within {timeout} s:\n{path.read_text(errors='replace')}")


def run(seconds: float, folder: Path) -> Result:
    """The whole run in `folder` (PKI, configuration, logs)."""
    pki = DemoPki.create(("localhost",))
    pki.write(folder / "pki")
    backends = subprocess.Popen(
        [sys.executable, __file__, "--backends"], stdout=subprocess.PIPE, text=True
    )
    gateway: subprocess.Popen[bytes] | None = None
    try:
        assert backends.stdout is not None
        ports = json.loads(backends.stdout.readline())
        port = _free_port()
        (folder / "flap.xml").write_text(FLAP_POLICY)
        config = folder / "config.yaml"
        config.write_text(
            CONFIG.format(
                port=port,
                pki=folder / "pki",
                folder=folder,
                healthy=ports["healthy"],
                flap=ports["flap"],
            )
        )
        log_path = folder / "gateway.log"
        with open(log_path, "wb") as log:
            gateway = subprocess.Popen(
                [*CERTGATE, "--config", str(config), "--data", str(folder / "data")],
                stdout=log,
                stderr=log,
            )
        _wait_for(log_path, "certgate.server: serving", gateway, 60)
        tls = ssl.create_default_context(cafile=str(folder / "pki" / "root.crt"))
        tls.load_cert_chain(str(folder / "pki" / "client.pem"))
        idle = rss_of(gateway.pid)
        samples, outcomes = uvloop.run(_drive(port, tls, gateway.pid, seconds))
        gateway.send_signal(signal.SIGTERM)
        status = gateway.wait(60)
        backends.send_signal(signal.SIGTERM)
        tail, _ = backends.communicate(timeout=30)
        phases = json.loads(tail.strip().splitlines()[-1])["phases"]
        return Result(
            seconds,
            outcomes,
            samples,
            idle,
            phases,
            status,
            "Traceback" in log_path.read_text(errors="replace"),
        )
    finally:
        for proc in (gateway, backends):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(10)


async def _drive(
    port: int, tls: ssl.SSLContext, pid: int, seconds: float
) -> tuple[list[int], Outcomes]:
    """Every class of client at once for `seconds`, sampling the gateway's RSS meanwhile."""
    out = Outcomes()
    load = Load(port, tls, out)
    jobs = [load.healthy(fresh=False) for _ in range(HEALTHY_CONNECTIONS)]
    jobs += [load.healthy(fresh=True)]
    jobs += [load.flap() for _ in range(FLAP_CONNECTIONS)]
    jobs += [load.slow() for _ in range(SLOW_CLIENTS)]
    jobs += [load.malformed()]
    tasks = [asyncio.create_task(job) for job in jobs]
    samples: list[int] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        samples.append(rss_of(pid))
        await asyncio.sleep(SAMPLE_SECONDS)
    load.running = False
    await asyncio.sleep(0)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return samples, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--backends", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--phase-seconds", type=float, default=1.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.backends:
        uvloop.run(serve_backends(args.phase_seconds))
        return 0
    with tempfile.TemporaryDirectory(prefix="faultrun-") as tmp:
        result = run(args.seconds, Path(tmp))
    summary = result.summary()
    print(json.dumps(summary, indent=2, default=str))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, default=str) + "\n")
    return 1 if result.problems() else 0


if __name__ == "__main__":
    sys.exit(main())
