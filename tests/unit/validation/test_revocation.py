"""Revocation verdicts from CRLs and OCSP responses handed in (sans-IO)."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID

from certgate.core.validation.revocation import (
    NO_FETCHED_DATA,
    CrlIndex,
    Link,
    OcspKey,
    OcspRecord,
    Status,
    chain_status,
    crl_urls,
    links,
    ocsp_urls,
)
from certgate.testing.pki import Issued
from tests.validation_certs import DAY, crl, make, now, ocsp_response

ROOT = make("Root", ca=True)
INT = make("Int", ROOT, ca=True)
LEAF = make("Leaf", INT)
OTHER = make("Other", INT)
ZERO = dt.timedelta(0)


def status(index: CrlIndex | OcspRecord, cert=LEAF, issuer=INT, at=None, skew=ZERO):  # type: ignore[no-untyped-def]
    return index.status(link(cert, issuer), at or now(), skew)


def link(cert: Issued, issuer: Issued) -> Link:
    return links((cert.cert, issuer.cert))[0]


def test_crl_good_and_revoked() -> None:
    index = CrlIndex.parse(crl(INT, (OTHER,)), "int.crl")
    assert status(index) is Status.GOOD
    assert status(index, OTHER) is Status.REVOKED


def test_crl_pem_is_accepted() -> None:
    pem = x509.load_der_x509_crl(crl(INT)).public_bytes(serialization.Encoding.PEM)
    assert status(CrlIndex.parse(pem, "int.pem")) is Status.GOOD


def test_crl_of_another_issuer_or_with_a_wrong_signature_is_no_data() -> None:
    assert status(CrlIndex.parse(crl(ROOT), "root.crl")) is None
    forged = CrlIndex.parse(crl(INT, signer=make("Mallory", ca=True)), "forged.crl")
    assert status(forged) is None


def test_stale_and_future_crls_are_no_data_with_skew_tolerance() -> None:
    stale = CrlIndex.parse(
        crl(INT, last_update=now() - 3 * DAY, next_update=now() - dt.timedelta(seconds=30)), "s"
    )
    assert status(stale) is None
    assert status(stale, skew=dt.timedelta(minutes=1)) is Status.GOOD
    future = CrlIndex.parse(crl(INT, last_update=now() + dt.timedelta(hours=1)), "f")
    assert status(future) is None


def test_crl_scope_and_kind() -> None:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(INT.cert.subject)
        .last_update(now() - DAY)
        .next_update(now() + DAY)
    )
    only_ca = builder.add_extension(
        x509.IssuingDistributionPoint(None, None, False, True, None, False, False), critical=True
    ).sign(INT.key, hashes.SHA256())
    index = CrlIndex.parse(only_ca.public_bytes(serialization.Encoding.DER), "ca-only")
    assert status(index) is None  # a leaf is not in scope
    delta = builder.add_extension(x509.DeltaCRLIndicator(1), critical=True).sign(
        INT.key, hashes.SHA256()
    )
    assert status(CrlIndex.parse(delta.public_bytes(serialization.Encoding.DER), "d")) is None


def test_ocsp_good_revoked_unknown() -> None:
    assert status(OcspRecord.parse(ocsp_response(LEAF, INT), "o")) is Status.GOOD
    revoked = ocsp_response(LEAF, INT, ocsp.OCSPCertStatus.REVOKED)
    assert status(OcspRecord.parse(revoked, "o")) is Status.REVOKED
    unknown = ocsp_response(LEAF, INT, ocsp.OCSPCertStatus.UNKNOWN)
    assert status(OcspRecord.parse(unknown, "o")) is None


def test_ocsp_for_another_certificate_is_no_data() -> None:
    assert status(OcspRecord.parse(ocsp_response(OTHER, INT), "o")) is None


def test_ocsp_with_a_wrong_signer_is_no_data() -> None:
    mallory = make("Mallory", ca=True)
    forged = OcspRecord.parse(ocsp_response(LEAF, INT, signer=mallory, include_signer=True), "o")
    assert status(forged) is None


def test_ocsp_out_of_its_window_is_no_data() -> None:
    old = ocsp_response(
        LEAF, INT, this_update=now() - 2 * DAY, next_update=now() - dt.timedelta(minutes=1)
    )
    assert status(OcspRecord.parse(old, "o")) is None
    future = ocsp_response(LEAF, INT, this_update=now() + dt.timedelta(hours=1))
    assert status(OcspRecord.parse(future, "o")) is None


def test_ocsp_delegated_responder() -> None:
    responder = make("Responder", INT, eku=(ExtendedKeyUsageOID.OCSP_SIGNING,))
    good = ocsp_response(LEAF, INT, signer=responder, include_signer=True)
    assert status(OcspRecord.parse(good, "o")) is Status.GOOD
    plain = make("Not a responder", INT, eku=(ExtendedKeyUsageOID.CLIENT_AUTH,))
    refused = ocsp_response(LEAF, INT, signer=plain, include_signer=True)
    assert status(OcspRecord.parse(refused, "o")) is None


def test_unsuccessful_ocsp_response_is_no_data() -> None:
    failed = ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.TRY_LATER)
    record = OcspRecord.parse(failed.public_bytes(serialization.Encoding.DER), "o")
    assert status(record) is None and record.window() is None


def test_urls_are_http_only() -> None:
    cert = make("x", INT, crl_url="http://ca.test/int.crl", ocsp_url="http://ocsp.test/")
    assert crl_urls(cert.cert) == ("http://ca.test/int.crl",)
    assert ocsp_urls(cert.cert) == ("http://ocsp.test/",)
    ldap = make("y", INT, crl_url="ldap://ca.test/cn=x", ocsp_url="file:///etc/passwd")
    assert crl_urls(ldap.cert) == () and ocsp_urls(ldap.cert) == ()


class Lookup:
    def __init__(self, crls: dict[str, CrlIndex] | None = None, answer: OcspRecord | None = None):
        self.crls = crls or {}
        self.answer = answer

    def crl(self, url: str) -> CrlIndex | None:
        return self.crls.get(url)

    def ocsp(self, key: OcspKey) -> OcspRecord | None:
        return self.answer


def test_chain_status_checks_every_certificate_but_the_anchor() -> None:
    chain = links((LEAF.cert, INT.cert, ROOT.cert))
    uploaded = (CrlIndex.parse(crl(INT), "int"),)
    verdict = chain_status(chain, uploaded, NO_FETCHED_DATA, now(), ZERO)
    assert verdict.status is Status.UNKNOWN and "chain certificate 1" in verdict.detail
    both = (*uploaded, CrlIndex.parse(crl(ROOT), "root"))
    assert chain_status(chain, both, NO_FETCHED_DATA, now(), ZERO).status is Status.GOOD
    revoking_int = (uploaded[0], CrlIndex.parse(crl(ROOT, (INT,)), "root"))
    assert chain_status(chain, revoking_int, NO_FETCHED_DATA, now(), ZERO).status is Status.REVOKED


def test_revoked_anywhere_wins_over_good() -> None:
    chain = links((LEAF.cert, INT.cert))
    lookup = Lookup(answer=OcspRecord.parse(ocsp_response(LEAF, INT), "o"))
    assert chain_status(chain, (), lookup, now(), ZERO).status is Status.GOOD
    revoking = (CrlIndex.parse(crl(INT, (LEAF,)), "int"),)
    assert chain_status(chain, revoking, lookup, now(), ZERO).status is Status.REVOKED


def test_fetched_crl_is_found_by_the_certificates_distribution_point() -> None:
    leaf = make("cdp", INT, crl_url="http://ca.test/int.crl")
    url = "http://ca.test/int.crl"
    lookup = Lookup({url: CrlIndex.parse(crl(INT, (leaf,)), url)})
    verdict = chain_status(links((leaf.cert, INT.cert)), (), lookup, now(), ZERO)
    assert verdict.status is Status.REVOKED and "http://ca.test/int.crl" in verdict.detail
