"""What expressions read from `context` over a real mTLS request (spec §2.5, §2.6, §2.10)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.conftest import Pki
from tests.harness import Harness, listener_yaml

CONFIG = listener_yaml("""\
  client-01: {file: pki/client.crt}
apis:
  ctx:
    path: ctx
    serviceUrl: http://BACKEND/svc
    policy: policy.xml
""")


def body_of(expression: str) -> str:
    return (
        "<policies><inbound><return-response><set-status code='200' reason='OK' />"
        f"<set-body>@({expression})</set-body></return-response></inbound></policies>"
    )


def evaluate(harness: Harness, expression: str, cert: object = None, **request: object) -> str:
    harness.start(CONFIG, {"policy.xml": body_of(expression)})
    reply = harness.client(cert).request("/ctx/items/7?b=2&a=1&a=3", **request)  # type: ignore[arg-type]
    assert reply.status == 200, reply.body
    return reply.body.decode()


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('context.Request.Method + " " + context.Request.Url.Scheme', "POST http"),
        ("context.Request.Url.Path", "/svc/items/7"),
        ("context.Request.Url.QueryString", "?b=2&a=1&a=3"),
        ('context.Request.Url.Query.GetValueOrDefault("a", "-")', "1,3"),
        ("context.Request.Url.Host", "127.0.0.1"),
        ('context.Request.Headers.GetValueOrDefault("x-probe", "none")', "p1,p2"),
        ('context.Request.Headers.GetValueOrDefault("X-Missing", "none")', "none"),
        ('context.Request.Headers.ContainsKey("X-PROBE")', "True"),
        ("context.Request.IpAddress", "127.0.0.1"),
        ("context.Deployment.Certificates.Count", "2"),  # gateway-tls and client-01
    ],
)
def test_request_members(harness: Harness, pki: Pki, expression: str, expected: str) -> None:
    out = evaluate(
        harness,
        expression,
        pki.client,
        method="POST",
        headers={"X-Probe": "p1, p2"},
        body=b"",
    )
    assert out == expected.replace("p1,p2", "p1, p2")


def test_certificate_members(harness: Harness, pki: Pki) -> None:
    expr = (
        'context.Request.Certificate.Subject + "|" + context.Request.Certificate.Issuer + "|" '
        '+ context.Request.Certificate.SubjectName.Name + "|" '
        "+ context.Request.Certificate.SerialNumber"
    )
    subject, issuer, name, serial = evaluate(harness, expr, pki.client).split("|")
    assert subject == name == "CN=Client 01, O=Contoso"
    assert issuer == "CN=certgate Demo Intermediate CA"
    assert int(serial, 16) == pki.client.cert.serial_number


def test_certificate_validity_dates(harness: Harness, pki: Pki) -> None:
    expr = (
        'context.Request.Certificate.NotBefore.ToString("o") + "|" '
        "+ (context.Request.Certificate.NotBefore < context.Request.Certificate.NotAfter)"
    )
    before, ordered = evaluate(harness, expr, pki.client).split("|")
    assert ordered == "True"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", before)
    parsed = dt.datetime.fromisoformat(before[:19]).replace(tzinfo=dt.UTC)
    assert parsed == pki.client.cert.not_valid_before_utc.replace(microsecond=0)


def test_certificate_is_null_without_one(harness: Harness) -> None:
    assert evaluate(harness, 'context.Request.Certificate?.Thumbprint ?? "none"') == "none"


def test_tv28_uploaded_certificates_are_keyed_by_thumbprint(harness: Harness, pki: Pki) -> None:
    # TV-28: the dictionary is keyed by thumbprint, not by certificate id.
    expr = (
        f'context.Deployment.Certificates.ContainsKey("{pki.client.thumbprint}") + "|" '
        '+ context.Deployment.Certificates.ContainsKey("client-01")'
    )
    assert evaluate(harness, expr, pki.client) == "True|False"


def test_tv22_certificate_dump(harness: Harness, pki: Pki) -> None:
    # TV-22: .NET's non-verbose X509Certificate.ToString()
    out = evaluate(harness, "context.Request.Certificate.ToString()", pki.client)
    assert out.startswith("[Subject]\n  CN=Client 01, O=Contoso\n\n[Issuer]\n")
    assert re.search(r"\[Not Before\]\n  \d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d:\d\d [AP]M\n", out)
    assert out.endswith(f"[Thumbprint]\n  {pki.client.thumbprint}\n")


def test_elapsed_and_timestamp(harness: Harness) -> None:
    expr = (
        '(context.Elapsed.TotalSeconds >= 0 && context.Elapsed.TotalSeconds < 60) + "|" '
        '+ context.Timestamp.Year + "|" + (context.Elapsed > TimeSpan.FromHours(1))'
    )
    ok, year, late = evaluate(harness, expr).split("|")
    assert (ok, late) == ("True", "False")
    assert int(year) == dt.datetime.now(dt.UTC).year


def test_request_id_is_a_guid(harness: Harness) -> None:
    """APIM's `context.RequestId` is a `Guid`: `ToString("N")` and `ToString()` are its forms,
    and each request has its own."""
    first = evaluate(harness, 'context.RequestId.ToString("N") + "|" + context.RequestId')
    plain, dashed = first.split("|")
    assert re.fullmatch(r"[0-9a-f]{32}", plain) and dashed.replace("-", "") == plain
    assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", dashed)
    second = harness.client().request("/ctx/items/7").body.decode()
    assert second.split("|")[0] != plain
