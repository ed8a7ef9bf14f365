"""Bodies stream through the gateway with back-pressure; only a policy that reads a body makes the
gateway hold it (capped).

The 1 GB test runs `certgate serve` in a subprocess so that its peak memory (VmHWM) can be read
from /proc while one client uploads 1 GB and another downloads 1 GB at the same time.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from certgate.testing import backend as echo
from tests.conftest import Pki
from tests.harness import SERVED_LISTENER, Client, Harness, LoopThread, free_port, listener_yaml
from tests.rawhttp import duplex

GB = 1 << 30
MB = 1 << 20
_PATTERN = bytes(range(256)) * 4096  # 1 MiB, the echo backend's generator pattern


# --- a backend that counts what it receives -----------------------------------------------------


class Sink(asyncio.Protocol):
    """Reads request bodies without keeping them; answers `{"bytes": n, "crc32": c}`.

    `gate` (when given) must be set before it reads anything: a backend that does not read.
    """

    def __init__(self, gate: threading.Event | None = None) -> None:
        import httptools

        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.count = 0
        self.crc = 0
        self.gate = gate

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.held = b""

    async def _open_gate(self) -> None:
        while self.gate is not None and not self.gate.is_set():
            await asyncio.sleep(0.02)
        held, self.held = self.held, b""
        self.parser.feed_data(held)
        if self.transport is not None:
            self.transport.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        if self.gate is not None and not self.gate.is_set():
            # (uvloop starts reading after connection_made, so the pause goes here)
            if not self.held and self.transport is not None:
                self.transport.pause_reading()
                asyncio.get_running_loop().create_task(self._open_gate())
            self.held += data
            return
        self.parser.feed_data(data)

    def on_message_begin(self) -> None:
        self.count, self.crc = 0, 0

    def on_body(self, body: bytes) -> None:
        self.count += len(body)
        self.crc = zlib.crc32(body, self.crc)

    def on_message_complete(self) -> None:
        payload = json.dumps({"bytes": self.count, "crc32": self.crc}).encode()
        if self.transport is not None:
            self.transport.write(
                b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(payload), payload)
            )


def start_sink(loop: LoopThread, gate: threading.Event | None = None) -> asyncio.AbstractServer:
    async def start() -> asyncio.AbstractServer:
        loop_ = asyncio.get_running_loop()
        return await loop_.create_server(lambda: Sink(gate), "127.0.0.1", 0)

    return loop.run(start())


@pytest.fixture(scope="module")
def sink(loop_thread: LoopThread) -> Iterator[int]:
    server = start_sink(loop_thread)
    yield server.sockets[0].getsockname()[1]
    server.close()


# --- clients --------------------------------------------------------------------------------------


def upload_chunked(
    client: Client, path: str, total: int, progress: list[int] | None = None
) -> dict[str, int]:
    """POST `total` bytes of the pattern, chunked, 1 MiB per chunk; returns the sink's answer."""
    sock = client.connect()
    sock.settimeout(120)
    try:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        sent = 0
        frame = b"%x\r\n" % len(_PATTERN)
        while sent < total:
            piece = _PATTERN if total - sent >= len(_PATTERN) else _PATTERN[: total - sent]
            if len(piece) != len(_PATTERN):
                frame = b"%x\r\n" % len(piece)
            sock.sendall(frame)
            sock.sendall(piece)
            sock.sendall(b"\r\n")
            sent += len(piece)
            if progress is not None:
                progress[0] = sent
        sock.sendall(b"0\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 "), head
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        while len(body) < length:
            body += sock.recv(65536)
        result: dict[str, int] = json.loads(body)
        return result
    finally:
        sock.close()


def expected_crc(total: int) -> int:
    crc, left = 0, total
    while left:
        piece = _PATTERN if left >= len(_PATTERN) else _PATTERN[:left]
        crc = zlib.crc32(piece, crc)
        left -= len(piece)
    return crc


