"""Backend mTLS against a real nginx: authentication-certificate, backend entities, backend
server-certificate checks and one upstream pool per client identity (spec §5.2, §5.8, §6.4,
TV-32).

nginx (Debian's package) runs on loopback with three servers: one that requires a client
certificate from the "Backend Client CA" (`ssl_verify_client on`) and reports what it saw, one
with a self-signed certificate for localhost, and one with a certificate from a private root that
the gateway trusts only once it is uploaded as a CA certificate.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from certgate.errors import PolicyError
from certgate.testing.pki import Issued, issue
from tests.conftest import Pki
from tests.harness import Harness, Reply, listener_yaml
from tests.nginx import Nginx, free_port

_SERVERS = """\
  server {{
    listen 127.0.0.1:{mtls} ssl;
    ssl_certificate {p}/server-chain.pem;
    ssl_certificate_key {p}/server.key;
    ssl_verify_client on;
    ssl_client_certificate {p}/client-ca.crt;
    location / {{
      default_type application/json;
      return 200 '{{"fingerprint": "$ssl_client_fingerprint", "connection": "$connection"}}';
    }}
  }}
  server {{
    listen 127.0.0.1:{selfsigned} ssl;
    ssl_certificate {p}/selfsigned.pem;
    ssl_certificate_key {p}/selfsigned.key;
    location / {{ default_type text/plain; return 200 "self-signed backend"; }}
  }}
"""


@dataclass(frozen=True)
class BackendSide:
    mtls_port: int
    selfsigned_port: int
    identity_a: Issued  # issued by the CA nginx trusts for clients
    identity_b: Issued
    stray: Issued  # self-signed: nginx refuses it
    server_root: Issued  # root of the mTLS server's certificate


@pytest.fixture(scope="module")
def side(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendSide]:
    prefix = tmp_path_factory.mktemp("nginx")
    server_root = issue("Backend Server Root", ca=True)
    server = issue("localhost", server_root, dns_names=("localhost",), server=True)
    selfsigned = issue("localhost", dns_names=("localhost",), server=True)
    client_ca = issue("Backend Client CA", ca=True)
    prefix.joinpath("server-chain.pem").write_bytes(server.cert_pem(with_chain=True))
    prefix.joinpath("server.key").write_bytes(server.key_pem())
    prefix.joinpath("selfsigned.pem").write_bytes(selfsigned.cert_pem())
    prefix.joinpath("selfsigned.key").write_bytes(selfsigned.key_pem())
    prefix.joinpath("client-ca.crt").write_bytes(client_ca.cert_pem())
    mtls, self_port = free_port(), free_port()
    nginx = Nginx(prefix, _SERVERS.format(p=prefix, mtls=mtls, selfsigned=self_port), [mtls])
    try:
        yield BackendSide(
            mtls,
            self_port,
            issue("Gateway Identity A", client_ca, client=True),
            issue("Gateway Identity B", client_ca, client=True),
            issue("Stray Identity", client=True),
            server_root,
        )
    finally:
        nginx.stop()


# After the common listener (tests.harness.LISTENER): formatted with the ports and the CAs.
CONFIG = """\
  identity-a: {{file: ids/a.pem}}
  identity-b: {{file: ids/b.pem}}
  stray: {{file: ids/stray.pem}}
  identity-a-public: {{file: ids/a.crt}}
caCertificates: {cas}
backends:
  mtls-backend:
    url: https://localhost:{mtls}/entity
    credentials: {{certificateIds: [identity-b]}}
  self-signed-strict: {{url: "https://localhost:{selfsigned}/strict"}}
  self-signed-lax:
    url: https://localhost:{selfsigned}/lax
    tls: {{validateCertificateChain: false, validateCertificateName: false}}
  self-signed-name-only:
    url: https://127.0.0.1:{selfsigned}/name-only
    tls: {{validateCertificateChain: false}}
  by-ip:
    url: https://127.0.0.1:{mtls}/ip
    tls: {{validateCertificateName: {by_ip_name}}}
