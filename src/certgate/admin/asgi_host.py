"""A small HTTP/1.1 ASGI server for the admin API, on certgate's own TLS listener.

Why our own: no ASGI server hands the client certificate to the app (uvicorn, hypercorn and
granian leave out the ASGI `tls` extension; design/stack-measurements.md), and the admin API
authenticates admin client certificates by thumbprint. This one runs the app on the same
`TlsBackend` as the data plane (so any client certificate is accepted at the handshake and judged
by the app) or on plain TCP for a loopback-only listener, and fills `scope["extensions"]["tls"]`
with the chain the client sent (`client_cert_chain`, PEM, leaf first, as the ASGI TLS extension
says) plus `client_cert_der` (the leaf, DER) for authentication.

What it does, and no more (the admin API's traffic is small JSON documents):

- Requests are read whole before the app runs: the body is capped (`max_body`), and a request
  whose `Content-Length` is over the cap gets 413 as soon as its head is parsed; a chunked one the
  moment the count passes the cap. Nothing past the cap is buffered: after a 413 the connection
  drops what the client still sends for a moment (so the client reads the answer instead of a
  reset), then closes.
- Keep-alive and pipelining, answered in order; an idle connection closes after
  `keepalive_timeout`, a request that takes longer than `request_timeout` to arrive gets 408.
- Responses are buffered and sent with `Content-Length`; HEAD gets the head only.
- Errors outside the app (malformed HTTP, limits, an app that fails before its response starts)
  are answered with APIM-shaped JSON; a client never sees a traceback.
- No lifespan, no websockets, no HTTP/2; an `Upgrade` request is answered over HTTP/1.1 and the
  connection then closes.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import unquote

import httptools
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from certgate.admin.errors import error_bytes
from certgate.io.tls.base import PeerInfo, TlsBackend, TlsHostname

log = logging.getLogger("certgate.admin.http")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_TLS_VERSIONS = {"TLSv1.3": 0x0304, "TLSv1.2": 0x0303, "TLSv1.1": 0x0302, "TLSv1": 0x0301}
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_JSON = b"application/json; charset=utf-8"


@dataclass(frozen=True, slots=True)
class HostLimits:
    max_body: int = 4 * 1024 * 1024
    max_header_bytes: int = 64 * 1024
    keepalive_timeout: float = 30.0
    request_timeout: float = 30.0  # from the first byte of a request to its last
    max_pipelined: int = 4
    max_connections: int = 128
    linger_seconds: float = 2.0  # dropping what a rejected client still sends, before closing


class _Reject(Exception):
    """The request cannot be taken; answer `status` and close."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(slots=True, eq=False)
class _Request:
    method: str
    target: bytes
    version: str
    headers: list[tuple[bytes, bytes]]
    keep_alive: bool
    body: bytearray = field(default_factory=bytearray)


class _Host:
    """What the connections of one listener share."""

    def __init__(self, app: ASGIApp, tls: TlsBackend | None, limits: HostLimits) -> None:
        self.app = app
        self.tls = tls
        self.limits = limits
        self.connections: set[_Connection] = set()


