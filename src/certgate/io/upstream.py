"""Keep-alive connection pool to backends; httptools parses the responses, bodies stream.

One `Pool` per process; idle connections are kept per (scheme, host, port) in LIFO order (the most
recently used connection is the least likely to have been closed by the backend). A connection
carries one exchange at a time and goes back to the pool only when both the request and the
response were transferred completely and the backend allows keep-alive.

`Pool.open` returns as soon as the response head is in (a `Relay`): the body then streams through
a `Body` (see `bodies.py`), this connection being its producer: reading from the backend pauses
while the consumer (the client's connection) cannot take more. A streamed request body flows the
other way, with this connection as the sink: when the backend does not read fast enough
(`pause_writing`), reading from the client pauses.

Timeouts: connecting is bounded by `connect_timeout`; then `forward-request`'s timeout bounds the
time without progress (a byte of the request sent or of the response received) until the response
head arrives, which for a request without body is APIM's "time to response headers" (spec §5.9),
and the same figure bounds a backend that stalls in the middle of a response body. A pause because
the client does not read is not the backend's fault and does not count.

A request that fails on a reused connection before any byte of the response arrived is retried
once on a fresh connection when its method is idempotent and nothing of a streamed body was sent:
the backend may have closed the idle connection at the same moment we reused it.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from typing import cast

import httptools

from certgate.core.backends import DEFAULT_TLS, BackendTls
from certgate.core.model import Header, Response
from certgate.errors import UpstreamConnectError, UpstreamError, UpstreamTimeout, UpstreamTlsError
from certgate.io.backend_tls import BackendTlsContexts, check_name
from certgate.io.bodies import NO_BODY, Body, BodyAborted, BodyTooLarge, Relay

IDEMPOTENT = frozenset({b"GET", b"HEAD", b"OPTIONS", b"PUT", b"DELETE", b"TRACE"})
COALESCE_BYTES = 64 * 1024  # a complete body up to this size goes out with its head
# A response head not complete within this many bytes (give or take the read that completes
# it) is refused: a backend cannot make us buffer an endless head.
MAX_RESPONSE_HEAD_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a connection goes and with which TLS identity: the pool key, so a connection
    opened with one client certificate never serves a call made with another."""

    scheme: str
    host: str
    port: int
    tls: BackendTls | None = None  # https only; None is the default (verify, no certificate)
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.scheme, self.host, self.port, self.tls)))

    def __hash__(self) -> int:  # the pool looks one up per request: hashed once, not each time
        return self._hash


class _Stale(Exception):
    """The reused connection closed before answering; safe to retry an idempotent request."""


def client_gone() -> UpstreamError:
    """The client went away while its request body streamed to the backend."""
    return UpstreamError(
        "the client closed the connection while sending the request body",
        reason="ClientConnectionFailure",
        source="forward-request",
        status=400,
        status_reason="Bad Request",
        client_message="Bad request",
    )


