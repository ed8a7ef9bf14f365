"""`Body`: the one place a message body waits between two connections (sans sockets)."""

from __future__ import annotations

import asyncio

import pytest

from certgate.io.bodies import HIGH_WATER, Body, BodyAborted, BodyTooLarge


class Producer:
    def __init__(self) -> None:
        self.paused = False
        self.discarded = False

    def pause_reading_for(self, body: Body) -> None:
        self.paused = True

    def resume_reading_for(self, body: Body) -> None:
        self.paused = False

    def body_discarded(self, body: Body) -> None:
        self.discarded = True


class Sink:
    def __init__(self) -> None:
        self.data = b""
        self.ended = False
        self.failed: BaseException | None = None

    def write(self, data: bytes) -> None:
        self.data += data

    def end(self) -> None:
        self.ended = True

    def fail(self, exc: BaseException) -> None:
        self.failed = exc


def test_queued_bytes_pause_the_producer_until_a_sink_takes_them() -> None:
    producer = Producer()
    body = Body(producer)
    body.feed(b"x" * HIGH_WATER)
    assert not producer.paused
    body.feed(b"y")
    assert producer.paused
    sink = Sink()
    body.attach(sink)
    assert not producer.paused and len(sink.data) == HIGH_WATER + 1
    body.feed(b"z")
    body.finish()
    assert sink.data.endswith(b"z") and sink.ended


def test_a_full_sink_holds_the_producer() -> None:
    producer, sink = Producer(), Sink()
    body = Body(producer)
    body.attach(sink)
    body.hold()
    assert producer.paused
    body.release()
    assert not producer.paused


def test_read_all_collects_within_the_limit() -> None:
    async def run() -> bytes:
        body = Body(Producer(), length=6)
        loop = asyncio.get_running_loop()
        loop.call_soon(body.feed, b"abc")
        loop.call_soon(body.feed, b"def")
        loop.call_soon(body.finish)
        return await body.read_all(6)

    assert asyncio.run(run()) == b"abcdef"


def test_read_all_refuses_a_body_over_the_limit() -> None:
    async def announced() -> None:
        await Body(Producer(), length=7).read_all(6)

    async def chunked() -> None:
        producer = Producer()
        body = Body(producer, chunked=True)
        asyncio.get_running_loop().call_soon(body.feed, b"x" * 7)
        try:
            await body.read_all(6)
        finally:
            assert body.discarding and producer.discarded

    for case in (announced, chunked):
        with pytest.raises(BodyTooLarge):
            asyncio.run(case())


def test_read_all_of_a_body_cut_short() -> None:
    async def run() -> None:
        body = Body(Producer(), length=10)
        asyncio.get_running_loop().call_soon(body.fail, ConnectionError())
        await body.read_all(100)

    with pytest.raises(BodyAborted):
        asyncio.run(run())


def test_take_gives_a_complete_body_once() -> None:
    body = Body(Producer(), length=4)
    body.feed(b"ab")
    assert body.take(100) is None  # not complete yet: it must stream
    body.feed(b"cd")
    body.finish()
    assert body.take(3) is None  # over the limit
    assert body.take(100) == b"abcd"
    sink = Sink()
    body.attach(sink)
    assert sink.data == b"" and sink.ended


def test_on_start_runs_once_when_the_body_is_first_wanted() -> None:
    calls = []
    body = Body(Producer(), length=3)
    body.on_start = calls.append
    body.attach(Sink())
    body.detach()
    body.attach(Sink())
    assert calls == [body]


def test_discard_drops_everything_and_tells_the_producer() -> None:
    producer, sink = Producer(), Sink()
    body = Body(producer, length=10)
    body.attach(sink)
    body.feed(b"abc")
    body.discard()
    body.feed(b"def")
    assert sink.data == b"abc" and producer.discarded and body.received == 6
