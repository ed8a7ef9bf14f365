"""Chain building: from the client's certificate, through the intermediates it sent and those
uploaded as `CertificateAuthority`, to a certificate uploaded as `Root` (spec §6.2).

`cryptography`'s `ClientVerifier` does the path building and the signature checks. Its web-PKI
profile is stricter than .NET's basic chain policy, so it is relaxed to what .NET accepts:

* the client certificate needs no subjectAltName and no authorityKeyIdentifier, may be a CA
  (a self-signed "CA:TRUE" certificate made with `openssl req -x509` is a common client
  certificate) and may carry any keyUsage;
* a CA needs no keyUsage and no authorityKeyIdentifier, and its basicConstraints (still required,
  and it must say CA) may be non-critical.

One deliberate deviation, kept from the web-PKI profile: an extendedKeyUsage that is present
must allow clientAuth (OpenSSL and nginx refuse such certificates too; .NET's basic policy
does not look). Other web-PKI rules stay: no SHA-1 signatures, RSA keys of 2048 bits or more,
name constraints enforced, at most `MAX_CHAIN_DEPTH` intermediates.

Verdicts are cached per (certificates the client sent, trust-store version): a repeat request
with the same certificate builds no chain (`ChainCache.builds` counts the builds).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from certgate.core.validation.revocation import Link, links

MAX_CHAIN_DEPTH = 8
# An untrusted verdict is kept this long: a client retrying with a bad chain costs one build per
# period, and a CA certificate that becomes valid is noticed within it.
FAILURE_TTL = dt.timedelta(seconds=60)
_SHA256 = hashes.SHA256()
_DER = Encoding.DER
_FOREVER = (dt.datetime.min.replace(tzinfo=dt.UTC), dt.datetime.max.replace(tzinfo=dt.UTC))


def _relaxed_policies() -> tuple[ExtensionPolicy, ExtensionPolicy]:
    agnostic = Criticality.AGNOSTIC
    ca = (
        ExtensionPolicy.webpki_defaults_ca()
        .may_be_present(x509.KeyUsage, agnostic, None)
        .may_be_present(x509.AuthorityKeyIdentifier, agnostic, None)
        .require_present(x509.BasicConstraints, agnostic, None)
    )
    ee = (
        ExtensionPolicy.webpki_defaults_ee()
        .may_be_present(x509.SubjectAlternativeName, agnostic, None)
        .may_be_present(x509.AuthorityKeyIdentifier, agnostic, None)
        .may_be_present(x509.BasicConstraints, agnostic, None)
        .may_be_present(x509.KeyUsage, agnostic, None)
    )
    return ca, ee


CA_POLICY, EE_POLICY = _relaxed_policies()


@dataclass(frozen=True, slots=True)
class TrustStore:
    """The uploaded CA certificates of one snapshot. `version` is a digest of their content, so
    a reload with the same certificates keeps every cached verdict."""

    roots: tuple[x509.Certificate, ...]
    intermediates: tuple[x509.Certificate, ...]
    version: str
    store: Store | None  # None when no Root was uploaded: nothing can be trusted

    @classmethod
    def build(cls, entries: Iterable[tuple[str, x509.Certificate]]) -> TrustStore:
        """`entries`: (storeName, certificate), storeName `Root` or `CertificateAuthority`."""
        roots: list[x509.Certificate] = []
        intermediates: list[x509.Certificate] = []
        digest = hashlib.sha256()
        for store_name, cert in sorted(entries, key=lambda e: (e[0], e[1].fingerprint(_SHA256))):
            (roots if store_name == "Root" else intermediates).append(cert)
            digest.update(store_name.encode() + b"\0" + cert.fingerprint(_SHA256))
        return cls(
            tuple(roots),
            tuple(intermediates),
            digest.hexdigest()[:16],
            Store(roots) if roots else None,
        )


@dataclass(frozen=True, slots=True)
class ChainVerdict:
    """Outcome of chain building for one client certificate (and the chain it sent)."""

    trusted: bool
    chain: tuple[x509.Certificate, ...]  # leaf → anchor when trusted; (leaf,) otherwise
    issuer: x509.Certificate | None  # signed the leaf: the chain's second, found by signature
    issuer_der: bytes | None  #        among the sent and uploaded certificates, or the leaf
    #                                  itself when self-signed; None when not found
    error: str | None  # why it is not trusted
    self_signed: bool
    links: tuple[Link, ...] = ()  # the trusted chain's (certificate, issuer) pairs


class ChainCache:
    """Bounded LRU of chain verdicts keyed by (sent certificates, trust-store version).

    A trusted verdict holds while the verification time stays inside the validity of every CA
    certificate on its chain; an untrusted one for `FAILURE_TTL`. One cache per process (one
    event loop; no locking), shared by the snapshots so that a reload keeps it warm.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[tuple[bytes, str], tuple[ChainVerdict, dt.datetime, dt.datetime]]
        self._items = OrderedDict()
        self._memo: OrderedDict[tuple[bytes, bytes], bool] = OrderedDict()
        self.builds = 0  # chain builds (verifier runs); a repeat request adds none
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[bytes, str], at: dt.datetime) -> ChainVerdict | None:
        entry = self._items.get(key)
        if entry is None or not entry[1] <= at <= entry[2]:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return entry[0]

    def put(
        self, key: tuple[bytes, str], verdict: ChainVerdict, start: dt.datetime, end: dt.datetime
    ) -> None:
        self._items[key] = (verdict, start, end)
        self._items.move_to_end(key)
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def issued_by(self, leaf: x509.Certificate, leaf_der: bytes, issuer_der: bytes) -> bool:
        """Memoized `leaf.verify_directly_issued_by(issuer)` (issuer given as DER)."""
        key = (hashlib.sha256(leaf_der).digest(), hashlib.sha256(issuer_der).digest())
        known = self._memo.get(key)
        if known is None:
            known = directly_issued_by(leaf, x509.load_der_x509_certificate(issuer_der))
            self._memo[key] = known
            if len(self._memo) > self.size:
                self._memo.popitem(last=False)
        return known

    def clear(self) -> None:
        self._items.clear()
        self._memo.clear()