class Download:
    """GET a generated body; read its head now, the body when asked."""

    def __init__(self, client: Client, size: int) -> None:
        self.sock = client.connect()
        self.sock.settimeout(120)
        self.sock.sendall(f"GET /down/bytes/{size} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            data += self.sock.recv(65536)
        head, _, self.first = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 "), head
        assert f"content-length: {size}".encode() in head.lower()
        self.size = size

    def read_all(self) -> tuple[int, int]:
        """(bytes, crc32) of the whole body."""
        got, crc = len(self.first), zlib.crc32(self.first)
        buf = bytearray(1 << 20)
        view = memoryview(buf)
        while got < self.size:
            n = self.sock.recv_into(view)
            if n == 0:
                break
            got += n
            crc = zlib.crc32(view[:n], crc)
        return got, crc

    def close(self) -> None:
        self.sock.close()


# --- 1 GB each way, gateway memory measured ----------------------------------------------------

SERVE_CONFIG = (
    SERVED_LISTENER
    + """\
apis:
  up:
    path: up
    serviceUrl: http://127.0.0.1:{sink}
  down:
    path: down
    serviceUrl: http://127.0.0.1:{echo}
"""
)


def _vm(pid: int, field: str) -> int:
    """A /proc/PID/status figure in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"{field} not in /proc/{pid}/status")


@pytest.fixture
def served(
    tmp_path: Path, pki: Pki, sink: int, backend: tuple[int, list[object]]
) -> Iterator[tuple[subprocess.Popen[bytes], Client]]:
    port = free_port()
    config = tmp_path / "config.yaml"
    config.write_text(SERVE_CONFIG.format(port=port, pki=pki.folder, sink=sink, echo=backend[0]))
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "certgate.cli", "serve", "--config", str(config)],
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, "certgate serve did not start"
                time.sleep(0.1)
        client = Client(port, pki.folder / "root.crt", pki.folder / "client.pem")
        yield proc, client
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def test_1gb_up_and_1gb_down_at_once_in_under_100mb(
    served: tuple[subprocess.Popen[bytes], Client],
) -> None:
    proc, client = served
    # Warm up both paths, so the baseline includes everything a request loads.
    assert upload_chunked(client, "/up/x", MB)["bytes"] == MB
    small = Download(client, MB)
    assert small.read_all()[0] == MB
    small.close()
    baseline = _vm(proc.pid, "VmHWM")

    results: dict[str, object] = {}

    def up() -> None:
        results["up"] = upload_chunked(client, "/up/x", GB)

    def down() -> None:
        download = Download(client, GB)
        try:
            results["down"] = download.read_all()
        finally:
            download.close()

    started = time.monotonic()
    threads = [threading.Thread(target=up), threading.Thread(target=down)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    elapsed = time.monotonic() - started
    peak = _vm(proc.pid, "VmHWM")
    crc = expected_crc(GB)
    assert results["up"] == {"bytes": GB, "crc32": crc}
    assert results["down"] == (GB, crc)
    print(
        f"\n1 GB up + 1 GB down in {elapsed:.1f} s; gateway VmHWM {baseline / MB:.1f} MB "
        f"before, {peak / MB:.1f} MB after"
    )
    assert peak - baseline < 32 * MB  # what streaming 2 GB cost (buffers are bounded) ...
    assert peak < 100 * MB  # ... and the acceptance figure, start-up included


# --- back-pressure, observed at the backend ------------------------------------------------------

STREAM_CONFIG = listener_yaml("""\
gateway:
  maxRequestBodyBytes: 1000
  maxResponseBodyBytes: 100000
apis:
  down:
    path: down
    serviceUrl: http://BACKEND
  upper:
    path: upper
    serviceUrl: http://BACKEND
    policy: upper.xml
  echo:
    path: echo
    serviceUrl: http://BACKEND
  up:
    path: up
    serviceUrl: http://127.0.0.1:SINK
""")
UPPER = """<policies><outbound><base/>
  <set-body>@(context.Response.Body.As<string>().ToUpper())</set-body></outbound></policies>"""


def _wait(condition: object, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _settled(read: object, quiet: float = 0.5, timeout: float = 30) -> int:
    """Poll `read()` until it stops changing for `quiet` seconds; return the value."""
    deadline = time.monotonic() + timeout
    last, since = read(), time.monotonic()  # type: ignore[operator]
    while time.monotonic() - since < quiet:
        assert time.monotonic() < deadline, "the value never settled"
        time.sleep(0.05)
        now = read()  # type: ignore[operator]
        if now != last:
            last, since = now, time.monotonic()
    return int(last)


def test_slow_reader_makes_the_gateway_stop_reading_from_the_backend(
    harness: Harness, pki: Pki
) -> None:
    harness.start(STREAM_CONFIG.replace("SINK", "9"), {"upper.xml": UPPER})
    size = 512 * MB
    before = len(echo.TRANSFERS)
    download = Download(harness.client(pki.client), size)  # ... and then it does not read
    try:
        _wait(lambda: len(echo.TRANSFERS) > before and echo.TRANSFERS[-1].paused, "a pause")
        transfer = echo.TRANSFERS[-1]
        written = _settled(lambda: transfer.written)
        # The backend is blocked with most of the body unsent: the gateway stopped reading.
        assert transfer.paused and not transfer.done
        assert written < 64 * MB, written
        print(f"\nslow reader: backend paused after {written / MB:.1f} MB of {size / MB:.0f} MB")
        # Its rejecting twin: a reader that reads gets everything, the backend resumes.
        assert download.read_all() == (size, expected_crc(size))
        _wait(lambda: transfer.done, "the backend to finish")
        assert transfer.written == size
    finally:
        download.close()


def test_slow_backend_makes_the_gateway_stop_reading_from_the_client(
    harness: Harness, pki: Pki, loop_thread: LoopThread
) -> None:
    gate = threading.Event()
    server = start_sink(loop_thread, gate)
    try:
        port = server.sockets[0].getsockname()[1]
        harness.start(STREAM_CONFIG.replace("SINK", str(port)), {"upper.xml": UPPER})
        size = 512 * MB
        progress = [0]
        result: dict[str, object] = {}

        def up() -> None:
            result["answer"] = upload_chunked(harness.client(pki.client), "/up/x", size, progress)

        thread = threading.Thread(target=up, daemon=True)
        thread.start()
        try:
            sent = _settled(lambda: progress[0])
            # The backend reads nothing: the client is blocked with most of its body unsent.
            assert 0 < sent < 64 * MB, sent
            assert thread.is_alive()
            print(f"\nslow backend: client blocked after {sent / MB:.1f} MB of {size / MB:.0f} MB")
        finally:
            gate.set()  # the twin: once the backend reads, the upload completes
        thread.join(120)
        assert result["answer"] == {"bytes": size, "crc32": expected_crc(size)}
    finally:
        gate.set()
        server.close()


# --- buffered where a policy reads the body, streamed otherwise ---------------------------------


def test_outbound_policy_reading_the_response_gets_it_whole(harness: Harness, pki: Pki) -> None:
    harness.start(STREAM_CONFIG.replace("SINK", "9"), {"upper.xml": UPPER})
    reply = harness.client(pki.client).request("/upper/x")
    assert (reply.status, reply.body) == (200, b"BACKEND-OK")


def test_response_a_policy_reads_is_capped(harness: Harness, pki: Pki) -> None:
    harness.start(STREAM_CONFIG.replace("SINK", "9"), {"upper.xml": UPPER})
    reply = harness.client(pki.client).request("/upper/bytes/200000")  # cap: 100,000
    assert reply.status == 502 and json.loads(reply.body)["statusCode"] == 502


def test_response_no_policy_reads_is_not_capped(harness: Harness, pki: Pki) -> None:
    harness.start(STREAM_CONFIG.replace("SINK", "9"), {"upper.xml": UPPER})
    download = Download(harness.client(pki.client), 5 * MB)
    try:
        assert download.read_all() == (5 * MB, expected_crc(5 * MB))
    finally:
        download.close()


def test_pipelined_streamed_bodies_are_answered_in_order(harness: Harness, pki: Pki) -> None:
    harness.start(STREAM_CONFIG.replace("SINK", "9"), {"upper.xml": UPPER})
    bodies = [os.urandom(n) for n in (70_000, 3, 300_000)]
    wire = (
        b"".join(
            b"POST /echo/body HTTP/1.1\r\nHost: l\r\nContent-Length: %d\r\n\r\n%s" % (len(b), b)
            for b in bodies
        )
        + b"GET /echo/x HTTP/1.1\r\nHost: l\r\nConnection: close\r\n\r\n"
    )
    sock = harness.client(pki.client).connect()
    try:
        # One thread sends and reads: an SSLSocket shared by a sending and a reading thread
        # made this test hang or end early now and then (see tests/rawhttp.py).
        out = duplex(sock, wire)
    finally:
        sock.close()
    for expected in [*bodies, b"backend-ok"]:
        head, _, out = out.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 ")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        assert out[:length] == expected
        out = out[length:]
    assert out == b""


def test_client_leaving_mid_upload_leaves_the_gateway_serving(
    harness: Harness, pki: Pki, sink: int
) -> None:
    harness.start(STREAM_CONFIG.replace("SINK", str(sink)), {"upper.xml": UPPER})
    sock = harness.client(pki.client).connect()
    sock.sendall(b"POST /up/x HTTP/1.1\r\nHost: l\r\nContent-Length: 10000000\r\n\r\n")
    sock.sendall(b"x" * 100_000)
    sock.close()
    reply = harness.client(pki.client).request("/echo/x")
    assert reply.status == 200
