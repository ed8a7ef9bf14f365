"""The client side of the data plane: HTTP/1.0 and 1.1 over a (TLS) transport, parsed by httptools.

Requests are read completely (bodies buffered up to a cap) and answered strictly in order, so
pipelined requests work. Malformed HTTP gets a 400 and the connection is closed; the worker carries
on. Nothing here knows about policies: complete requests go to a `Handler`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import cast

import httptools

from certgate.core.model import Header, Response, end_to_end, gateway_error
from certgate.io.tls.base import PeerInfo, TlsBackend

log = logging.getLogger("certgate.http")


@dataclass(slots=True)
class IncomingRequest:
    method: bytes
    target: bytes
    version: str  # "1.0" or "1.1"
    headers: list[Header]
    body: bytes
    keep_alive: bool
    peer: PeerInfo
    client_ip: str


Handler = Callable[[IncomingRequest], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Limits:
    max_header_bytes: int
    max_body_bytes: int
    keepalive_timeout: float
    max_pipelined: int = 32


class _Reject(Exception):
    """The request cannot be read; answer `status` and close."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ClientConnection(asyncio.Protocol):
    def __init__(self, handler: Handler, tls: TlsBackend, limits: Limits) -> None:
        self.handler = handler
        self.tls = tls
        self.limits = limits
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.queue: deque[IncomingRequest] = deque()
        self.worker: asyncio.Task[None] | None = None
        self.idle_timer: asyncio.TimerHandle | None = None
        self.reading = True
        self._reset()

    def _reset(self) -> None:
        self.url = b""
        self.headers: list[Header] = []
        self.head_bytes = 0
        self.body: list[bytes] = []
        self.body_bytes = 0

    # --- asyncio.Protocol ---
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TLS transport is not an asyncio.Transport subclass, but has its interface.
        self.transport = cast(asyncio.Transport, transport)
        self.peer = self.tls.peer_info(transport)
        peername = transport.get_extra_info("peername")
        self.client_ip = peername[0] if peername else ""
        self._arm_idle_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self._cancel_idle_timer()
        if self.worker is not None and not self.worker.done():
            self.worker.cancel()

    def data_received(self, data: bytes) -> None:
        self._cancel_idle_timer()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            # httptools wraps what a callback raised; our limits raise _Reject.
            cause = exc.__context__
            if isinstance(cause, _Reject):
                self._reject(cause.status, cause.message)
            else:
                log.error("request parsing failed", exc_info=cause)
                self._reject(500, "Internal server error")
        except httptools.HttpParserUpgrade:
            self._reject(501, "Protocol upgrade is not supported")
        except httptools.HttpParserError as exc:
            log.debug("malformed request from %s: %s", self.client_ip, exc)
            self._reject(400, "Bad request")

    # --- httptools callbacks ---
    def on_message_begin(self) -> None:
        self._reset()

    def on_url(self, url: bytes) -> None:
        self.url += url
        self._count_head(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))
        self._count_head(len(name) + len(value) + 4)

    def on_headers_complete(self) -> None:
        length = self._content_length()
        if length is not None and length > self.limits.max_body_bytes:
            raise _Reject(413, "Request entity too large")

    def on_body(self, body: bytes) -> None:
        self.body_bytes += len(body)
        if self.body_bytes > self.limits.max_body_bytes:
            raise _Reject(413, "Request entity too large")
        self.body.append(body)

    def on_message_complete(self) -> None:
        parser = self.parser
        request = IncomingRequest(
            method=parser.get_method(),
            target=self.url,
            version=parser.get_http_version(),
            headers=self.headers,
            body=b"".join(self.body),
            keep_alive=parser.should_keep_alive(),
            peer=self.peer,
            client_ip=self.client_ip,
        )
        self.queue.append(request)
        if len(self.queue) >= self.limits.max_pipelined and self.transport is not None:
            self.transport.pause_reading()  # back-pressure on deep pipelines
            self.reading = False
        if self.worker is None or self.worker.done():
            self.worker = asyncio.get_running_loop().create_task(self._serve_queue())

    # --- helpers ---
    def _count_head(self, n: int) -> None:
        self.head_bytes += n
        if self.head_bytes > self.limits.max_header_bytes:
            raise _Reject(431, "Request header fields too large")

    def _content_length(self) -> int | None:
        for name, value in self.headers:
            if name.lower() == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    raise _Reject(400, "Bad request") from None
        return None

    async def _serve_queue(self) -> None:
        while self.queue and self.transport is not None:
            request = self.queue.popleft()
            if not self.reading and self.transport is not None:
                self.transport.resume_reading()
                self.reading = True
            response = await self.handler(request)
            if self.transport is None:
                return
            self.transport.write(serialize_response(response, request))
            if not request.keep_alive:
                self.transport.close()
                return
        self._arm_idle_timer()

    def _reject(self, status: int, message: str) -> None:
        if self.transport is None:
            return
        response = gateway_error(status, message, "")
        self.queue.clear()
        self.transport.write(serialize_response(response, None))
        self.transport.close()
        self.transport = None

    def _arm_idle_timer(self) -> None:
        if self.transport is not None and self.idle_timer is None:
            loop = asyncio.get_running_loop()
            self.idle_timer = loop.call_later(self.limits.keepalive_timeout, self._idle_close)

    def _cancel_idle_timer(self) -> None:
        if self.idle_timer is not None:
            self.idle_timer.cancel()
            self.idle_timer = None

    def _idle_close(self) -> None:
        self.idle_timer = None
        if (
            self.transport is not None
            and not self.queue
            and (self.worker is None or self.worker.done())
        ):
            self.transport.close()


_FRAMING = frozenset({b"content-length"})


def serialize_response(response: Response, request: IncomingRequest | None) -> bytes:
    """Status line, end-to-end headers, our own framing (Content-Length), body."""
    parts = [b"HTTP/1.1 %d %s\r\n" % (response.status, response.reason_text.encode("latin-1"))]
    for name, value in end_to_end(response.headers, _FRAMING):
        parts += (name, b": ", value, b"\r\n")
    head_only = request is not None and request.method == b"HEAD"
    no_body = response.status in (204, 304) or 100 <= response.status < 200
    if not no_body:
        length = _head_length(response) if head_only else len(response.body)
        parts.append(b"Content-Length: %d\r\n" % length)
    if request is None or not request.keep_alive:
        parts.append(b"Connection: close\r\n")
    elif request.version == "1.0":
        parts.append(b"Connection: keep-alive\r\n")
    parts.append(b"\r\n")
    if not (head_only or no_body):
        parts.append(response.body)
    return b"".join(parts)


def _head_length(response: Response) -> int:
    # A HEAD answer keeps the length the backend announced for the GET it mirrors.
    if response.from_backend:
        for name, value in response.headers:
            if name.lower() == b"content-length" and value.strip().isdigit():
                return int(value)
    return len(response.body)