def directly_issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def chain_key(leaf_der: bytes, sent: Sequence[bytes]) -> bytes:
    digest = hashlib.sha256()
    for der in (leaf_der, *sent):
        digest.update(len(der).to_bytes(4, "big"))
        digest.update(der)
    return digest.digest()


def verification_time(leaf: x509.Certificate, now: dt.datetime) -> dt.datetime:
    """`now`, moved into the leaf's validity window. The leaf's own dates are the business of
    the not-before/not-after checks (with their switches and the clock-skew tolerance); chain
    building judges the CA certificates at (about) the same time."""
    return min(max(now, leaf.not_valid_before_utc), leaf.not_valid_after_utc)


def build_chain(
    store: TrustStore,
    leaf: x509.Certificate,
    leaf_der: bytes,
    sent: Sequence[x509.Certificate],
    at: dt.datetime,
) -> tuple[ChainVerdict, dt.datetime, dt.datetime]:
    """Build and verify; returns the verdict and the window of verification times it holds for."""
    self_signed = leaf.issuer == leaf.subject and directly_issued_by(leaf, leaf)
    if store.store is None:
        return _untrusted(
            store, leaf, leaf_der, sent, self_signed, at, "no Root certificate uploaded"
        )
    verifier = (
        PolicyBuilder()
        .store(store.store)
        .time(at)
        .max_chain_depth(MAX_CHAIN_DEPTH)
        .extension_policies(ca_policy=CA_POLICY, ee_policy=EE_POLICY)
        .build_client_verifier()
    )
    try:
        verified = verifier.verify(leaf, [*sent, *store.intermediates])
    except VerificationError as exc:
        return _untrusted(store, leaf, leaf_der, sent, self_signed, at, str(exc))
    chain = tuple(verified.chain)
    if len(chain) == 1:
        issuer, issuer_der = (leaf, leaf_der) if self_signed else (None, None)
        window = _FOREVER
    else:
        issuer, issuer_der = chain[1], chain[1].public_bytes(_DER)
        window = (
            max(c.not_valid_before_utc for c in chain[1:]),
            min(c.not_valid_after_utc for c in chain[1:]),
        )
    verdict = ChainVerdict(True, chain, issuer, issuer_der, None, self_signed, links(chain))
    return verdict, *window


def _untrusted(
    store: TrustStore,
    leaf: x509.Certificate,
    leaf_der: bytes,
    sent: Sequence[x509.Certificate],
    self_signed: bool,
    at: dt.datetime,
    error: str,
) -> tuple[ChainVerdict, dt.datetime, dt.datetime]:
    issuer: x509.Certificate | None = leaf if self_signed else None
    if issuer is None:
        for candidate in (*sent, *store.intermediates, *store.roots):
            if candidate.subject == leaf.issuer and directly_issued_by(leaf, candidate):
                issuer = candidate
                break
    issuer_der = None
    if issuer is not None:
        issuer_der = leaf_der if issuer is leaf else issuer.public_bytes(_DER)
    verdict = ChainVerdict(False, (leaf,), issuer, issuer_der, error, self_signed)
    return verdict, at, at + FAILURE_TTL
