"""Revocation verdicts from CRLs and OCSP responses handed in as parsed data (sans-IO).

`certgate.io.revocation` fetches; this module only judges, at a time it is given:

* A CRL counts for a certificate when its issuer is the certificate's issuer, its signature
  verifies with the issuer's key (memoized per issuer), it is not from the future and not past its
  `nextUpdate` (a CRL without `nextUpdate` does not expire), it is a complete CRL (no delta, no
  partitioning by reasons, no indirect CRL) and its scope covers the certificate.
* An OCSP response counts when it is SUCCESSFUL, holds a single response for exactly this
  certificate (serial, issuer name hash, issuer key hash), is signed by the issuer or by a
  responder certificate the issuer signed for OCSP signing, and `now` is inside its validity
  window (`thisUpdate` .. `nextUpdate`; `DEFAULT_OCSP_MAX_AGE` past `thisUpdate` without one).
  A wrong signer or a response out of its window counts as *no data*, never as "good".
* Any counting source that lists the certificate as revoked wins; otherwise any counting "good"
  answer makes the certificate good; otherwise its status is unknown.

A chain is checked like .NET's default (`X509RevocationFlag.ExcludeRoot`): every certificate
but the trust anchor. A self-signed leaf is its own root: nothing to check.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

# An OCSP response without nextUpdate ("newer information is always available") is used for
# this long after its thisUpdate.
DEFAULT_OCSP_MAX_AGE = dt.timedelta(hours=1)


class Status(enum.Enum):
    GOOD = "good"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class RevocationVerdict:
    status: Status
    detail: str  # for logs and the decision record: which certificate, which source


GOOD_NOTHING_TO_CHECK = RevocationVerdict(Status.GOOD, "nothing to check (self-signed)")

OcspKey = tuple[bytes, int]  # (SHA-1 of the issuer's public key, serial number)
_UNSET = object()
_MEMO_SIZE = 65536  # per CRL: answers memoized for this many certificates, then started afresh


@dataclass(frozen=True, slots=True)
class Link:
    """One certificate of a trusted chain and its issuer, with what revocation checks ask about
    them computed once (when the chain is built), not per request."""

    cert: x509.Certificate
    issuer: x509.Certificate
    issuer_key: bytes  # the issuer's SubjectPublicKeyInfo, DER
    ocsp_key: OcspKey
    is_ca: bool
    crl_urls: tuple[str, ...]
    ocsp_urls: tuple[str, ...]


def links(chain: Sequence[x509.Certificate]) -> tuple[Link, ...]:
    """(certificate, issuer) pairs of a chain, leaf first, the anchor only as an issuer."""
    out = []
    for cert, issuer in itertools.pairwise(chain):
        out.append(
            Link(
                cert,
                issuer,
                _spki(issuer),
                (_key_hash(issuer), cert.serial_number),
                _is_ca(cert),
                crl_urls(cert),
                ocsp_urls(cert),
            )
        )
    return tuple(out)


def _spki(cert: x509.Certificate) -> bytes:
    return cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


# --- CRLs ------------------------------------------------------------------------------------


class CrlIndex:
    """A parsed CRL, indexed for per-request lookups (revoked serials in a set)."""

    __slots__ = (
        "_answers",
        "_signers",
        "crl",
        "der",
        "fingerprint",
        "issuer",
        "next_update",
        "only_ca",
        "only_user",
        "revoked",
        "source",
        "this_update",
        "unusable",
    )

    def __init__(self, crl: x509.CertificateRevocationList, der: bytes, source: str) -> None:
        self.crl = crl
        self.der = der
        self.source = source  # file name or URL, for metrics and logs
        self.fingerprint = hashlib.sha256(der).hexdigest()
        self.issuer = crl.issuer
        self.this_update = crl.last_update_utc
        self.next_update = crl.next_update_utc
        self.revoked = frozenset(entry.serial_number for entry in crl)
        self.only_user = self.only_ca = False
        self.unusable: str | None = None
        self._signers: dict[bytes, bool] = {}
        self._answers: dict[OcspKey, Status | object | None] = {}
        extensions = crl.extensions
        for ext in extensions:
            if isinstance(ext.value, x509.DeltaCRLIndicator):
                self.unusable = "a delta CRL"
            elif isinstance(ext.value, x509.IssuingDistributionPoint):
                idp = ext.value
                if idp.indirect_crl or idp.only_some_reasons:
                    self.unusable = "an indirect or reason-partitioned CRL"
                if idp.only_contains_attribute_certs:
                    self.unusable = "a CRL of attribute certificates"
                self.only_user = idp.only_contains_user_certs
                self.only_ca = idp.only_contains_ca_certs

    @classmethod
    def parse(cls, data: bytes, source: str) -> CrlIndex:
        """DER or PEM; raises ValueError when it is not a CRL."""
        if b"-----BEGIN" in data:
            crl = x509.load_pem_x509_crl(data)
            der = crl.public_bytes(serialization.Encoding.DER)
        else:
            crl = x509.load_der_x509_crl(data)
            der = data
        return cls(crl, der, source)

    def speaks_for(self, link: Link) -> bool:
        """Issued by the link's issuer (name, keyUsage, signature); memoized per issuer key."""
        known = self._signers.get(link.issuer_key)
        if known is None:
            issuer = link.issuer
            known = (
                self.issuer == issuer.subject
                and _may_sign_crls(issuer)
                and _crl_signature_ok(self.crl, issuer)
            )
            self._signers[link.issuer_key] = known
        return known

    def fresh(self, now: dt.datetime, skew: dt.timedelta) -> bool:
        if self.this_update > now + skew:
            return False
        return self.next_update is None or now <= self.next_update + skew

    def status(self, link: Link, now: dt.datetime, skew: dt.timedelta) -> Status | None:
        """GOOD or REVOKED when this CRL speaks for the link's certificate at `now`, else None
        (no data). Only freshness depends on time; the rest is memoized per link."""
        if not self.fresh(now, skew):
            return None
        key = link.ocsp_key  # (issuer key hash, serial): names the certificate
        answer = self._answers.get(key, _UNSET)
        if answer is _UNSET:
            answer = self._answer(link)
            if len(self._answers) >= _MEMO_SIZE:
                self._answers.clear()
            self._answers[key] = answer
        return answer  # type: ignore[return-value]

    def _answer(self, link: Link) -> Status | None:
        if self.unusable or (self.only_user and link.is_ca) or (self.only_ca and not link.is_ca):
            return None
        if not self.speaks_for(link):
            return None
        return Status.REVOKED if link.cert.serial_number in self.revoked else Status.GOOD


