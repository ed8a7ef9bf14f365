"""The client side of the data plane: HTTP/1.0 and 1.1 over a (TLS) transport, parsed by httptools.

A request goes to the `Handler` as soon as its head is parsed; its body follows as a `Body`
(bodies.py) that the handler streams to the backend, or reads whole when a policy needs it. The
response goes out the same way: a `Response` whose body is in memory, or the backend's body
streaming through a `Relay`. Back-pressure holds both ways: reading from the client pauses while
the backend does not take the body, reading from the backend pauses while the client does not
read the response.

Requests are answered strictly in order, so pipelining works: the next request's handler starts
once the previous response is complete (its head and body are parsed meanwhile, and reading
pauses when they pile up). When a response goes out before its request body was read (a policy
answered early, or the backend did), the rest of the body is read and dropped when it is small,
else the connection closes after the response; `Expect: 100-continue` is answered only when
the body is actually wanted, and a client still waiting for it gets the final response and a
closed connection (RFC 9110 §10.1.1). A backend that fails after the response head went out
makes us abort the client connection: appending an error would corrupt the response.

Malformed HTTP gets a 400 (or the 4xx/5xx of the limit it broke) and the connection is closed;
the worker carries on. Framing is never ambiguous: whatever could be read two ways (Content-Length
with chunked, a transfer coding other than chunked, chunked in HTTP/1.0, several Host headers …)
is refused before the request is queued, and the backend always gets framing we generate.

One timer per connection (not per request) enforces the client-side timeouts: it wakes at most
every `Limits.tick` seconds and compares the connection's state with its deadlines (whole head,
body progress, whole request, keep-alive idle, a client that stopped reading).

Nothing here knows about policies.
"""

from __future__ import annotations

import asyncio
import logging
import re
import resource
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import httptools

from certgate.core.model import HOP_BY_HOP, Header, Response, end_to_end, gateway_error
from certgate.io import accesslog
from certgate.io.bodies import NO_BODY, Body, BodyAborted, Relay
from certgate.io.tls.base import PeerInfo, TlsBackend

if TYPE_CHECKING:
    from certgate.config import GatewayConfig

log = logging.getLogger("certgate.http")

COALESCE_BYTES = 64 * 1024  # a complete response body up to this size goes out with its head
DISCARD_LIMIT = 64 * 1024  # unread request body we still read and drop to keep a connection
LINGER_SECONDS = 2.0  # how long a closing connection keeps draining the client's unread body
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
MAX_CONTENT_LENGTH = (1 << 63) - 1  # beyond a signed 64-bit length a backend may wrap around
AUTO_MAX_CONNECTIONS = 10_000  # the cap of `maxConnections` derived from the file limit
# Bytes on the wire that no callback accounts for (request-line spaces and version, header
# whitespace, chunk sizes and extensions, a header still being parsed): httptools skips chunk
# extensions and header whitespace without limit and buffers a header until its end, so the
# connection grants a budget and refuses a request that goes beyond it.
FRAMING_BASE = 16 * 1024  # per connection, plus maxHeaderBytes for a head in progress
MESSAGE_SLACK = 256  # per request
CHUNK_SLACK = 64  # per chunk: its size line and CRLFs, a short extension


@dataclass(slots=True, eq=False)
class IncomingRequest:
    method: bytes
    target: bytes
    version: str  # "1.0" or "1.1"
    headers: list[Header]
    keep_alive: bool
    peer: PeerInfo
    client_ip: str
    stream: Body  # the body as it arrives
    started: float  # time.perf_counter() when the head was parsed
    received_at: float  # wall-clock time of the same moment
    host: bytes | None  # the Host header
    forwarded: tuple[bytes | None, bytes | None]  # the client's X-Forwarded-Proto and -Host
    # (All of the above are passed by position, every request: keywords cost more.)
    body: bytes = b""  # the whole body, when a policy needs it (read before the pipeline runs)
    expect_continue: bool = False  # the client waits for `100 Continue` before sending the body
    continued: bool = False  # `100 Continue` went out
    # Set by the handler:
    relay: Relay | None = None  # the backend's response, if its body streams
    buffer_response: bool = True  # outbound policies read the response body
    request_id: str = ""
    api_id: str = ""
    operation_id: str = ""
    error_reason: str = ""
    context: object = None  # the policy context, for whoever needs it after the pipeline
    # Written here:
    status: int = 0  # of the response sent (0: none went out)
    bytes_sent: int = 0

    def drop_relay(self) -> None:
        """A streamed backend response that will not be sent (a later forward, or a policy
        response, replaced it)."""
        relay, self.relay = self.relay, None
        if relay is not None:
            relay.body.discard()


