"""The two scenarios that define certgate, end to end over real mutual TLS (spec §7.1, TV-04..07)."""

from __future__ import annotations

import pytest

from tests.conftest import Pki
from tests.harness import Harness, listener_yaml

THUMBPRINT = """<policies>
  <inbound>
    <base />
    <choose>
      <when condition="@(context.Request.Certificate == null || context.Request.Certificate.Thumbprint != "{thumb}")">
        <return-response><set-status code="401" reason="Invalid client certificate" /></return-response>
      </when>
    </choose>
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
</policies>"""

UPLOADED = """<policies>
  <inbound>
    <base />
    <choose>
      <when condition="@(context.Request.Certificate == null || {negation}context.Deployment.Certificates.Any(c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint))">
        <return-response><set-status code="401" reason="Invalid client certificate" /></return-response>
      </when>
    </choose>
  </inbound>
  <backend><base /></backend>
</policies>"""

CONFIG = listener_yaml("""\
  client-01: {file: pki/client.crt}
apis:
  echo:
    path: echo
    serviceUrl: http://BACKEND/base
    policy: policy.xml
""")


def start(harness: Harness, policy: str) -> None:
    harness.start(CONFIG, {"policy.xml": policy})


def assert_rejected(reply_status: int, reason: str, body: bytes) -> None:
    assert (reply_status, reason, body) == (401, "Invalid client certificate", b"")


# --- scenario 1: the thumbprint equals a desired value ------------------------------------------


def test_thumbprint_right_certificate_passes_backend_response_unchanged(
    harness: Harness, pki: Pki
) -> None:
    start(harness, THUMBPRINT.format(thumb=pki.client.thumbprint))
    reply = harness.client(pki.client).request("/echo/items?x=1", headers={"X-Probe": "p"})
    assert reply.status == 200
    assert reply.reason == "Echo 200"  # the backend's own reason phrase
    assert reply.body == b"backend-ok"
    assert reply.header("Echo-X-Probe") == "p"
    assert reply.header("X-Backend-Path") == "/base/items?x=1"


def test_thumbprint_without_certificate_is_401(harness: Harness, pki: Pki) -> None:
    start(harness, THUMBPRINT.format(thumb=pki.client.thumbprint))
    reply = harness.client(None).request("/echo/items")
    assert_rejected(reply.status, reply.reason, reply.body)


@pytest.mark.parametrize("who", ["stranger", "foreign", "expired"])
def test_thumbprint_untrusted_certificate_completes_handshake_and_gets_401(
    harness: Harness, pki: Pki, who: str
) -> None:
    start(harness, THUMBPRINT.format(thumb=pki.client.thumbprint))
    reply = harness.client(getattr(pki, who)).request("/echo/items")
    assert_rejected(reply.status, reply.reason, reply.body)


def test_thumbprint_lowercase_desired_value_never_matches(harness: Harness, pki: Pki) -> None:
    start(harness, THUMBPRINT.format(thumb=pki.client.thumbprint.lower()))
    reply = harness.client(pki.client).request("/echo/items")
    assert_rejected(reply.status, reply.reason, reply.body)


# --- scenario 2: the certificate is one of those uploaded to the gateway ------------------------


def test_uploaded_certificate_passes(harness: Harness, pki: Pki) -> None:
    start(harness, UPLOADED.format(negation="!"))
    reply = harness.client(pki.client).request("/echo/x")
    assert (reply.status, reply.body) == (200, b"backend-ok")


@pytest.mark.parametrize("who", ["second", "stranger", None])
def test_not_uploaded_certificate_is_401(harness: Harness, pki: Pki, who: str | None) -> None:
    start(harness, UPLOADED.format(negation="!"))
    reply = harness.client(getattr(pki, who) if who else None).request("/echo/x")
    assert_rejected(reply.status, reply.reason, reply.body)


def test_2017_policy_without_negation_runs_inverted_as_written(harness: Harness, pki: Pki) -> None:
    # TV-05/06: the documented 2017 condition lacks '!': uploaded clients are refused.
    start(harness, UPLOADED.format(negation=""))
    uploaded = harness.client(pki.client).request("/echo/x")
    assert_rejected(uploaded.status, uploaded.reason, uploaded.body)
    other = harness.client(pki.second).request("/echo/x")
    assert (other.status, other.body) == (200, b"backend-ok")
    none = harness.client(None).request("/echo/x")
    assert none.status == 401
