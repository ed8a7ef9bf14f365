"""HTTP features of the data plane, each with its rejecting twin, over real TLS and real backends:
HEAD/204/304 without bodies, `Expect: 100-continue`, X-Forwarded-*, connect/response timeouts,
a backend failing after the head went out, 421 for a Host with other client-certificate
settings, the health endpoint, the access log, and what happens to an unread request body."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import ssl
import time
from collections.abc import Iterator
from typing import Any

import pytest

from certgate.core.policy.document import EffectivePolicy, load_document
from certgate.core.policy.nodes import ForwardRequest
from tests.conftest import Pki
from tests.harness import Client, Harness, LoopThread

CONFIG = """
hostnames:
  - hostName: localhost
    listen: 127.0.0.1:0
    certificateId: gateway-tls
    negotiateClientCertificate: true
  - hostName: other.localhost
    listen: 127.0.0.1:0
    certificateId: other-tls
    negotiateClientCertificate: false
  - hostName: twin.localhost
    listen: 127.0.0.1:0
    certificateId: other-tls
    negotiateClientCertificate: true
certificates:
  gateway-tls: {file: pki/gateway.pem}
  other-tls: {file: pki/other.pem}
gateway:
  maxRequestBodyBytes: 100000
  backendConnectTimeout: 0.5
apis:
  echo:
    path: echo
    serviceUrl: http://BACKEND
  reads:
    path: reads
    serviceUrl: http://BACKEND
    policy: reads.xml
  deny:
    path: deny
    serviceUrl: http://BACKEND
    policy: deny.xml
  fwd:
    path: fwd
    serviceUrl: http://BACKEND
    policy: fwd.xml
  scripted:
    path: scripted
    serviceUrl: http://127.0.0.1:SCRIPTED
    policy: quick.xml
  blackhole:
    path: blackhole
    serviceUrl: http://127.0.0.1:BLACKHOLE
  dead:
    path: dead
    serviceUrl: http://127.0.0.1:9
"""

FILES = {
    "reads.xml": """<policies><inbound><base/><set-variable name="b"
        value="@(context.Request.Body.As<string>(preserveContent: true))" /></inbound></policies>""",
    "deny.xml": """<policies><inbound><return-response>
        <set-status code="401" reason="Unauthorized" /></return-response></inbound></policies>""",
    "fwd.xml": """<policies><inbound><base/><set-header name="X-Forwarded-Host"
        exists-action="override"><value>public.example</value></set-header></inbound></policies>""",
    "quick.xml": """<policies><backend><forward-request timeout="1" /></backend></policies>""",
}


# --- a backend that follows a script per request path ------------------------------------------

HEAD_100 = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
# name: (bytes sent once the request head is in, bytes sent 0.2 s later, then "close" | "keep")
# ("stall" never sends the rest). Responses that arrive in two parts make the gateway relay
# the first part before the rest exists: they stream.
SCRIPTS: dict[bytes, tuple[bytes, bytes, str]] = {
    b"truncate": (HEAD_100 + b"x" * 10, b"", "close"),
    b"stall": (HEAD_100 + b"x" * 10, b"", "stall"),
    b"hangup": (b"", b"", "close"),
    b"chunked": (CHUNKED + b"5\r\nhello\r\n", b"6\r\n world\r\n0\r\n\r\n", "keep"),
    b"eof": (b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil-", b"the-end", "close"),
    b"hints": (
        b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal",
        b"",
        "keep",
    ),
}


class Scripted(asyncio.Protocol):
    def __init__(self) -> None:
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer and self.transport is not None:
            head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
            path = head.split(b" ")[1].split(b"?")[0]
            first, later, then = SCRIPTS[path.rsplit(b"/", 1)[-1]]
            if first:
                self.transport.write(first)
            if then != "stall":
                asyncio.get_running_loop().call_later(0.2 if later else 0, self._rest, later, then)

    def _rest(self, later: bytes, then: str) -> None:
        if self.transport is None:
            return
        if later:
            self.transport.write(later)
        if then == "close":
            self.transport.close()


@pytest.fixture(scope="module")
def scripted(loop_thread: LoopThread) -> Iterator[int]:
    async def start() -> asyncio.AbstractServer:
        return await asyncio.get_running_loop().create_server(Scripted, "127.0.0.1", 0)

    server = loop_thread.run(start())
    yield server.sockets[0].getsockname()[1]
    server.close()


@pytest.fixture(scope="module")
def blackhole() -> Iterator[int]:
    """A port whose accept queue is full: connection attempts hang (SYNs are dropped)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        fillers.append(s)
    time.sleep(0.2)
    yield port
    for s in fillers:
        s.close()
    listener.close()