def _crl_signature_ok(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    key = issuer.public_key()
    if not isinstance(
        key,
        rsa.RSAPublicKey
        | ec.EllipticCurvePublicKey
        | ed25519.Ed25519PublicKey
        | ed448.Ed448PublicKey,
    ):
        return False
    try:
        return crl.is_signature_valid(key)
    except (UnsupportedAlgorithm, ValueError, TypeError):
        return False


def _may_sign_crls(issuer: x509.Certificate) -> bool:
    try:
        usage = issuer.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    except ValueError:
        return False
    return usage.crl_sign


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except (x509.ExtensionNotFound, ValueError):
        return False


# --- OCSP ------------------------------------------------------------------------------------


class OcspRecord:
    """A parsed OCSP response; the signer check is memoized per issuer."""

    __slots__ = ("_signers", "_singles", "der", "response", "source")

    def __init__(self, response: ocsp.OCSPResponse, der: bytes, source: str) -> None:
        self.response = response
        self.der = der
        self.source = source
        # issuer key → (signed for it, and the time window in which that answer holds)
        self._signers: dict[bytes, tuple[bool, dt.datetime, dt.datetime]] = {}
        self._singles: dict[OcspKey, ocsp.OCSPSingleResponse | None] = {}

    @classmethod
    def parse(cls, der: bytes, source: str) -> OcspRecord:
        """Raises ValueError when the bytes are not an OCSP response."""
        return cls(ocsp.load_der_ocsp_response(der), der, source)

    def window(self) -> tuple[dt.datetime, dt.datetime] | None:
        """(thisUpdate, the end of its validity) of the first single response, if successful."""
        single = self._first()
        if single is None:
            return None
        end = single.next_update_utc or single.this_update_utc + DEFAULT_OCSP_MAX_AGE
        return single.this_update_utc, end

    def _first(self) -> ocsp.OCSPSingleResponse | None:
        if self.response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
            return None
        return next(iter(self.response.responses), None)

    def status(self, link: Link, now: dt.datetime, skew: dt.timedelta) -> Status | None:
        """GOOD or REVOKED when this response speaks for the link's certificate at `now`, else
        None (no data)."""
        if self.response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
            return None
        if link.ocsp_key in self._singles:
            single = self._singles[link.ocsp_key]
        else:
            single = self._singles[link.ocsp_key] = _single_for(
                self.response, link.cert, link.issuer
            )
        if single is None:
            return None
        this_update = single.this_update_utc
        end = single.next_update_utc or this_update + DEFAULT_OCSP_MAX_AGE
        if this_update > now + skew or now > end + skew:
            return None
        if not self._signed_for(link, now, skew):
            return None
        if single.certificate_status == ocsp.OCSPCertStatus.REVOKED:
            return Status.REVOKED
        if single.certificate_status == ocsp.OCSPCertStatus.GOOD:
            return Status.GOOD
        return None

    def _signed_for(self, link: Link, now: dt.datetime, skew: dt.timedelta) -> bool:
        known = self._signers.get(link.issuer_key)
        if known is None or not known[1] <= now <= known[2]:
            known = _ocsp_signer(self.response, link.issuer, now, skew)
            self._signers[link.issuer_key] = known
        return known[0]


def _single_for(
    response: ocsp.OCSPResponse, cert: x509.Certificate, issuer: x509.Certificate
) -> ocsp.OCSPSingleResponse | None:
    ids: dict[type[hashes.HashAlgorithm], ocsp.OCSPRequest] = {}
    for single in response.responses:
        if single.serial_number != cert.serial_number:
            continue
        algorithm = single.hash_algorithm
        expected = ids.get(type(algorithm))
        if expected is None:
            try:
                expected = ocsp_request_for(cert, issuer, algorithm)
            except (ValueError, UnsupportedAlgorithm):
                continue
            ids[type(algorithm)] = expected
        if (
            single.issuer_key_hash == expected.issuer_key_hash
            and single.issuer_name_hash == expected.issuer_name_hash
        ):
            return single
    return None


def ocsp_request_for(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    algorithm: hashes.HashAlgorithm | None = None,
) -> ocsp.OCSPRequest:
    """The OCSP request for `cert` (SHA-1 CertID, as responders expect by default)."""
    builder = ocsp.OCSPRequestBuilder().add_certificate(
        cert,
        issuer,
        algorithm or hashes.SHA1(),  # noqa: S303 - RFC 6960's CertID hash, not a signature
    )
    return builder.build()


def _responder_is(response: ocsp.OCSPResponse, cert: x509.Certificate) -> bool:
    if response.responder_name is not None:
        return response.responder_name == cert.subject
    key_hash = response.responder_key_hash
    return key_hash is not None and key_hash == _key_hash(cert)


def _key_hash(cert: x509.Certificate) -> bytes:
    # SHA-1 of the subjectPublicKey BIT STRING: what RFC 6960's ResponderID byKey carries.
    return x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest


_ALWAYS = (dt.datetime.min.replace(tzinfo=dt.UTC), dt.datetime.max.replace(tzinfo=dt.UTC))


def _ocsp_signer(
    response: ocsp.OCSPResponse, issuer: x509.Certificate, now: dt.datetime, skew: dt.timedelta
) -> tuple[bool, dt.datetime, dt.datetime]:
    """Whether the response is signed for `issuer`, and while that holds: always for the issuer
    itself (or a wrong signer), a delegated responder's validity otherwise."""
    if _responder_is(response, issuer):
        return _response_signature_ok(response, issuer), *_ALWAYS
    for candidate in response.certificates:
        if not _responder_is(response, candidate):
            continue
        if not _delegated_responder(candidate, issuer, now, skew):
            continue
        if _response_signature_ok(response, candidate):
            start = candidate.not_valid_before_utc - skew
            return True, start, candidate.not_valid_after_utc + skew
    return False, *_ALWAYS


def _delegated_responder(
    candidate: x509.Certificate, issuer: x509.Certificate, now: dt.datetime, skew: dt.timedelta
) -> bool:
    """RFC 6960 §4.2.2.2: issued by the CA itself, with id-kp-OCSPSigning, valid now."""
    try:
        candidate.verify_directly_issued_by(issuer)
        usages = candidate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm, x509.ExtensionNotFound):
        return False
    if ExtendedKeyUsageOID.OCSP_SIGNING not in usages:
        return False
    return candidate.not_valid_before_utc - skew <= now <= candidate.not_valid_after_utc + skew


