"""Fuzzing the HTTP request glue (httptools callbacks, limits, pipelining, bodies, 100-continue)
of a real gateway over real TLS, on both TLS backends.

Each case opens a TLS connection, sends the bytes (in the chunks drawn) and reads until the gateway
closes. How the client ends its side decides what is exercised: when the bytes end between
requests (or are malformed), a final `Connection: close` request follows, so every request that
parsed runs through the handler and is answered; when they end inside a request, the client
half-closes instead (a client that gives up). Whether the bytes end between requests is judged
by a fresh httptools parser, the gateway's own. The gateway must answer with HTTP responses or
nothing and close within CASE_TIMEOUT (a hang detector, far above the milliseconds a case takes);
no exception may reach the event loop's handler and nothing may be logged at ERROR (the glue logs
what a callback raised unexpectedly). After each test the gateway still serves a normal request.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import socket
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httptools
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Pki
from tests.harness import Harness, listener_yaml

SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
CASE_TIMEOUT = 20.0  # seconds from connect to the gateway's close; only a hang exceeds it

CONFIG = listener_yaml("""\
apis:
  echo:
    path: echo
    serviceUrl: http://BACKEND
  reads:
    path: reads
    serviceUrl: http://BACKEND
    policy: reads.xml
gateway:
  accessLog: "off"
  maxHeaderBytes: 4096
  maxRequestBodyBytes: 65536
""")
# Reads the whole body before the pipeline runs: the buffered path next to the streamed one.
READS = """<policies><inbound><base/><set-variable name="b"
  value="@(context.Request.Body.As<string>(preserveContent: true))" /></inbound></policies>"""


@dataclass
class Fuzzer:
    harness: Harness
    context: ssl.SSLContext
    session: ssl.SSLSession | None = None
    cases: int = 0
    answered: int = 0  # cases that got at least one response
    slowest: float = 0.0
    loop_errors: list[dict[str, Any]] = field(default_factory=list)

    def exchange(self, chunks: list[bytes]) -> bytes:
        """Send `chunks`, end as the module doc says, read to the end: the gateway's answer."""
        between = ends_between_requests(b"".join(chunks))
        if between:
            chunks = [*chunks, FINAL]
        started = time.monotonic()
        deadline = started + CASE_TIMEOUT
        raw = socket.create_connection(("127.0.0.1", self.harness.port), timeout=CASE_TIMEOUT)
        sock = self.context.wrap_socket(raw, server_hostname="localhost", session=self.session)
        received = bytearray()
        with sock:
            for chunk in chunks:
                try:
                    sock.sendall(chunk)
                except (OSError, ssl.SSLError):
                    break  # the gateway closed early (a 400, a limit): read what it said
            if not between:
                with contextlib.suppress(OSError):
                    # TCP half-close under the TLS layer (SSLSocket.shutdown would drop the TLS
                    # object): the gateway sees the end of input, we can still read its answer.
                    socket.socket.shutdown(sock, socket.SHUT_WR)
            while True:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                try:
                    data = sock.recv(65536)
                except TimeoutError:
                    pytest.fail(f"gateway neither answered nor closed within {CASE_TIMEOUT} s")
                except (ssl.SSLError, ConnectionError):
                    break  # closed without close_notify, or reset after a rejection
                if not data:
                    break
                received += data
            if sock.session is not None:
                self.session = sock.session  # resume next time: cheaper cases
        self.cases += 1
        self.answered += bool(received)
        self.slowest = max(self.slowest, time.monotonic() - started)
        return bytes(received)


FINAL = b"GET /echo/final HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


class _Boundary:
    """httptools callbacks that only track whether the parser is between two requests."""

    def __init__(self) -> None:
        self.between = True

    def on_message_begin(self) -> None:
        self.between = False

    def on_message_complete(self) -> None:
        self.between = True


def ends_between_requests(data: bytes) -> bool:
    """True when `data` is whole requests, or malformed (the gateway answers 400 and closes)."""
    boundary = _Boundary()
    try:
        httptools.HttpRequestParser(boundary).feed_data(data)
    except (httptools.HttpParserError, httptools.HttpParserUpgrade):
        return True
    return boundary.between


@pytest.fixture
def fuzzer(
    harness: Harness, pki: Pki, caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest
) -> Iterator[Fuzzer]:
    harness.start(CONFIG, {"reads.xml": READS})
    context = ssl.create_default_context(cafile=str(harness.ca_pem))
    context.load_cert_chain(str(pki.folder / "client.pem"))
    fuzz = Fuzzer(harness, context)
    loop = harness.loop.loop
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, ctx: fuzz.loop_errors.append(ctx))
    caplog.set_level(logging.WARNING)
    try:
        yield fuzz
    finally:
        loop.set_exception_handler(previous)
    assert not fuzz.loop_errors, fuzz.loop_errors[:3]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors[:3]]
    # The worker survived: a well-formed request on a new connection is answered.
    reply = harness.client(pki.client).request("/echo/after-fuzz")
    assert (reply.status, reply.body) == (200, b"backend-ok")
    _report(request.node.nodeid, fuzz)