@pytest.fixture
def gw(harness: Harness, scripted: int, blackhole: int) -> Harness:
    config = CONFIG.replace("SCRIPTED", str(scripted)).replace("BLACKHOLE", str(blackhole))
    harness.start(config, FILES)
    return harness


# --- a raw HTTP/1.1 connection ------------------------------------------------------------------


class Wire:
    """One TLS connection to the gateway, spoken to byte by byte."""

    def __init__(self, client: Client) -> None:
        self.sock = client.connect()
        self.sock.settimeout(10)
        self.buf = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        try:
            piece = self.sock.recv(65536)
        except (ConnectionError, ssl.SSLError):
            return False
        self.buf += piece
        return bool(piece)

    def head(self) -> tuple[int, dict[str, str], bytes]:
        while b"\r\n\r\n" not in self.buf:
            assert self._fill(), f"connection closed; got {self.buf!r}"
        raw, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(lines[0].split(" ")[1]), headers, raw

    def response(self, head_only: bool = False) -> tuple[int, dict[str, str], bytes]:
        status, headers, _ = self.head()
        if head_only or status in (204, 304) or 100 <= status < 200:
            return status, headers, b""
        if headers.get("transfer-encoding") == "chunked":
            return status, headers, self._chunked()
        if "content-length" in headers:
            n = int(headers["content-length"])
            while len(self.buf) < n:
                assert self._fill(), "connection closed mid-body"
            body, self.buf = self.buf[:n], self.buf[n:]
            return status, headers, body
        while self._fill():
            pass
        body, self.buf = self.buf, b""
        return status, headers, body

    def _chunked(self) -> bytes:
        body = b""
        while True:
            while b"\r\n" not in self.buf:
                assert self._fill()
            size_line, _, self.buf = self.buf.partition(b"\r\n")
            size = int(size_line, 16)
            while len(self.buf) < size + 2:
                assert self._fill()
            body += self.buf[:size]
            self.buf = self.buf[size + 2 :]
            if size == 0:
                return body

    def rest(self) -> bytes:
        """Everything until the gateway closes (or resets) the connection."""
        while self._fill():
            pass
        out, self.buf = self.buf, b""
        return out

    def closed(self) -> bool:
        return not self.buf and not self._fill()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def wire(gw: Harness, pki: Pki) -> Iterator[Wire]:
    w = Wire(gw.client(pki.client))
    yield w
    w.close()


