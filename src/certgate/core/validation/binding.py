"""What a request's `context.Request.Certificate` needs to answer `Verify()`: the snapshot's
validator, the chain the client sent on this connection, the request's time and API, and the
revocation data fetched for it.

Parsed certificate views are cached per DER and shared by every request (`io.proxy`), so the
data plane hands each request a *bound* copy (`bind`): same values, plus this request's check.
The copy costs a few attribute copies and is only made when a policy reads the certificate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from certgate.core.certs import X509Certificate2
from certgate.core.validation.revocation import NO_FETCHED_DATA, RevocationLookup
from certgate.core.validation.validator import EMPTY_VALIDATOR, Validator


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs 3x, on every request
class CertificateCheck:
    """One request's means to judge its client certificate (never changed once made)."""

    validator: Validator
    sent: tuple[bytes, ...]  # certificates the client sent after its own, in its order
    when: dt.datetime | float  # the request's time (POSIX seconds: made a datetime on first use)
    api_id: str
    lookup: RevocationLookup = NO_FETCHED_DATA

    @property
    def now(self) -> dt.datetime:
        if isinstance(self.when, float):
            self.when = dt.datetime.fromtimestamp(self.when, dt.UTC)
        return self.when

    def verify(self, view: X509Certificate2, *, revocation: bool) -> bool:
        return self.validator.verify(
            view.cert,
            view.der,
            self.sent,
            self.now,
            revocation=revocation,
            lookup=self.lookup,
            api_id=self.api_id,
        )


class BoundCertificate(X509Certificate2):
    """An `X509Certificate2` view bound to one request's `CertificateCheck` (read by
    `X509Certificate2.Verify()` as `check`)."""

    __slots__ = ("check",)
    check: CertificateCheck


_COPIED = tuple(s for s in X509Certificate2.__slots__ if s != "__weakref__")


def _copier() -> Callable[[X509Certificate2, BoundCertificate], None]:
    # Every request that reads `context.Request.Certificate` binds a copy: straight-line slot
    # assignments, generated from the slot list, cost a third of a getattr/setattr loop.
    lines = "".join(f"    b.{name} = v.{name}\n" for name in _COPIED)
    scope: dict[str, Callable[[X509Certificate2, BoundCertificate], None]] = {}
    exec(f"def copy(v, b):\n{lines or '    pass'}\n", scope)  # noqa: S102 - our own slot names
    return scope["copy"]


_copy = _copier()


def bind(view: X509Certificate2, check: CertificateCheck) -> BoundCertificate:
    bound = BoundCertificate.__new__(BoundCertificate)
    _copy(view, bound)
    bound.check = check
    return bound


def sent_after_leaf(leaf_der: bytes, chain_der: Sequence[bytes]) -> tuple[bytes, ...]:
    """The TLS layer reports the chain leaf first; the rest is what path building may use."""
    if chain_der and chain_der[0] == leaf_der:
        return tuple(chain_der[1:])
    return tuple(chain_der)


def check_of(view: X509Certificate2, now: dt.datetime, api_id: str) -> CertificateCheck:
    """The request's check, or one that trusts nothing (a view nobody bound)."""
    check = getattr(view, "check", None)
    if isinstance(check, CertificateCheck):
        return check
    return CertificateCheck(EMPTY_VALIDATOR, (), now, api_id)
