"""The access log: one JSON line per request on logger `certgate.access`, written once the response
is complete (or the connection failed).

Fields: `time` (UTC, when the request head arrived), `requestId` (APIM's `context.RequestId`, also
the `activityId` of gateway errors), `clientIp`, `hostname` (the configured hostname whose TLS
settings the connection got), `method`, `api`, `operation`, `status`, `durationMs`,
`bytesReceived` (request body), `bytesSent` (response, head included),
`clientCertificateThumbprint`, `clientCertificateSubject`, `lastErrorReason`
(`context.LastError.Reason`, or the gateway's own reason: `OperationNotFound`,
`BackendConnectionFailure` when the backend failed after the head went out,
`ClientConnectionFailure` when the client left first). `status` is 0 when no response head went
out. Nothing
else: no URL (query strings carry keys), no header values. `null` where a field has no value.

The line is built with one format string; the certificate fields are encoded once per connection.
The destination is chosen at start-up (`configure`): stderr (default), stdout, a file (reopened
when rotated away), or off; lines go out in batches (at most 64 lines or 0.25 s late). Without
`configure` (an application embedding the gateway), the lines go to logger `certgate.access` like
any log record, for the application's own logging set-up.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import sys
import time
from json.encoder import encode_basestring_ascii as _quote
from typing import TYPE_CHECKING, TextIO

from certgate.core.certs import X509Certificate2

if TYPE_CHECKING:
    from certgate.io.http_server import IncomingRequest
    from certgate.io.tls.base import PeerInfo

access = logging.getLogger("certgate.access")
_NULL = "null"


def certificate_fields(peer: PeerInfo) -> str:
    """The JSON fragment of the client certificate fields, computed once per connection."""
    if peer.leaf_der is None:
        return '"clientCertificateThumbprint": null, "clientCertificateSubject": null'
    try:
        view = X509Certificate2(peer.leaf_der)
        thumbprint, subject = _quote(view.Thumbprint), _quote(view.Subject)
    except Exception:  # an unparsable certificate still gets its request logged
        thumbprint, subject = _NULL, _NULL
    return f'"clientCertificateThumbprint": {thumbprint}, "clientCertificateSubject": {subject}'


def _opt(value: str) -> str:
    return _quote(value) if value else _NULL


# Most fields repeat from line to line (addresses, names, the second of the timestamp): each
# is encoded once and looked up after that, which halves the cost of a line.
_MEMO_MAX = 4096
_quoted: dict[str, str] = {}
_methods: dict[bytes, str] = {}
_seconds: dict[int, str] = {}


def _known(value: str) -> str:
    """`value` as a JSON string ('null' when empty), encoded on its first use."""
    if len(_quoted) >= _MEMO_MAX:
        _quoted.clear()
    quoted = _quoted[value] = _opt(value)
    return quoted


def _method(method: bytes) -> str:
    if len(_methods) >= _MEMO_MAX:
        _methods.clear()
    quoted = _methods[method] = _quote(method.decode("latin-1"))
    return quoted


def _second(second: int) -> str:
    if len(_seconds) >= 4:  # lines arrive in time order, give or take a request's duration
        _seconds.clear()
    stamp = _seconds[second] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
    return stamp


def write(request: IncomingRequest, cert_fields: str) -> None:
    """Log one finished request."""
    now = time.perf_counter()
    wall = request.received_at
    second = int(wall)
    stamp = _seconds.get(second) or _second(second)
    quoted = _quoted
    line = (
        f'{{"time": "{stamp}.{int((wall - second) * 1000):03d}Z", '
        f'"requestId": {_opt(request.request_id)}, '
        f'"clientIp": {quoted.get(request.client_ip) or _known(request.client_ip)}, '
        f'"hostname": {quoted.get(request.peer.hostname) or _known(request.peer.hostname)}, '
        f'"method": {_methods.get(request.method) or _method(request.method)}, '
        f'"api": {quoted.get(request.api_id) or _known(request.api_id)}, '
        f'"operation": {quoted.get(request.operation_id) or _known(request.operation_id)}, '
        f'"status": {request.status}, "durationMs": {(now - request.started) * 1000:.3f}, '
        f'"bytesReceived": {request.stream.received}, "bytesSent": {request.bytes_sent}, '
        f"{cert_fields}, "
        f'"lastErrorReason": {quoted.get(request.error_reason) or _known(request.error_reason)}}}'
    )
    handlers = access.handlers
    if len(handlers) == 1 and isinstance(handlers[0], _Lines):
        handlers[0].add(line)  # our own destination: skip building a LogRecord (~10 µs)
    else:
        access.info("%s", line)


def enabled() -> bool:
    return access.isEnabledFor(logging.INFO)


class _Lines(logging.Handler):
    """Writes lines in batches: at most `BATCH` lines or `DELAY` seconds late (flushed at exit
    too). A file that was rotated away is reopened, checked once per batch."""

    BATCH = 64
    DELAY = 0.25

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where  # "stderr", "stdout" or a path
        self.pending: list[str] = []
        self.timer: asyncio.TimerHandle | None = None
        self.file: TextIO | None = None
        self.ident: tuple[int, int] | None = None
        if where not in ("stderr", "stdout"):
            self._open()

    def emit(self, record: logging.LogRecord) -> None:
        self.add(self.format(record))

    def add(self, line: str) -> None:
        self.pending.append(line)
        if len(self.pending) >= self.BATCH:
            self.flush()
        elif self.timer is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # not on an event loop: nothing would flush later
                self.flush()
                return
            self.timer = loop.call_later(self.DELAY, self.flush)

    def flush(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if not self.pending:
            return
        text = "\n".join(self.pending) + "\n"
        self.pending.clear()
        try:
            stream = self._stream()
            stream.write(text)
            stream.flush()
        except (OSError, ValueError) as exc:  # a full disk must not stop the gateway
            sys.stderr.write(f"certgate: access log not written: {exc}\n")

    def close(self) -> None:
        self.flush()
        if self.file is not None:
            self.file.close()
            self.file = None
        super().close()

    def _stream(self) -> TextIO:
        if self.where == "stderr":
            return sys.stderr
        if self.where == "stdout":
            return sys.stdout
        try:
            st = os.stat(self.where)
            moved = (st.st_dev, st.st_ino) != self.ident
        except FileNotFoundError:
            moved = True
        if moved or self.file is None:
            self._open()
        assert self.file is not None
        return self.file

    def _open(self) -> None:
        if self.file is not None:
            self.file.close()
        self.file = open(self.where, "a", encoding="utf-8")  # noqa: SIM115 - kept open
        st = os.fstat(self.file.fileno())
        self.ident = (st.st_dev, st.st_ino)


_installed: list[logging.Handler] = []  # what `configure` added (and replaces next time)


def reset() -> None:
    """Undo `configure`: the logger goes back to the application's logging set-up."""
    while _installed:
        old = _installed.pop()
        access.removeHandler(old)
        old.close()
    access.propagate = True
    access.disabled = False
    access.setLevel(logging.NOTSET)


def configure(destination: str | None) -> None:
    """`None`/"stderr", "stdout", "off", or a file path. Replaces what an earlier call set."""
    reset()
    access.propagate = False
    where = (destination or "stderr").strip()
    if where.lower() in ("off", "none", "false"):
        access.disabled = True
        return
    access.setLevel(logging.INFO)
    handler = _Lines(where.lower() if where.lower() in ("stderr", "stdout") else where)
    handler.setFormatter(logging.Formatter("%(message)s"))
    _installed.append(handler)
    access.addHandler(handler)
    atexit.register(handler.flush)
