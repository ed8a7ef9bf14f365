"""TLS contexts for backend calls, one per `BackendTls` choice.

Backend server certificates are verified by default against the system's trusted roots plus the
uploaded CA certificates (spec §6.2: they "take part in all chain building on the node, including
backend connections"). A backend entity may turn off the chain check, the name check, or both
(§6.4). OpenSSL checks the name only together with the chain, so a name checked without the
chain is checked here, after the handshake.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterable

from cryptography import x509
from cryptography.x509.oid import NameOID

from certgate.core.backends import BackendTls
from certgate.core.certs import X509Certificate2
from certgate.errors import UpstreamTlsError
from certgate.io.tls._common import pem_files


class BackendTlsContexts:
    """The contexts of one configuration snapshot (its CA certificates); built on first use."""

    def __init__(
        self, ca_certificates: Iterable[X509Certificate2] = (), *, owner: object = None
    ) -> None:
        self.owner = owner  # the snapshot these were built for
        self._ca_der = tuple(c.der for c in ca_certificates)
        self._contexts: dict[BackendTls, ssl.SSLContext] = {}

    def get(self, tls: BackendTls) -> ssl.SSLContext:
        ctx = self._contexts.get(tls)
        if ctx is None:
            ctx = self._contexts[tls] = self._build(tls)
        return ctx

    def _build(self, tls: BackendTls) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        for der in self._ca_der:
            ctx.load_verify_locations(cadata=der)
        if not tls.validate_chain:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        elif not tls.validate_name:
            ctx.check_hostname = False
        if tls.identity is not None and tls.identity.key_pem is not None:
            with pem_files(tls.identity.chain_pem(), tls.identity.key_pem) as (cert, key):
                ctx.load_cert_chain(cert, key)
        return ctx


def check_name(tls: BackendTls | None, sslobj: ssl.SSLObject | None, host: str) -> None:
    """The name check a backend asked for without the chain check; UpstreamTlsError on mismatch."""
    if tls is None or tls.validate_chain or not tls.validate_name or sslobj is None:
        return
    der = sslobj.getpeercert(binary_form=True)
    if der is None or not name_matches(x509.load_der_x509_certificate(der), host):
        raise UpstreamTlsError(f"RemoteCertificateNameMismatch: not valid for '{host}'")


def name_matches(cert: x509.Certificate, host: str) -> bool:
    """RFC 6125 matching as .NET does it: SAN DNS names (one left-most wildcard label) and IP
    addresses; the subject CN only when the certificate has no SAN."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return any(_dns_match(str(cn.value), host) for cn in cns)
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return any(_dns_match(name, host) for name in san.get_values_for_type(x509.DNSName))
    return ip in san.get_values_for_type(x509.IPAddress)


def _dns_match(pattern: str, host: str) -> bool:
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if not pattern.startswith("*."):
        return pattern == host
    first, _, rest = host.partition(".")
    return bool(first) and rest == pattern[2:] and "." in rest
