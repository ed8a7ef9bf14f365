"""TLS posture of the listener, on both backends (docs/reliability.md, "TLS posture").

Protocol versions, cipher suites and compression are probed with hand-built ClientHellos: they
offer exactly what a test names (an SSLv3 hello, only RSA key exchange, only DEFLATE), which no
modern client library can still be made to send, and the server's first record says whether it
accepted (ServerHello: its choice) or refused (an alert or a close). Renegotiation is attempted
by a real OpenSSL client (pyOpenSSL); session tickets by the stdlib `ssl` client.
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import trustme
from OpenSSL import SSL

from tests.integration.tls.conftest import (
    Client,
    Identity,
    Pki,
    Serve,
    _from_trustme,
    client_context,
)

# Cipher suite code points (IANA).
ECDHE_ECDSA_AES128_GCM = 0xC02B
ECDHE_ECDSA_AES256_GCM = 0xC02C
ECDHE_ECDSA_CHACHA20 = 0xCCA9
ECDHE_RSA_AES128_GCM = 0xC02F
ECDHE_RSA_AES256_GCM = 0xC030
ECDHE_RSA_CHACHA20 = 0xCCA8
ALLOWED_ECDSA = [ECDHE_ECDSA_AES256_GCM, ECDHE_ECDSA_CHACHA20, ECDHE_ECDSA_AES128_GCM]
ALLOWED_RSA = [ECDHE_RSA_AES256_GCM, ECDHE_RSA_CHACHA20, ECDHE_RSA_AES128_GCM]
ALERT_PROTOCOL_VERSION = 70
ALERT_HANDSHAKE_FAILURE = 40


@pytest.fixture(scope="module")
def rsa_server(tmp_path_factory: pytest.TempPathFactory) -> Identity:
    """RSA-keyed server: RSA key transport and DHE-RSA suites are only possible with one."""
    ca = trustme.CA(key_type=trustme.KeyType.RSA)
    folder = tmp_path_factory.mktemp("rsa")
    return _from_trustme(folder, "rsa", ca.issue_cert("r.test", key_type=trustme.KeyType.RSA))


# --- hand-built ClientHello -------------------------------------------------------------------


def _ext(kind: int, body: bytes) -> bytes:
    return struct.pack("!HH", kind, len(body)) + body


def client_hello(
    version: int, suites: list[int], compression: bytes = b"\x00", sni: str = "a.test"
) -> bytes:
    """A TLS ClientHello (no supported_versions extension: `version` is all it offers)."""
    name = sni.encode()
    groups = [0x001D, 0x0017, 0x0018]  # x25519, secp256r1, secp384r1
    sigalgs = [0x0403, 0x0503, 0x0804, 0x0805, 0x0401, 0x0501, 0x0201, 0x0203]
    extensions = b"".join(
        [
            _ext(0, struct.pack("!HBH", len(name) + 3, 0, len(name)) + name),  # server_name
            _ext(10, struct.pack("!H", 2 * len(groups)) + struct.pack(f"!{len(groups)}H", *groups)),
            _ext(11, b"\x01\x00"),  # ec_point_formats: uncompressed
            _ext(
                13, struct.pack("!H", 2 * len(sigalgs)) + struct.pack(f"!{len(sigalgs)}H", *sigalgs)
            ),
            _ext(0xFF01, b"\x00"),  # renegotiation_info (RFC 5746), initial handshake
        ]
    )
    body = (
        struct.pack("!H", version)
        + os.urandom(32)
        + b"\x00"  # no session id
        + struct.pack("!H", 2 * len(suites))
        + struct.pack(f"!{len(suites)}H", *suites)
        + bytes([len(compression)])
        + compression
        + struct.pack("!H", len(extensions))
        + extensions
    )
    handshake = b"\x01" + len(body).to_bytes(3) + body
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


@dataclass(frozen=True)
class Answer:
    kind: str  # "hello", "alert" or "closed"
    version: int = 0  # ServerHello: the chosen version
    suite: int = 0  # ServerHello: the chosen cipher suite
    compression: int = -1  # ServerHello: the chosen compression method
    alert: int = -1  # alert description


def _read(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def probe(port: int, hello: bytes) -> Answer:
    """Send `hello`; the server's first record, decoded."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(hello)
        try:
            head = _read(sock, 5)
            body = _read(sock, int.from_bytes(head[3:5])) if len(head) == 5 else b""
        except ConnectionResetError:
            return Answer("closed")
    if len(head) < 5 or not body:
        return Answer("closed")
    if head[0] == 21:  # alert: level, description
        return Answer("alert", alert=body[1])
    assert head[0] == 22 and body[0] == 2, f"unexpected first record {head.hex()} {body[:8].hex()}"
    pos = 4 + 2 + 32  # handshake header, version, random
    pos += 1 + body[pos]  # session id
    suite = int.from_bytes(body[pos : pos + 2])
    return Answer("hello", int.from_bytes(body[4:6]), suite, body[pos + 2])


