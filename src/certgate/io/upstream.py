"""Keep-alive connection pool to backends, with httptools parsing the responses.

One `Pool` per process; idle connections are kept per (scheme, host, port) in LIFO order (the most
recently used connection is the least likely to have been closed by the backend). A request that
fails on a reused connection before any byte of the response arrived is retried once on a fresh
connection when its method is idempotent: the backend may have closed the idle connection at the
same moment we reused it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass
from typing import cast

import httptools

from certgate.core.model import Header, Response
from certgate.errors import UpstreamConnectError, UpstreamError, UpstreamTimeout

IDEMPOTENT = frozenset({b"GET", b"HEAD", b"OPTIONS", b"PUT", b"DELETE", b"TRACE"})


@dataclass(frozen=True, slots=True)
class Endpoint:
    scheme: str
    host: str
    port: int


class _Stale(Exception):
    """The reused connection closed before answering; safe to retry an idempotent request."""


class UpstreamConnection(asyncio.Protocol):
    """One HTTP/1.1 connection to a backend; carries one request at a time."""

    def __init__(self, max_body: int) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.max_body = max_body
        self.waiter: asyncio.Future[Response] | None = None
        self.closed = False
        self.received_any = False
        self._reset()

    def _reset(self) -> None:
        self.reason = b""
        self.headers: list[Header] = []
        self.body: list[bytes] = []
        self.body_size = 0
        self.head_only = False

    # --- asyncio.Protocol ---
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TLS transport is not an asyncio.Transport subclass, but has its interface.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.received_any = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(UpstreamConnectError(f"invalid response from backend: {exc}"))
            self.close()

    def eof_received(self) -> bool | None:
        # A response without Content-Length ends at EOF; tell the parser.
        with contextlib.suppress(httptools.HttpParserError):
            self.parser.feed_data(b"")
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.received_any:
            self._fail(UpstreamConnectError("backend closed the connection mid-response"))
        else:
            self._fail(_Stale())

    # --- httptools callbacks ---
    def on_status(self, status: bytes) -> None:
        self.reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        if self.head_only:
            # A HEAD response has no body whatever its Content-Length says; finish it here.
            self._complete(keep_alive=False)

    def on_body(self, body: bytes) -> None:
        self.body_size += len(body)
        if self.body_size > self.max_body:
            self._fail(UpstreamConnectError("backend response body exceeds the configured limit"))
            self.close()
            return
        self.body.append(body)

    def on_message_complete(self) -> None:
        if not self.head_only:
            self._complete(keep_alive=self.parser.should_keep_alive())

    # --- request side ---
    def send(self, data: bytes, head_only: bool) -> asyncio.Future[Response]:
        assert self.transport is not None
        self._reset()
        self.head_only = head_only
        self.received_any = False
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return self.waiter

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _complete(self, keep_alive: bool) -> None:
        response = Response(
            status=self.parser.get_status_code(),
            reason=self.reason.decode("latin-1"),
            headers=self.headers,
            body=b"".join(self.body),
            from_backend=True,
        )
        if not keep_alive:
            self.close()
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(response)

    def _fail(self, exc: Exception) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)


class Pool:
    def __init__(
        self, *, connect_timeout: float, max_body: int, max_idle_per_endpoint: int = 256
    ) -> None:
        self.connect_timeout = connect_timeout
        self.max_body = max_body
        self.max_idle = max_idle_per_endpoint
        self.idle: dict[Endpoint, list[UpstreamConnection]] = {}
        self._tls = ssl.create_default_context()  # backend certificates verified by default
        self._tls.minimum_version = ssl.TLSVersion.TLSv1_2

    async def request(
        self, endpoint: Endpoint, data: bytes, method: bytes, timeout: float
    ) -> Response:
        """Send one serialized request; return the whole response. Raises UpstreamError."""
        head_only = method == b"HEAD"
        for attempt in range(2):
            conn, reused = await self._acquire(endpoint)
            try:
                response = await self._exchange(conn, data, head_only, timeout)
            except _Stale:
                if reused and attempt == 0 and method in IDEMPOTENT:
                    continue
                raise UpstreamConnectError("backend closed the connection") from None
            except UpstreamError:
                conn.close()
                raise
            self._release(endpoint, conn)
            return response
        raise UpstreamConnectError("backend closed the connection")  # pragma: no cover

    async def _exchange(
        self, conn: UpstreamConnection, data: bytes, head_only: bool, timeout: float
    ) -> Response:
        try:
            return await asyncio.wait_for(conn.send(data, head_only), timeout)
        except TimeoutError:
            conn.close()
            raise UpstreamTimeout(f"backend did not answer within {timeout:g} s") from None

    async def _acquire(self, endpoint: Endpoint) -> tuple[UpstreamConnection, bool]:
        idle = self.idle.get(endpoint)
        while idle:
            conn = idle.pop()
            if not conn.closed:
                return conn, True
        return await self._connect(endpoint), False

    async def _connect(self, endpoint: Endpoint) -> UpstreamConnection:
        loop = asyncio.get_running_loop()
        tls = self._tls if endpoint.scheme == "https" else None
        try:
            _, conn = await asyncio.wait_for(
                loop.create_connection(
                    lambda: UpstreamConnection(self.max_body),
                    endpoint.host,
                    endpoint.port,
                    ssl=tls,
                    server_hostname=endpoint.host if tls else None,
                ),
                self.connect_timeout,
            )
        except TimeoutError:
            raise UpstreamTimeout(
                f"connecting to {endpoint.host}:{endpoint.port} timed out"
            ) from None
        except (OSError, ssl.SSLError) as exc:
            raise UpstreamConnectError(
                f"cannot connect to {endpoint.host}:{endpoint.port}: {exc.strerror or exc}"
            ) from None
        return conn

    def _release(self, endpoint: Endpoint, conn: UpstreamConnection) -> None:
        if conn.closed:
            return
        idle = self.idle.setdefault(endpoint, [])
        if len(idle) < self.max_idle:
            idle.append(conn)
        else:
            conn.close()

    def close(self) -> None:
        for conns in self.idle.values():
            for conn in conns:
                conn.close()
        self.idle.clear()