Handler = Callable[[IncomingRequest], Awaitable[Response]]


class ConnectionCount:
    """The open client connections of one gateway (one worker), shared by all of them."""

    __slots__ = ("by_client", "open", "refused")

    def __init__(self) -> None:
        self.open = 0
        self.refused = 0  # connections closed at once: over `max_connections` or per client
        self.by_client: dict[str, int] = {}  # open ones per client address, when capped


@dataclass(frozen=True, slots=True)
class Limits:
    """Client-side limits of one gateway; timeouts in seconds, 0 = off where noted."""

    max_header_bytes: int
    keepalive_timeout: float
    max_pipelined: int = 32
    max_url_bytes: int = 8192  # the request target; longer gets 414
    max_header_count: int = 100  # more header fields get 431
    header_timeout: float = 30.0  # first byte of a head to its end (and a new connection's wait)
    body_timeout: float = 60.0  # longest pause between two reads of a request body
    request_timeout: float = 0.0  # first byte of a head to the end of its body; 0 = off
    send_timeout: float = 60.0  # longest a client may leave our writes unread
    max_connections: int = 0  # per gateway (worker); 0 = no cap
    max_connections_per_client: int = 0  # per client address and worker; 0 = no cap
    connections: ConnectionCount = field(default_factory=ConnectionCount, compare=False)

    @classmethod
    def from_settings(cls, settings: GatewayConfig) -> Limits:
        return cls(
            max_header_bytes=settings.max_header_bytes,
            keepalive_timeout=settings.keepalive_timeout,
            max_url_bytes=settings.max_url_bytes,
            max_header_count=settings.max_header_count,
            header_timeout=settings.header_timeout,
            body_timeout=settings.body_timeout,
            request_timeout=settings.request_timeout,
            send_timeout=settings.send_timeout,
            max_connections=settings.max_connections or default_max_connections(),
            max_connections_per_client=settings.max_connections_per_client,
        )

    @property
    def tick(self) -> float:
        """How often a connection's timer wakes: the shortest timeout, so that a deadline set
        later (a head starting while the timer waits) is never behind the armed wake-up."""
        timeouts = (
            self.keepalive_timeout,
            self.header_timeout,
            self.body_timeout,
            self.send_timeout,
            self.request_timeout or self.header_timeout,
        )
        return min(timeouts)


def default_max_connections() -> int:
    """Half the file-descriptor limit (a client connection may hold a backend connection), less
    room for listeners, logs and the store; at most AUTO_MAX_CONNECTIONS."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return AUTO_MAX_CONNECTIONS
    return max(16, min(AUTO_MAX_CONNECTIONS, (soft - 64) // 2))


class _Reject(Exception):
    """The request cannot be read; answer `status` and close."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# Request headers the connection looks at: framing, expectation, and what X-Forwarded-* needs.
_NOTED = {
    b"content-length": 0,
    b"transfer-encoding": 1,
    b"expect": 2,
    b"host": 3,
    b"x-forwarded-proto": 4,
    b"x-forwarded-host": 5,
}
_NOTED_LENGTHS = frozenset(len(name) for name in _NOTED)
# Bytes a Host value may hold (reg-name, IP literal, port); anything else is a 400.
_HOST_BYTES = bytes(range(0x30, 0x3A)) + bytes(range(0x41, 0x5B)) + bytes(range(0x61, 0x7B))
_HOST_BYTES += b"-._~!$&'()*+,;=%:[]"
_PIPELINE = "pipeline"  # a reason to pause reading: too many requests queued
# What a request head says about its framing and forwarding: Content-Length, chunked, Expect,
# and the Host, X-Forwarded-Proto and -Host values.
_Scanned = tuple[int | None, bool, bytes | None, tuple[bytes | None, bytes | None, bytes | None]]


