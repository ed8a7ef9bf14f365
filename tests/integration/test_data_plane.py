"""HTTP/1.x behaviour of the data plane: routing, gateway-generated errors, framing, keep-alive,
malformed input, hop-by-hop headers."""

from __future__ import annotations

import json
import re
import socket
import ssl

import pytest

from tests.conftest import Pki
from tests.harness import Client, Harness, listener_yaml

CONFIG = listener_yaml("""\
gateway:
  maxRequestBodyBytes: 1000
apis:
  short:
    path: a
    serviceUrl: http://BACKEND/short
  long:
    path: a/b
    serviceUrl: http://BACKEND/long
  dead:
    path: dead
    serviceUrl: http://127.0.0.1:9
  slow:
    path: slow
    serviceUrl: http://BACKEND
    policy: slow.xml
  broken:
    path: broken
    serviceUrl: http://BACKEND
    policy: broken.xml
  reads:
    path: reads
    serviceUrl: http://BACKEND
    policy: reads.xml
""")

SLOW = """<policies><backend><forward-request timeout="1" /></backend></policies>"""
BROKEN = """<policies><inbound><choose>
  <when condition="@(context.Request.Certificate.Thumbprint == "x")"><return-response /></when>
</choose></inbound></policies>"""
# A policy that reads the request body: the gateway reads it whole (capped) before running it.
READS = """<policies><inbound><base/><set-variable name="b"
  value="@(context.Request.Body.As<string>(preserveContent: true))" /></inbound></policies>"""
FILES = {"slow.xml": SLOW, "broken.xml": BROKEN, "reads.xml": READS}


@pytest.fixture
def client(harness: Harness, pki: Pki) -> Client:
    harness.start(CONFIG, FILES)
    return harness.client(pki.client)


@pytest.fixture(params=["whole", "bytewise"])
def feed(request: pytest.FixtureRequest) -> str:
    """Parser tests run twice: the request in one write, and one byte per TLS record."""
    return str(request.param)


def raw_exchange(client: Client, data: bytes, feed: str = "whole") -> bytes:
    sock = client.connect()
    try:
        chunks = [data[i : i + 1] for i in range(len(data))] if feed == "bytewise" else [data]
        for chunk in chunks:
            try:
                sock.sendall(chunk)
            except (OSError, ssl.SSLError):
                break  # the gateway answered and closed early (e.g. 413): read what it said
        sock.settimeout(5)
        out = b""
        while True:
            try:
                piece = sock.recv(65536)
            except (TimeoutError, ssl.SSLError, ConnectionError):
                break
            if not piece:
                break
            out += piece
        return out
    finally:
        sock.close()


def test_longest_api_path_wins(client: Client) -> None:
    assert client.request("/a/b/c").header("X-Backend-Path") == "/long/c"
    assert client.request("/a/bc").header("X-Backend-Path") == "/short/bc"
    assert client.request("/A/x?q=1").header("X-Backend-Path") == "/short/x?q=1"


def test_no_matching_api_is_404_json(client: Client) -> None:
    reply = client.request("/nothing/here")
    body = json.loads(reply.body)
    assert reply.status == 404
    assert body["statusCode"] == 404 and body["message"] == "Resource not found"
    assert len(body["activityId"]) == 36
    # a path that only shares a prefix with an API is not that API
    assert client.request("/ab").status == 404


def test_unreachable_backend_is_502(client: Client) -> None:
    reply = client.request("/dead/x")
    assert reply.status == 502
    assert json.loads(reply.body)["statusCode"] == 502


def test_backend_timeout_is_504(client: Client) -> None:
    reply = client.request("/slow/sleep/3")
    assert reply.status == 504
    assert json.loads(reply.body)["statusCode"] == 504
    fast = client.request("/slow/sleep/0")
    assert fast.status == 200


def test_expression_failure_is_500_internal_server_error(harness: Harness, pki: Pki) -> None:
    harness.start(CONFIG, FILES)
    reply = harness.client(None).request("/broken/x")  # no certificate: null dereference
    body = json.loads(reply.body)
    assert reply.status == 500
    assert body["message"] == "Internal server error" and body["activityId"]
    ok = harness.client(pki.client).request("/broken/x")
    assert ok.status == 200


