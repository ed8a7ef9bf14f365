"""certgate's ASGI host over raw sockets: framing, limits, keep-alive, pipelining, timeouts, errors,
and the ASGI TLS extension on a real TLS listener (both TLS backends)."""

from __future__ import annotations

import json
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from certgate.admin.asgi_host import AsgiServer, HostLimits, Receive, Scope, Send, serve
from certgate.io.tls import get_backend
from certgate.io.tls.base import TlsHostname
from certgate.testing.pki import DemoPki
from tests.harness import LoopThread

Seen = list[dict[str, Any]]


def echo_app(seen: Seen) -> Any:
    """Answers with what it saw: method, path, raw path, query, body length, TLS extension."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        body = message.get("body", b"")
        tls = scope["extensions"].get("tls")
        seen.append({"scope": scope, "body": body})
        if scope["path"] == "/boom":
            raise RuntimeError("app failure with a secret")
        if scope["path"] == "/nothing":
            return
        if scope["path"] == "/boom-late":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"partial", "more_body": True})
            raise RuntimeError("late failure")
        if scope["path"] == "/wait-disconnect":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
            seen.append({"after": await receive()})
            return
        out = {
            "method": scope["method"],
            "path": scope["path"],
            "raw_path": scope["raw_path"].decode(),
            "query": scope["query_string"].decode(),
            "length": len(body),
            "scheme": scope["scheme"],
            "http_version": scope["http_version"],
            "tls": None
            if tls is None
            else {k: v for k, v in tls.items() if k != "client_cert_der"},
        }
        data = json.dumps(out).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"x-split", b"a\r\nb: c")],
            }
        )
        await send({"type": "http.response.body", "body": data[:5], "more_body": True})
        await send({"type": "http.response.body", "body": data[5:]})

    return app


@pytest.fixture(scope="module")
def loop() -> Iterator[LoopThread]:
    thread = LoopThread()
    yield thread
    thread.stop()


class Host:
    def __init__(self, loop: LoopThread, server: AsgiServer, seen: Seen) -> None:
        self.loop = loop
        self.server = server
        self.seen = seen
        self.port = server.address[1]

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)


@pytest.fixture
def start(loop: LoopThread) -> Iterator[Any]:
    servers: list[AsgiServer] = []

    def run(limits: HostLimits | None = None) -> Host:
        seen: Seen = []
        server = loop.run(serve(echo_app(seen), "127.0.0.1", 0, limits=limits))
        servers.append(server)
        return Host(loop, server, seen)

    yield run
    for server in servers:
        loop.call(server.close)
        loop.run(server.wait_closed())


_PENDING: dict[int, bytes] = {}  # bytes read past one response, per socket


def read_response(
    sock: socket.socket, head_only: bool = False
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response from a socket (Content-Length framed); keeps what follows it."""
    buf = _PENDING.pop(sock.fileno(), b"")
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response head: {buf!r}")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = 0 if head_only else int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    if rest[length:]:
        _PENDING[sock.fileno()] = rest[length:]
    return status, headers, rest[:length]


def closed(sock: socket.socket, within: float = 5.0) -> bool:
    sock.settimeout(within)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def request(path: str, method: str = "GET", body: bytes = b"", extra: str = "") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\n{extra}"
    if body or method in ("PUT", "POST"):
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


# --- framing and keep-alive --------------------------------------------------------------------------


def test_keep_alive_serves_several_requests_on_one_connection(start: Any) -> None:
    host = start()
    with host.connect() as sock:
        for i in range(3):
            sock.sendall(request(f"/r{i}?x={i}", "PUT", b"a" * i))
            status, headers, body = read_response(sock)
            assert status == 200
            assert "connection" not in headers
            seen = json.loads(body)
            assert (seen["path"], seen["query"], seen["length"]) == (f"/r{i}", f"x={i}", i)
    assert len(host.seen) == 3


def test_pipelined_requests_are_answered_in_order(start: Any) -> None:
    host = start()
    with host.connect() as sock:
        sock.sendall(b"".join(request(f"/p{i}") for i in range(6)))
        paths = [json.loads(read_response(sock)[2])["path"] for _ in range(6)]
    assert paths == [f"/p{i}" for i in range(6)]


def test_connection_close_and_http10_close_after_the_response(start: Any) -> None:
    host = start()
    with host.connect() as sock:
        sock.sendall(request("/a", extra="Connection: close\r\n"))
        status, headers, _ = read_response(sock)
        assert (status, headers["connection"]) == (200, "close")
        assert closed(sock)
    with host.connect() as sock:
        sock.sendall(b"GET /b HTTP/1.0\r\n\r\n")
        assert read_response(sock)[0] == 200
        assert closed(sock)