class _Connection(asyncio.Protocol):
    def __init__(self, host: _Host) -> None:
        self.host = host
        self.limits = host.limits
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.queue: deque[_Request] = deque()
        self.current: _Request | None = None
        self.receiving = False  # between the first byte of a request and its last
        self.worker: asyncio.Task[None] | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.reading = True
        self.rejected: tuple[int, str] | None = None
        self.lingering = False
        self.lost = asyncio.Event()
        self.scope_base: dict[str, Any] = {}
        self._reset_head()

    def _reset_head(self) -> None:
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.head_bytes = 0

    # --- asyncio.Protocol ------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        if len(self.host.connections) >= self.limits.max_connections:
            log.warning("admin: too many connections; refusing one")
            self.transport.abort()
            self.transport = None
            return
        self.host.connections.add(self)
        self.scope_base = self._scope_base(transport)
        self._arm(self.limits.keepalive_timeout, self._idle_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.host.connections.discard(self)
        self.lost.set()
        self._disarm()

    def data_received(self, data: bytes) -> None:
        if self.lingering:
            return  # a rejected client's remaining bytes: dropped
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            cause = exc.__context__
            if isinstance(cause, _Reject):
                self._reject(cause.status, cause.message)
            else:
                log.error("admin: request parsing failed", exc_info=cause)
                self._reject(500, "Internal server error")
        except httptools.HttpParserUpgrade:
            # The request was read (llhttp stops after it); answer it over HTTP/1.1, then close.
            if self.queue:
                self.queue[-1].keep_alive = False
                self._pause()
            else:
                self._reject(400, "Protocol upgrade is not supported")
        except httptools.HttpParserError:
            self._reject(400, "Malformed HTTP request")

    # --- httptools callbacks ---------------------------------------------------------------------
    def on_message_begin(self) -> None:
        self._reset_head()
        self.receiving = True
        self._arm(self.limits.request_timeout, self._request_timeout)

    def on_url(self, url: bytes) -> None:
        self.url += url
        self._count_head(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))
        self._count_head(len(name) + len(value) + 4)

    def on_headers_complete(self) -> None:
        parser = self.parser
        length: int | None = None
        expect = False
        for name, value in self.headers:
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    raise _Reject(400, "Invalid Content-Length") from None
            elif name == b"expect":
                if value.strip().lower() != b"100-continue":
                    raise _Reject(417, "Expectation failed")
                expect = True
        if length is not None and length > self.limits.max_body:
            raise _Reject(413, self._too_large())
        self.current = _Request(
            parser.get_method().decode("ascii"),
            self.url,
            parser.get_http_version(),
            self.headers,
            parser.should_keep_alive(),
        )
        if expect and self.current.version == "1.1" and self.transport is not None:
            self.transport.write(_CONTINUE)  # we read every body we accept

    def on_body(self, body: bytes) -> None:
        request = self.current
        if request is None:
            return
        if len(request.body) + len(body) > self.limits.max_body:
            raise _Reject(413, self._too_large())
        request.body += body

    def on_message_complete(self) -> None:
        request, self.current = self.current, None
        self.receiving = False
        self._disarm()  # the request timer; the app's time is not limited here
        if request is None:
            return
        self.queue.append(request)
        if len(self.queue) >= self.limits.max_pipelined:
            self._pause()
        if self.worker is None:
            self.worker = self.loop.create_task(self._serve())

    # --- serving ---------------------------------------------------------------------------------
    async def _serve(self) -> None:
        try:
            while self.queue and self.transport is not None:
                request = self.queue.popleft()
                if len(self.queue) < self.limits.max_pipelined and self.rejected is None:
                    self._resume()
                keep = await self._run(request)
                if not keep:
                    self._close()
                    return
            if self.rejected is not None:
                self._write_rejection()
                return
        finally:
            self.worker = None
        if self.transport is not None and not self.receiving:
            self._arm(self.limits.keepalive_timeout, self._idle_timeout)

    async def _run(self, request: _Request) -> bool:
        """Run the app for one request and write its response; False to close afterwards."""
        try:
            scope = self._scope(request)
        except _Reject as exc:
            self._write(_error_response(exc.status, exc.message, request, close=True))
            return False
        exchange = _Exchange(request, self.lost)
        try:
            await self.host.app(scope, exchange.receive, exchange.send)
        except Exception:
            log.exception("admin: the app failed on %s %s", request.method, scope["path"])
            if exchange.complete:
                exchange.close = True  # its error handler answered (Starlette re-raises after)
            elif exchange.started:
                if self.transport is not None:
                    self.transport.abort()  # a partial response cannot be finished honestly
                return False
            else:
                exchange.fail()
        finally:
            exchange.finish()
        if not exchange.started:
            exchange.fail()
        close = not request.keep_alive or exchange.close
        self._write(exchange.serialize(request, close))
        return not close

    def _scope(self, request: _Request) -> Scope:
        try:
            url = httptools.parse_url(request.target)
        except httptools.HttpParserInvalidURLError:
            raise _Reject(400, "Invalid request target") from None
        raw_path = url.path or b"/"
        try:
            path = raw_path.decode("ascii")
        except UnicodeDecodeError:
            raise _Reject(400, "Invalid request target") from None
        if "%" in path:
            try:
                path = unquote(path, errors="strict")
            except UnicodeDecodeError:
                raise _Reject(400, "Invalid request target") from None
        return {
            **self.scope_base,
            "http_version": request.version,
            "method": request.method,
            "path": path,
            "raw_path": raw_path,
            "query_string": url.query or b"",
            "root_path": "",
            "headers": request.headers,
        }

    def _scope_base(self, transport: asyncio.BaseTransport) -> dict[str, Any]:
        sockname = transport.get_extra_info("sockname")
        peername = transport.get_extra_info("peername")
        base: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "scheme": "http",
            "server": tuple(sockname[:2]) if sockname else None,
            "client": tuple(peername[:2]) if peername else None,
            "extensions": {},
        }
        if self.host.tls is not None:
            base["scheme"] = "https"
            base["extensions"] = {"tls": tls_extension(self.host.tls.peer_info(transport))}
        return base

    # --- writing ---------------------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        if self.transport is not None:
            self.transport.write(data)

    def _close(self) -> None:
        if self.transport is None:
            return
        if self.receiving:  # the client is still sending a request: drop it, then close
            self._linger()
        else:
            self.transport.close()

    def _reject(self, status: int, message: str) -> None:
        if self.transport is None or self.rejected is not None:
            return
        self._pause()
        self.current = None
        self.receiving = False
        self.rejected = (status, message)
        if self.worker is None:
            self._write_rejection()

    def _write_rejection(self) -> None:
        if self.transport is None or self.rejected is None:
            return
        self.queue.clear()
        status, message = self.rejected
        self._write(_error_response(status, message, None, close=True))
        self._linger()

    def _linger(self) -> None:
        """Read and drop what the client still sends for a moment, then close: closing with
        unread data makes the kernel send a reset, and the client may lose the answer."""
        transport = self.transport
        if transport is None:
            return
        self.lingering = True
        self._disarm()
        self.reading = False
        self._resume()
        self.timer = self.loop.call_later(self.limits.linger_seconds, transport.close)

    def _too_large(self) -> str:
        return f"The request body is larger than {self.limits.max_body} bytes."

    # --- flow control and timers -----------------------------------------------------------------
    def _pause(self) -> None:
        if self.reading and self.transport is not None:
            self.reading = False
            self.transport.pause_reading()

    def _resume(self) -> None:
        if not self.reading and self.transport is not None:
            self.reading = True
            self.transport.resume_reading()

    def _count_head(self, n: int) -> None:
        self.head_bytes += n
        if self.head_bytes > self.limits.max_header_bytes:
            raise _Reject(431, "Request header fields too large.")

    def _arm(self, delay: float, callback: Callable[[], None]) -> None:
        self._disarm()
        if self.transport is not None:
            self.timer = self.loop.call_later(delay, callback)

    def _disarm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _idle_timeout(self) -> None:
        self.timer = None
        if self.transport is not None and self.worker is None and not self.queue:
            self.transport.close()

    def _request_timeout(self) -> None:
        self.timer = None
        if self.receiving:
            self._reject(408, "The request did not arrive in time.")