def test_keep_alive_reuses_the_upstream_connection(client: Client) -> None:
    sock = client.connect()
    try:
        counts = []
        for _ in range(3):
            sock.sendall(b"GET /a/x HTTP/1.1\r\nHost: localhost\r\n\r\n")
            head = _read_response(sock)
            counts.append(int(_header(head, b"x-backend-request-count")))
        assert counts[1] == counts[0] + 1 and counts[2] == counts[1] + 1
    finally:
        sock.close()


def test_http10_keep_alive_and_close(client: Client) -> None:
    sock = client.connect()
    try:
        sock.sendall(b"GET /a/x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        first = _read_response(sock)
        assert b"connection: keep-alive" in first.lower()
        sock.sendall(b"GET /a/x HTTP/1.0\r\n\r\n")
        second = _read_response(sock)
        assert b"connection: close" in second.lower()
        assert sock.recv(10) == b""  # closed after an HTTP/1.0 request without keep-alive
    finally:
        sock.close()


def test_pipelined_requests_are_answered_in_order(client: Client, feed: str) -> None:
    reqs = (
        b"".join(b"GET /a/%d HTTP/1.1\r\nHost: localhost\r\n\r\n" % i for i in range(5))
        + b"GET /a/last HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    out = raw_exchange(client, reqs, feed)
    paths = [
        line.split(b": ")[1] for line in out.split(b"\r\n") if line.startswith(b"X-Backend-Path")
    ]
    assert paths == [
        b"/short/0",
        b"/short/1",
        b"/short/2",
        b"/short/3",
        b"/short/4",
        b"/short/last",
    ]


def test_each_head_on_a_connection_is_judged_by_its_own_headers(client: Client, feed: str) -> None:
    """A connection remembers the last head it scanned; a head like it in all but one value
    (a bad Host) is refused, and the same head as HTTP/1.0 is scanned as 1.0 (chunked refused)."""
    same = b"GET /a/1 HTTP/1.1\r\nHost: localhost\r\n\r\n"
    out = raw_exchange(client, same + same + b"GET /a/2 HTTP/1.1\r\nHost: local host\r\n\r\n", feed)
    assert re.findall(rb"HTTP/1\.1 (\d{3}) ", out) == [b"200", b"200", b"400"]
    chunked = b"Host: localhost\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    out = raw_exchange(
        client, b"POST /a/3 HTTP/1.1\r\n" + chunked + b"POST /a/3 HTTP/1.0\r\n" + chunked, feed
    )
    assert re.findall(rb"HTTP/1\.1 (\d{3}) ", out) == [b"200", b"400"]


def test_chunked_request_body_streams_chunked(harness: Harness, client: Client, feed: str) -> None:
    body = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    out = raw_exchange(
        client,
        b"POST /a/body HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n" + body,
        feed,
    )
    assert out.endswith(b"hello world")
    method, _url, headers, received = harness.backend_log[-1]
    names = {n.lower() for n, _ in headers}
    assert (method, received) == (b"POST", b"hello world")
    # No policy reads it: it streams, in the framing the client chose.
    assert (b"Transfer-Encoding", b"chunked") in headers and b"content-length" not in names


def test_chunked_body_a_policy_reads_is_forwarded_with_length(
    harness: Harness, client: Client, feed: str
) -> None:
    body = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    out = raw_exchange(
        client,
        b"POST /reads/body HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n" + body,
        feed,
    )
    assert out.endswith(b"hello world")
    method, _url, headers, received = harness.backend_log[-1]
    names = {n.lower() for n, _ in headers}
    assert (method, received) == (b"POST", b"hello world")
    assert b"transfer-encoding" not in names and (b"Content-Length", b"11") in headers


def test_oversized_body_a_policy_reads_is_413(client: Client, feed: str) -> None:
    out = raw_exchange(
        client,
        b"POST /reads/body HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n",
        feed,
    )
    assert out.startswith(b"HTTP/1.1 413 ")
    chunked = raw_exchange(
        client,
        b"POST /reads/body HTTP/1.1\r\nHost: l\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"3e8\r\n"
        + b"x" * 1000
        + b"\r\n"
        + b"1\r\nx\r\n0\r\n\r\n",
        feed,
    )
    assert chunked.startswith(b"HTTP/1.1 413 ")
    fits = client.request("/reads/body", method="POST", body=b"y" * 1000)
    assert (fits.status, fits.body) == (200, b"y" * 1000)


def test_body_no_policy_reads_is_not_capped(client: Client) -> None:
    # maxRequestBodyBytes (1000 here) caps only bodies held in memory; this one streams.
    reply = client.request("/a/body", method="POST", body=b"z" * 50_000)
    assert (reply.status, reply.body) == (200, b"z" * 50_000)


@pytest.mark.parametrize(
    "garbage",
    [
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"NOT A REQUEST\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Header Line\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    ],
)
def test_malformed_request_is_400_and_closed(client: Client, garbage: bytes, feed: str) -> None:
    out = raw_exchange(client, garbage, feed)
    assert out.startswith(b"HTTP/1.1 400 ")
    assert b"connection: close" in out.lower()
    assert json.loads(out.split(b"\r\n\r\n", 1)[1])["statusCode"] == 400
    # The worker is unharmed: the next connection is served.
    assert client.request("/a/x").status == 200


def test_content_length_body_is_forwarded(harness: Harness, client: Client, feed: str) -> None:
    request = (
        b"POST /a/body?q=1 HTTP/1.1\r\nHost: localhost\r\nX-One: 1\r\nContent-Length: 4\r\n"
        b"Connection: close\r\n\r\nabcd"
    )
    out = raw_exchange(client, request, feed)
    assert out.startswith(b"HTTP/1.1 200 ") and out.endswith(b"abcd")
    method, url, headers, body = harness.backend_log[-1]
    assert (method, url, body) == (b"POST", b"/short/body?q=1", b"abcd")
    assert (b"X-One", b"1") in headers


def test_hop_by_hop_headers_are_removed_both_ways(harness: Harness, client: Client) -> None:
    reply = client.request(
        "/a/x",
        headers={
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "Upgrade-Insecure": "1",
            "Proxy-Authorization": "secret",
            "X-End": "e",
        },
    )
    _method, _url, headers, _body = harness.backend_log[-1]
    names = {n.lower() for n, _ in headers}
    assert {b"keep-alive", b"te", b"proxy-authorization"}.isdisjoint(names)
    assert b"x-end" in names and b"upgrade-insecure" in names
    assert reply.header("Echo-X-End") == "e"
    assert reply.header("Echo-Keep-Alive") is None
    # Headers that the client's Connection header names are hop-by-hop too.
    client.request("/a/x", headers={"Connection": "X-Private", "X-Private": "p", "X-Public": "q"})
    _method, _url, headers, _body = harness.backend_log[-1]
    names = {n.lower() for n, _ in headers}
    assert b"x-private" not in names and b"x-public" in names


def test_hop_by_hop_response_headers_are_not_relayed(client: Client) -> None:
    reply = client.request("/a/hop")
    assert reply.status == 200 and reply.header("X-Kept") == "k"
    for name in ("X-Secret", "Keep-Alive", "Proxy-Authenticate", "Trailer"):
        assert reply.header(name) is None, name


def test_head_response_has_no_body(client: Client, feed: str) -> None:
    out = raw_exchange(client, b"HEAD /a/x HTTP/1.1\r\nHost: l\r\nConnection: close\r\n\r\n", feed)
    head, _, rest = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ") and rest == b""
    assert b"content-length: 10" in head.lower()


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(_header(head, b"content-length") or 0)
    while len(rest) < length:
        rest += sock.recv(65536)
    return head


def _header(head: bytes, name: bytes) -> bytes:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return b""
