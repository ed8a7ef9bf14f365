"""Per-hostname TLS on one port: SNI picks the server certificate and whether a client
certificate is asked for (spec §1.1)."""

from __future__ import annotations

from cryptography import x509

from tests.conftest import Pki
from tests.harness import Harness

CONFIG = """
hostnames:
  - hostName: localhost
    listen: 127.0.0.1:0
    certificateId: gateway-tls
    negotiateClientCertificate: true
  - hostName: other.localhost
    listen: 127.0.0.1:0
    certificateId: other-tls
    negotiateClientCertificate: false
    defaultSslBinding: {default}
certificates:
  gateway-tls: {{file: pki/gateway.pem}}
  other-tls: {{file: pki/other.pem}}
apis:
  echo:
    path: echo
    serviceUrl: http://BACKEND
    policy: policy.xml
"""

NEEDS_CERT = """<policies><inbound><base/><choose>
  <when condition="@(context.Request.Certificate == null)">
    <return-response><set-status code="401" reason="No client certificate" /></return-response>
  </when></choose></inbound></policies>"""


def server_cn(harness: Harness, sni: str | None) -> str:
    sock = harness.client(None, sni=sni).connect()
    try:
        der = sock.getpeercert(binary_form=True)
    finally:
        sock.close()
    assert der is not None
    cert = x509.load_der_x509_certificate(der)
    return str(cert.subject.rfc4514_string())


def test_sni_selects_each_hostnames_certificate(harness: Harness) -> None:
    harness.start(CONFIG.format(default="false"), {"policy.xml": NEEDS_CERT})
    assert server_cn(harness, "localhost") == "CN=localhost"
    assert server_cn(harness, "other.localhost") == "CN=other.localhost"
    assert server_cn(harness, "OTHER.localhost") == "CN=other.localhost"


def test_no_or_unknown_sni_gets_the_first_hostname_without_a_default(harness: Harness) -> None:
    harness.start(CONFIG.format(default="false"), {"policy.xml": NEEDS_CERT})
    assert server_cn(harness, None) == "CN=localhost"
    assert server_cn(harness, "unknown.example") == "CN=localhost"


def test_no_or_unknown_sni_gets_the_default_ssl_binding(harness: Harness) -> None:
    harness.start(CONFIG.format(default="true"), {"policy.xml": NEEDS_CERT})
    assert server_cn(harness, None) == "CN=other.localhost"
    assert server_cn(harness, "unknown.example") == "CN=other.localhost"


def test_negotiating_hostname_receives_the_certificate(harness: Harness, pki: Pki) -> None:
    harness.start(CONFIG.format(default="false"), {"policy.xml": NEEDS_CERT})
    reply = harness.client(pki.client, sni="localhost").request("/echo/a")
    assert (reply.status, reply.body) == (200, b"backend-ok")


def test_hostname_without_negotiation_never_asks(harness: Harness, pki: Pki) -> None:
    harness.start(CONFIG.format(default="false"), {"policy.xml": NEEDS_CERT})
    # The client holds a certificate, but other.localhost never requests it.
    reply = harness.client(pki.client, sni="other.localhost").request(
        "/echo/a", headers={"Host": "other.localhost"}
    )
    assert (reply.status, reply.reason) == (401, "No client certificate")