def _response_signature_ok(response: ocsp.OCSPResponse, signer: x509.Certificate) -> bool:
    key = signer.public_key()
    algorithm = response.signature_hash_algorithm
    data, signature = response.tbs_response_bytes, response.signature
    try:
        if isinstance(key, rsa.RSAPublicKey) and algorithm is not None:
            key.verify(signature, data, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey) and algorithm is not None:
            key.verify(signature, data, ec.ECDSA(algorithm))
        elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            key.verify(signature, data)
        else:
            return False
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True


# --- where a certificate says its revocation data lives ---------------------------------------


def crl_urls(cert: x509.Certificate) -> tuple[str, ...]:
    """http(s) URLs of the certificate's CRL distribution points (others, e.g. ldap, skipped)."""
    try:
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except (x509.ExtensionNotFound, ValueError):
        return ()
    urls = []
    for point in points:
        if point.crl_issuer or point.reasons:  # indirect or partitioned: not a complete CRL
            continue
        for name in point.full_name or ():
            if isinstance(name, x509.UniformResourceIdentifier) and _http(name.value):
                urls.append(name.value)
    return tuple(urls)


def ocsp_urls(cert: x509.Certificate) -> tuple[str, ...]:
    """http(s) OCSP responder URLs from the certificate's Authority Information Access."""
    try:
        access = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except (x509.ExtensionNotFound, ValueError):
        return ()
    return tuple(
        d.access_location.value
        for d in access
        if d.access_method == AuthorityInformationAccessOID.OCSP
        and isinstance(d.access_location, x509.UniformResourceIdentifier)
        and _http(d.access_location.value)
    )