def test_chunked_request_bodies_are_read(start: Any) -> None:
    host = start()
    with host.connect() as sock:
        sock.sendall(
            b"PUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        )
        assert json.loads(read_response(sock)[2])["length"] == 11
    assert host.seen[0]["body"] == b"hello world"


def test_head_gets_no_body(start: Any) -> None:
    host = start()
    with host.connect() as sock:
        sock.sendall(request("/h", "HEAD") + request("/after"))
        status, headers, _ = read_response(sock, head_only=True)
        assert status == 200
        assert int(headers["content-length"]) > 0
        # The next response starts right away: no body bytes were sent for HEAD.
        assert json.loads(read_response(sock)[2])["path"] == "/after"


def test_paths_are_decoded_and_raw_path_kept(start: Any) -> None:
    host = start()
    with host.connect() as sock:
        sock.sendall(request("/apis/a%2Fb%20c?q=%20"))
        seen = json.loads(read_response(sock)[2])
    assert seen["path"] == "/apis/a/b c"
    assert seen["raw_path"] == "/apis/a%2Fb%20c"
    assert seen["query"] == "q=%20"
    assert seen["scheme"] == "http"
    assert seen["tls"] is None


def test_expect_continue_gets_100_then_the_answer(start: Any) -> None:
    host = start()
    with host.connect() as sock:
        sock.sendall(
            b"PUT /e HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"
        )
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(b"abc")
        assert json.loads(read_response(sock)[2])["length"] == 3


def test_header_values_cannot_split_the_response(start: Any) -> None:
    host = start()
    with host.connect() as sock:
        sock.sendall(request("/x"))
        _, headers, _ = read_response(sock)
    assert "x-split" not in headers
    assert "b" not in headers


# --- limits ------------------------------------------------------------------------------------------


def assert_apim_error(body: bytes, code: str) -> None:
    error = json.loads(body)["error"]
    assert error["code"] == code
    assert error["message"]


def test_content_length_over_the_cap_is_413_before_the_body(start: Any) -> None:
    host = start(HostLimits(max_body=1000))
    with host.connect() as sock:
        # Only the head is sent: the answer must come without the body.
        sock.sendall(b"PUT /big HTTP/1.1\r\nHost: x\r\nContent-Length: 20971520\r\n\r\n")
        status, headers, body = read_response(sock)
        assert status == 413
        assert headers["connection"] == "close"
        assert headers["content-type"].startswith("application/json")
        assert_apim_error(body, "RequestEntityTooLarge")
    assert host.seen == []


def test_twenty_megabytes_sent_anyway_get_413_not_a_reset(start: Any) -> None:
    host = start(HostLimits(max_body=1000))
    with host.connect() as sock:
        sock.sendall(b"PUT /big HTTP/1.1\r\nHost: x\r\nContent-Length: 20971520\r\n\r\n")
        sent = 0
        chunk = b"x" * 65536
        try:
            while sent < 20 * 1024 * 1024:
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, _, body = read_response(sock)
    assert status == 413
    assert_apim_error(body, "RequestEntityTooLarge")
    assert host.seen == []


def test_chunked_body_over_the_cap_is_413(start: Any) -> None:
    host = start(HostLimits(max_body=10))
    with host.connect() as sock:
        sock.sendall(
            b"PUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n"
        )
        sock.sendall(b"8\r\n12345678\r\n")
        status, _, _ = read_response(sock)
    assert status == 413
    assert host.seen == []


def test_body_exactly_at_the_cap_is_accepted(start: Any) -> None:
    host = start(HostLimits(max_body=10))
    with host.connect() as sock:
        sock.sendall(request("/ok", "PUT", b"0123456789"))
        assert read_response(sock)[0] == 200


def test_oversized_head_is_431(start: Any) -> None:
    host = start(HostLimits(max_header_bytes=1024))
    with host.connect() as sock:
        sock.sendall(request("/h", extra="X-Big: " + "a" * 2000 + "\r\n"))
        status, _, body = read_response(sock)
    assert status == 431
    assert_apim_error(body, "RequestHeaderFieldsTooLarge")


@pytest.mark.parametrize(
    "raw",
    [
        b"NOT HTTP AT ALL\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"GET /\xff HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /%ff HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
)
def test_malformed_requests_get_400_and_close(start: Any, raw: bytes) -> None:
    host = start()
    with host.connect() as sock:
        sock.sendall(raw)
        status, _, body = read_response(sock)
        assert status == 400
        assert_apim_error(body, "ValidationError")
        assert closed(sock)


def test_unknown_expectation_is_417(start: Any) -> None:
    host = start()
    with host.connect() as sock:
        sock.sendall(request("/x", "PUT", b"", extra="Expect: something\r\n"))
        assert read_response(sock)[0] == 417


def test_slow_request_gets_408(start: Any) -> None:
    host = start(HostLimits(request_timeout=0.3))
    with host.connect() as sock:
        sock.sendall(b"PUT /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        status, _, body = read_response(sock)
    assert status == 408
    assert_apim_error(body, "RequestTimeout")


def test_idle_keep_alive_connection_closes(start: Any) -> None:
    host = start(HostLimits(keepalive_timeout=0.3))
    with host.connect() as sock:
        sock.sendall(request("/a"))
        assert read_response(sock)[0] == 200
        assert closed(sock, within=3)  # keep-alive timeout 0.3 s; 3 s is a hang guard


def test_connection_limit_refuses_extra_connections(start: Any) -> None:
    host = start(HostLimits(max_connections=2))
    first, second = host.connect(), host.connect()
    try:
        for sock in (first, second):
            sock.sendall(request("/a"))
            assert read_response(sock)[0] == 200
        with host.connect() as third:
            third.sendall(request("/a"))
            assert closed(third)
    finally:
        first.close()
        second.close()


# --- app failures ------------------------------------------------------------------------------------


def test_app_exception_is_an_apim_500_without_internals(start: Any) -> None:
    host = start()
    with host.connect() as sock:
        sock.sendall(request("/boom"))
        status, _, body = read_response(sock)
        assert status == 500
        assert_apim_error(body, "InternalServerError")
        assert b"secret" not in body
        sock.sendall(request("/next"))  # the connection carries on
        assert read_response(sock)[0] == 200


def test_app_that_answers_nothing_is_500(start: Any) -> None:
    host = start()
    with host.connect() as sock:
        sock.sendall(request("/nothing"))
        assert read_response(sock)[0] == 500


def test_app_failing_mid_response_aborts_the_connection(start: Any) -> None:
    host = start()
    with host.connect() as sock:
        sock.sendall(request("/boom-late"))
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
    assert b"partial" not in data  # a half response is never sent as if it were whole


def test_receive_after_the_response_is_a_disconnect(start: Any) -> None:
    host = start()
    with host.connect() as sock:
        sock.sendall(request("/wait-disconnect"))
        assert read_response(sock)[0] == 200
    deadline = time.monotonic() + 5
    while len(host.seen) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert host.seen[1] == {"after": {"type": "http.disconnect"}}


def test_close_closes_open_keep_alive_connections(loop: LoopThread) -> None:
    seen: Seen = []
    server = loop.run(serve(echo_app(seen), "127.0.0.1", 0))
    with socket.create_connection(server.address, timeout=5) as sock:
        sock.sendall(request("/a"))
        assert read_response(sock)[0] == 200
        loop.call(server.close)
        loop.run(server.wait_closed())
        assert closed(sock)


# --- TLS extension -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_pki() -> DemoPki:
    return DemoPki.create(("localhost",))


@pytest.mark.parametrize("backend", ["stdlib", "pyopenssl"])
def test_tls_extension_carries_the_client_chain(
    loop: LoopThread, demo_pki: DemoPki, tmp_path: Path, backend: str
) -> None:
    seen: Seen = []
    hostname = TlsHostname(
        "localhost", demo_pki.gateway.cert_pem(True), demo_pki.gateway.key_pem(), True, True
    )
    server = loop.run(
        serve(echo_app(seen), "127.0.0.1", 0, tls=get_backend(backend), hostnames=[hostname])
    )
    try:
        ctx = ssl.create_default_context(cafile=str(demo_pki.write(tmp_path)["root"]))
        ctx.load_cert_chain(str(tmp_path / "client.pem"))
        with socket.create_connection(server.address, timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as sock:
                sock.sendall(request("/tls"))
                seen_json = json.loads(read_response(sock)[2])
        tls = seen_json["tls"]
        assert seen_json["scheme"] == "https"
        chain = [x509.load_pem_x509_certificate(p.encode()) for p in tls["client_cert_chain"]]
        assert chain[0] == demo_pki.client.cert
        assert chain[1:] == list(demo_pki.client.chain)
        assert tls["client_cert_name"] == demo_pki.client.cert.subject.rfc4514_string()
        assert tls["tls_version"] in (0x0303, 0x0304)
        assert tls["client_cert_error"] is None
        der = seen[0]["scope"]["extensions"]["tls"]["client_cert_der"]
        assert der == demo_pki.client.der

        # Without a client certificate: an empty chain, no name, no DER.
        plain = ssl.create_default_context(cafile=str(tmp_path / "root.crt"))
        with socket.create_connection(server.address, timeout=5) as raw:
            with plain.wrap_socket(raw, server_hostname="localhost") as sock:
                sock.sendall(request("/tls"))
                tls = json.loads(read_response(sock)[2])["tls"]
        assert tls["client_cert_chain"] == []
        assert tls["client_cert_name"] is None
        assert seen[1]["scope"]["extensions"]["tls"]["client_cert_der"] is None
    finally:
        loop.call(server.close)
        loop.run(server.wait_closed())