class _Exchange:
    """One request's ASGI receive/send pair; the response is collected, then written whole."""

    def __init__(self, request: _Request, lost: asyncio.Event) -> None:
        self.request = request
        self.lost = lost
        self.body_sent = False
        self.done = asyncio.Event()
        self.started = False
        self.complete = False
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []
        self.close = False

    async def receive(self) -> Message:
        if not self.body_sent:
            self.body_sent = True
            return {"type": "http.request", "body": bytes(self.request.body), "more_body": False}
        # Afterwards only a disconnect can come: the connection went, or the response is done.
        if not self.lost.is_set() and not self.done.is_set():
            lost = asyncio.ensure_future(self.lost.wait())
            done = asyncio.ensure_future(self.done.wait())
            try:
                await asyncio.wait((lost, done), return_when=asyncio.FIRST_COMPLETED)
            finally:
                lost.cancel()
                done.cancel()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            if self.started:
                raise RuntimeError("http.response.start sent twice")
            self.started = True
            self.status = int(message["status"])
            self.headers = [(bytes(k).lower(), bytes(v)) for k, v in message.get("headers", ())]
        elif kind == "http.response.body":
            if not self.started or self.complete:
                raise RuntimeError("http.response.body out of order")
            body = message.get("body", b"")
            if body:
                self.chunks.append(bytes(body))
            if not message.get("more_body", False):
                self.complete = True
                self.done.set()
        else:
            raise RuntimeError(f"unexpected ASGI message {kind!r}")

    def finish(self) -> None:
        self.done.set()

    def fail(self) -> None:
        """The app failed (or answered nothing) before its response started: a 500."""
        self.started = self.complete = True
        self.status = 500
        self.headers = [(b"content-type", _JSON)]
        self.chunks = [error_bytes(500, "Internal server error.")]

    def serialize(self, request: _Request, close: bool) -> bytes:
        body = b"".join(self.chunks)
        headers = [(k, v) for k, v in self.headers if k not in (b"connection", b"keep-alive")]
        if any(k == b"connection" and b"close" in v.lower() for k, v in self.headers):
            close = True
        no_body = self.status in (204, 304) or self.status < 200
        if not no_body and not any(k == b"content-length" for k, _ in headers):
            headers.append((b"content-length", b"%d" % len(body)))
        if close:
            headers.append((b"connection", b"close"))
        elif request.version == "1.0":
            headers.append((b"connection", b"keep-alive"))
        head = _head(self.status, headers)
        if request.method == "HEAD" or no_body:
            return head
        return head + body