apis:
  mtls:
    path: mtls
    serviceUrl: https://localhost:{mtls}/api
    policy: policy.xml
  auto:
    path: auto
    serviceUrl: https://localhost:{mtls}/entity
"""

ERROR_HEADERS = """<on-error>
    <return-response>
      <set-status code="@(context.Response.StatusCode)" reason="failed" />
      <set-header name="X-Reason" exists-action="override">
        <value>@(context.LastError.Reason)</value>
      </set-header>
      <set-header name="X-Message" exists-action="override">
        <value>@(context.LastError.Message)</value>
      </set-header>
    </return-response>
  </on-error>"""


def _policy(inbound: str, on_error: str = "") -> str:
    return f"<policies><inbound><base />{inbound}</inbound>{on_error}</policies>"


def _start(
    harness: Harness,
    side: BackendSide,
    inbound: str = "",
    *,
    upload_root: bool = True,
    by_ip_name: bool = True,
    on_error: str = "",
) -> None:
    root = harness.tmp / "ids" / "server-root.crt"
    root.parent.mkdir(exist_ok=True)
    root.write_bytes(side.server_root.cert_pem())
    for name, issued in (("a", side.identity_a), ("b", side.identity_b), ("stray", side.stray)):
        issued.write_pem(harness.tmp / "ids" / f"{name}.pem")
    side.identity_a.write_pem(harness.tmp / "ids" / "a.crt", with_key=False)
    cas = "[{file: ids/server-root.crt, storeName: Root}]" if upload_root else "[]"
    config = CONFIG.format(
        cas=cas,
        mtls=side.mtls_port,
        selfsigned=side.selfsigned_port,
        by_ip_name=str(by_ip_name).lower(),
    )
    harness.start(listener_yaml(config), {"policy.xml": _policy(inbound, on_error)})


def _one_request(
    harness: Harness, side: BackendSide, pki: Pki, inbound: str = "", **options: Any
) -> Reply:
    """Start with `inbound` (and `_start`'s options), send one request to the mTLS API."""
    _start(harness, side, inbound, **options)
    return harness.client(pki.client).request("/mtls/x")


def _failure(harness: Harness, side: BackendSide, pki: Pki, inbound: str) -> str:
    """Start with `inbound`, send one request, expect APIM's 500; LastError.Message."""
    reply = _one_request(harness, side, pki, inbound, on_error=ERROR_HEADERS)
    assert reply.status == 500
    assert reply.header("X-Reason") is not None  # on-error ran
    return reply.header("X-Message") or ""


def _seen(reply_body: bytes) -> dict[str, str]:
    seen: dict[str, str] = json.loads(reply_body)
    return seen


# --- authentication-certificate ------------------------------------------------------------------


def test_authentication_certificate_by_id_is_presented_to_the_backend(
    harness: Harness, side: BackendSide, pki: Pki
) -> None:
    reply = _one_request(
        harness, side, pki, '<authentication-certificate certificate-id="identity-a" />'
    )
    assert reply.status == 200
    assert _seen(reply.body)["fingerprint"] == side.identity_a.thumbprint.lower()


def test_without_a_certificate_the_backend_refuses(
    harness: Harness, side: BackendSide, pki: Pki
) -> None:
    reply = _one_request(harness, side, pki)
    assert reply.status == 400  # nginx's answer, relayed
    assert b"No required SSL certificate was sent" in reply.body


def test_a_certificate_the_backend_does_not_trust_is_refused_there(
    harness: Harness, side: BackendSide, pki: Pki
) -> None:
    reply = _one_request(
        harness, side, pki, '<authentication-certificate certificate-id="stray" />'
    )
    assert reply.status == 400
    assert b"certificate error" in reply.body


def test_authentication_certificate_by_thumbprint_in_any_case(
    harness: Harness, side: BackendSide, pki: Pki
) -> None:
    thumb = side.identity_b.thumbprint.lower()
    reply = _one_request(harness, side, pki, f'<authentication-certificate thumbprint="{thumb}" />')
    assert reply.status == 200
    assert _seen(reply.body)["fingerprint"] == thumb


def test_authentication_certificate_from_a_pfx_body_with_its_password(
    harness: Harness, side: BackendSide, pki: Pki
) -> None:
    pfx = base64.b64encode(side.identity_a.pfx(b"s3cret")).decode()
    inbound = (
        f'<authentication-certificate body="@(Convert.FromBase64String(&quot;{pfx}&quot;))" '
        'password="s3cret" />'
    )
    _start(harness, side, inbound)
    for _ in range(2):  # the second request reuses the parsed PFX and the pooled connection
        reply = harness.client(pki.client).request("/mtls/x")
        assert reply.status == 200
        assert _seen(reply.body)["fingerprint"] == side.identity_a.thumbprint.lower()


def test_a_pfx_body_with_a_wrong_password_is_a_500_with_last_error(
    harness: Harness, side: BackendSide, pki: Pki
) -> None:
    pfx = base64.b64encode(side.identity_a.pfx(b"s3cret")).decode()
    inbound = (
        f'<authentication-certificate body="@(Convert.FromBase64String(&quot;{pfx}&quot;))" '
        'password="wrong" />'
    )
    assert "wrong password" in _failure(harness, side, pki, inbound)


@pytest.mark.parametrize(
    ("element", "message"),
    [
        ('certificate-id="nope"', "Certificate with id 'nope' with a private key was not found"),
        ('certificate-id="identity-a-public"', "with a private key was not found"),
        ('thumbprint="00AA"', "Certificate with thumbprint '00AA'"),
    ],
)
def test_a_literal_reference_to_no_usable_certificate_is_refused_at_load(
    harness: Harness, side: BackendSide, element: str, message: str
) -> None:
    with pytest.raises(PolicyError, match=message) as caught:
        _start(harness, side, f"<authentication-certificate {element} />")
    assert caught.value.element == "authentication-certificate"
    assert caught.value.line == 1


def test_a_computed_reference_to_no_certificate_is_a_500_with_last_error(
    harness: Harness, side: BackendSide, pki: Pki
) -> None:
    inbound = '<authentication-certificate certificate-id="@(&quot;identity-a-public&quot;)" />'
    assert "private key was not found" in _failure(harness, side, pki, inbound)


# --- backend entities ----------------------------------------------------------------------------


def test_set_backend_service_backend_id_applies_url_and_credentials(
    harness: Harness, side: BackendSide, pki: Pki
) -> None:
    reply = _one_request(harness, side, pki, '<set-backend-service backend-id="mtls-backend" />')
    assert reply.status == 200
    assert _seen(reply.body)["fingerprint"] == side.identity_b.thumbprint.lower()


def test_authentication_certificate_overrides_the_entity_credentials(
    harness: Harness, side: BackendSide, pki: Pki
) -> None:
    inbound = (
        '<set-backend-service backend-id="mtls-backend" />'
        '<authentication-certificate certificate-id="identity-a" />'
    )
    reply = _one_request(harness, side, pki, inbound)
    assert _seen(reply.body)["fingerprint"] == side.identity_a.thumbprint.lower()


def test_an_outgoing_url_equal_to_an_entity_url_uses_its_settings(
    harness: Harness, side: BackendSide, pki: Pki
) -> None:
    _start(harness, side)
    reply = harness.client(pki.client).request("/auto/x")  # serviceUrl == mtls-backend's url
    assert reply.status == 200
    assert _seen(reply.body)["fingerprint"] == side.identity_b.thumbprint.lower()


def test_a_literal_unknown_backend_id_is_refused_at_load(
    harness: Harness, side: BackendSide
) -> None:
    with pytest.raises(PolicyError, match="Backend with id 'nope' could not be found"):
        _start(harness, side, '<set-backend-service backend-id="nope" />')


def test_a_computed_unknown_backend_id_is_a_500(
    harness: Harness, side: BackendSide, pki: Pki
) -> None:
    inbound = '<set-backend-service backend-id="@(&quot;no&quot; + &quot;pe&quot;)" />'
    message = _failure(harness, side, pki, inbound)
    assert message == "Backend with id 'nope' could not be found."


# --- the backend's server certificate ------------------------------------------------------------


def test_a_self_signed_backend_fails_with_chain_validation_on(
    harness: Harness, side: BackendSide, pki: Pki
) -> None:
    reply = _one_request(
        harness, side, pki, '<set-backend-service backend-id="self-signed-strict" />', on_error=""
    )
    assert reply.status == 500
    body = json.loads(reply.body)
    assert body["statusCode"] == 500 and body["message"] == "Internal server error"


def test_the_chain_failure_fills_last_error(harness: Harness, side: BackendSide, pki: Pki) -> None:
    inbound = '<set-backend-service backend-id="self-signed-strict" />'
    reply = _one_request(harness, side, pki, inbound, on_error=ERROR_HEADERS)
    assert reply.status == 500
    assert reply.header("X-Reason") == "BackendConnectionFailure"
    message = reply.header("X-Message") or ""
    assert message.startswith("The remote certificate is invalid according to the validation")
    assert "RemoteCertificateChainErrors" in message


def test_a_self_signed_backend_passes_with_validation_off(
    harness: Harness, side: BackendSide, pki: Pki
) -> None:
    reply = _one_request(harness, side, pki, '<set-backend-service backend-id="self-signed-lax" />')
    assert reply.status == 200
    assert reply.body == b"self-signed backend"


def test_the_name_is_checked_without_the_chain_when_asked(
    harness: Harness, side: BackendSide, pki: Pki
) -> None:
    # The self-signed certificate names localhost; this entity reaches it as 127.0.0.1.
    inbound = '<set-backend-service backend-id="self-signed-name-only" />'
    assert "RemoteCertificateNameMismatch" in _failure(harness, side, pki, inbound)


def test_a_name_mismatch_fails_and_passes_with_name_validation_off(
    harness: Harness, side: BackendSide, pki: Pki
) -> None:
    inbound = (
        '<set-backend-service backend-id="by-ip" />'
        '<authentication-certificate certificate-id="identity-a" />'
    )
    assert "RemoteCertificateChainErrors" in _failure(harness, side, pki, inbound)
    passed = _one_request(harness, side, pki, inbound, by_ip_name=False)
    assert passed.status == 200


def test_a_private_backend_ca_is_trusted_once_uploaded(
    harness: Harness, side: BackendSide, pki: Pki
) -> None:
    inbound = '<authentication-certificate certificate-id="identity-a" />'
    assert _one_request(harness, side, pki, inbound, upload_root=False).status == 500
    assert _one_request(harness, side, pki, inbound, upload_root=True).status == 200


# --- one pool per identity -----------------------------------------------------------------------

PER_CLIENT = """<authentication-certificate certificate-id="@(
    context.Request.Certificate.Thumbprint == &quot;{thumb}&quot; ? &quot;identity-a&quot;
                                                                  : &quot;identity-b&quot;)" />"""


def test_two_clients_never_share_an_upstream_connection(
    harness: Harness, side: BackendSide, pki: Pki
) -> None:
    _start(harness, side, PER_CLIENT.format(thumb=pki.client.thumbprint))
    expected = {
        "a": side.identity_a.thumbprint.lower(),
        "b": side.identity_b.thumbprint.lower(),
    }
    clients = {"a": harness.client(pki.client), "b": harness.client(pki.second)}
    connections: dict[str, set[str]] = {"a": set(), "b": set()}
    for i in range(24):  # interleaved, so pooled connections are there to be (wrongly) reused
        who = "ab"[i % 2]
        reply = clients[who].request("/mtls/x")
        assert reply.status == 200
        seen = _seen(reply.body)
        assert seen["fingerprint"] == expected[who]
        connections[who].add(seen["connection"])
    assert connections["a"].isdisjoint(connections["b"])
    assert len(connections["a"]) < 12  # pooled: not a new connection per request
