"""The per-snapshot validator: trust store, uploaded CRLs, settings; judges one client
certificate for `validate-client-certificate` and for `Verify()` / `VerifyNoRevocation()`.

Everything is decided from data handed in: the certificate and the chain the client sent, the
request's time, and the revocation data `certgate.io.revocation` fetched before the policies ran.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cryptography import x509

from certgate.core.validation import observe
from certgate.core.validation.chain import (
    ChainCache,
    ChainVerdict,
    TrustStore,
    build_chain,
    chain_key,
    verification_time,
)
from certgate.core.validation.revocation import (
    GOOD_NOTHING_TO_CHECK,
    CrlIndex,
    RevocationLookup,
    RevocationVerdict,
    Status,
    chain_status,
)

log = logging.getLogger("certgate.validation")

#: One cache per process, shared by every snapshot's validator (keys carry the store version).
DEFAULT_CACHE = ChainCache()


class WhenUnknown(enum.Enum):
    """What a revocation check does when no fresh revocation data exists."""

    FAIL = "fail"  # the certificate is treated as not valid (default: fail closed)
    ALLOW = "allow"  # the certificate passes the revocation check


@dataclass(frozen=True, slots=True)
class ValidationSettings:
    clock_skew: dt.timedelta = dt.timedelta(0)
    when_unknown: WhenUnknown = WhenUnknown.FAIL
    api_when_unknown: Mapping[str, WhenUnknown] = field(default_factory=dict)

    def unknown_policy(self, api_id: str) -> WhenUnknown:
        return self.api_when_unknown.get(api_id, self.when_unknown)


class TimeStatus(enum.Enum):
    VALID = "valid"
    NOT_YET_VALID = "not-yet-valid"
    EXPIRED = "expired"


class Validator:
    """Immutable after construction except for its caches; one per configuration snapshot."""

    def __init__(
        self,
        store: TrustStore,
        *,
        crls: Sequence[CrlIndex] = (),
        settings: ValidationSettings | None = None,
        certificates: Mapping[str, bytes] | None = None,
        cache: ChainCache | None = None,
    ) -> None:
        self.store = store
        self.crls = tuple(crls)
        self.settings = settings or ValidationSettings()
        # Certificate entities (`certificates` in the configuration), DER by id, for
        # `issuer-certificate-id`.
        self.certificates = dict(certificates or {})
        self.cache = cache if cache is not None else DEFAULT_CACHE
        # id(EffectivePolicy) → (the policy, whether it checks revocation); filled at load
        # (`policy.needs_revocation`).
        self.revocation_policies: dict[int, tuple[object, bool]] = {}

    # --- time ---------------------------------------------------------------------------------

    def time_status(self, cert: x509.Certificate, now: dt.datetime) -> TimeStatus:
        skew = self.settings.clock_skew
        if now + skew < cert.not_valid_before_utc:
            return TimeStatus.NOT_YET_VALID
        if now - skew > cert.not_valid_after_utc:
            return TimeStatus.EXPIRED
        return TimeStatus.VALID

    # --- chain --------------------------------------------------------------------------------

    def chain(
        self,
        leaf: x509.Certificate,
        leaf_der: bytes,
        sent: Sequence[bytes],
        now: dt.datetime,
    ) -> ChainVerdict:
        """Chain verdict for `leaf` and the certificates the client sent after it (cached)."""
        at = verification_time(leaf, now)
        key = (chain_key(leaf_der, sent), self.store.version)
        verdict = self.cache.get(key, at)
        if verdict is None:
            certs = []
            for der in sent:
                try:
                    certs.append(x509.load_der_x509_certificate(der))
                except ValueError:
                    continue  # garbage in the client's chain is ignored, as path building does
            verdict, start, end = build_chain(self.store, leaf, leaf_der, certs, at)
            self.cache.builds += 1
            self.cache.put(key, verdict, start, end)
            if not verdict.trusted:
                subject = leaf.subject.rfc4514_string()
                log.debug("chain of %s not trusted: %s", subject, verdict.error)
        return verdict

    def issued_by_entity(
        self, leaf: x509.Certificate, leaf_der: bytes, certificate_id: str
    ) -> bool:
        der = self.certificates.get(certificate_id)
        return der is not None and self.cache.issued_by(leaf, leaf_der, der)

    # --- revocation ---------------------------------------------------------------------------

    def revocation(
        self, verdict: ChainVerdict, lookup: RevocationLookup, now: dt.datetime
    ) -> RevocationVerdict:
        """Revocation status of the chain. Data is only looked at for a trusted chain: the
        addresses in an untrusted certificate are a stranger's, and its issuer is unproven."""
        if not verdict.trusted:
            if verdict.self_signed:
                return GOOD_NOTHING_TO_CHECK  # its own root: .NET excludes the root too
            return RevocationVerdict(Status.UNKNOWN, "the chain is not trusted")
        return chain_status(verdict.links, self.crls, lookup, now, self.settings.clock_skew)

    def revocation_passes(self, status: RevocationVerdict, api_id: str) -> bool:
        if status.status is Status.GOOD:
            return True
        if status.status is Status.REVOKED:
            return False
        return self.settings.unknown_policy(api_id) is WhenUnknown.ALLOW

    # --- X509Certificate2.Verify() ------------------------------------------------------------

    def verify(
        self,
        leaf: x509.Certificate,
        leaf_der: bytes,
        sent: Sequence[bytes],
        now: dt.datetime,
        *,
        revocation: bool,
        lookup: RevocationLookup,
        api_id: str,
    ) -> bool:
        """.NET's basic chain policy: time validity, a chain to a trusted root and, for
        `Verify()`, revocation of every certificate below the root (spec §2.6)."""
        reason = self.judge(
            leaf, leaf_der, sent, now, revocation=revocation, lookup=lookup, api_id=api_id
        )
        observe.verdict(reason)
        return reason == observe.VALID

    def judge(
        self,
        leaf: x509.Certificate,
        leaf_der: bytes,
        sent: Sequence[bytes],
        now: dt.datetime,
        *,
        revocation: bool,
        lookup: RevocationLookup,
        api_id: str,
    ) -> str:
        """`verify`'s verdict: `observe.VALID` or the reason it fails."""
        timing = self.time_status(leaf, now)
        if timing is not TimeStatus.VALID:
            return observe.EXPIRED if timing is TimeStatus.EXPIRED else observe.NOT_YET_VALID
        verdict = self.chain(leaf, leaf_der, sent, now)
        if not verdict.trusted:
            return observe.UNTRUSTED
        if not revocation:
            return observe.VALID
        status = self.revocation(verdict, lookup, now)
        if self.revocation_passes(status, api_id):
            return observe.VALID
        return observe.REVOKED if status.status is Status.REVOKED else observe.REVOCATION_UNKNOWN


EMPTY_VALIDATOR = Validator(TrustStore.build(()), cache=ChainCache(64))
