"""Real TLS on 127.0.0.1 against both backends: a uvloop server thread running an echo protocol
that reports its PeerInfo, blocking stdlib-`ssl` clients, certificates made at test time."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import ssl
import threading
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest
import trustme
import uvloop
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certgate.io.tls import get_backend
from certgate.io.tls.base import PeerInfo, TlsBackend, TlsHostname

T = TypeVar("T")
BACKENDS = ["stdlib", "pyopenssl"]


# --- certificates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """A certificate chain (leaf first) and its key, as PEM files and DER."""

    chain_pem: bytes
    key_pem: bytes
    cert_file: Path
    key_file: Path

    @property
    def chain_der(self) -> tuple[bytes, ...]:
        certs = x509.load_pem_x509_certificates(self.chain_pem)
        return tuple(c.public_bytes(serialization.Encoding.DER) for c in certs)

    @property
    def leaf_der(self) -> bytes:
        return self.chain_der[0]

    def hostname(self, name: str, negotiate: bool = False, default: bool = False) -> TlsHostname:
        return TlsHostname(name, self.chain_pem, self.key_pem, negotiate, default)


def _identity(folder: Path, name: str, chain_pem: bytes, key_pem: bytes) -> Identity:
    cert_file, key_file = folder / f"{name}.pem", folder / f"{name}.key"
    cert_file.write_bytes(chain_pem)
    key_file.write_bytes(key_pem)
    return Identity(chain_pem, key_pem, cert_file, key_file)


def _from_trustme(folder: Path, name: str, leaf: trustme.LeafCert) -> Identity:
    chain = b"".join(blob.bytes() for blob in leaf.cert_chain_pems)
    return _identity(folder, name, chain, leaf.private_key_pem.bytes())


def _handmade(
    folder: Path,
    name: str,
    issuer: trustme.CA | None,
    eku: list[x509.ObjectIdentifier],
) -> Identity:
    """A leaf made with `cryptography`: self-signed when `issuer` is None, else signed by it."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    )
    if issuer is None:
        cert = builder.issuer_name(subject).sign(key, hashes.SHA256())
    else:
        ca_cert = x509.load_pem_x509_certificate(issuer.cert_pem.bytes())
        ca_key = serialization.load_pem_private_key(issuer.private_key_pem.bytes(), None)
        cert = builder.issuer_name(ca_cert.subject).sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return _identity(folder, name, cert.public_bytes(serialization.Encoding.PEM), key_pem)


@dataclass(frozen=True)
class Pki:
    server_a: Identity  # a.test
    server_b: Identity  # b.test
    server_wild: Identity  # *.wild.test
    trusted: Identity  # client, issued by the CA the tests call trusted
    chained: Identity  # client leaf + intermediate CA
    unknown_ca: Identity  # client from a CA nobody configured
    self_signed: Identity
    expired: Identity
    server_auth_only: Identity  # EKU serverAuth only


@pytest.fixture(scope="session")
def tls_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("tls-pki")
    ca, other_ca = trustme.CA(), trustme.CA()
    intermediate = ca.create_child_ca()
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    return Pki(
        server_a=_from_trustme(folder, "a", ca.issue_cert("a.test")),
        server_b=_from_trustme(folder, "b", ca.issue_cert("b.test")),
        server_wild=_from_trustme(folder, "wild", ca.issue_cert("*.wild.test")),
        trusted=_from_trustme(folder, "trusted", ca.issue_cert("client@a.test")),
        chained=_from_trustme(folder, "chained", intermediate.issue_cert("deep@a.test")),
        unknown_ca=_from_trustme(folder, "unknown", other_ca.issue_cert("stranger@a.test")),
        self_signed=_handmade(folder, "self-signed", None, [ExtendedKeyUsageOID.CLIENT_AUTH]),
        expired=_from_trustme(
            folder,
            "expired",
            ca.issue_cert("old@a.test", not_before=past, not_after=past + dt.timedelta(days=1)),
        ),
        server_auth_only=_handmade(folder, "server-eku", ca, [ExtendedKeyUsageOID.SERVER_AUTH]),
    )


# --- the server side --------------------------------------------------------------------------