def _http(url: str) -> bool:
    lowered = url.lower()
    return lowered.startswith(("http://", "https://"))


# --- a chain's verdict -----------------------------------------------------------------------


class RevocationLookup(Protocol):
    """Fetched revocation data, as `certgate.io.revocation` keeps it (read-only, synchronous)."""

    def crl(self, url: str) -> CrlIndex | None: ...

    def ocsp(self, key: OcspKey) -> OcspRecord | None: ...


class NoFetchedData:
    """A lookup with nothing in it (no fetcher, or in unit tests)."""

    def crl(self, url: str) -> CrlIndex | None:
        return None

    def ocsp(self, key: OcspKey) -> OcspRecord | None:
        return None


NO_FETCHED_DATA = NoFetchedData()


def certificate_status(
    link: Link,
    uploaded: Iterable[CrlIndex],
    lookup: RevocationLookup,
    now: dt.datetime,
    skew: dt.timedelta,
) -> tuple[Status, str]:
    """One certificate's status and the source that decided it."""
    good: CrlIndex | OcspRecord | None = None
    sources: list[CrlIndex | OcspRecord | None] = list(uploaded)
    sources.append(lookup.ocsp(link.ocsp_key))
    sources.extend(lookup.crl(url) for url in link.crl_urls)
    for source in sources:
        if source is None:
            continue
        status = source.status(link, now, skew)
        if status is Status.REVOKED:
            return Status.REVOKED, _describe(source)
        if status is Status.GOOD and good is None:
            good = source
    if good is not None:
        return Status.GOOD, _describe(good)
    return Status.UNKNOWN, "no fresh CRL or OCSP response"


def _describe(source: CrlIndex | OcspRecord) -> str:
    if isinstance(source, OcspRecord):
        return f"OCSP {source.source}"
    return f"CRL {source.source}"


def chain_status(
    chain: Sequence[Link],
    uploaded: Sequence[CrlIndex],
    lookup: RevocationLookup,
    now: dt.datetime,
    skew: dt.timedelta,
) -> RevocationVerdict:
    """Verdict for the links of a *trusted* chain (`links(chain)`: every certificate but the
    anchor). Revoked anywhere wins over unknown anywhere."""
    unknown: str | None = None
    for position, link in enumerate(chain):
        status, source = certificate_status(link, uploaded, lookup, now, skew)
        what = "the client certificate" if position == 0 else f"chain certificate {position}"
        if status is Status.REVOKED:
            return RevocationVerdict(Status.REVOKED, f"{what} is revoked ({source})")
        if status is Status.UNKNOWN and unknown is None:
            unknown = f"{what}: {source}"
    if unknown is not None:
        return RevocationVerdict(Status.UNKNOWN, unknown)
    return RevocationVerdict(Status.GOOD, "every certificate below the anchor is good")