def _report(test: str, fuzz: Fuzzer) -> None:
    """With FUZZ_STATS set (scripts/fuzz.py), append this run's figures as one JSON line."""
    path = os.environ.get("FUZZ_STATS")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            line = {
                "test": test,
                "cases": fuzz.cases,
                "answered": fuzz.answered,
                "slowest_case_s": round(fuzz.slowest, 3),
            }
            out.write(json.dumps(line) + "\n")


def check(fuzz: Fuzzer, chunks: list[bytes]) -> None:
    reply = fuzz.exchange(chunks)
    assert not reply or reply.startswith(b"HTTP/1.1 "), reply[:200]


def split(data: bytes, cuts: list[float]) -> list[bytes]:
    """`data` in pieces at the given fractions: one TLS record each."""
    points = sorted({int(c * len(data)) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points) if b > a] or [b""]


# --- arbitrary bytes --------------------------------------------------------------------------


@SETTINGS
@given(st.binary(max_size=2048), st.lists(st.floats(0, 1), max_size=4))
def test_arbitrary_bytes(fuzzer: Fuzzer, data: bytes, cuts: list[float]) -> None:
    check(fuzzer, split(data, cuts))


# --- mutated valid requests -------------------------------------------------------------------

SEEDS = [
    b"GET /echo/a?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"POST /echo/p HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello",
    b"POST /reads/c HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5\r\nhello\r\n0\r\nTrailer: x\r\n\r\n",
    b"PUT /reads/e HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 3\r\n"
    b"\r\nabc",
    b"GET /echo/old HTTP/1.0\r\n\r\nGET /echo/next HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET http://localhost/echo/abs HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-Proto: http\r\n"
    b"X-Forwarded-Host: other\r\n\r\n",
    b"GET /echo/1 HTTP/1.1\r\nHost: localhost\r\n\r\nPOST /reads/2 HTTP/1.1\r\nHost: localhost\r\n"
    b"Content-Length: 2\r\n\r\nhiGET /echo/3 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /echo/u HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    b"DELETE /nowhere HTTP/1.1\r\nHost: unknown.example\r\nContent-Length: 0\r\n\r\n",
]
TOKENS = [
    b"\r\n", b"\n", b"\r", b" ", b"\t", b":", b";", b",", b"\x00", b"\x7f", b"\xff", b"\xc3\xa9",
    b"0", b"-1", b"+5", b"18446744073709551616", b"0x10", b"%", b"%00", b"%2e%2e/", b"../",
    b"Content-Length: 4\r\n", b"Content-Length: 1, 2\r\n", b"Transfer-Encoding: chunked\r\n",
    b"Transfer-Encoding: gzip, chunked\r\n", b"0\r\n\r\n", b"ffffffffffffffff\r\n", b"5;ext=1\r\n",
    b"Host: localhost\r\n", b"Host:\r\n", b"Expect: 100-continue\r\n", b"Connection: close\r\n",
    b"Connection: keep-alive, Upgrade\r\n", b"HTTP/1.1", b"HTTP/1.0", b"HTTP/2.0", b"HTTP/9.9",
    b"GET / HTTP/1.1\r\n\r\n", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", b"CONNECT a:1 HTTP/1.1\r\n",
    b" folded\r\n", b"X-A: " + b"a" * 5000 + b"\r\n", b"b" * 70000,
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = draw(st.sampled_from(SEEDS)) * draw(st.integers(1, 3))  # pipelined copies
    for where, cut, paste in draw(
        st.lists(
            st.tuples(
                st.floats(0, 1),
                st.integers(0, 8),
                st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=4),
            ),
            max_size=5,
        )
    ):
        at = int(where * len(data))
        data = data[:at] + paste + data[at + cut :]
    return data


@SETTINGS
@given(mutated(), st.lists(st.floats(0, 1), max_size=6))
def test_mutated_requests(fuzzer: Fuzzer, data: bytes, cuts: list[float]) -> None:
    check(fuzzer, split(data, cuts))


# --- the oracle itself ------------------------------------------------------------------------


def test_requests_are_answered_garbage_refused_and_a_torn_request_closed(fuzzer: Fuzzer) -> None:
    """The checks above would pass on a gateway that only ever closes: prove that whole requests
    are answered through `exchange` (the one sent and the final one), that garbage gets a 400,
    and that a request cut short ends in a close without an answer."""
    ok = fuzzer.exchange([b"GET /echo/ok HTTP/1.1\r\nHost: localhost\r\n\r\n"])
    assert ok.count(b"HTTP/1.1 200 ") == 2 and ok.endswith(b"backend-ok")
    bad = fuzzer.exchange([b"\x16\x03\x01 not http at all\r\n\r\n"])
    assert bad.startswith(b"HTTP/1.1 400 ")
    torn = fuzzer.exchange(
        [b"POST /echo/p HTTP/1.1\r\nHost: localhost\r\nContent-Length: 9\r\n\r\nab"]
    )
    assert torn == b""
    assert not ends_between_requests(b"GET / HTTP/1.1\r\n")