class UpstreamConnection(asyncio.Protocol):
    """One HTTP/1.1 connection to a backend.

    It is the producer of the response body (`Producer` in bodies.py) and the sink of a streamed
    request body (`Sink`).
    """

    def __init__(self, pool: Pool, endpoint: Endpoint) -> None:
        self.pool = pool
        self.endpoint = endpoint
        # The pool's idle list for this endpoint, held here so that going back to it does not
        # hash the endpoint (a dataclass: its __hash__ is Python code) on every response.
        self.idle_list = pool.idle.setdefault(endpoint, [])
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.loop = asyncio.get_running_loop()
        self.closed = False
        # the exchange in flight
        self._head: asyncio.Future[Relay] | None = None
        self._body: Body | None = None  # response body being received
        self._sending: Body | None = None  # request body being streamed to the backend
        self._chunked = False  # the request body goes out chunked
        self._sent = 0  # request body bytes written to the backend
        self._request_done = True
        self._response_done = True
        self._keep_alive = False
        self._head_only = False
        self._renew_parser = False
        self._informational = False
        self._received_any = False
        self._head_bytes = 0  # received while the response head is incomplete
        self._reading_paused = False
        self._timeout = 0.0
        self._progress = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._reason = b""
        self._headers: list[Header] = []
        self._response_length: int | None = None  # framing of the response being parsed
        self._response_chunked = False

    # --- asyncio.Protocol ---
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TLS transport is not an asyncio.Transport subclass, but has its interface.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._received_any = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._broken(UpstreamConnectError(f"invalid response from backend: {exc}"))
            return
        if self._head is not None:
            # Still no complete head: its bytes are no progress (the timeout bounds the time to
            # the response head, spec §5.9, however slowly it drips), and it may only grow so far.
            self._head_bytes += len(data)
            if self._head_bytes > MAX_RESPONSE_HEAD_BYTES:
                self._broken(UpstreamConnectError("backend response head is too large"))
                return
        else:
            self._progress = self.loop.time()
        if self._renew_parser:
            # A HEAD response ended at its head, which httptools cannot be told: a fresh parser
            # reads the next response (stack-measurements.md, "Gaps to close").
            self._renew_parser = False
            self.parser = httptools.HttpResponseParser(self)

    def eof_received(self) -> bool | None:
        # A response with neither Content-Length nor chunked coding ends at EOF (httptools has no
        # call for "the stream ended", so we end it ourselves).
        body = self._body
        if body is not None and body.length is None and not body.chunked:
            self._keep_alive = False
            self.on_message_complete()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.transport = None
        self._cancel_timer()
        self.pool.forget(self)
        self._end_exchange(
            UpstreamConnectError("backend closed the connection mid-response")
            if self._received_any
            else _Stale()
        )

    def pause_writing(self) -> None:
        if self._sending is not None:
            self._sending.hold()

    def resume_writing(self) -> None:
        if self._sending is not None:
            self._sending.release()

    # --- httptools callbacks ---
    def on_message_begin(self) -> None:
        self._reason = b""
        self._headers = []
        self._response_length = None
        self._response_chunked = False

    def on_status(self, status: bytes) -> None:
        self._reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))
        if len(name) in (14, 17):  # maybe Content-Length or Transfer-Encoding (no lower() else)
            self._note_framing(name.lower(), value)

    def _note_framing(self, name: bytes, value: bytes) -> None:
        # The parser has already checked that the framing headers agree.
        if name == b"content-length":
            digits = value.strip()
            if digits.isdigit():
                self._response_length = int(digits)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            self._response_chunked = True

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if 100 <= status < 200:
            self._informational = True  # e.g. 103 Early Hints: not relayed, the answer follows
            return
        head = self._head
        if head is None or head.done():
            self._broken(UpstreamConnectError("backend sent a response nobody asked for"))
            return
        response = Response(status, self._reason.decode("latin-1"), self._headers, b"", True)
        self._keep_alive = self.parser.should_keep_alive()
        if self._head_only or status in (204, 304):
            body = NO_BODY
            self._response_done = True
            self._renew_parser = self._head_only
        else:
            chunked = self._response_chunked
            length = None if chunked else self._response_length
            body = self._body = Body(self, length=length, chunked=chunked)
        self._head = None
        head.set_result(Relay(response, body))
        if self._response_done:
            self._maybe_idle()

    def on_body(self, data: bytes) -> None:
        if self._body is None:
            self._broken(UpstreamConnectError("backend sent more than the response it announced"))
            return
        self._body.feed(data)

    def on_message_complete(self) -> None:
        if self._informational:
            self._informational = False
            return
        body, self._body = self._body, None
        if body is not None:
            self._response_done = True
            body.finish()
            self._maybe_idle()

    # --- Producer (the response body) ---
    def pause_reading_for(self, body: Body) -> None:
        if not self._reading_paused and self.transport is not None:
            self._reading_paused = True
            self.transport.pause_reading()

    def resume_reading_for(self, body: Body) -> None:
        if self._reading_paused:
            self._reading_paused = False
            self._progress = self.loop.time()
            if self.transport is not None:
                self.transport.resume_reading()

    def body_discarded(self, body: Body) -> None:
        if body is self._body:  # the rest would have to be read for nothing: hang up instead
            self._body = None
            self.close()

    # --- Sink (the request body) ---
    def write(self, data: bytes) -> None:
        if not data or self.transport is None:
            return
        self._sent += len(data)
        self._progress = self.loop.time()
        if self._chunked:
            self.transport.writelines((b"%x\r\n" % len(data), data, b"\r\n"))
        else:
            self.transport.write(data)

    def end(self) -> None:
        self._sending = None
        self._request_done = True
        if self.transport is not None and self._chunked:
            self.transport.write(b"0\r\n\r\n")
        if self._response_done:
            self._maybe_idle()

    def fail(self, exc: BaseException) -> None:
        # The client went away mid-upload: the backend must not take a truncated body as whole.
        self._sending = None
        self._end_exchange(client_gone())
        self.close()

    # --- request side ---
    def exchange(
        self,
        head: bytes,
        body: bytes | Body | None,
        *,
        chunked: bool,
        head_only: bool,
        timeout: float,
    ) -> asyncio.Future[Relay]:
        """Send a request (the head already carries its framing headers); the future resolves
        with the response head."""
        assert self.transport is not None
        self._head = self.loop.create_future()
        self._head_only = head_only
        self._chunked = chunked
        self._sent = 0
        self._received_any = False
        self._head_bytes = 0
        self._response_done = False
        self._keep_alive = False
        self._timeout = timeout
        self._progress = self.loop.time()
        # One timer per connection outlives the exchange (see `_check_progress`): re-armed only
        # when the pending one would fire after this exchange's deadline.
        deadline = self._progress + timeout
        timer = self._timer
        if timer is None or timer.when() > deadline:
            if timer is not None:
                timer.cancel()
            self._timer = self.loop.call_at(deadline, self._check_progress)
        head_future = self._head
        if isinstance(body, Body):
            self.transport.write(head)
            self._request_done = False
            self._sending = body
            body.attach(self)  # may end (or fail) right away
        else:
            self.transport.write(head + body if body else head)
            self._request_done = True
        return head_future

    def streamed_nothing(self) -> bool:
        """No byte of a streamed request body reached this connection (a retry can resend)."""
        return self._sent == 0

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    # --- internals ----------------------------------------------------------------------------
    def _maybe_idle(self) -> None:
        if not self._response_done:
            return
        if not self._request_done:
            # The backend answered before it had the whole request body: the client's remaining
            # bytes are dropped (the client side decides between discarding and closing).
            sending, self._sending = self._sending, None
            self._request_done = True
            self._keep_alive = False
            if sending is not None:
                sending.discard()
        # The progress timer stays armed: it lapses by itself when it finds nothing in flight
        # (cancelling and arming a timer on every exchange cost more than the stray wake-up).
        if self._keep_alive and not self.closed:
            self.pool.release(self)
        else:
            self.close()

    def _end_exchange(self, exc: BaseException) -> None:
        """Fail whatever the exchange still waits for."""
        self._cancel_timer()
        head, self._head = self._head, None
        if head is not None and not head.done():
            head.set_exception(exc)
        body, self._body = self._body, None
        if body is not None:
            body.fail(exc if isinstance(exc, UpstreamError) else UpstreamConnectError(str(exc)))
        sending, self._sending = self._sending, None
        if sending is not None:
            if self._sent == 0 and isinstance(exc, _Stale):
                sending.detach()  # untouched: a retry on another connection can still send it
            else:
                sending.discard()

    def _broken(self, exc: UpstreamError) -> None:
        self._end_exchange(exc)
        self.abort()

    def _check_progress(self) -> None:
        self._timer = None
        if self._head is None and self._body is None and self._sending is None:
            return  # idle since: the next exchange arms a timer again
        now = self.loop.time()
        if self._reading_paused:
            self._progress = now  # the client is slow, not the backend
        deadline = self._progress + self._timeout
        if now < deadline:
            self._timer = self.loop.call_at(deadline, self._check_progress)
            return
        if self._head is not None:
            error = UpstreamTimeout(f"backend did not answer within {self._timeout:g} s")
        else:
            error = UpstreamTimeout(f"backend stalled for {self._timeout:g} s mid-exchange")
        self._end_exchange(error)
        self.abort()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