def _scan(version: str, headers: list[Header]) -> _Scanned:
    """ClientConnection._scan, on a head not seen before (raises _Reject)."""
    length: int | None = None
    chunked = False
    expect: bytes | None = None
    seen: list[bytes | None] = [None, None, None]
    for name, value in headers:
        if len(name) not in _NOTED_LENGTHS:  # cheap filter before the lower()
            continue
        what = _NOTED.get(name.lower())
        if what is None:
            continue
        if what == 0:
            try:
                length = int(value)
            except ValueError:
                raise _Reject(400, "Bad request") from None
            if length > MAX_CONTENT_LENGTH:
                raise _Reject(400, "Bad request")
        elif what == 1:
            if version == "1.0":  # RFC 9112 §6.1: framing faulty, whatever follows
                raise _Reject(400, "Bad request")
            # Only chunked alone: a coding before it (gzip, identity …) would reach the
            # backend undeclared, since we re-frame the body.
            if value.strip(b" \t").lower() != b"chunked":
                raise _Reject(501, "Transfer coding not implemented")
            chunked = True
        elif what == 2:
            if value.strip().lower() != b"100-continue":
                raise _Reject(417, "Expectation failed")
            expect = value
        elif what == 3:
            # RFC 9112 §3.2: exactly one Host, a valid one.
            if seen[0] is not None or value.translate(None, _HOST_BYTES):
                raise _Reject(400, "Bad request")
            seen[0] = value
        else:
            before = seen[what - 3]
            seen[what - 3] = value if before is None else before + b", " + value
    return (None if chunked else length), chunked, expect, (seen[0], seen[1], seen[2])