def _head(status: int, headers: Sequence[tuple[bytes, bytes]]) -> bytes:
    try:
        reason = HTTPStatus(status).phrase.encode("ascii")
    except ValueError:
        reason = b""
    parts = [b"HTTP/1.1 %d %s\r\n" % (status, reason)]
    for name, value in headers:
        if b"\r" in value or b"\n" in value or b"\r" in name or b"\n" in name:
            continue  # never let a header value split the response
        parts += (name, b": ", value, b"\r\n")
    parts.append(b"\r\n")
    return b"".join(parts)


def _error_response(status: int, message: str, request: _Request | None, *, close: bool) -> bytes:
    body = error_bytes(status, message)
    headers = [(b"content-type", _JSON), (b"content-length", b"%d" % len(body))]
    if close:
        headers.append((b"connection", b"close"))
    head = _head(status, headers)
    return head if request is not None and request.method == "HEAD" else head + body


def tls_extension(peer: PeerInfo) -> dict[str, Any]:
    """The ASGI TLS extension for a connection (plus `client_cert_der`, the leaf as DER)."""
    chain_pem: list[str] = []
    name: str | None = None
    if peer.leaf_der is not None:
        sent = peer.chain_der or (peer.leaf_der,)  # as the client sent it, leaf first
        certs = [x509.load_der_x509_certificate(d) for d in sent]
        chain_pem = [c.public_bytes(Encoding.PEM).decode("ascii") for c in certs]
        name = certs[0].subject.rfc4514_string()
    return {
        "server_cert": None,
        "client_cert_chain": chain_pem,
        "client_cert_name": name,
        "client_cert_error": None,  # the TLS layer accepts any certificate; the app judges it
        "tls_version": _TLS_VERSIONS.get(peer.version),
        "cipher_suite": None,
        "client_cert_der": peer.leaf_der,
    }


class AsgiServer(asyncio.AbstractServer):
    """The listening server; `close` also closes its open connections (keep-alive ones too)."""

    def __init__(self, server: asyncio.AbstractServer, host: _Host) -> None:
        self._server = server
        self._host = host

    @property
    def sockets(self) -> tuple[Any, ...]:
        return tuple(getattr(self._server, "sockets", ()) or ())

    @property
    def address(self) -> tuple[str, int]:
        """The bound (host, port) of the first socket."""
        name = self.sockets[0].getsockname()
        return str(name[0]), int(name[1])

    def close(self) -> None:
        self._server.close()
        for conn in list(self._host.connections):
            if conn.transport is not None:
                conn.transport.close()

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return self._server.get_loop()

    def is_serving(self) -> bool:
        return self._server.is_serving()

    async def start_serving(self) -> None:
        await self._server.start_serving()

    async def serve_forever(self) -> None:
        await self._server.serve_forever()

    async def wait_closed(self) -> None:
        await self._server.wait_closed()


async def serve(
    app: ASGIApp,
    host: str,
    port: int,
    *,
    tls: TlsBackend | None = None,
    hostnames: Sequence[TlsHostname] = (),
    limits: HostLimits | None = None,
) -> AsgiServer:
    """Listen on host:port and run `app` for every request: over `tls` (with the `hostnames`'
    certificates; a hostname that negotiates client certificates accepts any) or plain TCP."""
    shared = _Host(app, tls, limits or HostLimits())

    def factory() -> asyncio.Protocol:
        return _Connection(shared)

    if tls is not None:
        server = await tls.start_server(factory, host, port, hostnames, backlog=128)
    else:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(factory, host, port, backlog=128)
    return AsgiServer(server, shared)


__all__ = ["ASGIApp", "AsgiServer", "HostLimits", "serve", "tls_extension"]