# --- protocol versions ------------------------------------------------------------------------


@pytest.mark.parametrize("version", [0x0300, 0x0301, 0x0302], ids=["sslv3", "tls1.0", "tls1.1"])
def test_hellos_below_tls12_are_refused(serve: Serve, tls_pki: Pki, version: int) -> None:
    port = serve([tls_pki.server_a.hostname("a.test")])
    answer = probe(port, client_hello(version, [*ALLOWED_ECDSA, 0xC009, 0xC00A, 0x002F]))
    assert answer.kind in ("alert", "closed")
    assert answer.alert in (-1, ALERT_PROTOCOL_VERSION)


def test_tls12_hello_is_accepted_and_tls13_negotiated_by_real_clients(
    serve: Serve, tls_pki: Pki
) -> None:
    port = serve([tls_pki.server_a.hostname("a.test")])
    answer = probe(port, client_hello(0x0303, ALLOWED_ECDSA))
    assert (answer.kind, answer.version) == ("hello", 0x0303)
    with Client(port, client_context(), "a.test") as c:
        assert c.sock.version() == "TLSv1.3"
        assert c.sock.compression() is None


# --- cipher suites ----------------------------------------------------------------------------


@pytest.mark.parametrize("suite", ALLOWED_ECDSA, ids=hex)
def test_each_allowed_ecdsa_suite_is_accepted(serve: Serve, tls_pki: Pki, suite: int) -> None:
    port = serve([tls_pki.server_a.hostname("a.test")])
    assert probe(port, client_hello(0x0303, [suite])).suite == suite


@pytest.mark.parametrize("suite", ALLOWED_RSA, ids=hex)
def test_each_allowed_rsa_suite_is_accepted(serve: Serve, rsa_server: Identity, suite: int) -> None:
    port = serve([rsa_server.hostname("r.test")])
    assert probe(port, client_hello(0x0303, [suite], sni="r.test")).suite == suite


WEAK_FOR_ECDSA = {
    "cbc-sha1": [0xC009, 0xC00A],  # ECDHE-ECDSA-AES*-SHA
    "cbc-sha2": [0xC023, 0xC024],  # ECDHE-ECDSA-AES*-SHA256/384
    "ccm": [0xC0AC, 0xC0AD],  # ECDHE-ECDSA-AES*-CCM (AEAD, but outside the list)
    "3des": [0xC008],
    "null": [0xC006],  # ECDHE-ECDSA-NULL-SHA
    "anon": [0xC018, 0xC019],  # ECDH-anon: no authentication
}
WEAK_FOR_RSA = {
    "rsa-kx-gcm": [0x009C, 0x009D],  # RSA key transport: no forward secrecy
    "rsa-kx-cbc": [0x002F, 0x0035, 0x003C],
    "dhe-rsa": [0x009E, 0x009F, 0xCCAA],  # finite-field DHE
    "ecdhe-rsa-cbc": [0xC013, 0xC014, 0xC027],
}


@pytest.mark.parametrize("name", sorted(WEAK_FOR_ECDSA))
def test_hellos_offering_only_weak_suites_are_refused_ecdsa(
    serve: Serve, tls_pki: Pki, name: str
) -> None:
    port = serve([tls_pki.server_a.hostname("a.test")])
    answer = probe(port, client_hello(0x0303, WEAK_FOR_ECDSA[name]))
    assert answer.kind in ("alert", "closed")
    assert answer.alert in (-1, ALERT_HANDSHAKE_FAILURE)


@pytest.mark.parametrize("name", sorted(WEAK_FOR_RSA))
def test_hellos_offering_only_weak_suites_are_refused_rsa(
    serve: Serve, rsa_server: Identity, name: str
) -> None:
    port = serve([rsa_server.hostname("r.test")])
    answer = probe(port, client_hello(0x0303, WEAK_FOR_RSA[name], sni="r.test"))
    assert answer.kind in ("alert", "closed")
    assert answer.alert in (-1, ALERT_HANDSHAKE_FAILURE)


def test_server_order_wins_over_the_clients(serve: Serve, tls_pki: Pki) -> None:
    port = serve([tls_pki.server_a.hostname("a.test")])
    weakest_first = [ECDHE_ECDSA_AES128_GCM, ECDHE_ECDSA_CHACHA20, ECDHE_ECDSA_AES256_GCM]
    for offer in (weakest_first, list(reversed(weakest_first))):
        assert probe(port, client_hello(0x0303, offer)).suite == ECDHE_ECDSA_AES256_GCM
    # A weak suite listed first does not get picked either.
    assert probe(port, client_hello(0x0303, [0xC009, *weakest_first])).suite == (
        ECDHE_ECDSA_AES256_GCM
    )


