"""Hostile HTTP/1.1 requests over real TLS, through the gateway, to a raw-socket backend.

Each case is sent on a new connection followed by a well-formed `Connection: close` request, and
states what the client gets back (the statuses in order) and whether the connection closes after
the last one. Rejected cases end at their error: the final request behind them is never
processed. For every request the gateway accepts, the backend (`tests/raw_backend.py`, a strict
reader of its own) must have received exactly the requests the gateway answered, framed by one
Content-Length or by chunks the gateway generated: never the client's framing bytes, so the
backend cannot see another request boundary than the gateway did (no smuggling).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from tests.conftest import Pki
from tests.harness import Harness, listener_yaml
from tests.raw_backend import RawBackend
from tests.rawhttp import RawResponse, duplex, responses

CONFIG = listener_yaml("""\
gateway:
  accessLog: "off"
  maxRequestBodyBytes: 1000
apis:
  echo:
    path: echo
    serviceUrl: http://RAW
  reads:
    path: reads
    serviceUrl: http://RAW/in
    policy: reads.xml
""")
# Reads the request body whole before forwarding: the buffered path next to the streamed one.
READS = """<policies><inbound><base/><set-variable name="b"
  value="@(context.Request.Body.As<string>(preserveContent: true))" /></inbound></policies>"""

FINAL = b"GET /echo/final HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
H = b"Host: localhost\r\n"


@dataclass(frozen=True)
class Case:
    wire: bytes
    statuses: tuple[int, ...]  # what the client gets, in order (the final request's 200 too)
    forwarded: tuple[tuple[bytes, bytes, bytes], ...] = ()  # (method, target, body) at backend

    @property
    def accepted(self) -> bool:
        return bool(self.forwarded)


def rejected(wire: bytes, status: int = 400) -> Case:
    return Case(wire, (status,))


def post(headers: bytes, body: bytes, version: bytes = b"1.1") -> bytes:
    return b"POST /echo/p HTTP/" + version + b"\r\n" + H + headers + b"\r\n" + body


def chunked(body: bytes, api: bytes = b"echo") -> bytes:
    return b"POST /" + api + b"/c HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n" + body


SMUGGLED = b"GET /echo/smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n"
OK = (b"GET", b"/final", b"")

REJECTED = {
    # Content-Length and Transfer-Encoding together: refused whatever the order (RFC 9112 §6.1
    # allows it; nginx and Envoy do it), with a request hidden in the body.
    "cl-and-te": rejected(
        post(b"Content-Length: 52\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n" + SMUGGLED)
    ),
    "te-and-cl": rejected(
        post(b"Transfer-Encoding: chunked\r\nContent-Length: 52\r\n", b"0\r\n\r\n" + SMUGGLED)
    ),
    "cl-duplicate-equal": rejected(post(b"Content-Length: 3\r\nContent-Length: 3\r\n", b"abc")),
    "cl-duplicate-different": rejected(
        post(b"Content-Length: 3\r\nContent-Length: 50\r\n", b"abc" + SMUGGLED)
    ),
    "cl-list": rejected(post(b"Content-Length: 3, 3\r\n", b"abc")),
    "cl-plus": rejected(post(b"Content-Length: +3\r\n", b"abc")),
    "cl-exponent": rejected(post(b"Content-Length: 1e3\r\n", b"abc")),
    "cl-negative": rejected(post(b"Content-Length: -1\r\n", b"abc")),
    "cl-hex": rejected(post(b"Content-Length: 0x3\r\n", b"abc")),
    "cl-empty": rejected(post(b"Content-Length: \r\n", b"abc")),
    "cl-overflow": rejected(post(b"Content-Length: 99999999999999999999999\r\n", b"abc")),
    "cl-above-int64": rejected(post(b"Content-Length: 18446744073709551615\r\n", b"abc")),
    "te-xchunked": rejected(post(b"Transfer-Encoding: xchunked\r\n", b"0\r\n\r\n"), 501),
    "te-chunked-identity": rejected(post(b"Transfer-Encoding: chunked, identity\r\n", b"0\r\n\r\n")),
    "te-gzip-chunked": rejected(post(b"Transfer-Encoding: gzip, chunked\r\n", b"0\r\n\r\n"), 501),
    "te-identity-chunked": rejected(
        post(b"Transfer-Encoding: identity, chunked\r\n", b"0\r\n\r\n"), 501
    ),
    "te-twice": rejected(
        post(b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n")
    ),
    "te-space-before-colon": rejected(post(b"Transfer-Encoding : chunked\r\n", b"0\r\n\r\n")),
    "te-vertical-tab": rejected(post(b"Transfer-Encoding: \x0bchunked\r\n", b"0\r\n\r\n")),
    "te-in-http10": rejected(post(b"Transfer-Encoding: chunked\r\n", b"0\r\n\r\n", b"1.0")),
    "te-folded": rejected(post(b"Transfer-Encoding:\r\n chunked\r\n", b"0\r\n\r\n")),
    "chunk-size-not-hex": rejected(chunked(b"zz\r\nabc\r\n0\r\n\r\n")),
    "chunk-size-overflow": rejected(chunked(b"1ffffffffffffffff\r\nabc\r\n0\r\n\r\n")),
    "chunk-size-negative": rejected(chunked(b"-3\r\nabc\r\n0\r\n\r\n")),
    "chunk-size-0x": rejected(chunked(b"0x3\r\nabc\r\n0\r\n\r\n")),
    "chunk-size-space": rejected(chunked(b"3 \r\nabc\r\n0\r\n\r\n")),
    "chunk-extension-bare": rejected(chunked(b"3;\r\nabc\r\n0\r\n\r\n")),
    "chunk-extension-overlong": rejected(chunked(b"3;x=" + b"a" * 200_000 + b"\r\nabc\r\n0\r\n\r\n")),
    "chunk-data-overrun": rejected(chunked(b"3\r\nabcX0\r\n\r\n")),
    "chunk-bare-lf": rejected(chunked(b"3\nabc\n0\n\n")),
    # A framing header in the trailer section: the body is cut, the request fails.
    "trailer-content-length": rejected(chunked(b"3\r\nabc\r\n0\r\nContent-Length: 99\r\n\r\n")),
    "obs-fold": rejected(b"GET /echo/f HTTP/1.1\r\n" + H + b"X-A: 1\r\n 2\r\n\r\n"),
    "bare-lf": rejected(b"GET /echo/f HTTP/1.1\nHost: localhost\n\n"),
    "bare-lf-in-head": rejected(b"GET /echo/f HTTP/1.1\r\nHost: localhost\nX-A: 1\r\n\r\n"),
    "bare-cr": rejected(b"GET /echo/f HTTP/1.1\rHost: localhost\r\r"),
    "bare-cr-in-head": rejected(b"GET /echo/f HTTP/1.1\r\nHost: localhost\rX-A: 1\r\n\r\n"),
    "nul-in-name": rejected(b"GET /echo/f HTTP/1.1\r\n" + H + b"X-\x00A: 1\r\n\r\n"),
    "nul-in-value": rejected(b"GET /echo/f HTTP/1.1\r\n" + H + b"X-A: 1\x002\r\n\r\n"),
    "ctl-in-value": rejected(b"GET /echo/f HTTP/1.1\r\n" + H + b"X-A: 1\x012\r\n\r\n"),
    "del-in-value": rejected(b"GET /echo/f HTTP/1.1\r\n" + H + b"X-A: 1\x7f2\r\n\r\n"),
    "ctl-in-name": rejected(b"GET /echo/f HTTP/1.1\r\n" + H + b"X\x01A: 1\r\n\r\n"),
    "space-in-name": rejected(b"GET /echo/f HTTP/1.1\r\n" + H + b"X A: 1\r\n\r\n"),
    "target-relative": rejected(b"GET echo/f HTTP/1.1\r\n" + H + b"\r\n"),
    "target-space": rejected(b"GET /echo/a b HTTP/1.1\r\n" + H + b"\r\n"),
    "target-nul": rejected(b"GET /echo/a\x00b HTTP/1.1\r\n" + H + b"\r\n"),
    "target-fragment": rejected(b"GET /echo/a#frag HTTP/1.1\r\n" + H + b"\r\n"),
    "target-asterisk": rejected(b"OPTIONS * HTTP/1.1\r\n" + H + b"\r\n"),
    "target-userinfo": rejected(b"GET http://u@localhost/echo/a HTTP/1.1\r\n" + H + b"\r\n"),
    "target-ftp": rejected(b"GET ftp://localhost/echo/a HTTP/1.1\r\n" + H + b"\r\n"),
    "target-above-root": rejected(b"GET /echo/../../etc HTTP/1.1\r\n" + H + b"\r\n"),
    "target-encoded-above-root": rejected(b"GET /%2e%2E/echo HTTP/1.1\r\n" + H + b"\r\n"),
    "target-too-long": rejected(b"GET /echo/" + b"a" * 9000 + b" HTTP/1.1\r\n" + H + b"\r\n", 414),
    "version-2": rejected(b"GET /echo/f HTTP/2.0\r\n" + H + b"\r\n", 505),
    "version-0.9": rejected(b"GET /echo/f\r\n\r\n", 505),
    "version-1.2": rejected(b"GET /echo/f HTTP/1.2\r\n" + H + b"\r\n"),
    "method-lowercase": rejected(b"get /echo/f HTTP/1.1\r\n" + H + b"\r\n"),
    "host-missing": rejected(b"GET /echo/f HTTP/1.1\r\n\r\n"),
    "host-twice": rejected(b"GET /echo/f HTTP/1.1\r\n" + H + b"Host: other\r\n\r\n"),
    "host-invalid": rejected(b"GET /echo/f HTTP/1.1\r\nHost: evil.example/x\r\n\r\n"),
    "headers-too-many": rejected(
        b"GET /echo/f HTTP/1.1\r\n" + H + b"".join(b"X-%d: 1\r\n" % i for i in range(101)) + b"\r\n",
        431,
    ),
    "headers-too-big": rejected(b"GET /echo/f HTTP/1.1\r\n" + H + b"X-A: " + b"a" * 70_000 + b"\r\n\r\n", 431),
    "header-endless": rejected(b"GET /echo/f HTTP/1.1\r\n" + H + b"X-A: " + b"a" * 300_000, 431),
    "header-endless-whitespace": rejected(
        b"GET /echo/f HTTP/1.1\r\n" + H + b"X-A:" + b" " * 300_000 + b"1\r\n\r\n", 431
    ),
    "upgrade-websocket": rejected(
        b"GET /echo/f HTTP/1.1\r\n" + H + b"Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n", 501
    ),
    "connect": rejected(b"CONNECT localhost:443 HTTP/1.1\r\n" + H + b"\r\n", 501),
    "expect-unknown": rejected(post(b"Expect: 200-ok\r\nContent-Length: 3\r\n", b"abc"), 417),
    "body-over-limit": rejected(
        b"POST /reads/p HTTP/1.1\r\n" + H + b"Content-Length: 5000\r\n\r\n" + b"x" * 5000, 413
    ),
    "chunked-body-over-limit": rejected(
        chunked(b"3e8\r\n" + b"x" * 1000 + b"\r\n1\r\nx\r\n0\r\n\r\n", b"reads"), 413
    ),
    "expect-continue-over-limit": rejected(
        b"POST /reads/p HTTP/1.1\r\n" + H + b"Expect: 100-continue\r\nContent-Length: 5000\r\n\r\n",
        413,
    ),
    # Pipelined: what follows an error is never processed, the request before it is answered.
    "pipelined-after-error": Case(
        b"GET /echo/one HTTP/1.1\r\n" + H + b"\r\n"
        + post(b"Content-Length: 52\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n" + SMUGGLED)
        + b"GET /echo/three HTTP/1.1\r\n" + H + b"\r\n",
        (200, 400),
        ((b"GET", b"/one", b""),),
    ),
}  # fmt: skip

ACCEPTED = {
    "cl-trailing-whitespace": Case(
        post(b"Content-Length: 3 \r\n", b"abc"), (200, 200), ((b"POST", b"/p", b"abc"), OK)
    ),
    "te-trailing-space": Case(
        post(b"Transfer-Encoding: chunked \r\n", b"3\r\nabc\r\n0\r\n\r\n"),
        (200, 200),
        ((b"POST", b"/p", b"abc"), OK),
    ),
    "te-tab": Case(
        post(b"Transfer-Encoding:\tchunked\r\n", b"3\r\nabc\r\n0\r\n\r\n"),
        (200, 200),
        ((b"POST", b"/p", b"abc"), OK),
    ),
    "te-uppercase": Case(
        post(b"Transfer-Encoding: CHUNKED\r\n", b"3\r\nabc\r\n0\r\n\r\n"),
        (200, 200),
        ((b"POST", b"/p", b"abc"), OK),
    ),
    "chunk-extension": Case(
        chunked(b"3;name=value\r\nabc\r\n2;a;b=\"q\"\r\nde\r\n0;last\r\n\r\n"),
        (200, 200),
        ((b"POST", b"/c", b"abcde"), OK),
    ),
    "chunk-trailer": Case(
        chunked(b"3\r\nabc\r\n0\r\nX-Trailer: t\r\nHost: evil\r\n\r\n"),
        (200, 200),
        ((b"POST", b"/c", b"abc"), OK),
    ),
    "chunk-hides-request": Case(
        chunked(b"%x\r\n%s\r\n0\r\n\r\n" % (len(SMUGGLED), SMUGGLED)),
        (200, 200),
        ((b"POST", b"/c", SMUGGLED), OK),
    ),
    "chunked-to-buffering-api": Case(
        chunked(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", b"reads"),
        (200, 200),
        ((b"POST", b"/in/c", b"abcde"), OK),
    ),
    "cl-hides-request": Case(
        post(b"Content-Length: %d\r\n" % len(SMUGGLED), SMUGGLED),
        (200, 200),
        ((b"POST", b"/p", SMUGGLED), OK),
    ),
    "absolute-form": Case(
        b"GET http://localhost/echo/abs?q=1 HTTP/1.1\r\nHost: other.example\r\n\r\n",
        (200, 200),
        ((b"GET", b"/abs?q=1", b""), OK),
    ),
    "absolute-form-no-path": Case(
        b"GET https://localhost:443?q HTTP/1.1\r\n" + H + b"\r\n", (404, 200), (OK,)
    ),
    "dot-segments": Case(
        b"GET /echo/a/./b/../c?x=/../y HTTP/1.1\r\n" + H + b"\r\n",
        (200, 200),
        ((b"GET", b"/a/c?x=/../y", b""), OK),
    ),
    "dot-segments-encoded": Case(
        b"GET /echo/a/%2e%2E/b/%2e HTTP/1.1\r\n" + H + b"\r\n",
        (200, 200),
        ((b"GET", b"/b/", b""), OK),
    ),
    "obs-text-value": Case(
        b"GET /echo/u HTTP/1.1\r\n" + H + b"X-Name: caf\xc3\xa9\r\n\r\n",
        (200, 200),
        ((b"GET", b"/u", b""), OK),
    ),
    "leading-empty-line": Case(
        b"\r\nGET /echo/l HTTP/1.1\r\n" + H + b"\r\n", (200, 200), ((b"GET", b"/l", b""), OK)
    ),
    "get-with-body": Case(
        b"GET /echo/g HTTP/1.1\r\n" + H + b"Content-Length: 3\r\n\r\nabc",
        (200, 200),
        ((b"GET", b"/g", b"abc"), OK),
    ),
    "http10-with-length": Case(
        post(b"Connection: keep-alive\r\nContent-Length: 3\r\n", b"abc", b"1.0"),
        (200, 200),
        ((b"POST", b"/p", b"abc"), OK),
    ),
    # The body follows at once (a client need not wait): no 100 goes out for it.
    "expect-continue": Case(
        b"POST /reads/e HTTP/1.1\r\n" + H + b"Expect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
        (200, 200),
        ((b"POST", b"/in/e", b"abc"), OK),
    ),
    "pipelined-bodies": Case(
        post(b"Content-Length: 3\r\n", b"abc")
        + chunked(b"2\r\nde\r\n0\r\n\r\n")
        + b"GET /echo/3 HTTP/1.1\r\n" + H + b"\r\n",
        (200, 200, 200, 200),
        ((b"POST", b"/p", b"abc"), (b"POST", b"/c", b"de"), (b"GET", b"/3", b""), OK),
    ),
}  # fmt: skip


@pytest.fixture
def gateway(harness: Harness, raw: RawBackend) -> Harness:
    harness.start(CONFIG.replace("RAW", f"127.0.0.1:{raw.port}"), {"reads.xml": READS})
    return harness


def send(harness: Harness, pki: Pki, wire: bytes, feed: str = "whole") -> list[RawResponse]:
    """`wire` then the final request, on one new connection; the responses until it closed."""
    data = wire + FINAL
    sock = harness.client(pki.client).connect()
    try:
        if feed == "bytewise":  # one TLS record per byte: every callback split in pieces
            for i in range(len(wire)):
                sock.sendall(wire[i : i + 1])
            data = FINAL
        return responses(duplex(sock, data))
    finally:
        sock.close()


@pytest.mark.parametrize("name", list(REJECTED))
def test_hostile_request_is_refused(gateway: Harness, raw: RawBackend, pki: Pki, name: str) -> None:
    case = REJECTED[name]
    got = send(gateway, pki, case.wire)
    assert [r.status for r in got] == list(case.statuses), got[-1].head[:300]
    last = got[-1]
    assert last.closes  # and nothing after it: the final request was not answered
    body = json.loads(last.body)
    assert body["statusCode"] == last.status and body["message"]
    assert [(r.method, r.target, r.body) for r in raw.requests] == list(case.forwarded)
    assert raw.errors == []
    # The worker is unharmed: the next connection is served.
    assert [r.status for r in send(gateway, pki, b"")] == [200]


@pytest.mark.parametrize("feed", ["whole", "bytewise"])
@pytest.mark.parametrize("name", list(ACCEPTED))
def test_accepted_request_reaches_the_backend_reframed(
    gateway: Harness, raw: RawBackend, pki: Pki, name: str, feed: str
) -> None:
    case = ACCEPTED[name]
    got = send(gateway, pki, case.wire, feed)
    if feed == "bytewise" and b"Expect: 100-continue" in case.wire and got[0].status == 100:
        # a byte at a time, the body may not be there yet when the head is read: 100 is then due
        got = got[1:]
    assert [r.status for r in got] == list(case.statuses), got[-1].head[:300]
    assert got[-1].closes and got[-1].header(b"connection") == b"close"
    # The backend read exactly the requests the gateway answered, with the same bodies.
    assert raw.errors == []
    assert [(r.method, r.target, r.body) for r in raw.requests] == list(case.forwarded)
    for request in raw.requests:
        framing = request.header(b"content-length") + request.header(b"transfer-encoding")
        assert len(framing) <= 1
        assert not request.header(b"x-trailer") and not request.header(b"expect")
    # None of the client's own framing bytes went through: chunk extensions and trailers are
    # not in what the backend received, and a body the backend got chunked was cut by us.
    wire = raw.received
    for marker in (b";name=value", b";last", b"X-Trailer", b"evil", b"chunked \r\n", b"\t"):
        assert marker not in wire
    if name == "absolute-form":  # its authority replaced Host (RFC 9112 §3.2.2)
        assert raw.requests[0].header(b"x-forwarded-host") == [b"localhost"]


def test_chunked_body_is_rechunked_by_the_gateway(
    gateway: Harness, raw: RawBackend, pki: Pki
) -> None:
    """The client's chunk boundaries are not the backend's: the body is framed anew."""
    pieces = b"".join(b"1\r\n%c\r\n" % c for c in b"abcdefghij")
    got = send(gateway, pki, chunked(pieces + b"0\r\n\r\n"))
    assert [r.status for r in got] == [200, 200]
    assert raw.requests[0].body == b"abcdefghij"
    assert b"1\r\na\r\n1\r\nb\r\n" not in raw.received  # the client's 1-byte chunks are gone


def test_upgrade_is_answered_once(gateway: Harness, raw: RawBackend, pki: Pki) -> None:
    """The twin of `upgrade-websocket`: the same request without `Connection: Upgrade` is an
    ordinary request; the refused one reaches neither the backend nor a second answer."""
    plain = send(gateway, pki, b"GET /echo/u HTTP/1.1\r\n" + H + b"Upgrade: websocket\r\n\r\n")
    assert [r.status for r in plain] == [200, 200]
    assert raw.requests[0].header(b"upgrade") == []  # hop-by-hop: not forwarded
    upgrade = send(
        gateway,
        pki,
        b"GET /echo/u HTTP/1.1\r\n" + H + b"Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
    )
    assert [r.status for r in upgrade] == [501]
    assert len(raw.requests) == 2  # the two of the first connection only


@pytest.mark.parametrize(("length", "statuses"), [(3, [100, 200]), (5000, [413])])
def test_expect_continue_waits_for_the_gateway(
    gateway: Harness, raw: RawBackend, pki: Pki, length: int, statuses: list[int]
) -> None:
    """A client that waits for `100 Continue` gets it when its body fits; over the limit it gets
    the 413 instead (and never sends the body)."""
    sock = gateway.client(pki.client).connect()
    sock.settimeout(20)
    try:
        sock.sendall(
            b"POST /reads/e HTTP/1.1\r\n" + H + b"Expect: 100-continue\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % length
        )
        first = b""
        while b"\r\n\r\n" not in first:
            piece = sock.recv(65536)
            assert piece, first
            first += piece
        if first.startswith(b"HTTP/1.1 100 "):
            sock.sendall(b"abc")
        out = first + duplex(sock, b"")
    finally:
        sock.close()
    got = responses(out)
    assert [r.status for r in got] == statuses
    assert got[-1].closes
    assert [r.body for r in raw.requests] == ([b"abc"] if length == 3 else [])
