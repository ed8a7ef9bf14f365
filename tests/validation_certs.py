"""Certificates, CRLs and OCSP responses for the client-certificate validation tests, made at test
time with `cryptography`'s builders (ECDSA P-256), including the unusual ones: no AKI, a CA
without keyUsage, serverAuth-only EKU, CRL distribution points and OCSP AIA."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from certgate.testing.pki import Issued

DAY = dt.timedelta(days=1)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def name(cn: str, o: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o)] if o else []
    return x509.Name([*attrs, x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make(
    subject: str | x509.Name,
    issuer: Issued | None = None,
    *,
    ca: bool = False,
    aki: bool = True,
    key_usage: bool = True,
    dns: tuple[str, ...] = (),
    eku: tuple[x509.ObjectIdentifier, ...] | None = None,
    crl_url: str | None = None,
    ocsp_url: str | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    serial: int | None = None,
) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    subject_name = subject if isinstance(subject, x509.Name) else name(subject)
    t = now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject_name)
        .issuer_name(issuer.cert.subject if issuer else subject_name)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(not_before or t - DAY)
        .not_valid_after(not_after or t + 365 * DAY)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None and aki:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    if ca and key_usage:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
    if dns:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(d) for d in dns]), critical=False
        )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    if crl_url:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    if ocsp_url:
        access = x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
        )
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    cert = builder.sign(issuer.key if issuer else key, hashes.SHA256())
    chain: tuple[x509.Certificate, ...] = ()
    if issuer is not None and issuer.cert.issuer != issuer.cert.subject:
        chain = (issuer.cert, *issuer.chain)
    return Issued(cert, key, chain)


CLIENT_AUTH = (ExtendedKeyUsageOID.CLIENT_AUTH,)
SERVER_AUTH_ONLY = (ExtendedKeyUsageOID.SERVER_AUTH,)


def der(issued: Issued | x509.Certificate) -> bytes:
    cert = issued.cert if isinstance(issued, Issued) else issued
    return cert.public_bytes(serialization.Encoding.DER)


def crl(
    issuer: Issued,
    revoked: tuple[Issued, ...] = (),
    *,
    last_update: dt.datetime | None = None,
    next_update: dt.datetime | None = None,
    signer: Issued | None = None,
) -> bytes:
    """A DER CRL from `issuer` (signed by `signer`'s key, default the issuer's own)."""
    t = now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(last_update or t - dt.timedelta(hours=1))
        .next_update(next_update or t + DAY)
    )
    for item in revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(item.cert.serial_number)
            .revocation_date(t - dt.timedelta(hours=1))
            .build()
        )
        builder = builder.add_revoked_certificate(entry)
    signed = builder.sign((signer or issuer).key, hashes.SHA256())
    return signed.public_bytes(serialization.Encoding.DER)


def ocsp_response(
    cert: Issued,
    issuer: Issued,
    status: ocsp.OCSPCertStatus = ocsp.OCSPCertStatus.GOOD,
    *,
    signer: Issued | None = None,
    this_update: dt.datetime | None = None,
    next_update: dt.datetime | None = None,
    include_signer: bool = False,
) -> bytes:
    """A DER OCSP response for `cert`, signed by `signer` (default: the issuer)."""
    t = now()
    responder = signer or issuer
    revoked_at = t - dt.timedelta(hours=1) if status == ocsp.OCSPCertStatus.REVOKED else None
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=cert.cert,
            issuer=issuer.cert,
            algorithm=hashes.SHA1(),
            cert_status=status,
            this_update=this_update or t - dt.timedelta(minutes=5),
            next_update=next_update or t + dt.timedelta(hours=4),
            revocation_time=revoked_at,
            revocation_reason=None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, responder.cert)
    )
    if include_signer:
        builder = builder.certificates([responder.cert])
    response = builder.sign(responder.key, hashes.SHA256())
    return response.public_bytes(serialization.Encoding.DER)


def write_chain(path: Path, leaf: Issued, *chain: x509.Certificate) -> Path:
    """PEM with the leaf's key, the leaf and exactly the given chain certificates."""
    data = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf.cert, *chain))
    path.write_bytes(data + leaf.key_pem())
    return path