# --- compression ------------------------------------------------------------------------------


def test_compression_is_never_chosen(serve: Serve, tls_pki: Pki) -> None:
    port = serve([tls_pki.server_a.hostname("a.test")])
    answer = probe(port, client_hello(0x0303, ALLOWED_ECDSA, compression=b"\x01\x00"))
    assert (answer.kind, answer.compression) == ("hello", 0)  # DEFLATE offered first: null taken


def test_a_hello_offering_only_deflate_is_refused(serve: Serve, tls_pki: Pki) -> None:
    port = serve([tls_pki.server_a.hostname("a.test")])
    answer = probe(port, client_hello(0x0303, ALLOWED_ECDSA, compression=b"\x01"))
    assert answer.kind in ("alert", "closed")


# --- renegotiation ----------------------------------------------------------------------------

_OP_ALLOW_CLIENT_RENEGOTIATION = 0x100  # OpenSSL 3: SSL_OP_BIT(8); off by default since 3.0
_TEN_SECONDS = struct.pack("ll", 10, 0)  # struct timeval for SO_RCVTIMEO


def renegotiate(port: int, sni: str) -> tuple[int, bytes]:
    """TLS 1.2 connection, one echo, a client-initiated renegotiation, one more echo; returns
    (renegotiations completed, what came back after it). Raises SSL.Error when refused."""
    ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
    ctx.set_max_proto_version(SSL.TLS1_2_VERSION)
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    # A receive timeout on the still-blocking socket: OpenSSL sees a failed read, not a hang.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _TEN_SECONDS)
    sock.settimeout(None)
    conn = SSL.Connection(ctx, sock)
    try:
        conn.set_tlsext_host_name(sni.encode())
        conn.set_connect_state()
        conn.do_handshake()
        conn.sendall(b"before\n")
        assert conn.recv(100) == b"before\n"
        assert conn.renegotiate()
        conn.do_handshake()  # sends the new ClientHello, reads the server's answer
        conn.sendall(b"after\n")
        after = conn.recv(100)
        return conn.total_renegotiations(), after
    finally:
        sock.close()


@pytest.fixture
def permissive_server(tls_pki: Pki) -> Iterator[int]:
    """A bare pyOpenSSL echo server that allows client renegotiation: proves that `renegotiate`
    really renegotiates when a server lets it."""
    ctx = SSL.Context(SSL.TLS_SERVER_METHOD)
    ctx.set_max_proto_version(SSL.TLS1_2_VERSION)
    ctx.set_options(_OP_ALLOW_CLIENT_RENEGOTIATION)
    ctx.use_certificate_chain_file(str(tls_pki.server_a.cert_file))
    ctx.use_privatekey_file(str(tls_pki.server_a.key_file))
    listener = socket.create_server(("127.0.0.1", 0))

    def serve_one() -> None:
        with contextlib.suppress(OSError, SSL.Error):
            raw, _ = listener.accept()
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _TEN_SECONDS)
            conn = SSL.Connection(ctx, raw)
            conn.set_accept_state()
            with raw:
                while data := conn.recv(100):
                    conn.sendall(data)

    thread = threading.Thread(target=serve_one, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    listener.close()
    thread.join(10)


def test_renegotiation_works_against_a_permissive_server(permissive_server: int) -> None:
    assert renegotiate(permissive_server, "a.test") == (1, b"after\n")


def test_client_initiated_renegotiation_is_refused(serve: Serve, tls_pki: Pki) -> None:
    port = serve([tls_pki.server_a.hostname("a.test", negotiate=True)])
    with pytest.raises(SSL.Error, match=r"no renegotiation|no_renegotiation|NO_RENEGOTIATION"):
        renegotiate(port, "a.test")


# --- session tickets --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "version", [ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2], ids=["tls1.3", "tls1.2"]
)
def test_a_session_resumes_only_on_the_listener_that_issued_it(
    serve: Serve, tls_pki: Pki, version: ssl.TLSVersion
) -> None:
    """Ticket keys (stdlib) and session caches (pyopenssl) are random per listener and process:
    a session from one listener is worthless on another, even with the same certificate."""
    hosts = [tls_pki.server_a.hostname("a.test")]
    issuer, other = serve(hosts), serve(hosts)
    ctx = client_context(version=version)
    with Client(issuer, ctx, "a.test") as c:
        assert c.ask("hi") == "hi"  # TLS 1.3: the tickets arrive after the handshake
        session = c.sock.session
    assert session is not None and session.timeout == 7200
    with Client(other, ctx, "a.test", session) as c:
        assert not c.sock.session_reused
    with Client(issuer, ctx, "a.test", session) as c:
        assert c.sock.session_reused
