"""A raw-socket backend for smuggling tests: plain TCP on loopback, it keeps the exact bytes each
connection received and parses them with its own strict HTTP/1.1 reader (not httptools, so it
does not share the gateway's parser), answering a fixed response per request it reads.

Strict means: CRLF line endings only, exactly one framing header (one Content-Length, or
`Transfer-Encoding: chunked` as the only coding), chunk-size lines of hex digits only (no
extension), an empty trailer section. What the gateway sends must pass that reader: anything
else is recorded in `errors` and the connection is closed, so a test sees it.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

_REQUEST_LINE = re.compile(rb"([A-Z]+) (/[^ ]*) HTTP/1\.1")
_FIELD = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*")
_SIZE = re.compile(rb"[0-9a-fA-F]{1,15}")
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nX-Raw-Seq: %d\r\n\r\nraw-ok"


@dataclass
class RawRequest:
    method: bytes
    target: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    framing: str  # "length", "chunked" or "none"

    def header(self, name: bytes) -> list[bytes]:
        return [v for n, v in self.headers if n.lower() == name.lower()]


class _Incomplete(Exception):
    """More bytes are needed."""


class _Bad(Exception):
    """The bytes are not a request this reader accepts."""


@dataclass
class RawBackend:
    port: int = 0
    wire: list[bytearray] = field(default_factory=list)  # what each connection received
    requests: list[RawRequest] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    server: asyncio.AbstractServer | None = None

    @property
    def received(self) -> bytes:
        return b"".join(bytes(w) for w in self.wire)

    async def start(self) -> RawBackend:
        self.server = await asyncio.get_running_loop().create_server(
            lambda: _RawProtocol(self), "127.0.0.1", 0
        )
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


class _RawProtocol(asyncio.Protocol):
    def __init__(self, backend: RawBackend) -> None:
        self.backend = backend
        self.log = bytearray()
        backend.wire.append(self.log)
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.log += data
        self.buffer += data
        while self.buffer and self.transport is not None:
            try:
                request, used = parse(self.buffer)
            except _Incomplete:
                return
            except _Bad as exc:
                self.backend.errors.append(str(exc))
                self.transport.close()
                return
            self.buffer = self.buffer[used:]
            self.backend.requests.append(request)
            self.transport.write(RESPONSE % len(self.backend.requests))


def parse(data: bytes) -> tuple[RawRequest, int]:
    """One request from the start of `data` and the bytes it used."""
    end = data.find(b"\r\n\r\n")
    if end == -1:
        raise _Incomplete
    head = data[:end]
    if b"\n" in head.replace(b"\r\n", b"") or b"\r" in head.replace(b"\r\n", b""):
        raise _Bad(f"bare CR or LF in the head: {head[:200]!r}")
    line, *lines = head.split(b"\r\n")
    match = _REQUEST_LINE.fullmatch(line)
    if match is None:
        raise _Bad(f"request line: {line[:200]!r}")
    headers = []
    for raw in lines:
        field_match = _FIELD.fullmatch(raw)
        if field_match is None:
            raise _Bad(f"header line: {raw[:200]!r}")
        headers.append((field_match.group(1), field_match.group(2)))
    names = [n.lower() for n, _ in headers]
    lengths = names.count(b"content-length")
    codings = names.count(b"transfer-encoding")
    if lengths + codings > 1:
        raise _Bad(f"framing headers: {head[:300]!r}")
    request = RawRequest(match.group(1), match.group(2), headers, b"", "none")
    at = end + 4
    if lengths:
        value = request.header(b"content-length")[0]
        if not value.isdigit():
            raise _Bad(f"Content-Length {value!r}")
        size = int(value)
        if len(data) < at + size:
            raise _Incomplete
        request.body, request.framing = data[at : at + size], "length"
        return request, at + size
    if codings:
        if request.header(b"transfer-encoding")[0] != b"chunked":
            raise _Bad(f"Transfer-Encoding {request.header(b'transfer-encoding')[0]!r}")
        body = bytearray()
        while True:
            eol = data.find(b"\r\n", at)
            if eol == -1:
                raise _Incomplete
            size_line = data[at:eol]
            if not _SIZE.fullmatch(size_line):
                raise _Bad(f"chunk size line {size_line[:100]!r}")
            size = int(size_line, 16)
            at = eol + 2
            if size == 0:
                if len(data) < at + 2:
                    raise _Incomplete
                if data[at : at + 2] != b"\r\n":
                    raise _Bad("trailer fields after the last chunk")
                request.body, request.framing = bytes(body), "chunked"
                return request, at + 2
            if len(data) < at + size + 2:
                raise _Incomplete
            if data[at + size : at + size + 2] != b"\r\n":
                raise _Bad("chunk data not followed by CRLF")
            body += data[at : at + size]
            at += size + 2
    return request, at
