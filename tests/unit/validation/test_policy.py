"""`validate-client-certificate`: save-time checks, check order and errors, the revocation flag."""

from __future__ import annotations

import datetime as dt

import pytest

from certgate.core.certs import X509Certificate2
from certgate.core.context import (
    ApiInfo,
    DeploymentInfo,
    OperationInfo,
    RequestContext,
    RequestInfo,
)
from certgate.core.expr import ReadOnlyDictionary
from certgate.core.model import Response
from certgate.core.policy.document import EffectivePolicy, load_document
from certgate.core.policy.engine import execute
from certgate.core.url import UrlInfo
from certgate.core.validation.binding import CertificateCheck, bind, sent_after_leaf
from certgate.core.validation.chain import ChainCache, TrustStore
from certgate.core.validation.policy import ValidateClientCertificate, needs_revocation
from certgate.core.validation.validator import Validator
from certgate.errors import PolicyError
from certgate.testing.pki import Issued
from tests.validation_certs import DAY, der, make, now

ROOT = make("Test Root CA", ca=True)
INT = make("Test Intermediate CA", ROOT, ca=True)


def doc(inner: str, on_error: str = ""):  # type: ignore[no-untyped-def]
    return load_document(
        f"<policies><inbound>{inner}</inbound><backend/><outbound/><on-error>{on_error}</on-error></policies>",
        source="p.xml",
        scope="operation",
    )


def node(attrs: str = "", identities: str = "") -> ValidateClientCertificate:
    inner = f"<identities>{identities}</identities>" if identities else ""
    loaded = doc(f"<validate-client-certificate {attrs}>{inner}</validate-client-certificate>")
    result = loaded.sections["inbound"][0]
    assert isinstance(result, ValidateClientCertificate)
    return result


