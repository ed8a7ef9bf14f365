"""A small HTTP/1.1 echo backend for tests, demos and benchmarks (plain HTTP on loopback).

Every response is `200 OK` with body `backend-ok` and, for each request header `H`, a response
header `Echo-H` (the fixture of spec §10.1); `X-Backend-Request-Count` counts requests per
connection, which tests use to see connection reuse; `X-Backend-Path` and `X-Backend-Method`
show the request line. `.../status/NNN` answers that status code, `.../sleep/SECONDS` waits
first, `.../body` echoes the request body, `.../hop` adds hop-by-hop response headers,
`.../bytes/N` generates an N-byte body (repeating bytes 0..255) as fast as the reader takes it,
with back-pressure; each such response is recorded in `TRANSFERS` (bytes written, times the
transport asked us to pause).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from dataclasses import dataclass
from typing import cast

import httptools
import uvloop

_BLOCK = bytes(range(256)) * 256  # 64 KiB


@dataclass
class Transfer:
    """One `.../bytes/N` response, as the backend saw it."""

    size: int
    written: int = 0
    pauses: int = 0  # times the transport's buffer went over its high-water mark
    paused: bool = False
    done: bool = False


TRANSFERS: list[Transfer] = []


class EchoProtocol(asyncio.Protocol):
    def __init__(self, log: list[tuple[bytes, bytes, list[tuple[bytes, bytes]], bytes]]) -> None:
        self.log = log
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.count = 0
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""
        self.drained: asyncio.Event | None = None  # set while writing may go on

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TLS transport is not an asyncio.Transport subclass, but has its interface.
        self.transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.drained is not None:
            self.drained.set()

    def pause_writing(self) -> None:
        if self.drained is None:
            self.drained = asyncio.Event()
        self.drained.clear()

    def resume_writing(self) -> None:
        if self.drained is not None:
            self.drained.set()

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self.transport is not None:
                self.transport.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                self.transport.close()

    def on_message_begin(self) -> None:
        self.url, self.headers, self.body = b"", [], b""

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        self.count += 1
        method = self.parser.get_method()
        self.log.append((method, self.url, self.headers, self.body))
        keep_alive = self.parser.should_keep_alive()
        asyncio.get_running_loop().create_task(
            self._answer(method, self.url, self.headers, self.body, keep_alive)
        )

    async def _answer(
        self, method: bytes, url: bytes, headers: list[tuple[bytes, bytes]], body: bytes, ka: bool
    ) -> None:
        status, payload, extra = 200, b"backend-ok", b""
        # The last two path segments choose the behaviour, so any prefix (API paths) works.
        segments = url.split(b"?")[0].split(b"/")
        verb, arg = (segments[-2], segments[-1]) if len(segments) > 2 else (b"", segments[-1])
        if verb == b"bytes":
            await self._generate(int(arg), method, ka)
            return
        if verb == b"sleep":
            await asyncio.sleep(float(arg))
        elif verb == b"status":
            status = int(arg)
        elif arg == b"body":
            payload = body
        elif arg == b"hop":  # hop-by-hop headers a proxy must not relay
            extra = b"Connection: X-Secret\r\nX-Secret: s\r\nKeep-Alive: timeout=5\r\n"
            extra += b"Proxy-Authenticate: Basic\r\nTrailer: X-T\r\nX-Kept: k\r\n"
        head = [b"HTTP/1.1 %d Echo %d\r\n" % (status, status), extra]
        head += [b"Echo-" + n + b": " + v + b"\r\n" for n, v in headers]
        head.append(b"X-Backend-Request-Count: %d\r\n" % self.count)
        head.append(b"X-Backend-Path: " + url + b"\r\n")
        head.append(b"X-Backend-Method: " + method + b"\r\n")
        head.append(b"Content-Length: %d\r\n\r\n" % len(payload))
        if self.transport is not None:
            self.transport.write(b"".join(head) + (b"" if method == b"HEAD" else payload))
            if not ka:
                self.transport.close()

    async def _generate(self, size: int, method: bytes, ka: bool) -> None:
        transfer = Transfer(size)
        TRANSFERS.append(transfer)
        if self.transport is None:
            return
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
        self.transport.write(head + b"Content-Length: %d\r\n\r\n" % size)
        left = 0 if method == b"HEAD" else size
        while left > 0 and self.transport is not None:
            if self.drained is not None and not self.drained.is_set():
                transfer.pauses += 1
                transfer.paused = True
                await self.drained.wait()
                transfer.paused = False
                continue
            piece = _BLOCK if left >= len(_BLOCK) else _BLOCK[:left]
            self.transport.write(piece)
            transfer.written += len(piece)
            left -= len(piece)
            if left and (self.drained is None or self.drained.is_set()):
                await asyncio.sleep(0)  # let the loop run between blocks
        transfer.done = left == 0
        if not ka and self.transport is not None:
            self.transport.close()


async def start_echo_backend(
    host: str = "127.0.0.1", port: int = 0
) -> tuple[
    asyncio.AbstractServer, int, list[tuple[bytes, bytes, list[tuple[bytes, bytes]], bytes]]
]:
    """Start the echo backend; returns the server, its port and the log of received requests."""
    log: list[tuple[bytes, bytes, list[tuple[bytes, bytes]], bytes]] = []
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: EchoProtocol(log), host, port)
    return server, server.sockets[0].getsockname()[1], log


def main() -> None:  # pragma: no cover - `python -m certgate.testing.backend PORT`
    async def run() -> None:
        server, port, _ = await start_echo_backend(
            port=int(sys.argv[1]) if len(sys.argv) > 1 else 0
        )
        print(f"echo backend on 127.0.0.1:{port}", flush=True)
        with contextlib.suppress(asyncio.CancelledError):
            await server.serve_forever()

    uvloop.run(run())


if __name__ == "__main__":  # pragma: no cover
    main()
