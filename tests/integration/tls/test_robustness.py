"""Protocol floor, proof of key possession, hostile or idle clients, and the transport contract."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import ssl
import threading
import time

import pytest

from certgate.io.tls import pyopenssl, stdlib
from tests.integration.tls.conftest import Client, Pki, Serve, client_context, connect

# --- protocol versions ----------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls11_client_is_refused(serve: Serve, tls_pki: Pki) -> None:
    port = serve([tls_pki.server_a.hostname("a.test")])
    with pytest.raises(ssl.SSLError):
        connect(port, "a.test", version=ssl.TLSVersion.TLSv1_1)


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_tls12_and_tls13_clients_are_accepted(
    serve: Serve, tls_pki: Pki, version: ssl.TLSVersion
) -> None:
    port = serve([tls_pki.server_a.hostname("a.test", negotiate=True)])
    with connect(port, "a.test", tls_pki.trusted, version) as c:
        info = c.info()
        cipher = c.sock.cipher()
    assert (
        info["version"]
        == {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]
    )
    assert info["leaf"] == tls_pki.trusted.leaf_der
    assert cipher is not None and ("GCM" in cipher[0] or "CHACHA20" in cipher[0])


def test_tls12_client_offering_only_weak_suites_is_refused(serve: Serve, tls_pki: Pki) -> None:
    port = serve([tls_pki.server_a.hostname("a.test")])
    ctx = client_context(version=ssl.TLSVersion.TLSv1_2)
    ctx.set_ciphers("ECDHE+AES128+SHA")  # CBC only: no AEAD
    with pytest.raises(ssl.SSLError):
        Client(port, ctx, "a.test")


# --- proof of key possession -----------------------------------------------------------------


class _Relay:
    """TCP relay that can flip one bit of the client's TLS 1.2 CertificateVerify signature (sent
    in the clear before ChangeCipherSpec): a client that holds a certificate but not its key."""

    def __init__(self, port: int, tamper: bool) -> None:
        self.target, self.tamper = port, tamper
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with self.listener:
            client, _ = self.listener.accept()
        server = socket.create_connection(("127.0.0.1", self.target))
        threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()
        self._pipe(client, server, self.tamper)

    def _pipe(self, src: socket.socket, dst: socket.socket, tamper: bool) -> None:
        buffer = bytearray()
        try:
            while data := src.recv(65536):
                if not tamper:
                    dst.sendall(data)
                    continue
                buffer += data
                out = bytearray()
                while tamper and len(buffer) >= 5:  # whole plaintext records until CCS
                    size = 5 + int.from_bytes(buffer[3:5])
                    if len(buffer) < size:
                        break
                    record = buffer[:size]
                    del buffer[:size]
                    if record[0] == 22:  # handshake
                        _flip_certificate_verify(record)
                    elif record[0] == 20:  # ChangeCipherSpec: the rest is encrypted
                        tamper = False
                    out += record
                if not tamper:
                    out += buffer
                    buffer.clear()
                dst.sendall(out)
        except OSError:
            pass
        finally:
            for sock in (dst, src):  # shutdown(), not just close(): wakes the other thread's recv
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()


def _flip_certificate_verify(record: bytearray) -> None:
    pos = 5
    while pos + 4 <= len(record):
        kind, size = record[pos], int.from_bytes(record[pos + 1 : pos + 4])
        if kind == 15:  # certificate_verify: spoil the last byte of the signature
            record[pos + 4 + size - 1] ^= 0x01
        pos += 4 + size


@pytest.mark.parametrize("tamper", [False, True], ids=["intact", "spoiled-signature"])
def test_certificate_without_proof_of_key_possession_is_refused(
    serve: Serve, tls_pki: Pki, tamper: bool
) -> None:
    port = serve([tls_pki.server_a.hostname("a.test", negotiate=True)])
    relay = _Relay(port, tamper)
    ctx = client_context(tls_pki.trusted, ssl.TLSVersion.TLSv1_2)
    if not tamper:
        with Client(relay.port, ctx, "a.test") as c:
            assert c.info()["leaf"] == tls_pki.trusted.leaf_der
        return
    with pytest.raises((ssl.SSLError, ConnectionError)):
        with Client(relay.port, ctx, "a.test") as c:
            c.info()


# --- hostile and idle clients ----------------------------------------------------------------


def test_garbage_closes_quietly_and_the_next_client_is_served(
    serve: Serve, tls_pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    port = serve([tls_pki.server_a.hostname("a.test", negotiate=True)])
    caplog.set_level(logging.INFO)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\nHost: a.test\r\n\r\n" * 4)
        received = b""
        while chunk := raw.recv(4096):
            received += chunk
    assert not received.startswith(b"HTTP")  # at most a TLS alert, then EOF
    with connect(port, "a.test", tls_pki.trusted) as c:
        assert c.info()["leaf"] == tls_pki.trusted.leaf_der
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_idle_handshake_times_out(
    serve: Serve, tls_pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stdlib, "HANDSHAKE_TIMEOUT", 0.3)
    monkeypatch.setattr(pyopenssl, "HANDSHAKE_TIMEOUT", 0.3)
    port = serve([tls_pki.server_a.hostname("a.test")])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as idle:
        started = time.monotonic()
        with connect(port, "a.test") as active:  # twin: a real client is unaffected
            assert active.ask("hello") == "hello"
        try:
            assert idle.recv(100) == b""
        except ConnectionResetError:
            pass
        assert time.monotonic() - started < 3


# --- the transport contract ------------------------------------------------------------------


def test_transport_extra_info_flow_control_and_large_writes(serve: Serve, tls_pki: Pki) -> None:
    port = serve([tls_pki.server_a.hostname("a.test")])
    with connect(port, "a.test") as c:
        extra = json.loads(c.ask("extra"))
        assert extra["peername"][1] == c.sock.getsockname()[1]
        assert extra["sockname"][1] == port
        assert extra["socket"] and not extra["closing"]
        assert c.ask("pause") == "paused"
        assert [c.ask(f"line {i}") for i in range(3)] == [f"line {i}" for i in range(3)]
        size = 4 * 1024 * 1024  # several times the write buffer high-water mark
        assert c.ask(f"big {size}") == "x" * size
        assert c.ask("still there") == "still there"


def test_close_sends_close_notify(serve: Serve, tls_pki: Pki) -> None:
    port = serve([tls_pki.server_a.hostname("a.test")])
    with connect(port, "a.test") as c:
        c.sock.sendall(b"close\n")
        # suppress_ragged_eofs=False: an EOF without close_notify would raise SSLEOFError.
        assert c.sock.recv(100) == b""


def test_client_close_notify_is_answered(serve: Serve, tls_pki: Pki) -> None:
    port = serve([tls_pki.server_a.hostname("a.test")])
    c = connect(port, "a.test")
    assert c.ask("ping") == "ping"
    c.reader.close()
    raw = c.sock.unwrap()  # sends close_notify and waits for the server's
    raw.close()