class InfoEcho(asyncio.Protocol):
    """Line protocol: `info` → PeerInfo as JSON, `pause` → pause reading 50 ms, `extra` → a few
    get_extra_info facts, `big N` → N bytes via writelines, `close` → close; else echo."""

    def __init__(self, backend: TlsBackend) -> None:
        self.backend = backend
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TLS transport is not an asyncio.Transport subclass (no isinstance check).
        self.transport = cast(asyncio.Transport, transport)
        self.info = self.backend.peer_info(transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            self.command(line.decode())

    def command(self, line: str) -> None:
        t = self.transport
        if line == "info":
            t.write(json.dumps(_info_json(self.info)).encode() + b"\n")
        elif line == "pause":
            t.pause_reading()
            asyncio.get_running_loop().call_later(0.05, t.resume_reading)
            t.write(b"paused\n")
        elif line == "extra":
            facts = {
                "peername": list(t.get_extra_info("peername")),
                "sockname": list(t.get_extra_info("sockname")),
                "socket": t.get_extra_info("socket") is not None,
                "closing": t.is_closing(),
                "buffered": t.get_write_buffer_size(),
            }
            t.write(json.dumps(facts).encode() + b"\n")
        elif line.startswith("big "):
            size = int(line.split()[1])
            t.writelines([b"x" * (size // 4)] * 4)
            t.write(b"\n")
        elif line == "close":
            t.close()
        else:
            t.write(line.encode() + b"\n")


def _info_json(info: PeerInfo) -> dict[str, Any]:
    return {
        "server_name": info.server_name,
        "hostname": info.hostname,
        "leaf": info.leaf_der.hex() if info.leaf_der else None,
        "chain": [c.hex() for c in info.chain_der],
        "resumed": info.resumed,
        "version": info.version,
    }


class LoopThread:
    def __init__(self) -> None:
        self.loop = uvloop.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="session")
def tls_loop() -> Iterator[LoopThread]:
    lt = LoopThread()
    yield lt
    lt.stop()


@pytest.fixture(params=BACKENDS)
def tls_backend(request: pytest.FixtureRequest) -> TlsBackend:
    return get_backend(request.param)


Serve = Callable[[Sequence[TlsHostname]], int]


@pytest.fixture
def serve(tls_loop: LoopThread, tls_backend: TlsBackend) -> Iterator[Serve]:
    """`serve(hostnames)` → port of a fresh server on 127.0.0.1 (closed after the test)."""
    servers: list[asyncio.AbstractServer] = []

    def start(hostnames: Sequence[TlsHostname]) -> int:
        async def go() -> asyncio.AbstractServer:
            return await tls_backend.start_server(
                lambda: InfoEcho(tls_backend), "127.0.0.1", 0, hostnames
            )

        server = tls_loop.run(go())
        servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    yield start

    async def stop(server: asyncio.AbstractServer) -> None:
        server.close()
        await asyncio.wait_for(server.wait_closed(), 5)

    for server in servers:
        tls_loop.run(stop(server))


# --- the client side --------------------------------------------------------------------------


def client_context(
    cert: Identity | None = None, version: ssl.TLSVersion | None = None
) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # tests compare the server certificate's DER directly
    if version is not None:
        ctx.minimum_version = ctx.maximum_version = version
        if version < ssl.TLSVersion.TLSv1_2:
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # let the client at least try
    if cert is not None:
        ctx.load_cert_chain(cert.cert_file, cert.key_file)
    return ctx


class Client:
    """A blocking TLS client speaking InfoEcho's line protocol."""

    def __init__(
        self,
        port: int,
        ctx: ssl.SSLContext,
        sni: str | None = None,
        session: ssl.SSLSession | None = None,
    ) -> None:
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        try:
            self.sock = ctx.wrap_socket(
                raw, server_hostname=sni, session=session, suppress_ragged_eofs=False
            )
        except BaseException:
            raw.close()
            raise
        self.reader = self.sock.makefile("rb")

    def ask(self, line: str) -> str:
        self.sock.sendall(line.encode() + b"\n")
        return self.reader.readline().decode().rstrip("\n")

    def info(self) -> dict[str, Any]:
        info: dict[str, Any] = json.loads(self.ask("info"))
        info["leaf"] = bytes.fromhex(info["leaf"]) if info["leaf"] else None
        info["chain"] = tuple(bytes.fromhex(c) for c in info["chain"])
        return info

    def server_cert(self) -> bytes:
        der = self.sock.getpeercert(binary_form=True)
        assert der is not None
        return der

    def close(self) -> None:
        self.reader.close()
        self.sock.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(
    port: int,
    sni: str | None = None,
    cert: Identity | None = None,
    version: ssl.TLSVersion | None = None,
) -> Client:
    return Client(port, client_context(cert, version), sni)
