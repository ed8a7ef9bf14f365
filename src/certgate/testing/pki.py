"""Test and demo certificates, made fresh with `cryptography` (ECDSA P-256: cheap handshakes).

Used by the test suite, `make run`'s demo PKI and the benchmarks. Nothing here is for production
trust: keys are written unencrypted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    chain: tuple[x509.Certificate, ...] = ()  # intermediates between this and the root

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def thumbprint(self) -> str:
        return self.cert.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303 - APIM's thumbprint

    def cert_pem(self, with_chain: bool = False) -> bytes:
        certs = (self.cert, *self.chain) if with_chain else (self.cert,)
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def pfx(self, password: bytes) -> bytes:
        return pkcs12.serialize_key_and_certificates(
            b"certgate",
            self.key,
            self.cert,
            list(self.chain) or None,
            serialization.BestAvailableEncryption(password),
        )

    def write_pem(self, path: Path, *, with_key: bool = True, with_chain: bool = True) -> Path:
        data = self.cert_pem(with_chain) + (self.key_pem() if with_key else b"")
        path.write_bytes(data)
        if with_key:
            path.chmod(0o600)
        return path


def _name(common_name: str, organization: str | None = None) -> x509.Name:
    attrs = []
    if organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attrs)


def issue(
    common_name: str,
    issuer: Issued | None = None,
    *,
    organization: str | None = None,
    ca: bool = False,
    dns_names: tuple[str, ...] = (),
    client: bool = False,
    server: bool = False,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> Issued:
    """A certificate for `common_name`, signed by `issuer` (self-signed when None)."""
    now = dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(common_name, organization)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - _DAY)
        .not_valid_after(not_after or now + 365 * _DAY)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
    if dns_names:
        sans = [x509.DNSName(n) for n in dns_names]
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    usages = [ExtendedKeyUsageOID.CLIENT_AUTH] * client + [ExtendedKeyUsageOID.SERVER_AUTH] * server
    if usages:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    signer = issuer.key if issuer else key
    cert = builder.sign(signer, hashes.SHA256())
    chain: tuple[x509.Certificate, ...] = ()
    if issuer is not None and not _self_signed(issuer.cert):
        chain = (issuer.cert, *issuer.chain)  # intermediates up to (not including) the root
    return Issued(cert, key, chain)


def _self_signed(cert: x509.Certificate) -> bool:
    return cert.issuer == cert.subject


@dataclass(frozen=True)
class DemoPki:
    root: Issued
    intermediate: Issued
    gateway: Issued  # server certificate for localhost and other.localhost
    client: Issued  # trusted client, issued by the intermediate
    stranger: Issued  # self-signed client nobody uploaded

    @classmethod
    def create(cls, hostnames: tuple[str, ...] = ("localhost",)) -> DemoPki:
        root = issue("certgate Demo Root CA", ca=True)
        intermediate = issue("certgate Demo Intermediate CA", root, ca=True)
        gateway = issue(hostnames[0], intermediate, dns_names=hostnames, server=True)
        client = issue("Client 01", intermediate, organization="Contoso", client=True)
        stranger = issue("Client 01", organization="Contoso", client=True)
        return cls(root, intermediate, gateway, client, stranger)

    def write(self, folder: Path) -> dict[str, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        return {
            "root": self.root.write_pem(folder / "root.crt", with_key=False),
            "intermediate": self.intermediate.write_pem(
                folder / "intermediate.crt", with_key=False, with_chain=False
            ),
            "gateway": self.gateway.write_pem(folder / "gateway.pem"),
            "client": self.client.write_pem(folder / "client.pem"),
            "client_public": self.client.write_pem(
                folder / "client.crt", with_key=False, with_chain=False
            ),
            "stranger": self.stranger.write_pem(folder / "stranger.pem"),
        }


# The TLS listener of a gateway serving with the files `DemoPki.write` made, to
# `.format(port=…, pki=…)` (that folder) once the rest of the configuration is appended: more
# `certificates:` entries, then settings and APIs. Tests and benchmarks share it.
LISTENER_YAML = """
hostnames:
  - hostName: localhost
    listen: 127.0.0.1:{port}
    certificateId: gateway-tls
    negotiateClientCertificate: true
certificates:
  gateway-tls: {{file: {pki}/gateway.pem}}
"""