class Pool:
    def __init__(
        self, *, connect_timeout: float, max_body: int, max_idle_per_endpoint: int = 256
    ) -> None:
        self.connect_timeout = connect_timeout
        self.max_body = max_body  # cap of a response body read whole (`request`, policies)
        self.max_idle = max_idle_per_endpoint
        self.idle: dict[Endpoint, list[UpstreamConnection]] = {}
        # Backend certificates verified by default; the proxy swaps in each snapshot's contexts.
        self.tls_contexts = BackendTlsContexts()

    async def open(
        self,
        endpoint: Endpoint,
        head: bytes,
        body: bytes | Body | None,
        *,
        method: bytes,
        chunked: bool = False,
        timeout: float,
    ) -> Relay:
        """Send one request (`head` with its framing headers, then `body`: bytes as they are,
        or a streamed `Body`, chunk-framed when `chunked`); return once the response head is in.
        Raises UpstreamError."""
        head_only = method == b"HEAD"
        whole = body.take(COALESCE_BYTES) if isinstance(body, Body) else None
        if whole is not None:  # a small body all here already: it goes out with the head
            if not chunked:
                body = whole
            else:
                body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(whole), whole) if whole else b"0\r\n\r\n"
        for attempt in range(2):
            conn = self._idle_connection(endpoint)
            reused = conn is not None
            if conn is None:
                conn = await self._connect(endpoint)
            try:
                return await conn.exchange(
                    head, body, chunked=chunked, head_only=head_only, timeout=timeout
                )
            except _Stale:
                resendable = not isinstance(body, Body) or conn.streamed_nothing()
                if reused and attempt == 0 and method in IDEMPOTENT and resendable:
                    continue
                raise UpstreamConnectError("backend closed the connection") from None
            except BaseException:  # UpstreamError, or the client went away (cancelled)
                conn.abort()
                raise
        raise UpstreamConnectError("backend closed the connection")  # pragma: no cover

    async def request(
        self, endpoint: Endpoint, data: bytes, method: bytes, timeout: float
    ) -> Response:
        """Send one serialized request (head and body); return the whole response."""
        relay = await self.open(endpoint, data, None, method=method, timeout=timeout)
        relay.response.body = await read_body(relay.body, self.max_body)
        return relay.response

    def _idle_connection(self, endpoint: Endpoint) -> UpstreamConnection | None:
        """The most recently used idle connection that is still open (no coroutine: this is
        every request's path)."""
        idle = self.idle.get(endpoint)
        while idle:
            conn = idle.pop()
            if not conn.closed and conn.transport is not None and not conn.transport.is_closing():
                return conn
        return None

    async def _connect(self, endpoint: Endpoint) -> UpstreamConnection:
        loop = asyncio.get_running_loop()
        tls = None
        if endpoint.scheme == "https":
            tls = self.tls_contexts.get(endpoint.tls or DEFAULT_TLS)
        try:
            transport, conn = await asyncio.wait_for(
                loop.create_connection(
                    lambda: UpstreamConnection(self, endpoint),
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
        except ssl.SSLCertVerificationError as exc:
            raise UpstreamTlsError(f"RemoteCertificateChainErrors: {exc.verify_message}") from None
        except (OSError, ssl.SSLError) as exc:
            raise UpstreamConnectError(
                f"cannot connect to {endpoint.host}:{endpoint.port}: {exc.strerror or exc}"
            ) from None
        if tls is not None:
            try:
                check_name(endpoint.tls, transport.get_extra_info("ssl_object"), endpoint.host)
            except UpstreamTlsError:
                transport.abort()
                raise
        return conn

    def release(self, conn: UpstreamConnection) -> None:
        if conn.closed:
            return
        idle = conn.idle_list
        if len(idle) < self.max_idle:
            idle.append(conn)
        else:
            conn.close()

    def forget(self, conn: UpstreamConnection) -> None:
        """A connection closed; drop it from the idle list if it waits there."""
        idle = conn.idle_list
        if idle and conn in idle:
            idle.remove(conn)

    def close(self) -> None:
        # The lists stay (connections hold theirs): emptied, not dropped.
        for conns in self.idle.values():
            for conn in list(conns):
                conn.close()
            conns.clear()


async def read_body(body: Body, limit: int) -> bytes:
    """A response body read whole; UpstreamError when too large or cut short."""
    try:
        return await body.read_all(limit)
    except BodyTooLarge:
        raise UpstreamConnectError("backend response body exceeds the configured limit") from None
    except BodyAborted as exc:
        cause = exc.__cause__
        if isinstance(cause, UpstreamError):
            raise cause from None
        raise UpstreamConnectError("backend closed the connection mid-response") from None