class ClientConnection(asyncio.Protocol):
    """One client connection: parses requests, runs them in order, writes the answers.

    It is the producer of its request bodies and the sink of streamed response bodies.
    """

    def __init__(self, handler: Handler, tls: TlsBackend, limits: Limits) -> None:
        self.handler = handler
        self.tls = tls
        self.limits = limits
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.queue: deque[IncomingRequest] = deque()
        # One serving task per connection, parked on `wakeup` between requests (a task per
        # request cost more than a future); `busy` while requests are queued or answered.
        self.worker: asyncio.Task[None] | None = None
        self.wakeup: asyncio.Future[None] | None = None
        self.busy = False
        self.timer: asyncio.TimerHandle | None = None
        self.current: IncomingRequest | None = None  # the request being parsed
        self.active: IncomingRequest | None = None  # the request being answered
        self.holds: set[object] = set()  # why reading is paused; empty = reading
        self.relaying: Body | None = None  # a response body streaming to this client
        self.write_paused = False
        self.rejected: Response | None = None  # answer once the queue is done, then close
        self.lingering = False
        self.cert_fields = ""  # access-log fragment, computed on first use
        self.loop = asyncio.get_running_loop()
        self.counted = False  # holds a place in limits.connections
        # What the timer judges (loop.time() values): see `_on_timer`.
        self.in_head = False  # a head has begun and is not complete
        self.head_started = 0.0  # when the last head began
        self.body_progress = 0.0  # when the request body being read last moved
        self.idle_since = 0.0  # when the connection last had nothing to do
        self.served = False  # a request was answered (idle then means keep-alive)
        self.write_paused_since = 0.0
        # Framing budget (see FRAMING_BASE): bytes received, bytes the callbacks saw (with
        # `head_bytes` of the request being read), allowance.
        self.wire = 0
        self.accounted = 0
        self.budget = FRAMING_BASE + limits.max_header_bytes
        self.scanned: tuple[str, list[Header], _Scanned] | None = None  # see `_scan`
        self._reset_head()

    def _reset_head(self) -> None:
        self.url = b""
        self.headers: list[Header] = []
        self.head_bytes = 0

    # --- asyncio.Protocol ---
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peername = transport.get_extra_info("peername")
        self.client_ip = peername[0] if peername else ""
        over = self._over_cap()
        if over:
            # Closed at once, before anything is read; the open ones go on.
            count = self.limits.connections
            if not count.refused:
                log.warning("client connections over %s: refusing new ones", over)
            count.refused += 1
            transport.close()
            return
        self._count(+1)
        # uvloop's TLS transport is not an asyncio.Transport subclass, but has its interface.
        self.transport = cast(asyncio.Transport, transport)
        self.peer = self.tls.peer_info(transport)
        self.idle_since = self.loop.time()
        self.timer = self.loop.call_later(self.limits.tick, self._on_timer)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.counted:
            self._count(-1)
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        active = self.active
        if active is not None and accesslog.enabled():  # it will not finish: log it now
            active.error_reason = active.error_reason or "ClientConnectionFailure"
            self._log(active)
            self.active = None
        gone = BodyAborted()
        for request in (self.current, self.active, *self.queue):
            if request is not None:
                request.stream.fail(gone)
        if self.relaying is not None:
            self.relaying.discard()
        if self.worker is not None and not self.worker.done():
            self.worker.cancel()

    def data_received(self, data: bytes) -> None:
        self.wire += len(data)
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
        else:
            if self.wire - self.accounted - self.head_bytes > self.budget:
                log.debug("request framing from %s over its budget", self.client_ip)
                self._reject(431 if self.in_head else 400, _FRAMING_MESSAGE[self.in_head])

    def pause_writing(self) -> None:
        self.write_paused = True
        self.write_paused_since = self.loop.time()
        if self.relaying is not None:
            self.relaying.hold()

    def resume_writing(self) -> None:
        self.write_paused = False
        if self.relaying is not None:
            self.relaying.release()

    # --- httptools callbacks ---
    def on_message_begin(self) -> None:
        self.accounted += self.head_bytes  # the previous request's head (and trailers)
        self.url = b""  # `_reset_head`, inlined
        self.headers = []
        self.head_bytes = 0
        self.in_head = True
        self.head_started = self.loop.time()
        self.budget += MESSAGE_SLACK

    def on_url(self, url: bytes) -> None:
        self.url += url
        if len(self.url) > self.limits.max_url_bytes:
            raise _Reject(414, "Request URI too long")
        self.head_bytes += len(url)
        if self.head_bytes > self.limits.max_header_bytes:
            raise _Reject(431, "Request header fields too large")

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.in_head:
            self.headers.append((name, value))
        # else: a trailer field after a chunked body, counted but dropped: merged into the
        # headers it would arrive after policies (and the backend's head) saw them.
        self.head_bytes += len(name) + len(value) + 4
        if self.head_bytes > self.limits.max_header_bytes:
            raise _Reject(431, "Request header fields too large")

    def on_chunk_header(self) -> None:
        self.budget += CHUNK_SLACK

    def on_headers_complete(self) -> None:
        self.in_head = False
        if self.lingering:
            return  # a closing connection takes no new requests
        parser = self.parser
        version = parser.get_http_version()
        if version not in {"1.1", "1.0"}:
            raise _Reject(505, "HTTP version not supported")
        if parser.should_upgrade():  # refused before it is queued: one answer, then close
            raise _Reject(501, "Protocol upgrade is not supported")
        if len(self.headers) > self.limits.max_header_count:  # their bytes are capped meanwhile
            raise _Reject(431, "Request header fields too large")
        target = self.url
        authority = None
        if target[:1] != b"/" or _ODD_TARGET.search(target) is not None:
            target, authority = _normalize_target(target)  # rare: the fast path is one test
        length, chunked, expect, (host, forwarded_proto, forwarded_host) = self._scan(version)
        if authority is not None:
            # RFC 9112 §3.2.2: an absolute-form target's authority replaces the Host header.
            host = authority
            self.headers = [h for h in self.headers if h[0].lower() != b"host"]
            self.headers.append((b"Host", authority))
        elif host is None and version == "1.1":
            raise _Reject(400, "Bad request")  # RFC 9112 §3.2: Host is required in HTTP/1.1
        stream = Body(self, length=length, chunked=chunked) if (length or chunked) else NO_BODY
        if stream is not NO_BODY:
            self.body_progress = self.loop.time()
        request = IncomingRequest(
            parser.get_method(),
            target,
            version,
            self.headers,
            parser.should_keep_alive(),
            self.peer,
            self.client_ip,
            stream,
            time.perf_counter(),
            time.time(),
            host,
            (forwarded_proto, forwarded_host),
        )
        if expect is not None and stream is not NO_BODY and version == "1.1":
            request.expect_continue = True
            stream.on_start = self._send_continue
        self.current = request if stream is not NO_BODY else None
        self.queue.append(request)
        if len(self.queue) >= self.limits.max_pipelined:
            self.pause_reading_for(_PIPELINE)  # back-pressure on deep pipelines
        self.busy = True
        if self.worker is None:
            self.worker = self.loop.create_task(self._serve_queue())
        elif self.wakeup is not None:
            wakeup, self.wakeup = self.wakeup, None
            wakeup.set_result(None)

    def on_body(self, body: bytes) -> None:
        self.accounted += len(body)
        if self.current is not None:
            self.body_progress = self.loop.time()
            self.current.stream.feed(body)

    def on_message_complete(self) -> None:
        current, self.current = self.current, None
        if current is not None:
            current.stream.finish()
        if self.lingering and self.transport is not None:
            self.transport.close()

    # --- Producer (request bodies) ---
    def pause_reading_for(self, body: object) -> None:
        if not self.holds and self.transport is not None:
            self.transport.pause_reading()
        self.holds.add(body)

    def resume_reading_for(self, body: object) -> None:
        if body in self.holds:
            self.holds.discard(body)
            if not self.holds and self.transport is not None:
                self.transport.resume_reading()

    def body_discarded(self, body: Body) -> None:
        pass  # the parser goes on through the body; its bytes are dropped

    # --- helpers ---
    def _over_cap(self) -> str:
        """The setting a new connection would break ('' when within both caps)."""
        limits, count = self.limits, self.limits.connections
        if limits.max_connections and count.open >= limits.max_connections:
            return "maxConnections"
        per_client = limits.max_connections_per_client
        if per_client and count.by_client.get(self.client_ip, 0) >= per_client:
            return "maxConnectionsPerClient"
        return ""

    def _count(self, step: int) -> None:
        count = self.limits.connections
        count.open += step
        self.counted = step > 0
        if self.limits.max_connections_per_client:
            held = count.by_client.get(self.client_ip, 0) + step
            if held > 0:
                count.by_client[self.client_ip] = held
            else:
                count.by_client.pop(self.client_ip, None)

    def _scan(self, version: str) -> _Scanned:
        """One pass over the head: Content-Length, chunked, the Expect value, and the Host,
        X-Forwarded-Proto and -Host values. llhttp already refused Content-Length with
        Transfer-Encoding, duplicate or malformed lengths; what it lets through and a backend
        could read another way is refused here. A keep-alive client sends the same head
        request after request: the last one scanned (a copy) and its result are kept."""
        headers = self.headers
        last = self.scanned
        if last is not None and last[1] == headers and last[0] == version:
            return last[2]
        scanned = _scan(version, headers)
        self.scanned = (version, list(headers), scanned)
        return scanned

    def _send_continue(self, body: Body) -> None:
        # Called when the handler first wants the body: only the request being answered does.
        active = self.active
        if (
            active is not None
            and active.stream is body
            and not active.continued
            and body.received == 0
            and self.transport is not None
        ):
            active.continued = True
            self.transport.write(_CONTINUE)

    async def _serve_queue(self) -> None:
        try:
            while await self._serve_batch():
                self._idle()
                self.wakeup = self.loop.create_future()
                await self.wakeup  # the next request (connection_lost cancels the wait)
        finally:
            self.worker = self.wakeup = None
            self._idle()

    async def _serve_batch(self) -> bool:
        """Answer the queued requests in order; False when the connection is done."""
        while self.queue and self.transport is not None:
            request = self.queue.popleft()
            if self.holds and len(self.queue) < self.limits.max_pipelined:
                self.resume_reading_for(_PIPELINE)
            self.active = request
            response = await self.handler(request)
            if self.transport is None:
                request.drop_relay()
                return False
            try:
                keep = await self._respond(request, response)
            except Exception:  # a bug must cost this connection, never the worker
                log.exception("writing the response failed")
                request.drop_relay()
                if self.transport is not None:
                    self.transport.abort()
                keep = False
            self.active = None
            if accesslog.enabled():
                self._log(request)
            if not keep:
                return False
        if self.rejected is not None and self.transport is not None:
            self._write_rejection()
            return False
        return self.transport is not None

    def _idle(self) -> None:
        self.busy = False
        self.active = None
        self.served = True
        self.idle_since = self.loop.time()

    async def _respond(self, request: IncomingRequest, response: Response) -> bool:
        """Write the response; False when the connection is done afterwards."""
        transport = self.transport
        assert transport is not None
        request.status = response.status
        relay, request.relay = request.relay, None
        if relay is not None and relay.response is not response:
            relay.body.discard()  # a policy answered instead of the backend
            relay = None
        close = not request.keep_alive or not self._can_go_on(request)
        if relay is not None and (request.method == b"HEAD" or response.status in (204, 304)):
            relay.body.discard()  # no body goes out, whatever the backend sends
            relay = None
        elif relay is not None:
            whole = relay.body.take(COALESCE_BYTES)
            if whole is not None:  # all here already: head and body in one write
                response.body = whole
                relay = None
        if relay is None:
            data = serialize_response(response, request, close)
            request.bytes_sent += len(data)
            transport.write(data)
        else:
            length = relay.body.length
            chunked = length is None and request.version == "1.1"
            if length is None and not chunked:
                close = True  # an HTTP/1.0 client: the body ends when we close
            head = response_head(response, request, length, chunked, close)
            request.bytes_sent += len(head)
            transport.write(head)
            if not await self._relay(request, relay.body, chunked):
                transport.abort()  # the backend failed after the head went out
                request.error_reason = request.error_reason or "BackendConnectionFailure"
                return False
        if not self._drain_request_body(request) or close:
            self._close()
            return False
        return True

    async def _relay(self, request: IncomingRequest, body: Body, chunked: bool) -> bool:
        """Stream the backend's body to the client; False if the backend failed."""
        sink = _ResponseSink(self, request, chunked)
        self.relaying = body
        try:
            body.attach(sink)
            if self.write_paused:
                body.hold()
            return await sink.done
        finally:
            self.relaying = None

    def _can_go_on(self, request: IncomingRequest) -> bool:
        """Whether the connection can carry another request after this one's response, judging
        by the request body (without touching it)."""
        body = request.stream
        if body.done:
            return body.error is None
        if request.expect_continue and not request.continued and body.received == 0:
            return False  # the client still waits to send it: we do not want it
        if body.length is None:
            return False
        return body.length - body.received <= DISCARD_LIMIT

    def _drain_request_body(self, request: IncomingRequest) -> bool:
        """After the response: drop what is left of the request body; False if the connection
        must close instead."""
        body = request.stream
        if body.done:
            return body.error is None  # what `_can_go_on` says of a body that is done
        keep = self._can_go_on(request)
        body.discard()
        return keep

    def _close(self) -> None:
        """Close after the response, reading on (and dropping) for a moment if the client is
        still sending: closing with unread data would reset the connection, and the client could
        lose the response."""
        transport = self.transport
        if transport is None:
            return
        current = self.current
        if current is None or current.stream.done:
            transport.close()
            return
        self.lingering = True
        self.holds.clear()
        transport.resume_reading()
        self.loop.call_later(LINGER_SECONDS, transport.close)

    def _reject(self, status: int, message: str) -> None:
        if self.transport is None:
            return
        self.pause_reading_for(_Reject)  # nothing more is read from this connection
        current, self.current = self.current, None
        if current is not None:
            current.stream.fail(BodyAborted())
            if current is self.active or current in self.queue:
                # Its handler answers it (its body failed); the connection closes after that.
                current.keep_alive = False
                return
            if not self.busy:  # answered already, its body was being dropped
                self.transport.close()
                return
        self.rejected = gateway_error(status, message, "")
        if not self.busy:
            self._write_rejection()

    def _write_rejection(self) -> None:
        if self.transport is None or self.rejected is None:
            return
        self.queue.clear()
        self.transport.write(serialize_response(self.rejected, None))
        self.transport.close()
        self.transport = None

    def _log(self, request: IncomingRequest) -> None:
        if not self.cert_fields:
            self.cert_fields = accesslog.certificate_fields(self.peer)
        accesslog.write(request, self.cert_fields)

    # --- timeouts ---
    def _on_timer(self) -> None:
        """Compare the connection's state with its deadline; act, or wake again at the deadline
        or after `tick` (whichever is sooner), so a phase that starts meanwhile is covered."""
        self.timer = None
        transport = self.transport
        if transport is None:
            return
        limits = self.limits
        now = self.loop.time()
        if self.write_paused and now - self.write_paused_since >= limits.send_timeout:
            log.debug("client %s stopped reading; aborting", self.client_ip)
            self._abort_current()
            transport.abort()
            return
        current = self.current
        if self.in_head:
            deadline = self.head_started + limits.header_timeout
            if limits.request_timeout:
                deadline = min(deadline, self.head_started + limits.request_timeout)
            if now >= deadline:
                self._reject(408, "Request timeout")
                return
        elif current is not None and not current.stream.done:
            if self.holds:  # we stopped reading (back-pressure): not the client's delay
                self.body_progress = now
            deadline = self.body_progress + limits.body_timeout
            if limits.request_timeout:
                deadline = min(deadline, self.head_started + limits.request_timeout)
            if now >= deadline:
                self._body_timed_out(current, transport)
                return
        elif self.queue or self.busy:
            deadline = now + limits.tick  # answering: the backend's timeouts apply
        else:
            wait = limits.keepalive_timeout if self.served else limits.header_timeout
            deadline = self.idle_since + wait
            if now >= deadline:
                transport.close()  # idle (or never sent a byte): no answer is owed
                return
        self.timer = self.loop.call_at(min(deadline, now + limits.tick), self._on_timer)

    def _body_timed_out(self, current: IncomingRequest, transport: asyncio.Transport) -> None:
        """The body stopped arriving: 408 if its answer has not started, then close; the
        handler's own answer (to a failed body) is dropped."""
        log.debug("request body from %s timed out", self.client_ip)
        if current is self.active and current.status == 0 and self.relaying is None:
            current.status = 408
            current.error_reason = "ClientConnectionFailure"
            error = gateway_error(408, "Request timeout", current.request_id)
            transport.write(serialize_response(error, None))
        self.transport = None  # nothing else goes out
        transport.close()
        self._abort_current()

    def _abort_current(self) -> None:
        current, self.current = self.current, None
        if current is not None:
            current.stream.fail(BodyAborted())


