"""Message bodies on their way through the gateway, with back-pressure both ways.

A `Body` carries one request or response body from the connection that reads it (the *producer*:
the client connection for a request, the upstream connection for a response) to exactly one
consumer, which either

- `attach`es a sink (the other connection's writer): bytes then go straight from one transport to
  the other as they arrive, and when the sink's transport has too much queued (its protocol's
  `pause_writing`) the sink calls `hold()`, which pauses the producer's transport until
  `release()`; nothing is copied and at most one transport buffer per direction is held;
- `read_all(limit)`s it, when a policy needs the whole body (the only case where a body sits in
  memory, capped);
- or `discard`s it (the response went out without needing it).

Until a consumer shows up, bytes are queued, and the producer is paused once `HIGH_WATER` bytes
wait: a pipelined request's body, or a response body that arrives with its head while the outbound
policies still run, cannot grow memory without bound.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from certgate.core.model import Response

HIGH_WATER = 256 * 1024  # bytes queued (no consumer yet) before the producer is paused


class Producer(Protocol):
    """The connection a body is read from. Pauses are counted per body: a transport reads again
    only when nothing holds it."""

    def pause_reading_for(self, body: Body) -> None: ...

    def resume_reading_for(self, body: Body) -> None: ...

    def body_discarded(self, body: Body) -> None:
        """The consumer will never read the rest (a client connection keeps parsing and drops
        it; an upstream connection that has not received it all cannot be reused)."""


class Sink(Protocol):
    """Where an attached body's bytes go."""

    def write(self, data: bytes) -> None: ...

    def end(self) -> None: ...

    def fail(self, exc: BaseException) -> None: ...


class BodyTooLarge(Exception):
    """`read_all` found more than its limit; the body is being discarded."""


class BodyAborted(Exception):
    """The connection the body came from went away before the body was complete."""


class Body:
    """One message body; see the module docstring."""

    __slots__ = (
        "_chunks",
        "_limit",
        "_paused",
        "_producer",
        "_queued",
        "_sink",
        "_sink_full",
        "_waiter",
        "chunked",
        "discarding",
        "done",
        "error",
        "length",
        "on_start",
        "received",
        "started",
    )

    def __init__(
        self, producer: Producer | None, *, length: int | None = None, chunked: bool = False
    ) -> None:
        self.length = length  # Content-Length as announced, None when chunked or until EOF
        self.chunked = chunked  # framed by chunked transfer coding on the wire it came from
        self.received = 0  # bytes fed so far
        self.done = False  # every byte has been fed
        self.error: BaseException | None = None
        self.started = False  # a consumer asked for the bytes (attach or read_all)
        self.discarding = False
        self.on_start: Callable[[Body], None] | None = None  # e.g. answer `100 Continue`
        self._producer = producer
        self._chunks: deque[bytes] = deque()
        self._queued = 0
        self._sink: Sink | None = None
        self._sink_full = False
        self._limit = -1  # >= 0 while read_all collects
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False

    @classmethod
    def empty(cls) -> Body:
        body = cls(None, length=0)
        body.done = True
        return body

    @property
    def complete(self) -> bool:
        """Every byte arrived and nothing failed."""
        return self.done and self.error is None

    # --- producer side ----------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        self.received += len(data)
        if self.discarding:
            return
        if self._sink is not None:
            self._sink.write(data)
            return
        self._chunks.append(data)
        self._queued += len(data)
        if self._limit >= 0:
            if self._queued > self._limit:
                self._wake(BodyTooLarge())
                self.discard()
        elif self._queued > HIGH_WATER and not self._paused:
            self._pause()

    def finish(self) -> None:
        self.done = True
        if self._sink is not None:
            sink, self._sink = self._sink, None
            sink.end()
        if self._waiter is not None:
            self._wake(None)
        if self._paused:  # done: what `_flow` decides is to let the producer read on
            self._flow()

    def fail(self, exc: BaseException) -> None:
        if self.done:
            return
        self.done = True
        self.error = exc
        if self._sink is not None:
            sink, self._sink = self._sink, None
            sink.fail(exc)
        self._wake(exc)
        self._flow()

    # --- consumer side ----------------------------------------------------------------------

    def attach(self, sink: Sink) -> None:
        """Send everything queued, then every later byte, to `sink`; `end`/`fail` follow."""
        self._start()
        chunks, self._chunks, self._queued = self._chunks, deque(), 0
        for chunk in chunks:
            sink.write(chunk)
        if self.error is not None:
            sink.fail(self.error)
        elif self.done:
            sink.end()
        else:
            self._sink = sink
        self._flow()

    def take(self, limit: int) -> bytes | None:
        """The whole body, if it is complete and all of it (at most `limit` bytes) is queued
        here; it counts as consumed. None otherwise (then stream it). Lets a small body go out
        in one write with the head that precedes it."""
        if (
            not self.done
            or self.error is not None
            or self._sink is not None
            or self.discarding
            or self._queued > limit
        ):
            return None
        self.started = True
        chunks, self._queued = self._chunks, 0
        whole = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        chunks.clear()
        return whole

    def detach(self) -> None:
        """The sink went away before taking anything: queue again for another consumer."""
        self._sink = None
        self._sink_full = False
        self._flow()

    def hold(self) -> None:
        """The attached sink cannot take more for now: pause the producer."""
        self._sink_full = True
        self._flow()

    def release(self) -> None:
        self._sink_full = False
        self._flow()

    async def read_all(self, limit: int) -> bytes:
        """The whole body (raises BodyTooLarge past `limit` bytes, BodyAborted if the producer
        went away). The result stays queued, so a later `attach` still sends it."""
        if self.length is not None and self.length > limit:
            self.discard()
            raise BodyTooLarge()
        self._start()
        self._limit = limit
        self._flow()
        try:
            if self._queued > limit:
                self.discard()
                raise BodyTooLarge()
            while not self.done:
                self._waiter = asyncio.get_running_loop().create_future()
                await self._waiter
        finally:
            self._limit = -1
            self._waiter = None
        if self.error is not None:
            raise BodyAborted() from self.error
        data = b"".join(self._chunks)
        self._chunks = deque((data,)) if data else deque()
        return data

    def discard(self) -> None:
        """Drop what is queued and everything still to come."""
        if self.discarding:
            return
        self.discarding = True
        self._sink = None
        self._chunks.clear()
        self._queued = 0
        self._sink_full = False
        self._flow()
        if self._producer is not None and not self.done:
            self._producer.body_discarded(self)

    # --- internals ----------------------------------------------------------------------------

    def _start(self) -> None:
        if not self.started:
            self.started = True
            if self.on_start is not None and not self.done:
                self.on_start(self)

    def _wake(self, result: BaseException | None) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            if isinstance(result, BodyTooLarge):
                waiter.set_exception(result)
            else:
                waiter.set_result(None)

    def _flow(self) -> None:
        want = not self.done and (
            self._sink_full
            or (
                self._sink is None
                and self._limit < 0
                and not self.discarding
                and self._queued > HIGH_WATER
            )
        )
        if want != self._paused:
            if want:
                self._pause()
            else:
                self._paused = False
                if self._producer is not None:
                    self._producer.resume_reading_for(self)

    def _pause(self) -> None:
        self._paused = True
        if self._producer is not None:
            self._producer.pause_reading_for(self)


NO_BODY = Body.empty()  # shared by every message without a body: it never changes state


@dataclass(slots=True)
class Relay:
    """A backend response whose body streams: `response` is the head (its `body` is empty)."""

    response: Response
    body: Body
