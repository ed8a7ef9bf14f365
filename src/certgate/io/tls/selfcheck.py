"""Start-up proof that a TLS backend does, in this very process, what the gateway relies on.

With throwaway keys and certificates (EC P-256, made here with `cryptography`) and memory BIOs,
a stdlib-`ssl` client runs three handshakes against the backend's real server contexts:

1. SNI of a hostname that negotiates client certificates; the client sends a self-made leaf plus
   the self-signed CA that issued it: the server must accept it and report leaf and chain exactly.
2. The same, resuming the session from (1): resumed, and the chain must still be both certificates.
3. SNI unknown → the default binding, which does not negotiate: no certificate may be reported
   although the client holds one (proves the per-connection verify mode).

Each backend passes a factory for its server side; failures become `TLSSetupError`s whose text
the backend prefixes with its name and the way out. Takes a few milliseconds.
"""

from __future__ import annotations

import datetime
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from certgate.errors import TLSSetupError
from certgate.io.tls._common import pem_files
from certgate.io.tls.base import PeerInfo, TlsHostname

NEGOTIATING_HOST = "selfcheck.invalid"
DEFAULT_HOST = "default.selfcheck.invalid"


class MemoryServer(Protocol):
    """One server-side connection over memory BIOs."""

    handshake_done: bool

    def feed(self, incoming: bytes) -> bytes:
        """Take bytes from the client, advance (handshake, then echo app data), return output."""

    def close(self) -> None:
        """Send close_notify (a stateful session cache keeps only cleanly closed sessions)."""

    def peer_info(self) -> PeerInfo: ...


# Given the hostnames, build the listener once and return a per-connection server factory.
ServerFactory = Callable[[Sequence[TlsHostname]], Callable[[], MemoryServer]]


@dataclass(frozen=True, slots=True)
class _Material:
    hostnames: tuple[TlsHostname, ...]
    client_chain_pem: bytes
    client_key_pem: bytes
    client_chain_der: tuple[bytes, bytes]


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _cert(
    cn: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name | None, signer: object, ca: bool
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer or subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(signer, hashes.SHA256())  # type: ignore[arg-type]


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _material() -> _Material:
    server_key, ca_key, leaf_key = _key(), _key(), _key()
    server = _cert(NEGOTIATING_HOST, server_key, None, server_key, ca=False)
    ca = _cert("certgate self-check client CA", ca_key, None, ca_key, ca=True)
    leaf = _cert("certgate self-check client", leaf_key, ca.subject, ca_key, ca=False)
    server_chain, server_key_pem = _pem(server), _key_pem(server_key)
    hostnames = (
        TlsHostname(DEFAULT_HOST, server_chain, server_key_pem, False, default_ssl_binding=True),
        TlsHostname(NEGOTIATING_HOST, server_chain, server_key_pem, True),
    )
    der = serialization.Encoding.DER
    return _Material(
        hostnames,
        _pem(leaf) + _pem(ca),
        _key_pem(leaf_key),
        (leaf.public_bytes(der), ca.public_bytes(der)),
    )


def _client_context(m: _Material) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the throwaway server certificate is not what is tested
    with pem_files(m.client_chain_pem, m.client_key_pem) as (chain_path, key_path):
        ctx.load_cert_chain(chain_path, key_path)
    return ctx


def _handshake(
    client_ctx: ssl.SSLContext,
    new_server: Callable[[], MemoryServer],
    sni: str,
    session: ssl.SSLSession | None = None,
) -> tuple[PeerInfo, ssl.SSLSession | None]:
    c_in, c_out = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_ctx.wrap_bio(c_in, c_out, server_hostname=sni, session=session)
    server = new_server()
    for _ in range(10):
        try:
            client.do_handshake()
            client_done = True
        except ssl.SSLWantReadError:
            client_done = False
        c_in.write(server.feed(c_out.read()))
        if client_done and server.handshake_done:
            break
    else:
        raise TLSSetupError("the in-memory handshake did not complete")
    # One echo round trip: the server processes the client's last flight (TLS 1.3 sends the
    # client certificate there) and the client reads the session tickets.
    client.write(b"ping")
    c_in.write(server.feed(c_out.read()))
    if client.read(4) != b"ping":
        raise TLSSetupError("the echo after the handshake did not come back")
    info = server.peer_info()
    server.close()
    return info, client.session


def _expect(ok: bool, what: str, info: PeerInfo) -> None:
    if not ok:
        chain = len(info.chain_der)
        raise TLSSetupError(
            f"{what} (got hostname={info.hostname!r}, leaf={'yes' if info.leaf_der else 'no'}, "
            f"chain of {chain}, resumed={info.resumed})"
        )


def run(make_server: ServerFactory) -> None:
    """Raise TLSSetupError(reason) unless the backend behind `make_server` passes all checks."""
    m = _material()
    try:
        new_server = make_server(m.hostnames)
        client_ctx = _client_context(m)
        full, session = _handshake(client_ctx, new_server, NEGOTIATING_HOST)
        resumed, _ = _handshake(client_ctx, new_server, NEGOTIATING_HOST, session)
        other, _ = _handshake(client_ctx, new_server, "unknown.selfcheck.invalid")
    except TLSSetupError:
        raise
    except Exception as exc:  # ssl.SSLError, OpenSSL.SSL.Error, ...
        raise TLSSetupError(f"in-memory handshake failed: {exc!r}") from None
    _expect(full.hostname == NEGOTIATING_HOST, "SNI did not select the hostname", full)
    _expect(full.leaf_der == m.client_chain_der[0], "client certificate not seen", full)
    _expect(full.chain_der == m.client_chain_der, "client chain not captured", full)
    _expect(resumed.resumed, "session not resumed", resumed)
    _expect(resumed.chain_der == m.client_chain_der, "chain lost on resumption", resumed)
    _expect(other.hostname == DEFAULT_HOST, "unknown SNI did not get the default", other)
    _expect(other.leaf_der is None, "certificate requested where it must not be", other)