_FRAMING_MESSAGE = {True: "Request header fields too large", False: "Bad request"}


# What only `_normalize_target` handles in an origin-form target: a fragment, a dot segment, an
# encoded '/' or '.' (one regex search: three `in` tests cost three times as much).
_ODD_TARGET = re.compile(rb"#|/\.|%2")


def _normalize_target(target: bytes) -> tuple[bytes, bytes | None]:
    """An unusual request target in origin form, and the authority of an absolute-form one.

    Absolute form (`http://host/path`, RFC 9112 §3.2.2) is accepted as every HTTP/1.1 server
    must: its path routes the request, its authority replaces Host. Dot segments (`.`, `..`, also
    percent-encoded) are resolved (RFC 3986 §5.2.4), so a backend cannot resolve them above the
    API's path; climbing above the root, a fragment, userinfo, `*` and other forms are 400."""
    authority = None
    if target[:1] != b"/":
        scheme, sep, rest = target.partition(b"://")
        if not sep or scheme.lower() not in (b"http", b"https"):
            raise _Reject(400, "Bad request")
        end = len(rest)
        for stop in (b"/", b"?"):
            at = rest.find(stop)
            if at != -1:
                end = min(end, at)
        authority, target = rest[:end], rest[end:]
        if not authority or b"@" in authority or authority.translate(None, _HOST_BYTES):
            raise _Reject(400, "Bad request")
        if target[:1] != b"/":
            target = b"/" + target
    if b"#" in target:  # a fragment is never sent (RFC 9110 §7.1); backends differ on it
        raise _Reject(400, "Bad request")
    path, sep, query = target.partition(b"?")
    if b"/." in path or b"%2" in path:
        out: list[bytes] = []
        segments = path.split(b"/")[1:]
        for i, segment in enumerate(segments):
            dots = segment.lower().replace(b"%2e", b".")
            if dots in {b".", b".."}:
                if dots == b"..":
                    if not out:
                        raise _Reject(400, "Bad request")  # above the root
                    out.pop()
                if i == len(segments) - 1:
                    out.append(b"")  # `/a/b/..` is `/a/`
                continue
            out.append(segment)
        path = b"/" + b"/".join(out)
    return path + sep + query, authority