def get(path: str, host: str = "localhost", extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode()


# --- HEAD, 204, 304 -----------------------------------------------------------------------------


def test_head_has_no_body_and_keeps_both_connections(wire: Wire) -> None:
    wire.send(b"HEAD /echo/x HTTP/1.1\r\nHost: localhost\r\n\r\n")
    status, headers, _ = wire.response(head_only=True)
    assert status == 200 and headers["content-length"] == "10"
    first = int(headers["x-backend-request-count"])
    wire.send(get("/echo/x"))  # the same client connection goes on ...
    status, headers, body = wire.response()
    assert (status, body) == (200, b"backend-ok")
    # ... and so does the backend connection: a HEAD answer does not end it.
    assert int(headers["x-backend-request-count"]) == first + 1


def test_head_of_a_large_download_sends_only_the_head(wire: Wire) -> None:
    wire.send(b"HEAD /echo/bytes/5000000 HTTP/1.1\r\nHost: localhost\r\n\r\n")
    status, headers, _ = wire.response(head_only=True)
    assert status == 200 and headers["content-length"] == "5000000"
    wire.send(get("/echo/x"))
    assert wire.response()[2] == b"backend-ok"  # no stray body bytes came first


@pytest.mark.parametrize("status", [204, 304])
def test_204_and_304_have_no_body(wire: Wire, status: int) -> None:
    # The echo backend even sends a body with them (a misbehaving backend): none goes out.
    wire.send(get(f"/echo/status/{status}") + get("/echo/x"))
    code, headers, _ = wire.response()
    assert code == status
    assert "content-length" not in headers and "transfer-encoding" not in headers
    assert wire.response()[2] == b"backend-ok"  # the next response follows directly


def test_200_keeps_its_body(wire: Wire) -> None:
    wire.send(get("/echo/status/200"))
    code, headers, body = wire.response()
    assert (code, headers["content-length"], body) == (200, "10", b"backend-ok")


# --- Expect: 100-continue -----------------------------------------------------------------------

EXPECT = "Content-Length: 11\r\nExpect: 100-continue\r\n"


@pytest.mark.parametrize("api", ["echo", "reads"])  # streamed, and read whole by a policy
def test_100_continue_when_the_body_is_wanted(wire: Wire, api: str) -> None:
    wire.send(f"POST /{api}/body HTTP/1.1\r\nHost: localhost\r\n{EXPECT}\r\n".encode())
    status, _, _ = wire.head()
    assert status == 100
    wire.send(b"hello world")
    status, _, body = wire.response()
    assert (status, body) == (200, b"hello world")


def test_no_100_continue_when_a_policy_answers_first(wire: Wire, gw: Harness) -> None:
    before = len(gw.backend_log)
    wire.send(f"POST /deny/body HTTP/1.1\r\nHost: localhost\r\n{EXPECT}\r\n".encode())
    status, headers, _ = wire.response()
    assert status == 401 and headers["connection"] == "close"
    assert wire.closed()  # the client never sent the body; the connection is not reused
    assert len(gw.backend_log) == before


def test_unknown_expectation_is_417(wire: Wire) -> None:
    wire.send(b"POST /echo/body HTTP/1.1\r\nHost: l\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx")
    assert wire.response()[0] == 417


# --- an unread request body ---------------------------------------------------------------------


def test_small_unread_body_is_dropped_and_the_connection_goes_on(wire: Wire) -> None:
    wire.send(b"POST /deny/x HTTP/1.1\r\nHost: l\r\nContent-Length: 1000\r\n\r\n" + b"b" * 1000)
    status, headers, _ = wire.response()
    assert status == 401 and "connection" not in headers
    wire.send(get("/echo/x"))
    assert wire.response()[2] == b"backend-ok"


def test_large_unread_body_closes_the_connection(wire: Wire) -> None:
    wire.send(b"POST /deny/x HTTP/1.1\r\nHost: l\r\nContent-Length: 10000000\r\n\r\n" + b"b" * 1000)
    status, headers, _ = wire.response()
    assert status == 401 and headers["connection"] == "close"
    assert wire.closed()


# --- X-Forwarded-* ------------------------------------------------------------------------------


def _sent_headers(gw: Harness) -> dict[bytes, bytes]:
    _method, _url, headers, _body = gw.backend_log[-1]
    return {n.lower(): v for n, v in headers}


def test_forwarded_headers_are_added(gw: Harness, pki: Pki) -> None:
    gw.client(pki.client).request("/echo/x")
    sent = _sent_headers(gw)
    assert sent[b"x-forwarded-for"] == b"127.0.0.1"
    assert sent[b"x-forwarded-proto"] == b"https"
    assert sent[b"x-forwarded-host"] == f"localhost:{gw.port}".encode()


def test_forwarded_headers_from_the_client_are_appended_to_or_replaced(
    gw: Harness, pki: Pki
) -> None:
    gw.client(pki.client).request(
        "/echo/x",
        headers={
            "X-Forwarded-For": "203.0.113.7",
            "X-Forwarded-Proto": "http",
            "X-Forwarded-Host": "evil.example",
        },
    )
    sent = _sent_headers(gw)
    assert sent[b"x-forwarded-for"] == b"203.0.113.7, 127.0.0.1"
    assert sent[b"x-forwarded-proto"] == b"https"
    assert sent[b"x-forwarded-host"] == f"localhost:{gw.port}".encode()


def test_a_policys_forwarded_host_wins(gw: Harness, pki: Pki) -> None:
    gw.client(pki.client).request("/fwd/x", headers={"X-Forwarded-Host": "evil.example"})
    assert _sent_headers(gw)[b"x-forwarded-host"] == b"public.example"


# --- timeouts -----------------------------------------------------------------------------------


def test_forward_request_timeout_defaults_to_apims_300_seconds() -> None:
    doc = load_document(
        "<policies><backend><forward-request /></backend></policies>", source="t", scope="api"
    )
    (node,) = EffectivePolicy.compose([doc]).backend
    assert isinstance(node, ForwardRequest) and node.timeout == 300.0


def test_backend_connect_timeout_is_504(gw: Harness, pki: Pki) -> None:
    started = time.monotonic()
    reply = gw.client(pki.client).request("/blackhole/x")
    assert reply.status == 504 and json.loads(reply.body)["statusCode"] == 504
    assert time.monotonic() - started < 9  # backendConnectTimeout (0.5 s), not a hang


def test_unreachable_backend_is_502_not_504(gw: Harness, pki: Pki) -> None:
    assert gw.client(pki.client).request("/dead/x").status == 502


def test_backend_stalling_after_the_head_aborts_the_client_connection(wire: Wire) -> None:
    wire.send(get("/scripted/stall"))
    status, headers, _ = wire.head()
    assert status == 200 and headers["content-length"] == "100"
    rest = wire.rest()  # forward-request timeout="1": then the connection is cut
    assert rest == b"x" * 10  # what the backend sent, and no error appended


# --- a backend failing after the head went out --------------------------------------------------


def test_backend_failing_mid_body_aborts_the_client_connection(wire: Wire) -> None:
    wire.send(get("/scripted/truncate"))
    status, headers, _ = wire.head()
    assert status == 200 and headers["content-length"] == "100"
    assert wire.rest() == b"x" * 10


def test_backend_failing_before_the_head_is_a_502_response(wire: Wire) -> None:
    wire.send(get("/scripted/hangup"))
    status, _, body = wire.response()
    assert status == 502 and json.loads(body)["statusCode"] == 502
    wire.send(get("/echo/x"))  # the client connection is fine
    assert wire.response()[0] == 200


def test_chunked_response_streams_chunked_to_http11(wire: Wire) -> None:
    wire.send(get("/scripted/chunked"))
    status, headers, body = wire.response()
    assert (status, headers["transfer-encoding"], body) == (200, "chunked", b"hello world")


def test_unknown_length_response_to_http10_ends_with_the_connection(wire: Wire) -> None:
    wire.send(b"GET /scripted/chunked HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    status, headers, body = wire.response()
    assert (status, body) == (200, b"hello world")
    assert "transfer-encoding" not in headers and headers["connection"] == "close"


def test_response_delimited_by_eof_is_relayed(wire: Wire) -> None:
    wire.send(get("/scripted/eof"))
    status, headers, body = wire.response()
    assert (status, headers["transfer-encoding"], body) == (200, "chunked", b"until-the-end")


def test_informational_responses_are_not_relayed(wire: Wire) -> None:
    wire.send(get("/scripted/hints"))
    assert wire.response()[:3:2] == (200, b"final")


# --- 421 Misdirected Request --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sni", "host"),
    [("localhost", "other.localhost"), ("other.localhost", "localhost:443")],
)
def test_host_with_other_client_certificate_settings_is_421(
    gw: Harness, pki: Pki, sni: str, host: str
) -> None:
    w = Wire(gw.client(pki.client, sni=sni))
    try:
        w.send(get("/echo/x", host=host))
        status, _, body = w.response()
        assert status == 421
        error = json.loads(body)
        assert error["statusCode"] == 421 and error["activityId"]
        w.send(get("/echo/x", host=sni))  # the connection stays usable for its own host
        assert w.response()[0] == 200
    finally:
        w.close()


@pytest.mark.parametrize("host", ["twin.localhost", "TWIN.localhost:8443", "unknown.example"])
def test_host_with_the_same_settings_or_not_configured_is_served(
    gw: Harness, pki: Pki, host: str
) -> None:
    w = Wire(gw.client(pki.client, sni="localhost"))
    try:
        w.send(get("/echo/x", host=host))
        assert w.response()[0] == 200
    finally:
        w.close()


# --- health -------------------------------------------------------------------------------------


@pytest.mark.parametrize("sni", ["localhost", "other.localhost"])
def test_health_endpoint_on_every_hostname(gw: Harness, pki: Pki, sni: str) -> None:
    before = len(gw.backend_log)
    reply = gw.client(None, sni=sni).request("/status-0123456789abcdef")
    assert (reply.status, reply.body, reply.header("Content-Length")) == (200, b"", "0")
    assert len(gw.backend_log) == before  # answered by the gateway, no policy, no backend


def test_other_paths_are_routed_as_usual(gw: Harness, pki: Pki) -> None:
    client = gw.client(None)
    assert client.request("/status-0123456789abcdef/x").status == 404
    assert client.request("/status-0123456789abcdeg").status == 404


# --- access log ---------------------------------------------------------------------------------


def _access_lines(caplog: pytest.LogCaptureFixture, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [r.getMessage() for r in caplog.records if r.name == "certgate.access"]
        if len(lines) >= count:
            return [json.loads(line) for line in lines]
        time.sleep(0.02)
    raise AssertionError("no access log line")


def test_access_log_line_per_request(
    gw: Harness, pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="certgate.access")
    client = gw.client(pki.client)
    client.request("/echo/body", method="POST", body=b"12345")
    client.request("/dead/x")
    ok, failed = _access_lines(caplog, 2)
    assert ok["status"] == 200 and ok["api"] == "echo" and ok["operation"] == "echo"
    assert ok["method"] == "POST" and ok["bytesReceived"] == 5 and ok["bytesSent"] > 5
    assert ok["clientIp"] == "127.0.0.1" and ok["hostname"] == "localhost"
    assert ok["clientCertificateThumbprint"] == pki.client.thumbprint
    assert "Client 01" in ok["clientCertificateSubject"]
    assert ok["lastErrorReason"] is None and ok["durationMs"] >= 0
    assert len(ok["requestId"]) == 36 and ok["time"].endswith("Z")
    assert failed["status"] == 502 and failed["lastErrorReason"] == "BackendConnectionFailure"


def test_access_log_has_no_header_values_or_query(
    gw: Harness, pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="certgate.access")
    gw.client(None).request(
        "/nothing?subscription-key=SECRET1", headers={"Authorization": "Bearer SECRET2"}
    )
    (line,) = _access_lines(caplog, 1)
    assert line["status"] == 404 and line["lastErrorReason"] == "OperationNotFound"
    assert line["clientCertificateThumbprint"] is None and line["api"] is None
    text = json.dumps(line)
    assert "SECRET" not in text and "subscription-key" not in text


def test_access_log_notes_a_backend_failing_after_the_head(
    gw: Harness, pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="certgate.access")
    w = Wire(gw.client(pki.client))
    try:
        w.send(get("/scripted/truncate"))
        w.rest()
    finally:
        w.close()
    (line,) = _access_lines(caplog, 1)
    assert line["status"] == 200 and line["lastErrorReason"] == "BackendConnectionFailure"


def test_access_log_off_writes_nothing(caplog: pytest.LogCaptureFixture) -> None:
    from certgate.io import accesslog

    try:
        accesslog.configure("off")
        assert not accesslog.enabled()
        accesslog.configure("stderr")
        assert accesslog.enabled()
    finally:
        accesslog.reset()
