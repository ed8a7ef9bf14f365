"""Runs a request through the current snapshot: route, build the context, drive the engine.

This is where the core's actions are carried out (the backend call) and where foreign exceptions
stop: whatever goes wrong, the client gets an APIM-shaped response, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import OrderedDict

from certgate.core.certs import X509Certificate2
from certgate.core.context import RequestContext, RequestInfo, UrlInfo
from certgate.core.expr import ReadOnlyDictionary
from certgate.core.model import Response, end_to_end, gateway_error, header_value
from certgate.core.policy.engine import Execution, execute
from certgate.core.policy.nodes import Forward
from certgate.errors import CertgateError, UpstreamError
from certgate.io.http_server import IncomingRequest
from certgate.io.upstream import Endpoint, Pool
from certgate.snapshot import ApiRuntime, OperationRuntime, Snapshot

log = logging.getLogger("certgate.proxy")

_DROP_UPSTREAM = frozenset({b"host", b"content-length"})  # we set both ourselves


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
    def __init__(self, snapshot: Snapshot, pool: Pool) -> None:
        self.snapshot = (
            snapshot  # replaced whole on reload; a request keeps the one it started with
        )
        self.pool = pool
        self.certificates = CertificateCache()

    async def handle(self, incoming: IncomingRequest) -> Response:
        request_id = str(uuid.uuid4())
        try:
            return await self._handle(incoming, request_id)
        except Exception:
            log.exception("unhandled error in request %s", request_id)
            return gateway_error(500, "Internal server error", request_id)

    async def _handle(self, incoming: IncomingRequest, request_id: str) -> Response:
        snapshot = self.snapshot
        target = incoming.target.decode("latin-1")
        path, _, query = target.partition("?")
        match = snapshot.router.match(path)
        if match is None:
            return gateway_error(404, "Resource not found", request_id)
        api = match.target
        method = incoming.method.decode("latin-1")
        found = api.match(method, match.remainder or "/", query)
        if found is None:  # OperationNotFound: APIM answers the same 404
            return gateway_error(404, "Resource not found", request_id)
        operation, params = found
        ctx = self._context(incoming, api, operation, params, match.remainder, query, request_id)
        steps = execute(operation.policy, ctx)
        action = _resume(steps, None)
        while isinstance(action, Forward):
            try:
                response = await self._forward(action, ctx, api, incoming)
            except UpstreamError as err:
                action = _resume(steps, err)
            else:
                action = _resume(steps, response)
        return action

    def _context(
        self,
        incoming: IncomingRequest,
        api: ApiRuntime,
        operation: OperationRuntime,
        params: dict[str, str],
        remainder: str,
        query: str,
        request_id: str,
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
        leaf = incoming.peer.leaf_der
        request = RequestInfo(
            incoming.method.decode("latin-1"),
            url,
            _original_url(incoming, query),
            incoming.headers,
            incoming.client_ip,
            (lambda: self.certificates.get(leaf)) if leaf is not None else _no_certificate,
            ReadOnlyDictionary(params, ignore_case=True),
            incoming.body or None,
        )
        now = dt.datetime.now(dt.UTC)
        return RequestContext(
            request, self.snapshot.deployment, api.api, operation.operation, request_id, now
        )

    async def _forward(
        self, action: Forward, ctx: RequestContext, api: ApiRuntime, incoming: IncomingRequest
    ) -> Response:
        url = ctx.Request.Url
        endpoint = Endpoint(url.Scheme, url.Host, url.Port)
        method = ctx.Request.Method.encode("ascii")
        body = ctx.Request.body_to_send()
        data = _serialize_request(
            method, url, ctx.Request.headers, incoming.body if body is None else body
        )
        return await self.pool.request(endpoint, data, method, action.timeout)


def _no_certificate() -> None:
    return None


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


def _serialize_request(
    method: bytes, url: UrlInfo, headers: list[tuple[bytes, bytes]], body: bytes
) -> bytes:
    parts = [method, b" ", url.target().encode("latin-1"), b" HTTP/1.1\r\nHost: "]
    parts += (url.authority().encode("latin-1"), b"\r\n")
    for name, value in end_to_end(headers, _DROP_UPSTREAM):
        parts += (name, b": ", value, b"\r\n")
    if body or method in (b"POST", b"PUT", b"PATCH"):
        parts.append(b"Content-Length: %d\r\n" % len(body))
    parts += (b"\r\n", body)
    return b"".join(parts)