class _ResponseSink:
    """Writes a streamed response body to the client (chunked when its length is unknown)."""

    __slots__ = ("chunked", "conn", "done", "request")

    def __init__(self, conn: ClientConnection, request: IncomingRequest, chunked: bool) -> None:
        self.conn = conn
        self.request = request
        self.chunked = chunked
        self.done: asyncio.Future[bool] = conn.loop.create_future()

    def write(self, data: bytes) -> None:
        transport = self.conn.transport
        if transport is None or not data:
            return
        if self.chunked:
            size = b"%x\r\n" % len(data)
            transport.writelines((size, data, b"\r\n"))
            self.request.bytes_sent += len(size) + len(data) + 2
        else:
            transport.write(data)
            self.request.bytes_sent += len(data)

    def end(self) -> None:
        if self.chunked and self.conn.transport is not None:
            self.conn.transport.write(b"0\r\n\r\n")
            self.request.bytes_sent += 5
        if not self.done.done():
            self.done.set_result(True)

    def fail(self, exc: BaseException) -> None:
        log.info("backend failed mid-response (%s); aborting the client connection", exc)
        if not self.done.done():
            self.done.set_result(False)


_RESPONSE_DROP = HOP_BY_HOP | frozenset({b"content-length"})  # we frame the response ourselves


