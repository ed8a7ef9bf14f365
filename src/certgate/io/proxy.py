"""Runs a request through the current snapshot: route, build the context, drive the engine.

This is where the core's actions are carried out (the backend call) and where foreign exceptions
stop: whatever goes wrong, the client gets an APIM-shaped response, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import logging
import os
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, cast

from certgate.core.backends import DEFAULT_TLS, BackendTls
from certgate.core.certs import X509Certificate2
from certgate.core.context import RequestContext, RequestInfo, UrlInfo
from certgate.core.model import HOP_BY_HOP, Header, Response, gateway_error, header_value
from certgate.core.policy.engine import Execution, execute
from certgate.core.policy.nodes import Forward
from certgate.core.validation.binding import (
    BoundCertificate,
    CertificateCheck,
    bind,
    sent_after_leaf,
)
from certgate.core.validation.policy import needs_revocation
from certgate.errors import CertgateError, UpstreamConnectError, UpstreamError
from certgate.io.backend_tls import BackendTlsContexts
from certgate.io.bodies import NO_BODY, Body, BodyAborted, BodyTooLarge
from certgate.io.http_server import IncomingRequest
from certgate.io.revocation import RevocationFetcher
from certgate.io.tls.base import PeerInfo
from certgate.io.upstream import Endpoint, Pool, read_body
from certgate.snapshot import ApiRuntime, OperationRuntime, Snapshot

if TYPE_CHECKING:
    from certgate.core.validation.validator import Validator
    from certgate.io.live import LiveSnapshot
    from certgate.metrics import Metrics

log = logging.getLogger("certgate.proxy")

# Request headers not copied as they are: hop-by-hop ones, those we set ourselves (Host, the
# framing, X-Forwarded-*), and `Expect` (100-continue is between the client and us).
_SPECIAL = HOP_BY_HOP | frozenset(
    {
        b"host",
        b"content-length",
        b"expect",
        b"x-forwarded-for",
        b"x-forwarded-proto",
        b"x-forwarded-host",
    }
)
_BODY_METHODS = frozenset({b"POST", b"PUT", b"PATCH"})  # an empty body still gets its length
HEALTH_PATH = b"/status-0123456789abcdef"  # APIM's gateway health endpoint
_MISDIRECTED = (
    "The request's host is served with other client certificate settings than this "
    "connection's; open a connection to that host."
)
_CACHE_SIZE = 1024  # entries of a per-snapshot memo before it starts over
_ROUTE_KEY_BYTES = 512  # longer request targets are routed every time, not remembered

# (API, operation, matched parameters, path after the API's, query string, method, whether the
# operation's policies check revocation)
_Route = tuple[ApiRuntime, OperationRuntime, dict[str, str], str, str, str, bool]
_NO_ROUTE = cast(_Route, ())


class _RequestIds:
    """GUID-shaped request ids (`context.RequestId`, the activityId of errors): a random
    per-process prefix and a counter. Unique is all they need to be; uuid4() per request cost a
    getrandom syscall and a UUID object. A forked worker draws its own prefix."""

    def __init__(self) -> None:
        self.reseed()
        os.register_at_fork(after_in_child=self.reseed)

    def reseed(self) -> None:
        r = os.urandom(10).hex()
        # version 4 and the RFC 4122 variant, as uuid4() would have them
        self.prefix = f"{r[:8]}-{r[8:12]}-4{r[12:15]}-{'89ab'[int(r[15], 16) & 3]}{r[16:19]}-"
        self.counter = itertools.count(int(r[19], 16) << 40)

    def next(self) -> str:
        return f"{self.prefix}{next(self.counter) & 0xFFFFFFFFFFFF:012x}"


_request_ids = _RequestIds()


class CertificateCache:
    """Parsed certificate views by DER, so a client reconnecting is not parsed again."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._items: OrderedDict[bytes, X509Certificate2] = OrderedDict()

    def get(self, der: bytes) -> X509Certificate2:
        view = self._items.get(der)
        if view is None:
            view = X509Certificate2(der)
            self._items[der] = view
            if len(self._items) > self._size:
                self._items.popitem(last=False)
        return view


