"""Backend faults, one test each, over real TLS to an in-process gateway and a real misbehaving
backend on loopback (`certgate.testing.faults`).

Each fault checks what the client gets (APIM's `{"statusCode", "message", "activityId"}` body,
502 `BackendConnectionFailure` or 504 `Timeout`), that the `on-error` section ran with
`context.LastError` filled (it copies Source, Reason, Section and Message into response
headers), and that the next request on the same connection, hence the same worker, succeeds.
A fault after the response head went out cannot change the status any more: the client sees the
connection cut, and the gateway goes on serving. Every "rejected" case has its "accepted" twin.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from certgate.testing.faults import FaultState, start_fault_backend
from tests.conftest import Pki
from tests.harness import Client, Harness, LoopThread, Reply, listener_yaml

ON_ERROR = "".join(
    f'<set-header name="X-Error-{field}" exists-action="override">'
    f"<value>@(context.LastError.{field})</value></set-header>"
    for field in ("Source", "Reason", "Section", "Message")
)
# `stream`: the response body is relayed as it arrives; `buffered`: an outbound policy reads
# it, so the gateway has it whole before answering.
STREAM = (
    '<policies><inbound><base/></inbound><backend><forward-request timeout="2" /></backend>'
    f"<outbound><base/></outbound><on-error><base/>{ON_ERROR}</on-error></policies>"
)
BUFFERED = STREAM.replace(
    "<outbound><base/>",
    '<outbound><base/><set-variable name="b" '
    'value="@(context.Response.Body.As&lt;string&gt;(preserveContent: true))" />',
)

CONFIG = listener_yaml("""\
gateway:
  backendConnectTimeout: 5
apis:
  faults:
    path: faults
    serviceUrl: http://127.0.0.1:FAULT
    policy: stream.xml
  buffered:
    path: buffered
    serviceUrl: http://127.0.0.1:FAULT
    policy: buffered.xml
  refused:
    path: refused
    serviceUrl: http://127.0.0.1:REFUSED
    policy: stream.xml