def response_head(
    response: Response,
    request: IncomingRequest | None,
    length: int | None,
    chunked: bool,
    close: bool,
) -> bytes:
    """Status line, end-to-end headers, our own framing and connection headers."""
    line = _STATUS_LINES.get((response.status, response.reason))
    if line is None:
        line = _status_line(response)
    parts = [line]
    named = False
    for name, value in response.headers:
        lower = name.lower()
        if lower in _RESPONSE_DROP:
            # `Connection: keep-alive` (or close) names nothing we do not drop anyway: only a
            # token beyond those sends us down the slow path below.
            if lower == b"connection" and not named and value.lower() not in _RESPONSE_DROP:
                named = any(
                    t.strip().lower() not in _RESPONSE_DROP for t in value.split(b",") if t.strip()
                )
            continue
        parts += (name, b": ", value, b"\r\n")
    if named:  # rare: a Connection header names more hop-by-hop headers; redo the slow way
        parts[1:] = []
        for name, value in end_to_end(response.headers, _RESPONSE_DROP):
            parts += (name, b": ", value, b"\r\n")
    if length is not None:
        parts.append(b"Content-Length: %d\r\n" % length)
    elif chunked:
        parts.append(b"Transfer-Encoding: chunked\r\n")
    if close:
        parts.append(b"Connection: close\r\n")
    elif request is not None and request.version == "1.0":
        parts.append(b"Connection: keep-alive\r\n")
    parts.append(b"\r\n")
    return b"".join(parts)


