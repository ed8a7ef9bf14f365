"""`validate-client-certificate` (spec §5.1): builder, node, and the load-time flag that tells
the data plane to fetch revocation data before a policy runs.

Check order: (1) presence → (2) not-before → (3) not-after → (4) trust → (5) revocation →
(6) identities (OR across `<identity>` elements, AND across the attributes of one). Steps 2-5 run
only when their switch is on (all default to true). A failure raises a 401 error with
`LastError.Source = "validate-client-certificate"`; with `ignore-error="true"` the pipeline goes
on and `LastError` is left untouched (spec §11.3, documented in docs/compatibility.md).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from certgate.core.context import RequestContext
from certgate.core.expr import Expression, is_expression
from certgate.core.model import Response, reason_phrase
from certgate.core.policy.builders import (
    REGISTRY,
    Where,
    at,
    check_attributes,
    literal_bool,
    origin,
)
from certgate.core.policy.nodes import Node, Origin
from certgate.core.policy.xmltree import XmlElement
from certgate.core.validation import observe
from certgate.core.validation.binding import check_of
from certgate.core.validation.identity import Identity, IssuerFacts, make_identity
from certgate.core.validation.revocation import Status
from certgate.core.validation.validator import TimeStatus, Validator
from certgate.errors import PolicyError, PolicyRuntimeError

log = logging.getLogger("certgate.validation")

SOURCE = "validate-client-certificate"
_FLAGS = (
    "validate-revocation",
    "validate-trust",
    "validate-not-before",
    "validate-not-after",
    "ignore-error",
)
IDENTITY_ATTRIBUTES = frozenset(
    {
        "thumbprint",
        "serial-number",
        "common-name",
        "subject",
        "dns-name",
        "issuer-subject",
        "issuer-thumbprint",
        "issuer-certificate-id",
    }
)

# LastError reasons and messages (spec §4.5; texts not observed in APIM are ours, §11.1).
NOT_FOUND = ("ClientCertificateNotFound", "Client certificate missing.")
NOT_YET_VALID = ("ClientCertificateNotYetValid", "Certificate is not yet valid.")
EXPIRED = ("ClientCertificateExpired", "Certificate has expired.")
NOT_TRUSTED = (
    "ClientCertificateNotTrusted",
    "A certificate chain could not be built to a trusted root authority.",
)
REVOKED = ("ClientCertificateRevoked", "Certificate has been revoked.")
REVOCATION_UNKNOWN = (
    "ClientCertificateRevoked",
    "Certificate revocation status could not be determined.",
)
NOT_MATCHED = (
    "ClientCertificateIdentityNotMatched",
    "Certificate does not match any of allowed identities.",
)
# The metric's verdict reason of each failure (`observe`).
_VERDICTS = {
    NOT_FOUND: observe.MISSING,
    NOT_YET_VALID: observe.NOT_YET_VALID,
    EXPIRED: observe.EXPIRED,
    NOT_TRUSTED: observe.UNTRUSTED,
    REVOKED: observe.REVOKED,
    REVOCATION_UNKNOWN: observe.REVOCATION_UNKNOWN,
    NOT_MATCHED: observe.IDENTITY_MISMATCH,
}
# Body messages of the 401 (spec §4.6).
BODY_MISSING = "Client certificate missing"
BODY_INVALID = "Invalid client certificate"


class ValidateClientCertificate(Node):
    __slots__ = (
        "identities",
        "ignore_error",
        "validate_not_after",
        "validate_not_before",
        "validate_revocation",
        "validate_trust",
    )

    def __init__(
        self,
        origin: Origin,
        *,
        revocation: bool,
        trust: bool,
        not_before: bool,
        not_after: bool,
        ignore_error: bool,
        identities: tuple[Identity, ...],
    ) -> None:
        super().__init__(origin)
        self.validate_revocation = revocation
        self.validate_trust = trust
        self.validate_not_before = not_before
        self.validate_not_after = not_after
        self.ignore_error = ignore_error
        self.identities = identities

    def apply(self, ctx: RequestContext) -> Response | None:
        failure = self.judge(ctx)
        if failure is None:
            observe.verdict(observe.VALID)
            return None
        observe.verdict(_VERDICTS.get(failure[0], observe.UNTRUSTED))
        (reason, message), body = failure
        if self.ignore_error:
            log.debug("request %s: %s ignored (%s)", ctx.request_id, reason, message)
            return None
        raise PolicyRuntimeError(
            message,
            reason=reason,
            source=SOURCE,
            status=401,
            status_reason=reason_phrase(401),
            client_message=body,
        )

    def judge(self, ctx: RequestContext) -> tuple[tuple[str, str], str] | None:
        """None when the certificate passes; else ((reason, message), body message)."""
        view = ctx.Request.Certificate
        if view is None:
            return NOT_FOUND, BODY_MISSING
        check = check_of(view, ctx.Timestamp.to_python(), ctx.Api.Id)
        validator, now, leaf = check.validator, check.now, view.cert
        if self.validate_not_before or self.validate_not_after:
            timing = validator.time_status(leaf, now)
            if self.validate_not_before and timing is TimeStatus.NOT_YET_VALID:
                return NOT_YET_VALID, BODY_INVALID
            if self.validate_not_after and timing is TimeStatus.EXPIRED:
                return EXPIRED, BODY_INVALID
        verdict = None
        if self.validate_trust or self.validate_revocation:
            verdict = validator.chain(leaf, view.der, check.sent, now)
            if self.validate_trust and not verdict.trusted:
                return NOT_TRUSTED, BODY_INVALID
        if self.validate_revocation and verdict is not None:
            status = validator.revocation(verdict, check.lookup, now)
            if not validator.revocation_passes(status, check.api_id):
                log.info("request %s: revocation check failed: %s", ctx.request_id, status.detail)
                return (REVOKED if status.status is Status.REVOKED else REVOCATION_UNKNOWN), (
                    BODY_INVALID
                )
        if not self.identities:
            return None
        if any(i.issuer_thumbprint is not None for i in self.identities):
            if verdict is None:
                verdict = validator.chain(leaf, view.der, check.sent, now)
            issuer = IssuerFacts(verdict.issuer, verdict.issuer_der)
        else:
            issuer = IssuerFacts(None, None)

        def issued_by_entity(certificate_id: str) -> bool:
            return validator.issued_by_entity(leaf, view.der, certificate_id)

        for identity in self.identities:
            if identity.matches(leaf, view.der, issuer, issued_by_entity):
                return None
        return NOT_MATCHED, BODY_INVALID


@REGISTRY.register(SOURCE, frozenset({"inbound"}))
def _validate_client_certificate(el: XmlElement, where: Where) -> Node:
    check_attributes(el, where, frozenset(_FLAGS))
    flags = {name: literal_bool(el, where, name, name != "ignore-error") for name in _FLAGS}
    identities: list[Identity] = []
    for index, child in enumerate(el.children):
        if child.tag != "identities" or index > 0:
            raise PolicyError(
                f"The element '{SOURCE}' cannot contain '{child.tag}' here; expected one "
                "'identities' element.",
                **at(child, where),
            )
        check_attributes(child, where, frozenset())
        identities.extend(_identity(item, where) for item in child.children)
        if not child.children:
            raise PolicyError("'identities' needs at least one 'identity'.", **at(child, where))
    return ValidateClientCertificate(
        origin(el, where),
        revocation=flags["validate-revocation"],
        trust=flags["validate-trust"],
        not_before=flags["validate-not-before"],
        not_after=flags["validate-not-after"],
        ignore_error=flags["ignore-error"],
        identities=tuple(identities),
    )


def _identity(el: XmlElement, where: Where) -> Identity:
    if el.tag != "identity":
        raise PolicyError(
            f"The element 'identities' cannot contain '{el.tag}'; expected 'identity'.",
            **at(el, where),
        )
    check_attributes(el, where, IDENTITY_ATTRIBUTES)
    if el.children:
        raise PolicyError("The element 'identity' takes no child elements.", **at(el, where))
    values = {name: attr for name, attr in el.attrs.items() if name != "id"}
    if not values:
        # An identity without attributes would match every certificate.
        raise PolicyError("An 'identity' needs at least one attribute.", **at(el, where))
    for name, attr in values.items():
        if is_expression(attr.value):
            raise PolicyError(
                f"The '{name}' attribute does not accept policy expressions.",
                **at(el, where, attr.pos),
            )
    issuer_attrs = values.keys() & {"issuer-subject", "issuer-thumbprint"}
    if "issuer-certificate-id" in values and issuer_attrs:
        raise PolicyError(
            "'issuer-certificate-id' cannot be combined with 'issuer-subject' or "
            "'issuer-thumbprint'.",
            **at(el, where, values["issuer-certificate-id"].pos),
        )
    try:
        return make_identity({name: attr.value for name, attr in values.items()})
    except ValueError as exc:
        name = str(exc).split("'")[1]
        raise PolicyError(str(exc), **at(el, where, values[name].pos)) from None


# --- load-time analysis ---------------------------------------------------------------------

_SECTIONS = ("inbound", "backend", "outbound", "on_error")


def needs_revocation(validator: Validator, policy: object) -> bool:
    """Whether an effective policy (`EffectivePolicy`) checks revocation, so that the data plane
    fetches revocation data before it runs. Computed for every operation when the snapshot is
    built (`certgate.trust`); the validator keeps the answer (and the policy, so its id stays
    unique)."""
    known = validator.revocation_policies.get(id(policy))
    if known is None:
        flag = checks_revocation(getattr(policy, name, ()) for name in _SECTIONS)
        known = validator.revocation_policies[id(policy)] = (policy, flag)
    return known[1]


_VERIFY_CALL = re.compile(r"\bVerify\s*\(")


def checks_revocation(nodes: Iterable[object]) -> bool:
    """Whether statements need revocation data: a `validate-client-certificate` with
    `validate-revocation` on, or an expression that calls `Verify()`."""
    return any(_checks_revocation(node, 0) for node in nodes)


def _checks_revocation(node: object, depth: int) -> bool:
    if isinstance(node, ValidateClientCertificate):
        return node.validate_revocation
    if isinstance(node, Expression):
        return _VERIFY_CALL.search(node.text) is not None
    if depth > 12 or isinstance(node, str | bytes | int | float | bool | type(None)):
        return False
    if isinstance(node, tuple | list):
        return any(_checks_revocation(item, depth + 1) for item in node)
    slots = [s for cls in type(node).__mro__ for s in getattr(cls, "__slots__", ())]
    return any(
        _checks_revocation(getattr(node, s, None), depth + 1) for s in slots if s != "origin"
    )


def certificate_ids(nodes: Iterable[object]) -> Iterable[tuple[str, Origin]]:
    """Every `issuer-certificate-id` the statements refer to (checked against the
    configuration's certificates when the snapshot is built)."""
    for node in _walk(nodes, 0):
        for identity in node.identities:
            if identity.issuer_certificate_id is not None:
                yield identity.issuer_certificate_id, node.origin


def _walk(node: object, depth: int) -> Iterable[ValidateClientCertificate]:
    if isinstance(node, ValidateClientCertificate):
        yield node
        return
    if depth > 12 or isinstance(node, str | bytes | int | float | bool | type(None) | Expression):
        return
    if isinstance(node, tuple | list):
        for item in node:
            yield from _walk(item, depth + 1)
        return
    for cls in type(node).__mro__:
        for s in getattr(cls, "__slots__", ()):
            if s != "origin":
                yield from _walk(getattr(node, s, None), depth + 1)