class Proxy:
    """Answers requests from the current snapshot. With `live`, each request first checks
    whether the store moved (one shared-memory read) and, if so, swaps in the rebuilt snapshot
    before it is routed; with `metrics`, each answered request is counted and timed (time from
    request head to response head)."""

    def __init__(
        self,
        snapshot: Snapshot,
        pool: Pool,
        *,
        live: LiveSnapshot | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.snapshot = (
            snapshot  # replaced whole on reload; a request keeps the one it started with
        )
        self.pool = pool
        self.live = live
        self.metrics = metrics
        self.certificates = CertificateCache()
        self.revocation = RevocationFetcher()  # fetched CRLs and OCSP answers, across reloads
        # Per-request work whose answer only depends on the snapshot and a few request values.
        self._memo_for = snapshot  # the snapshot the two memos below hold answers of
        self._misdirected_by_host: dict[tuple[bytes, str], bool] = {}
        self._routes: dict[tuple[bytes, bytes], _Route] = {}
        self._endpoints: dict[tuple[str, str, int, BackendTls | None], tuple[Endpoint, bytes]] = {}

    async def handle(self, incoming: IncomingRequest) -> Response:
        live = self.live
        if live is not None and live.words[0] != live.generation:  # the store moved
            self.snapshot = live.refresh()
        if self._memo_for is not self.snapshot:
            self._memo_for = self.snapshot
            self._misdirected_by_host.clear()
            self._routes.clear()
        request_id = _request_ids.next()
        incoming.request_id = request_id
        if incoming.target.startswith(HEALTH_PATH) and _is_health_check(incoming):
            response = Response(200)  # before routing, on every hostname; no policy runs
        elif self._misdirected(incoming):
            incoming.error_reason = "MisdirectedRequest"
            response = gateway_error(421, _MISDIRECTED, request_id)
        else:
            try:
                response = await self._handle(incoming, request_id)
            except BodyTooLarge:
                incoming.error_reason = "RequestEntityTooLarge"
                incoming.keep_alive = False  # the rest of the body is not worth reading
                response = gateway_error(413, "Request entity too large", request_id)
            except BodyAborted:
                incoming.error_reason = "ClientConnectionFailure"
                response = gateway_error(400, "Bad request", request_id)
            except Exception:
                log.exception("unhandled error in request %s", request_id)
                incoming.error_reason = "InternalError"
                response = gateway_error(500, "Internal server error", request_id)
            self._note_outcome(incoming, response)
        if self.metrics is not None:
            self.metrics.observe_request(
                incoming.api_id,
                incoming.operation_id,
                response.status,
                time.perf_counter() - incoming.started,
            )
        return response

    def _misdirected(self, incoming: IncomingRequest) -> bool:
        """True when the request names (Host, or an absolute target) another configured
        hostname whose client-certificate settings differ from the ones this connection got: a
        connection never carries one hostname's client authentication to another (RFC 9110
        §15.5.20). Remembered per (authority named, connection's hostname) for the current
        snapshot: clients send the same few Host values over and over."""
        raw = (incoming.host or b"") if incoming.target[:1] == b"/" else _named_authority(incoming)
        mine = incoming.peer.hostname
        cache = self._misdirected_by_host
        known = cache.get((raw, mine))
        if known is None:
            if len(cache) > _CACHE_SIZE:
                cache.clear()
            known = cache[raw, mine] = _misdirected(_host_of(raw), mine, self.snapshot)
        return known

    @staticmethod
    def _note_outcome(incoming: IncomingRequest, response: Response) -> None:
        """API, operation and LastError reason, for the access log."""
        ctx = incoming.context
        if isinstance(ctx, RequestContext):
            incoming.api_id = ctx.Api.Id
            incoming.operation_id = ctx.Operation.Id
            if ctx.LastError is not None and ctx.LastError.Reason:
                incoming.error_reason = ctx.LastError.Reason
        elif response.status == 404 and not response.from_backend:
            incoming.error_reason = "OperationNotFound"
        # The context refers back to `incoming` (through the certificate and URL loaders); drop
        # the link so a finished request is freed by reference counting, not by the cyclic GC.
        incoming.context = None

    async def _read_body(self, incoming: IncomingRequest, ctx: RequestContext) -> None:
        """The request body, read whole (capped by `maxRequestBodyBytes`, `100 Continue` sent
        if the client waits for it)."""
        limit = self.snapshot.settings.max_request_body_bytes
        incoming.body = await incoming.stream.read_all(limit)
        if incoming.body:
            ctx.Request.set_body(incoming.body)

    async def _handle(self, incoming: IncomingRequest, request_id: str) -> Response:
        snapshot = self.snapshot
        key = (incoming.method, incoming.target)
        route = self._routes.get(key)
        if route is None:
            route = self._route(key)
        if route is _NO_ROUTE:  # no API, or no operation of it (OperationNotFound): both 404
            return gateway_error(404, "Resource not found", request_id)
        api, operation, params, remainder, query, method, revocation = route
        policy = operation.policy
        ctx = self._context(incoming, api, operation, params, remainder, query, request_id, method)
        incoming.context = ctx
        incoming.buffer_response = policy.reads_response_body
        # The request body is read whole only when the policies read it; any other streams to
        # the backend as it arrives. (No coroutine is awaited when there is nothing to wait for.)
        if policy.reads_request_body and incoming.stream.length != 0:
            await self._read_body(incoming, ctx)
        if revocation:
            await self.revocation.prepare(snapshot, policy, ctx)
        steps = execute(policy, ctx)
        action = _resume(steps, None)
        while isinstance(action, Forward):
            try:
                response = await self._forward(action, ctx, api, incoming)
            except UpstreamError as err:
                action = _resume(steps, err)
            else:
                action = _resume(steps, response)
        return action

    def _route(self, key: tuple[bytes, bytes]) -> _Route:
        """The API and operation a method and target go to, remembered per snapshot (clients
        send the same few targets over and over; long ones are not kept)."""
        method, target = key[0].decode("latin-1"), key[1].decode("latin-1")
        path, _, query = target.partition("?")
        route: _Route = _NO_ROUTE
        match = self.snapshot.router.match(path)
        if match is not None:
            found = match.target.match(method, match.remainder or "/", query)
            if found is not None:
                operation = found[0]
                revocation = needs_revocation(self.snapshot.validator, operation.policy)
                route = (
                    match.target,
                    operation,
                    found[1],
                    match.remainder,
                    query,
                    method,
                    revocation,
                )
        if len(target) <= _ROUTE_KEY_BYTES:
            if len(self._routes) > _CACHE_SIZE:
                self._routes.clear()
            self._routes[key] = route
        return route

    def _context(
        self,
        incoming: IncomingRequest,
        api: ApiRuntime,
        operation: OperationRuntime,
        params: dict[str, str],
        remainder: str,
        query: str,
        request_id: str,
        method: str,
    ) -> RequestContext:
        backend = api.backend
        url = UrlInfo(
            backend.scheme,
            backend.host,
            backend.port,
            backend.base_path + remainder,
            query,
            backend.base_path,
        )
        received = incoming.received_at  # the request's time: a datetime only if someone asks
        snapshot = self.snapshot
        # Bound on first read only: most policies never look at the certificate.
        certificate = functools.partial(
            self._certificate, incoming.peer, snapshot.validator, api.api_id, received
        )
        request = RequestInfo(
            method,
            url,
            functools.partial(_original_url, incoming, query),  # built if a policy reads it
            incoming.headers,
            incoming.client_ip,
            certificate,
            params,  # its ReadOnlyDictionary too
            incoming.body or None,
        )
        return RequestContext(
            request,
            snapshot.deployment,
            api.api,
            operation.operation,
            request_id,
            received,
            _utcnow,
            snapshot.settings.expression_timeout_ms,
        )

    def _certificate(
        self, peer: PeerInfo, validator: Validator, api_id: str, received: float
    ) -> X509Certificate2 | None:
        """The client's certificate view, answering Verify() with the request's snapshot's
        validator and the chain the client sent. A connection's requests are answered one
        after the other, so the view its last request got serves the next one, with the time
        moved on, as long as the snapshot and the API are the same."""
        leaf = peer.leaf_der
        if leaf is None:
            return None
        memo = peer.bound  # [validator, API id, view]
        if memo and memo[0] is validator and memo[1] == api_id:
            view: BoundCertificate = memo[2]
            view.check.when = received
            return view
        sent = sent_after_leaf(leaf, peer.chain_der)
        check = CertificateCheck(validator, sent, received, api_id, self.revocation)
        view = bind(self.certificates.get(leaf), check)
        memo[:] = (validator, api_id, view)
        return view

    async def _forward(
        self, action: Forward, ctx: RequestContext, api: ApiRuntime, incoming: IncomingRequest
    ) -> Response:
        """Send the request as the policies left it (method, URL, headers, body); return the
        response head, its body read whole when outbound policies need it, else left to
        stream to the client (`incoming.relay`)."""
        request = ctx.Request
        url = request.Url
        tls = None
        if url.Scheme == "https":
            tls = _backend_tls(ctx)
            if self.pool.tls_contexts.owner is not self.snapshot:
                # The uploaded CA certificates are trusted for backend servers too (spec §6.2).
                cas = (c for _, c in self.snapshot.ca_certificates)
                self.pool.tls_contexts = BackendTlsContexts(cas, owner=self.snapshot)
        key = (url.Scheme, url.Host, url.Port, tls)
        endpoint, authority = self._endpoints.get(key) or self._endpoint(key, url)
        method = request.Method.encode("ascii")
        incoming.drop_relay()  # an earlier forward-request's response is superseded
        replaced = request.body_to_send()
        body: bytes | Body = incoming.stream if replaced is None else replaced
        if body is NO_BODY:
            body = b""  # the same request on the wire, without the streaming machinery
        elif isinstance(body, Body) and body.started and body.received:
            # A streamed body went to a backend once; it is not kept for a second call.
            raise UpstreamConnectError(
                "the request body was already streamed to the backend and cannot be sent again"
            )
        head, chunked = _request_head(method, url, authority, request.headers, incoming, body)
        relay = await self.pool.open(
            endpoint, head, body, method=method, chunked=chunked, timeout=action.timeout
        )
        if incoming.buffer_response:
            relay.response.body = await read_body(relay.body, self.pool.max_body)
        else:
            incoming.relay = relay
        return relay.response

    def _endpoint(
        self, key: tuple[str, str, int, BackendTls | None], url: UrlInfo
    ) -> tuple[Endpoint, bytes]:
        """The pool key and the Host header of a backend, made once per backend: the same
        `Endpoint` object each time also makes the pool's lookup an identity match."""
        if len(self._endpoints) > _CACHE_SIZE:
            self._endpoints.clear()
        found = self._endpoints[key] = (Endpoint(*key), url.authority().encode("latin-1"))
        return found


def _backend_tls(ctx: RequestContext) -> BackendTls | None:
    """The TLS identity of the backend call: the entity set-backend-service chose, else one whose
    URL the request goes to (spec §5.8), with the certificate authentication-certificate chose."""
    entity = ctx.backend
    if entity is None and ctx.Deployment.backends.by_base:  # no backend entities: no lookup
        entity = ctx.Deployment.backends.by_base.get(ctx.Request.Url.base_key())
    tls = DEFAULT_TLS if entity is None else entity.tls
    if ctx.backend_identity is not None:
        tls = tls.presenting(ctx.backend_identity)
    return None if tls == DEFAULT_TLS else tls


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _original_url(incoming: IncomingRequest, query: str) -> UrlInfo:
    """`context.Request.OriginalUrl`: what the client asked this gateway for."""
    host = header_value(incoming.headers, b"host")
    name, _, port = (host.decode("latin-1") if host else incoming.peer.hostname).partition(":")
    path = incoming.target.decode("latin-1").partition("?")[0]
    return UrlInfo("https", name, int(port) if port.isdigit() else 443, path, query)


def _resume(steps: Execution, answer: Response | CertgateError | None) -> Forward | Response:
    """Feed the engine the backend's answer or error (None to start it); return its next
    action, or the final response once it is done."""
    try:
        if isinstance(answer, CertgateError):
            return steps.throw(answer)
        return steps.send(answer)  # type: ignore[arg-type]  # None starts the generator
    except StopIteration as stop:
        result: Response = stop.value
        return result


def _request_head(
    method: bytes,
    url: UrlInfo,
    authority: bytes,
    headers: list[Header],
    incoming: IncomingRequest,
    body: bytes | Body,
) -> tuple[bytes, bool]:
    """The request head for the backend, and whether its body goes out chunked: a body in
    memory gets its Content-Length; a streamed one keeps the client's framing. Hop-by-hop
    headers (and those a Connection header names) stay here; X-Forwarded-For gets the client's
    address appended, X-Forwarded-Proto and -Host say what the client used, unless a policy set
    them (the client's own values are replaced)."""
    copied, forwarded_for, proto, host = _copied(headers)
    parts = [method, b" ", url.target().encode("latin-1"), b" HTTP/1.1\r\nHost: ", authority]
    parts += (b"\r\n", copied)
    ip = incoming.client_ip.encode("ascii")
    parts += (b"X-Forwarded-For: ", forwarded_for + b", " + ip if forwarded_for else ip, b"\r\n")
    client_proto, client_host = incoming.forwarded
    proto = proto if proto != client_proto else b"https"  # a policy's value wins
    host = host if host != client_host else incoming.host
    if proto:
        parts += (b"X-Forwarded-Proto: ", proto, b"\r\n")
    if host:
        parts += (b"X-Forwarded-Host: ", host, b"\r\n")
    chunked = False
    if isinstance(body, bytes):
        if body or method in _BODY_METHODS:
            parts.append(b"Content-Length: %d\r\n" % len(body))
    elif body.chunked:
        chunked = True
        parts.append(b"Transfer-Encoding: chunked\r\n")
    elif body.length or method in _BODY_METHODS:
        parts.append(b"Content-Length: %d\r\n" % (body.length or 0))
    parts.append(b"\r\n")
    return b"".join(parts), chunked


_Copied = tuple[bytes, bytes | None, bytes | None, bytes | None]
# The last header list `_copied` read, and what it made of it: a client on a keep-alive
# connection sends the same headers request after request (a copy: policies edit lists in place).
_last_copied: list[tuple[list[Header], _Copied]] = []


def _copied(headers: list[Header]) -> _Copied:
    """The header lines that go to the backend as they are, and the values of X-Forwarded-For,
    -Proto and -Host in `headers`."""
    if _last_copied and _last_copied[0][0] == headers:
        return _last_copied[0][1]
    parts: list[bytes] = []
    named: set[bytes] | None = None
    forwarded_for = proto = host = None
    for name, value in headers:
        lower = name.lower()
        if lower not in _SPECIAL:
            parts += (name, b": ", value, b"\r\n")
        elif lower == b"x-forwarded-for":
            forwarded_for = value if forwarded_for is None else forwarded_for + b", " + value
        elif lower == b"x-forwarded-proto":
            proto = value if proto is None else proto + b", " + value
        elif lower == b"x-forwarded-host":
            host = value if host is None else host + b", " + value
        elif lower == b"connection" and value.lower() not in _SPECIAL:
            # only names beyond the ones dropped anyway (keep-alive, close) drop more headers
            extra = {t.strip().lower() for t in value.split(b",")} - _SPECIAL - {b""}
            if extra:
                named = (named or set()) | extra
    if named:  # rare: copy the headers again, without those the Connection header names
        parts = []
        for name, value in headers:
            if name.lower() not in _SPECIAL and name.lower() not in named:
                parts += (name, b": ", value, b"\r\n")
    copied = (b"".join(parts), forwarded_for, proto, host)
    _last_copied[:] = [(list(headers), copied)]
    return copied


def _named_authority(incoming: IncomingRequest) -> bytes:
    """The authority the request names: an absolute-form target's, else the Host header."""
    target = incoming.target
    if target[:1] != b"/" and (
        target[:7].lower() == b"http://" or target[:8].lower() == b"https://"
    ):
        return target.split(b"/", 3)[2]
    return incoming.host or b""


def _host_of(authority: bytes) -> str:
    """The host of an authority, lower-cased, without port."""
    host = authority.decode("latin-1").strip().lower()
    if host.startswith("["):  # [v6]:port
        return host[1 : host.find("]")] if "]" in host else host
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def _misdirected(host: str, mine: str, snapshot: Snapshot) -> bool:
    if not host or host == mine:
        return False
    other = snapshot.hostnames.get(host)
    own = snapshot.hostnames.get(mine)
    if other is None or own is None:
        return False  # not a configured hostname: every API is served on every name
    return other.negotiate_client_certificate != own.negotiate_client_certificate


def _is_health_check(incoming: IncomingRequest) -> bool:
    """For a target that starts with HEALTH_PATH (the caller's cheap test)."""
    path = incoming.target.partition(b"?")[0]
    return path == HEALTH_PATH and incoming.method in (b"GET", b"HEAD")