""")


@pytest.fixture(scope="module")
def faults(loop_thread: LoopThread) -> Iterator[tuple[int, FaultState]]:
    server, port, state = loop_thread.run(start_fault_backend())
    yield port, state

    async def close() -> None:
        server.close()
        await server.wait_closed()

    loop_thread.run(close())


@pytest.fixture(scope="module")
def refused_port() -> Iterator[int]:
    """Bound, never listening: a connection attempt is refused, and nobody else takes it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def gw(
    loop_thread: LoopThread,
    faults: tuple[int, FaultState],
    refused_port: int,
    backend: tuple[int, list[object]],
    pki: Pki,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> Iterator[Harness]:
    """A fresh gateway (and so an empty backend pool) per test. The TLS mechanism facing the
    client plays no part here: one is enough."""
    (tmp_path / "pki").symlink_to(pki.folder)
    port, state = faults
    state.gates.clear()
    harness = Harness(
        loop_thread, tmp_path, backend[0], backend[1], "stdlib", pki.folder / "root.crt"
    )
    config = CONFIG.replace("FAULT", str(port)).replace("REFUSED", str(refused_port))
    caplog.set_level(logging.INFO, logger="certgate")
    harness.start(config, {"stream.xml": STREAM, "buffered.xml": BUFFERED})
    yield harness
    harness.stop_gateway()
    # Never a crashed request handler: no unhandled error was logged.
    unhandled = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not unhandled, [r.getMessage() for r in unhandled]


class Session:
    """One keep-alive TLS connection to the gateway (so one worker), with a client certificate."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.conn = self._open()

    def _open(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection("localhost", self.client.port, timeout=20)
        conn.sock = self.client.connect()
        conn.sock.settimeout(20)
        return conn

    def send(self, path: str, method: str = "GET", body: bytes | None = None) -> Reply:
        self.conn.request(method, path, body=body)
        resp = self.conn.getresponse()
        return Reply(resp.status, resp.reason, resp.headers, resp.read())

    def head_then_cut(self, path: str, release: str, state: FaultState, gw: Harness) -> bytes:
        """A request whose response head arrives and whose body is then cut by the backend
        (released only once the head is here): returns the part of the body that came."""
        self.conn.request("GET", path)
        resp = self.conn.getresponse()
        assert resp.status == 200
        gw.loop.call(lambda: state.release(release))
        with pytest.raises(http.client.IncompleteRead) as cut:
            resp.read()
        self.conn.close()
        self.conn = self._open()  # the old connection is gone; a new one to the same worker
        return cut.value.partial

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def session(gw: Harness, pki: Pki) -> Iterator[Session]:
    s = Session(gw.client(pki.client))
    yield s
    s.close()


def assert_gateway_error(reply: Reply, status: int, reason: str) -> None:
    """APIM's shape, and on-error ran with LastError filled by forward-request."""
    message = {502: "Bad gateway", 504: "Gateway timeout"}[status]
    body = json.loads(reply.body)
    assert reply.status == status and body["statusCode"] == status, reply
    assert body["message"] == message and body["activityId"]
    assert reply.header("X-Error-Reason") == reason
    assert reply.header("X-Error-Source") == "forward-request"
    assert reply.header("X-Error-Section") == "backend"
    assert reply.header("X-Error-Message")  # always set


def assert_healthy(session: Session) -> None:
    """The same connection (the same worker) goes on: a good request succeeds."""
    reply = session.send("/faults/ok")
    assert (reply.status, reply.body) == (200, b"fault-ok")
    assert reply.header("X-Error-Reason") is None


# --- the accepted twin ---------------------------------------------------------------------------


def test_a_healthy_backend_answers_and_on_error_does_not_run(session: Session) -> None:
    assert_healthy(session)
    reply = session.send("/buffered/ok")
    assert (reply.status, reply.body, reply.header("X-Error-Reason")) == (200, b"fault-ok", None)


# --- before any response byte ----------------------------------------------------------------


def test_connection_refused_is_502(session: Session) -> None:
    assert_gateway_error(session.send("/refused/ok"), 502, "BackendConnectionFailure")
    assert_healthy(session)


def test_reset_before_the_response_is_502(session: Session) -> None:
    assert_gateway_error(session.send("/faults/reset"), 502, "BackendConnectionFailure")
    assert_healthy(session)


def test_no_response_is_504_after_the_forward_request_timeout(session: Session) -> None:
    started = time.monotonic()
    assert_gateway_error(session.send("/faults/hang"), 504, "Timeout")
    assert time.monotonic() - started >= 1.9  # not before the timeout (2 s)
    assert_healthy(session)


def test_a_head_dripping_past_the_timeout_is_504(session: Session) -> None:
    # One byte every 0.2 s never leaves the connection idle for the 2 s timeout; what counts
    # is the time to the complete head.
    assert_gateway_error(session.send("/faults/drip"), 504, "Timeout")
    assert_healthy(session)


# --- a response that is not HTTP, or too big -----------------------------------------------------


def test_garbage_status_line_is_502(session: Session) -> None:
    assert_gateway_error(session.send("/faults/garbage"), 502, "BackendConnectionFailure")
    assert_healthy(session)


def test_oversized_response_head_is_502(session: Session) -> None:
    assert_gateway_error(session.send("/faults/big-head-1048576"), 502, "BackendConnectionFailure")
    assert_healthy(session)


def test_large_response_head_within_the_limit_is_relayed(session: Session) -> None:
    reply = session.send("/faults/big-head-32768")
    assert reply.status == 200 and reply.header("X-Big-0") == "b" * 1000
    assert_healthy(session)


# --- the connection ends early -------------------------------------------------------------------


def test_eof_before_a_complete_head_is_502(session: Session) -> None:
    assert_gateway_error(session.send("/faults/eof-head"), 502, "BackendConnectionFailure")
    assert_healthy(session)


@pytest.mark.parametrize("fault", ["eof-body", "reset-body", "bad-chunk"])
def test_body_cut_or_corrupt_before_the_gateway_answers_is_502(
    session: Session, gw: Harness, faults: tuple[int, FaultState], fault: str
) -> None:
    """An outbound policy reads the body, so the gateway has not answered yet: 502, on-error."""
    gw.loop.call(lambda: faults[1].release(fault))  # the backend cuts right after the head
    assert_gateway_error(session.send(f"/buffered/{fault}"), 502, "BackendConnectionFailure")
    assert_healthy(session)


@pytest.mark.parametrize(("fault", "partial"), [("eof-body", b"x" * 10), ("reset-body", b"x" * 10)])
def test_body_cut_after_the_head_went_out_cuts_the_client_connection(
    session: Session, gw: Harness, faults: tuple[int, FaultState], fault: str, partial: bytes
) -> None:
    got = session.head_then_cut(f"/faults/{fault}", fault, faults[1], gw)
    assert got == partial  # what the backend sent, and no error text appended
    assert_healthy(session)


def test_invalid_chunk_after_the_head_went_out_cuts_the_client_connection(
    session: Session, gw: Harness, faults: tuple[int, FaultState]
) -> None:
    got = session.head_then_cut("/faults/bad-chunk", "bad-chunk", faults[1], gw)
    assert got == b"hello"  # the valid first chunk, relayed; the invalid one ends it
    assert_healthy(session)


# --- a pooled keep-alive connection the backend closed ------------------------------------------


def test_idempotent_request_on_a_connection_the_backend_dropped_is_retried(
    session: Session, faults: tuple[int, FaultState]
) -> None:
    state = faults[1]
    first = session.send("/faults/stale")  # leaves a keep-alive connection in the pool
    assert first.status == 200
    before = len(state.arrivals)
    retried = session.send("/faults/stale")
    assert (retried.status, retried.body) == (200, b"fault-ok")
    seen = state.arrivals[before:]
    # Sent on the pooled connection (dropped unanswered), then once more on a new one.
    assert [a.method for a in seen] == [b"GET", b"GET"]
    assert seen[0].connection != seen[1].connection


def test_post_on_a_connection_the_backend_dropped_is_not_replayed(
    session: Session, faults: tuple[int, FaultState]
) -> None:
    state = faults[1]
    assert session.send("/faults/stale").status == 200
    before = len(state.arrivals)
    reply = session.send("/faults/stale", method="POST", body=b"pay once")
    assert_gateway_error(reply, 502, "BackendConnectionFailure")
    seen = state.arrivals[before:]
    assert [a.method for a in seen] == [b"POST"]  # the backend may have acted on it: once only
    assert_healthy(session)


def test_post_after_the_backend_closed_an_idle_connection_goes_on_a_new_one(
    session: Session, gw: Harness, faults: tuple[int, FaultState]
) -> None:
    state = faults[1]
    assert session.send("/faults/idle-close").status == 200
    assert gw.gateway is not None
    pool = gw.gateway.pool

    async def forgotten() -> None:  # the gateway saw the close: no idle connection is left
        while any(pool.idle.values()):
            await asyncio.sleep(0.01)

    gw.loop.run(forgotten(), timeout=15)
    before = len(state.arrivals)
    reply = session.send("/faults/ok", method="POST", body=b"pay once")
    assert (reply.status, reply.body) == (200, b"fault-ok")
    assert [a.method for a in state.arrivals[before:]] == [b"POST"]