_STATUS_LINES: dict[tuple[int, str | None], bytes] = {}  # the few status lines, made once


def _status_line(response: Response) -> bytes:
    line = b"HTTP/1.1 %d %s\r\n" % (response.status, response.reason_text.encode("latin-1"))
    if len(_STATUS_LINES) < 256:  # a backend's reason phrases are its own: only so many kept
        _STATUS_LINES[response.status, response.reason] = line
    return line


def serialize_response(
    response: Response, request: IncomingRequest | None, close: bool | None = None
) -> bytes:
    """A response whose body is in memory (HEAD, 204, 304 and 1xx: none sent)."""
    if close is None:
        close = request is None or not request.keep_alive
    head_only = request is not None and request.method == b"HEAD"
    no_body = response.status in (204, 304) or 100 <= response.status < 200
    length = None
    if not no_body:
        length = _head_length(response) if head_only else len(response.body)
    head = response_head(response, request, length, False, close)
    if head_only or no_body or not response.body:
        return head
    return head + response.body


def _head_length(response: Response) -> int:
    # A HEAD answer keeps the length the backend announced for the GET it mirrors.
    if response.from_backend:
        for name, value in response.headers:
            if name.lower() == b"content-length" and value.strip().isdigit():
                return int(value)
    return len(response.body)
