"""What both TLS backends share: the protocol and cipher policy, SNI selection, reading a
hostname's certificate and key, and turning handshake facts into a `PeerInfo`.

Everything here runs once per `start_server` except `HostTable.select` and `make_peer_info`, which
run once per connection and are kept to a couple of dict look-ups.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from certgate.errors import TLSSetupError
from certgate.io.tls.base import PeerInfo, TlsHostname

# TLS 1.2 suites: ECDHE key exchange (forward secrecy) with an AEAD cipher only, in server
# preference order (256-bit first). Named one by one, not by aliases, so that no OpenSSL release
# can widen the set. This is Mozilla's "intermediate" TLS 1.2 list without its finite-field DHE
# suites (slow, and DH parameters to manage); ECDSA and RSA server keys both work. TLS 1.3 suites
# are all AEAD with (EC)DHE already: OpenSSL's defaults stay (docs/reliability.md).
TLS12_CIPHERS = ":".join(
    [
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
    ]
)

# A client that has not finished its handshake by then is dropped (slow-loris guard).
HANDSHAKE_TIMEOUT = 10.0

# Lifetime of sessions and tickets, in seconds (OpenSSL's default, set or assumed explicitly).
SESSION_LIFETIME = 7200

_WILDCARD_PREFIX = "*."

CtxT = TypeVar("CtxT")


def normalize_name(name: str) -> str:
    """Configured host name → the form SNI arrives in: lower-case A-labels, no trailing dot."""
    name = name.strip().rstrip(".")
    if not name.isascii():
        labels = name.split(".")
        name = ".".join(
            lbl if lbl.isascii() else lbl.encode("idna").decode("ascii") for lbl in labels
        )
    return name.lower()


@dataclass(frozen=True, slots=True)
class Binding(Generic[CtxT]):
    """One configured hostname and the backend's ready-made server context for it."""

    hostname: TlsHostname
    context: CtxT

    @property
    def negotiate(self) -> bool:
        return self.hostname.negotiate_client_certificate


class HostTable(Generic[CtxT]):
    """SNI → binding. Exact names win over wildcards; `*.example.com` matches exactly one label
    (`a.example.com`, not `example.com` nor `a.b.example.com`). No SNI or an unknown name gets the
    binding marked `default_ssl_binding`, else the first one configured."""

    def __init__(self, bindings: Sequence[Binding[CtxT]]) -> None:
        if not bindings:
            raise TLSSetupError("no TLS hostnames configured")
        self._exact: dict[str, Binding[CtxT]] = {}
        self._wild: dict[str, Binding[CtxT]] = {}  # keyed by the part after "*."
        defaults = [b for b in bindings if b.hostname.default_ssl_binding]
        if len(defaults) > 1:
            names = ", ".join(repr(b.hostname.name) for b in defaults)
            raise TLSSetupError(f"more than one hostname is the default SSL binding: {names}")
        self.default: Binding[CtxT] = defaults[0] if defaults else bindings[0]
        self.bindings = tuple(bindings)
        for binding in bindings:
            self._add(binding)

    def _add(self, binding: Binding[CtxT]) -> None:
        name = normalize_name(binding.hostname.name)
        table = self._exact
        if name.startswith(_WILDCARD_PREFIX):
            name, table = name[len(_WILDCARD_PREFIX) :], self._wild
        if not name or "*" in name:
            raise TLSSetupError(
                f"hostname {binding.hostname.name!r}: a wildcard may only be the whole first label"
            )
        if name in table:
            raise TLSSetupError(f"hostname {binding.hostname.name!r} is configured twice")
        table[name] = binding

    def select(self, server_name: str | None) -> Binding[CtxT]:
        """Per connection: the binding for the SNI the client sent (already lower-cased or not)."""
        if not server_name:
            return self.default
        name = server_name.lower().rstrip(".")
        found = self._exact.get(name)
        if found is not None:
            return found
        dot = name.find(".")
        if dot > 0:
            found = self._wild.get(name[dot + 1 :])
            if found is not None:
                return found
        return self.default


def load_identity(h: TlsHostname) -> tuple[list[x509.Certificate], PrivateKeyTypes]:
    """Parse and cross-check a hostname's chain and key; every failure names the hostname."""
    where = f"hostname {h.name!r}"
    try:
        certs = x509.load_pem_x509_certificates(h.cert_chain_pem)
    except ValueError as exc:
        raise TLSSetupError(f"{where}: cannot read the certificate chain (PEM): {exc}") from None
    try:
        key = serialization.load_pem_private_key(h.key_pem, password=None)
    except TypeError:
        raise TLSSetupError(f"{where}: the private key is encrypted; give it unencrypted") from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise TLSSetupError(f"{where}: cannot read the private key (PEM): {exc}") from None
    if _spki(certs[0].public_key()) != _spki(key.public_key()):
        raise TLSSetupError(f"{where}: the private key does not belong to the certificate")
    return certs, key


def _spki(public_key: object) -> bytes:
    encode = getattr(public_key, "public_bytes", None)
    if encode is None:
        return b""
    spki: bytes = encode(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return spki


@contextlib.contextmanager
def pem_files(*blobs: bytes) -> Iterator[list[str]]:
    """Paths holding `blobs`, for APIs that only load from files (the stdlib `ssl` module).

    On Linux the bytes live in anonymous memory files (memfd), so a private key never touches a
    disk; elsewhere they go to a private (0700) temporary directory removed on exit."""
    if hasattr(os, "memfd_create"):
        fds = [os.memfd_create("certgate-tls", os.MFD_CLOEXEC) for _ in blobs]
        try:
            for fd, blob in zip(fds, blobs, strict=True):
                os.write(fd, blob)
            yield [f"/proc/self/fd/{fd}" for fd in fds]
        finally:
            for fd in fds:
                os.close(fd)
        return
    with tempfile.TemporaryDirectory(prefix="certgate-tls-") as tmp:
        paths = []
        for i, blob in enumerate(blobs):
            path = os.path.join(tmp, f"{i}.pem")
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
                f.write(blob)
            paths.append(path)
        yield paths


def make_peer_info(
    binding: Binding[CtxT],
    server_name: str | None,
    leaf: bytes | None,
    tail: Sequence[bytes],
    *,
    resumed: bool,
    version: str,
) -> PeerInfo:
    """`tail` is what the client sent after its leaf. A hostname that does not negotiate client
    certificates reports none, even if a resumed session (made under another hostname) has one."""
    name = binding.hostname.name
    if leaf is None or not binding.negotiate:
        return PeerInfo(server_name, name, None, (), resumed, version)
    return PeerInfo(server_name, name, leaf, (leaf, *tail), resumed, version)
