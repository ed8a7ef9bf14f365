"""Who hears about client-certificate verdicts: the process's metrics (`certgate serve` sets
`observer` to `Metrics.client_certificate`). A verdict is one judgement of a client certificate:
by `validate-client-certificate`, or by `Verify()` / `VerifyNoRevocation()` in an expression.

Reasons (a fixed vocabulary, so the metric's label set stays bounded): `valid`, `missing`,
`not_yet_valid`, `expired`, `untrusted`, `revoked`, `revocation_unknown`, `identity_mismatch`.
"""

from __future__ import annotations

from collections.abc import Callable

VALID = "valid"
MISSING = "missing"
NOT_YET_VALID = "not_yet_valid"
EXPIRED = "expired"
UNTRUSTED = "untrusted"
REVOKED = "revoked"
REVOCATION_UNKNOWN = "revocation_unknown"
IDENTITY_MISMATCH = "identity_mismatch"

observer: Callable[[str], None] | None = None


def verdict(reason: str) -> None:
    """Report one verdict (a no-op until an observer is set)."""
    if observer is not None:
        observer(reason)
