"""Backends that misbehave on purpose, for the fault tests and the mixed fault run (plain HTTP).

`FaultBackend` answers each request by the last segment of its path:

- `ok`: `200` with body `fault-ok` (keep-alive);
- `reset`: a TCP reset instead of an answer;
- `hang`: reads the request, never answers;
- `drip`: a status line and then one header byte every `DRIP_SECONDS`, forever;
- `garbage`: a line that is not an HTTP status line;
- `big-head-N`: a `200` whose head carries N bytes of headers;
- `eof-head`: half a status line, then FIN;
- `eof-body`, `reset-body`, `bad-chunk`: a `200` head and the first bytes of its body (100 bytes
  announced; or chunked), then, once `release()` is called for that path (or at once when the
  backend is not `gated`), FIN, a reset, or an invalid chunk-size line;
- `stale`: `200` with keep-alive, but a *later* request on the same connection is met with a
  close and no answer, as if the backend had dropped the idle connection just as it was reused;
- `idle-close`: `200` with keep-alive, then the backend closes the connection.

Every request is recorded in `arrivals` as (connection number, method, last path segment).

`FlappingBackend` cycles through phases of `phase_seconds` each: connections refused (the
listener is closed), reset, hang, ok.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from dataclasses import dataclass, field
from typing import cast

import httptools

DRIP_SECONDS = 0.2
_BODY_HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
_CHUNKED_HEAD = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"


def ok_response(body: bytes = b"fault-ok", extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


def reset(transport: asyncio.Transport) -> None:
    """Close with a TCP RST (SO_LINGER 0) rather than a FIN."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


@dataclass
class Arrival:
    connection: int
    method: bytes
    fault: str


@dataclass
class FaultState:
    """What the tests look at and steer, shared by the connections of one backend."""

    gated: bool = True
    arrivals: list[Arrival] = field(default_factory=list)
    gates: dict[str, asyncio.Event] = field(default_factory=dict)
    connections: int = 0

    def gate(self, fault: str) -> asyncio.Event:
        return self.gates.setdefault(fault, asyncio.Event())

    def release(self, fault: str) -> None:
        self.gate(fault).set()


class FaultProtocol(asyncio.Protocol):
    def __init__(self, state: FaultState) -> None:
        self.state = state
        state.connections += 1
        self.number = state.connections
        self.served = 0
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.url = b""
        self.tasks: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        for task in self.tasks:
            task.cancel()

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self.transport is not None:
                self.transport.close()

    def on_message_begin(self) -> None:
        self.url = b""

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_message_complete(self) -> None:
        fault = self.url.split(b"?")[0].rsplit(b"/", 1)[-1].decode("latin-1")
        self.state.arrivals.append(Arrival(self.number, self.parser.get_method(), fault))
        self.served += 1
        task = asyncio.get_running_loop().create_task(self.answer(fault))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def answer(self, fault: str) -> None:
        t = self.transport
        if t is None:
            return
        if fault == "ok":
            t.write(ok_response())
        elif fault == "reset":
            reset(t)
        elif fault == "hang":
            return
        elif fault == "drip":
            await self.drip()
        elif fault == "garbage":
            t.write(b"HELLO THERE, THIS IS NOT HTTP\r\n\r\n")
        elif fault.startswith("big-head-"):
            size = int(fault.rpartition("-")[2])
            lines = [b"X-Big-%d: %s\r\n" % (i, b"b" * 1000) for i in range(size // 1010 + 1)]
            t.write(ok_response(extra=b"".join(lines)[:size].rpartition(b"\r\n")[0] + b"\r\n"))
        elif fault == "eof-head":
            t.write(b"HTTP/1.1 200 O")
            t.close()
        elif fault in ("eof-body", "reset-body", "bad-chunk"):
            t.write(_CHUNKED_HEAD if fault == "bad-chunk" else _BODY_HEAD + b"x" * 10)
            if self.state.gated:
                await self.state.gate(fault).wait()
            if self.transport is None:
                return
            if fault == "eof-body":
                t.close()
            elif fault == "reset-body":
                reset(t)
            else:
                t.write(b"zz-not-hex\r\nnope\r\n")
        elif fault == "stale":
            if self.served > 1:
                t.close()  # the "idle" connection was reused: gone without an answer
            else:
                t.write(ok_response())
        elif fault == "idle-close":
            t.write(ok_response())
            t.close()
        else:
            t.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")

    async def drip(self) -> None:
        """A head that never ends: one byte at a time, each well inside any progress timer."""
        for byte in b"HTTP/1.1 200 OK\r\nX-Drip: " + b"d" * 1_000_000:
            if self.transport is None:
                return
            self.transport.write(bytes((byte,)))
            await asyncio.sleep(DRIP_SECONDS)


async def start_fault_backend(
    host: str = "127.0.0.1", *, gated: bool = True
) -> tuple[asyncio.AbstractServer, int, FaultState]:
    state = FaultState(gated=gated)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: FaultProtocol(state), host, 0)
    return server, server.sockets[0].getsockname()[1], state


# --- the flapping backend of the mixed fault run -----------------------------------------------

PHASES = ("refused", "reset", "hang", "ok")


class _FlapProtocol(FaultProtocol):
    def __init__(self, state: FaultState, flapping: FlappingBackend) -> None:
        super().__init__(state)
        self.flapping = flapping

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.flapping.protocols.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self.flapping.protocols.discard(self)

    def on_message_complete(self) -> None:
        phase = self.flapping.phase
        self.flapping.answered[phase] = self.flapping.answered.get(phase, 0) + 1
        if phase == "refused":  # arrived as the backend went down
            phase = "reset"
        task = asyncio.get_running_loop().create_task(self.answer(phase))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


class FlappingBackend:
    """Refused, reset, hang, ok: `phase_seconds` each, round and round, on one port."""

    def __init__(self, port: int, phase_seconds: float = 1.0) -> None:
        self.port = port
        self.phase_seconds = phase_seconds
        self.phase = PHASES[0]
        self.state = FaultState(gated=False)
        self.server: asyncio.AbstractServer | None = None
        self.answered: dict[str, int] = {}  # requests seen per phase
        self.protocols: set[_FlapProtocol] = set()

    async def run(self) -> None:
        try:
            while True:
                for phase in PHASES:
                    self.phase = phase
                    if phase == "refused":
                        self._down()
                    elif self.server is None:
                        loop = asyncio.get_running_loop()
                        self.server = await loop.create_server(
                            lambda: _FlapProtocol(self.state, self),
                            "127.0.0.1",
                            self.port,
                            reuse_address=True,
                        )
                    await asyncio.sleep(self.phase_seconds)
        finally:
            self._down()

    def _down(self) -> None:
        """Down: no listener, and the connections the gateway keeps are reset too."""
        if self.server is not None:
            server, self.server = self.server, None
            server.close()
        for protocol in list(self.protocols):
            if protocol.transport is not None:
                reset(protocol.transport)