def test_defaults_are_apims() -> None:
    n = node()
    assert (
        n.validate_revocation,
        n.validate_trust,
        n.validate_not_before,
        n.validate_not_after,
    ) == (
        True,
        True,
        True,
        True,
    )
    assert n.ignore_error is False and n.identities == ()


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ('<validate-client-certificate colour="x" />', "'colour' attribute is not declared"),
        (
            '<validate-client-certificate validate-trust="@(true)" />',
            "does not accept policy expressions",
        ),
        ('<validate-client-certificate validate-trust="yes" />', "must be 'true', 'false'"),
        (
            "<validate-client-certificate><identity/></validate-client-certificate>",
            "expected one 'identities'",
        ),
        (
            "<validate-client-certificate><identities/></validate-client-certificate>",
            "at least one 'identity'",
        ),
        (
            "<validate-client-certificate><identities><identity/></identities></validate-client-certificate>",
            "at least one attribute",
        ),
        (
            '<validate-client-certificate><identities><identity colour="x"/></identities></validate-client-certificate>',
            "'colour' attribute is not declared",
        ),
        (
            '<validate-client-certificate><identities><identity thumbprint="@(&quot;x&quot;)"/></identities></validate-client-certificate>',
            "does not accept policy expressions",
        ),
        (
            '<validate-client-certificate><identities><identity thumbprint="12"/></identities></validate-client-certificate>',
            "not a thumbprint",
        ),
        (
            '<validate-client-certificate><identities><identity subject="CN"/></identities></validate-client-certificate>',
            "missing '='",
        ),
        (
            '<validate-client-certificate><identities><identity issuer-certificate-id="ca" issuer-subject="CN=x"/></identities></validate-client-certificate>',
            "cannot be combined",
        ),
    ],
)
def test_save_time_errors(policy: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        doc(policy)


def test_only_in_inbound() -> None:
    with pytest.raises(PolicyError, match="not allowed in the 'outbound'"):
        load_document(
            "<policies><outbound><validate-client-certificate/></outbound></policies>",
            source="p.xml",
            scope="api",
        )


def test_d2_example_with_nested_quotes_loads() -> None:
    n = node(
        'validate-revocation="false"',
        '<identity subject="C=US, ST=Illinois, L=Chicago, O="Contoso, Inc.", CN=*.contoso.com" '
        'issuer-subject="C=BE, O=FabrikamSign nv-sa, OU=Root CA, CN=FabrikamSign Root CA" />',
    )
    assert n.identities[0].subject is not None and len(n.identities[0].subject) == 5


# --- running it ---------------------------------------------------------------------------------


def context(
    cert: Issued | None, validator: Validator, *sent: Issued, at: dt.datetime | None = None
) -> RequestContext:
    when = at or now()
    loader = lambda: None  # noqa: E731
    if cert is not None:
        check = CertificateCheck(
            validator, sent_after_leaf(der(cert), [der(cert), *map(der, sent)]), when, "echo"
        )
        view = bind(X509Certificate2(der(cert)), check)
        loader = lambda: view  # noqa: E731
    url = UrlInfo.parse("http://backend/x")
    request = RequestInfo("GET", url, url, [], "127.0.0.1", loader, ReadOnlyDictionary({}))
    return RequestContext(
        request,
        DeploymentInfo({}, "svc", "local"),
        ApiInfo("echo", "echo", "http://backend"),
        OperationInfo("op", "GET", "/", "op"),
        "rid",
        when,
    )


def run(policy: EffectivePolicy, ctx: RequestContext) -> Response:
    steps = execute(policy, ctx)
    try:
        steps.send(None)  # type: ignore[arg-type]
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    raise AssertionError("the policy forwarded")


def trusting(*uploaded: tuple[str, Issued]) -> Validator:
    return Validator(TrustStore.build((n, i.cert) for n, i in uploaded), cache=ChainCache())


def effective(inner: str) -> EffectivePolicy:
    return EffectivePolicy.compose([doc(inner + "<return-response/>")])


def reason(ctx: RequestContext) -> str | None:
    return None if ctx.LastError is None else ctx.LastError.Reason


def test_order_time_before_trust_before_identity() -> None:
    v = trusting(("Root", ROOT))
    policy = effective(
        '<validate-client-certificate validate-revocation="false"><identities>'
        '<identity common-name="nobody"/></identities></validate-client-certificate>'
    )
    expired_stranger = make("x", not_before=now() - 3 * DAY, not_after=now() - DAY)
    ctx = context(expired_stranger, v)
    response = run(policy, ctx)
    assert response.status == 401 and reason(ctx) == "ClientCertificateExpired"
    future_stranger = make("x", not_before=now() + DAY)
    ctx = context(future_stranger, v)
    run(policy, ctx)
    assert reason(ctx) == "ClientCertificateNotYetValid"
    ctx = context(make("x"), v)
    run(policy, ctx)
    assert reason(ctx) == "ClientCertificateNotTrusted"
    ctx = context(make("x", INT), v, INT)
    run(policy, ctx)
    assert reason(ctx) == "ClientCertificateIdentityNotMatched"
    assert ctx.LastError is not None and ctx.LastError.Source == "validate-client-certificate"


def test_missing_certificate() -> None:
    ctx = context(None, trusting())
    response = run(effective("<validate-client-certificate/>"), ctx)
    assert response.status == 401 and b"Client certificate missing" in response.body
    assert reason(ctx) == "ClientCertificateNotFound"


def test_revocation_unknown_fails_closed_by_default() -> None:
    v = trusting(("Root", ROOT))
    ctx = context(make("c", INT), v, INT)
    run(effective("<validate-client-certificate/>"), ctx)
    assert reason(ctx) == "ClientCertificateRevoked"
    assert ctx.LastError is not None and "could not be determined" in ctx.LastError.Message


def test_ignore_error_continues_without_last_error() -> None:
    ctx = context(make("stranger"), trusting(("Root", ROOT)))
    response = run(effective('<validate-client-certificate ignore-error="true"/>'), ctx)
    assert response.status == 200 and ctx.LastError is None


def test_unbound_view_trusts_nothing_and_verifies_nothing() -> None:
    view = X509Certificate2(der(make("c", INT)))
    assert view.Verify() is False and view.VerifyNoRevocation() is False


def test_revocation_flag_is_computed_once_per_policy() -> None:
    v = trusting()
    assert needs_revocation(v, effective("<validate-client-certificate/>"))
    assert not needs_revocation(
        v, effective('<validate-client-certificate validate-revocation="false"/>')
    )
    verify = effective(
        '<choose><when condition="@(context.Request.Certificate.Verify())"><set-variable name="a" value="1"/></when></choose>'
    )
    assert needs_revocation(v, verify)
    no_revocation = effective(
        '<choose><when condition="@(context.Request.Certificate.VerifyNoRevocation())"><set-variable name="a" value="1"/></when></choose>'
    )
    assert not needs_revocation(v, no_revocation)
    assert len(v.revocation_policies) == 4
    needs_revocation(v, verify)
    assert len(v.revocation_policies) == 4
