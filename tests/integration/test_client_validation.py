"""Client-certificate validation over real mutual TLS, on both TLS backends: the spec's vectors
TV-01..TV-19 and TV-33 (named after them), then the acceptance matrix of issue 6, one test per
case with its APIM verdict and reason. Certificates are made per test session; the CRL server and
the OCSP responder are small asyncio HTTP servers on loopback."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID

from certgate.snapshot import load_snapshot
from certgate.testing.pki import Issued
from tests.harness import Harness, Reply
from tests.revocation_server import RevocationServer
from tests.validation_certs import (
    DAY,
    SERVER_AUTH_ONLY,
    crl,
    make,
    name,
    now,
    ocsp_response,
    write_chain,
)


@dataclass(frozen=True)
class Certs:
    """The fixtures of spec §10.1, plus a few of our own."""

    root: Issued  # CN=Test Root CA, uploaded as Root
    int: Issued  # CN=Test Intermediate CA, uploaded as CertificateAuthority
    c1: Issued  # O=Contoso, CN=Client 01; SAN client01.contoso.test; entity "client01"
    c2: Issued  # CN=Client 02, not uploaded
    cx: Issued  # self-signed, same DN as C1
    ce: Issued  # expired
    cf: Issued  # not yet valid


@pytest.fixture(scope="module")
def certs() -> Certs:
    root = make("Test Root CA", ca=True)
    inter = make("Test Intermediate CA", root, ca=True)
    t = now()
    return Certs(
        root=root,
        int=inter,
        c1=make(name("Client 01", "Contoso"), inter, dns=("client01.contoso.test",)),
        c2=make("Client 02", inter),
        cx=make(name("Client 01", "Contoso")),
        ce=make("Expired Client", inter, not_before=t - 30 * DAY, not_after=t - DAY),
        cf=make("Future Client", inter, not_before=t + DAY, not_after=t + 365 * DAY),
    )


def pem(cert: Issued | x509.Certificate) -> bytes:
    c = cert.cert if isinstance(cert, Issued) else cert
    return c.public_bytes(serialization.Encoding.PEM)


ERROR_ECHO = (
    '<set-header name="ErrorSource" exists-action="override"><value>@(context.LastError.Source)</value></set-header>'
    '<set-header name="ErrorReason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header>'
    '<set-header name="ErrorMessage" exists-action="override"><value>@(context.LastError.Message)</value></set-header>'
)


def operation(snippet: str, on_error: str = "") -> str:
    return (
        f"<policies><inbound><base/>{snippet}</inbound><backend><base/></backend>"
        f"<outbound><base/></outbound><on-error><base/>{on_error}</on-error></policies>"
    )


def start(harness: Harness, certs: Certs, policy: str, **options: Any) -> None:
    """A gateway whose operation GET /echo/test runs `policy` (spec §10.1's fixture); `options`
    are those of `fixture`."""
    harness.start(*fixture(certs, policy, **options))


def fixture(
    certs: Certs,
    policy: str,
    *,
    uploads: tuple[tuple[str, Issued], ...] | None = None,
    gateway: str = "",
    api: str = "",
    crls: tuple[bytes, ...] = (),
    entities: dict[str, Issued] | None = None,
) -> tuple[str, dict[str, str | bytes]]:
    """The configuration of `start` and the files it names."""
    if uploads is None:
        uploads = (("Root", certs.root), ("CertificateAuthority", certs.int))
    files: dict[str, str | bytes] = {"op.xml": policy}
    ca_lines = []
    for i, (store, cert) in enumerate(uploads):
        files[f"v/ca{i}.crt"] = pem(cert)
        ca_lines.append(f"  - {{file: v/ca{i}.crt, storeName: {store}}}")
    entity_lines = []
    for cert_id, cert in {"client01": certs.c1, **(entities or {})}.items():
        files[f"v/{cert_id}.crt"] = pem(cert)
        entity_lines.append(f"  {cert_id}: {{file: v/{cert_id}.crt}}")
    crl_lines = []
    for i, data in enumerate(crls):
        files[f"v/{i}.crl"] = data
        crl_lines.append(f"  - {{file: v/{i}.crl}}")
    config = "\n".join(
        [
            "hostnames:",
            "  - {hostName: localhost, listen: '127.0.0.1:0', certificateId: gateway-tls, negotiateClientCertificate: true}",
            "certificates:",
            "  gateway-tls: {file: pki/gateway.pem}",
            *entity_lines,
            "caCertificates:" + ("" if ca_lines else " []"),
            *ca_lines,
            "crls:" + ("" if crl_lines else " []"),
            *crl_lines,
            "gateway: {" + gateway + "}",
            "apis:",
            "  echo:",
            "    path: echo",
            "    serviceUrl: http://BACKEND/svc",
            "    revocation: {" + api + "}",
            "    operations:",
            "      test: {method: GET, urlTemplate: /test, policy: op.xml}",
        ]
    )
    return config, files


def call(harness: Harness, who: Issued | Path | None) -> Reply:
    return harness.client(who).request("/echo/test")


def leaf_only(harness: Harness, cert: Issued) -> Path:
    """A client PEM that sends the leaf and no intermediate."""
    return write_chain(harness.tmp / f"leaf-{cert.thumbprint}.pem", cert)


def error(reply: Reply) -> tuple[int, str | None, str | None]:
    return reply.status, reply.header("ErrorSource"), reply.header("ErrorReason")


def assert_invalid(reply: Reply, reason: str) -> None:
    assert error(reply) == (401, "validate-client-certificate", reason)
    body = json.loads(reply.body)
    assert (body["statusCode"], body["message"]) == (401, "Invalid client certificate")


def assert_passes(reply: Reply) -> None:
    assert (reply.status, reply.body, reply.header("ErrorReason")) == (200, b"backend-ok", None)


# === spec §10.2 vectors ==========================================================================

TV01 = """<choose>
  <when condition="@(context.Request.Certificate == null || !context.Request.Certificate.VerifyNoRevocation() || context.Request.Certificate.Issuer != "CN=Test Intermediate CA" || context.Request.Certificate.SubjectName.Name != "CN=Client 01, O=Contoso")">
    <return-response><set-status code="403" reason="Invalid client certificate" /></return-response>
  </when>
</choose>"""


def assert_403_invalid(reply: Reply) -> None:
    assert (reply.status, reply.reason, reply.body) == (403, "Invalid client certificate", b"")


def test_tv01_issuer_subject_check_without_certificate(harness: Harness, certs: Certs) -> None:
    start(harness, certs, operation(TV01))
    assert_403_invalid(call(harness, None))


def test_tv02_issuer_subject_check_with_c1(harness: Harness, certs: Certs) -> None:
    start(harness, certs, operation(TV01))
    assert_passes(call(harness, certs.c1))


def test_tv03_issuer_subject_check_with_untrusted_lookalike(harness: Harness, certs: Certs) -> None:
    start(harness, certs, operation(TV01))
    assert_403_invalid(call(harness, certs.cx))


def thumbprint_check(value: str) -> str:
    return operation(
        '<choose><when condition="@(context.Request.Certificate == null || '
        f'context.Request.Certificate.Thumbprint != &quot;{value}&quot;)">'
        '<return-response><set-status code="403" reason="Invalid client certificate" />'
        "</return-response></when></choose>"
    )


def test_tv04a_uppercase_thumbprint_passes(harness: Harness, certs: Certs) -> None:
    start(harness, certs, thumbprint_check(certs.c1.thumbprint))
    assert_passes(call(harness, certs.c1))


def test_tv04b_lowercase_thumbprint_is_an_ordinal_mismatch(harness: Harness, certs: Certs) -> None:
    start(harness, certs, thumbprint_check(certs.c1.thumbprint.lower()))
    assert_403_invalid(call(harness, certs.c1))


UPLOADED_2017 = operation(
    '<choose><when condition="@(context.Request.Certificate == null || context.Deployment.Certificates.Any(c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint))">'
    '<return-response><set-status code="401" reason="Invalid client certificate" /></return-response>'
    "</when></choose>"
)


def test_tv05_2017_example_refuses_the_uploaded_certificate(harness: Harness, certs: Certs) -> None:
    start(harness, certs, UPLOADED_2017)
    reply = call(harness, certs.c1)
    assert (reply.status, reply.reason, reply.body) == (401, "Invalid client certificate", b"")


def test_tv06_2017_example_lets_others_through(harness: Harness, certs: Certs) -> None:
    start(harness, certs, UPLOADED_2017)
    assert_passes(call(harness, certs.c2))
    assert call(harness, None).status == 401


UPLOADED_CURRENT = operation(
    '<choose><when condition="@(context.Request.Certificate == null || !context.Request.Certificate.VerifyNoRevocation() || !context.Deployment.Certificates.Any(c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint))">'
    '<return-response><set-status code="403" reason="Invalid client certificate" /></return-response>'
    "</when></choose>"
)


def test_tv07_current_uploaded_certificate_check(harness: Harness, certs: Certs) -> None:
    start(harness, certs, UPLOADED_CURRENT)
    assert_passes(call(harness, certs.c1))
    assert_403_invalid(call(harness, certs.c2))
    assert_403_invalid(call(harness, None))
    assert_403_invalid(call(harness, certs.cx))


def tv08(trust: str = "true", ignore: str = "false") -> str:
    return (
        f'<validate-client-certificate validate-revocation="false" validate-trust="{trust}" '
        f'validate-not-before="true" validate-not-after="true" ignore-error="{ignore}">'
        '<identities><identity subject="O=Contoso, CN=Client 01" /></identities>'
        "</validate-client-certificate>"
    )


def test_tv08_no_certificate(harness: Harness, certs: Certs) -> None:
    start(harness, certs, operation(tv08(), ERROR_ECHO))
    reply = call(harness, None)
    assert error(reply) == (401, "validate-client-certificate", "ClientCertificateNotFound")
    assert "Client certificate missing" in json.loads(reply.body)["message"]


def test_tv09_identity_not_matched(harness: Harness, certs: Certs) -> None:
    start(harness, certs, operation(tv08(), ERROR_ECHO))
    reply = call(harness, certs.c2)
    assert_invalid(reply, "ClientCertificateIdentityNotMatched")
    assert reply.header("ErrorMessage") == "Certificate does not match any of allowed identities."


def test_tv10_not_trusted(harness: Harness, certs: Certs) -> None:
    start(harness, certs, operation(tv08(), ERROR_ECHO))
    reply = call(harness, certs.cx)
    assert_invalid(reply, "ClientCertificateNotTrusted")
    assert reply.header("ErrorMessage") == (
        "A certificate chain could not be built to a trusted root authority."
    )


def test_tv11_trust_off_lets_the_spoof_through(harness: Harness, certs: Certs) -> None:
    start(harness, certs, operation(tv08(trust="false"), ERROR_ECHO))
    assert_passes(call(harness, certs.cx))


def test_tv12_expiry_is_checked_before_identity(harness: Harness, certs: Certs) -> None:
    start(harness, certs, operation(tv08(), ERROR_ECHO))
    assert_invalid(call(harness, certs.ce), "ClientCertificateExpired")


def test_tv13_not_yet_valid(harness: Harness, certs: Certs) -> None:
    start(harness, certs, operation(tv08(), ERROR_ECHO))
    assert_invalid(call(harness, certs.cf), "ClientCertificateNotYetValid")


def test_tv14_time_checks_disabled(harness: Harness, certs: Certs) -> None:
    policy = (
        '<validate-client-certificate validate-revocation="false" validate-trust="false" '
        'validate-not-before="true" validate-not-after="false" />'
    )
    start(harness, certs, operation(policy, ERROR_ECHO))
    assert_passes(call(harness, certs.ce))


def tv15(identities: str) -> str:
    return operation(
        f'<validate-client-certificate validate-revocation="false"><identities>{identities}'
        "</identities></validate-client-certificate>",
        ERROR_ECHO,
    )


def test_tv15a_identities_are_ored(harness: Harness, certs: Certs) -> None:
    start(
        harness,
        certs,
        tv15(
            f'<identity thumbprint="{certs.c2.thumbprint}" />'
            '<identity common-name="Client 01" issuer-subject="CN=Test Intermediate CA" />'
        ),
    )
    assert_passes(call(harness, certs.c1))


def test_tv15b_attributes_are_anded(harness: Harness, certs: Certs) -> None:
    start(
        harness, certs, tv15('<identity common-name="Client 01" dns-name="other.contoso.test" />')
    )
    assert_invalid(call(harness, certs.c1), "ClientCertificateIdentityNotMatched")


def test_tv16_identity_thumbprint_in_lowercase(harness: Harness, certs: Certs) -> None:
    start(harness, certs, tv15(f'<identity thumbprint="{certs.c1.thumbprint.lower()}" />'))
    assert_passes(call(harness, certs.c1))


def test_tv17_issuer_thumbprint(harness: Harness, certs: Certs) -> None:
    policy = operation(
        '<validate-client-certificate validate-revocation="false" validate-trust="false">'
        f'<identities><identity issuer-thumbprint="{certs.int.thumbprint}" /></identities>'
        "</validate-client-certificate>",
        ERROR_ECHO,
    )
    start(harness, certs, policy)
    assert_passes(call(harness, certs.c1))
    assert_passes(call(harness, certs.c2))
    assert_invalid(call(harness, certs.cx), "ClientCertificateIdentityNotMatched")


def test_tv18_ignore_error_continues_without_last_error(harness: Harness, certs: Certs) -> None:
    policy = operation(
        tv08(ignore="true")
        + '<return-response><set-status code="200" reason="OK" /><set-body>continued</set-body>'
        "</return-response>",
        ERROR_ECHO,
    )
    start(harness, certs, policy)
    reply = call(harness, certs.c2)
    assert (reply.status, reply.body) == (200, b"continued")
    assert reply.header("ErrorReason") is None and reply.header("ErrorSource") is None


def test_tv19_on_error_replaces_the_401(harness: Harness, certs: Certs) -> None:
    on_error = '<return-response><set-status code="403" reason="Forbidden" /></return-response>'
    start(harness, certs, operation(tv08(), on_error))
    reply = call(harness, certs.c2)
    assert (reply.status, reply.reason, reply.body) == (403, "Forbidden", b"")


VERIFY_BOTH = operation(
    '<return-response><set-status code="200" reason="OK" /><set-body>@(context.Request.Certificate.Verify() + "|" + context.Request.Certificate.VerifyNoRevocation())</set-body></return-response>'
)


def test_tv33_verify_vs_verify_no_revocation(harness: Harness, certs: Certs) -> None:
    """Inferred (spec TV-33): the chain is fine, revocation status unknown."""
    start(harness, certs, VERIFY_BOTH)
    assert call(harness, certs.c1).body == b"False|True"
    assert call(harness, certs.ce).body == b"False|False"


def test_tv33_without_uploaded_cas(harness: Harness, certs: Certs) -> None:
    start(harness, certs, VERIFY_BOTH, uploads=())
    assert call(harness, certs.c1).body == b"False|False"


def test_a_new_snapshot_judges_the_next_request_of_an_open_connection(
    harness: Harness, certs: Certs
) -> None:
    """A connection's requests share one certificate view while the snapshot stays (io.proxy);
    the CA certificates of a snapshot swapped in meanwhile judge its next request."""
    start(harness, certs, VERIFY_BOTH, uploads=())
    config, files = fixture(certs, VERIFY_BOTH)
    folder = harness.tmp / "with-cas"
    for relative, content in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    (folder / "pki").symlink_to(harness.tmp / "pki")
    (folder / "config.yaml").write_text(
        config.replace("BACKEND", f"127.0.0.1:{harness.backend_port}")
    )
    with_cas = load_snapshot(folder / "config.yaml")
    assert harness.gateway is not None
    proxy = harness.gateway.proxy

    conn = http.client.HTTPConnection("localhost", harness.port, timeout=10)
    conn.sock = harness.client(certs.c1).connect()
    try:
        answers = []
        for swap in (False, False, True, False):
            if swap:
                harness.loop.call(lambda: setattr(proxy, "snapshot", with_cas))
            conn.request("GET", "/echo/test")
            answers.append(conn.getresponse().read())
    finally:
        conn.close()
    assert answers == [b"False|False", b"False|False", b"False|True", b"False|True"]


# === the acceptance matrix =======================================================================

TRUST_ONLY = operation('<validate-client-certificate validate-revocation="false" />', ERROR_ECHO)
REVOCATION = operation("<validate-client-certificate />", ERROR_ECHO)


def root_only(certs: Certs) -> tuple[tuple[str, Issued], ...]:
    return (("Root", certs.root),)


def test_chain_with_the_intermediate_sent_by_the_client(harness: Harness, certs: Certs) -> None:
    start(harness, certs, TRUST_ONLY, uploads=root_only(certs))
    assert_passes(call(harness, certs.c1))  # the client's PEM carries the intermediate


def test_intermediate_uploaded_as_certificate_authority_instead(
    harness: Harness, certs: Certs
) -> None:
    start(harness, certs, TRUST_ONLY)
    assert_passes(call(harness, leaf_only(harness, certs.c1)))


def test_intermediate_missing_is_not_trusted(harness: Harness, certs: Certs) -> None:
    start(harness, certs, TRUST_ONLY, uploads=root_only(certs))
    assert_invalid(call(harness, leaf_only(harness, certs.c1)), "ClientCertificateNotTrusted")


def test_expired(harness: Harness, certs: Certs) -> None:
    start(harness, certs, TRUST_ONLY)
    assert_invalid(call(harness, certs.ce), "ClientCertificateExpired")


def test_not_yet_valid(harness: Harness, certs: Certs) -> None:
    start(harness, certs, TRUST_ONLY)
    assert_invalid(call(harness, certs.cf), "ClientCertificateNotYetValid")


def test_not_yet_valid_within_the_clock_skew_window(harness: Harness, certs: Certs) -> None:
    soon = make("Soon", certs.int, not_before=now() + dt.timedelta(seconds=60))
    start(harness, certs, TRUST_ONLY, gateway="clockSkewSeconds: 300")
    assert_passes(call(harness, soon))
    start(harness, certs, TRUST_ONLY)  # no tolerance by default
    assert_invalid(call(harness, soon), "ClientCertificateNotYetValid")


def test_unknown_ca(harness: Harness, certs: Certs) -> None:
    foreign_root = make("Foreign Root", ca=True)
    start(harness, certs, TRUST_ONLY)
    assert_invalid(call(harness, make("Foreign", foreign_root)), "ClientCertificateNotTrusted")


def test_self_signed_uploaded_as_root(harness: Harness, certs: Certs) -> None:
    start(harness, certs, TRUST_ONLY, uploads=(("Root", certs.cx),))
    assert_passes(call(harness, certs.cx))


def test_server_auth_only_eku_is_not_trusted(harness: Harness, certs: Certs) -> None:
    """The documented deviation from .NET: a present EKU must allow clientAuth."""
    start(harness, certs, TRUST_ONLY)
    server_only = make("Server Only", certs.int, eku=SERVER_AUTH_ONLY)
    assert_invalid(call(harness, server_only), "ClientCertificateNotTrusted")


def test_cn_without_san(harness: Harness, certs: Certs) -> None:
    start(harness, certs, TRUST_ONLY)
    assert_passes(call(harness, certs.c2))  # CN=Client 02, no subjectAltName


def test_leaf_without_aki_is_accepted(harness: Harness, certs: Certs) -> None:
    start(harness, certs, TRUST_ONLY)
    assert_passes(call(harness, make("No AKI", certs.int, aki=False)))


def test_ca_without_key_usage_is_accepted(harness: Harness, certs: Certs) -> None:
    bare = make("Bare CA", certs.root, ca=True, key_usage=False)
    start(harness, certs, TRUST_ONLY)
    assert_passes(call(harness, make("Client of bare CA", bare)))


# --- revocation ---------------------------------------------------------------------------------


def test_revoked_by_an_uploaded_crl(harness: Harness, certs: Certs) -> None:
    start(harness, certs, REVOCATION, crls=(crl(certs.int, (certs.c2,)), crl(certs.root)))
    reply = call(harness, certs.c2)
    assert_invalid(reply, "ClientCertificateRevoked")
    assert reply.header("ErrorMessage") == "Certificate has been revoked."
    assert_passes(call(harness, certs.c1))  # on neither CRL


@pytest.fixture
def revocation_server(harness: Harness) -> Iterator[RevocationServer]:
    server = RevocationServer()
    harness.loop.run(server.start())
    yield server
    harness.loop.run(server.stop())


LOOPBACK_FETCHES = "revocation: {allowPrivateNetworks: true, fetchTimeoutSeconds: 2}"


def test_revoked_by_a_crl_from_its_distribution_point(
    harness: Harness, certs: Certs, revocation_server: RevocationServer
) -> None:
    url = revocation_server.url("/int.crl")
    revoked = make("Revoked", certs.int, crl_url=url)
    good = make("Good", certs.int, crl_url=url)
    revocation_server.files["/int.crl"] = crl(certs.int, (revoked,))
    start(harness, certs, REVOCATION, gateway=LOOPBACK_FETCHES, crls=(crl(certs.root),))
    assert_invalid(call(harness, revoked), "ClientCertificateRevoked")
    assert_passes(call(harness, good))
    assert revocation_server.requests == [("GET", "/int.crl")]  # fetched once, then cached


def test_crl_on_loopback_is_refused_without_allow_private_networks(
    harness: Harness, certs: Certs, revocation_server: RevocationServer
) -> None:
    good = make("Good", certs.int, crl_url=revocation_server.url("/int.crl"))
    revocation_server.files["/int.crl"] = crl(certs.int)
    start(harness, certs, REVOCATION, crls=(crl(certs.root),))
    reply = call(harness, good)
    assert_invalid(reply, "ClientCertificateRevoked")
    assert reply.header("ErrorMessage") == "Certificate revocation status could not be determined."
    assert revocation_server.requests == []


def test_untrusted_certificate_addresses_are_never_fetched(
    harness: Harness, certs: Certs, revocation_server: RevocationServer
) -> None:
    stranger = make("Stranger", make("Evil Root", ca=True), crl_url=revocation_server.url("/x"))
    start(harness, certs, REVOCATION, gateway=LOOPBACK_FETCHES)
    assert_invalid(call(harness, stranger), "ClientCertificateNotTrusted")
    assert revocation_server.requests == []


def ocsp_setup(
    harness: Harness, certs: Certs, server: RevocationServer, status: ocsp.OCSPCertStatus | None
) -> Issued:
    leaf = make("OCSP Client", certs.int, ocsp_url=server.url("/ocsp"))
    if status is not None:
        server.ocsp = lambda request: ocsp_response(leaf, certs.int, status)
    start(harness, certs, REVOCATION, gateway=LOOPBACK_FETCHES, crls=(crl(certs.root),))
    return leaf


def test_ocsp_good(harness: Harness, certs: Certs, revocation_server: RevocationServer) -> None:
    leaf = ocsp_setup(harness, certs, revocation_server, ocsp.OCSPCertStatus.GOOD)
    assert_passes(call(harness, leaf))
    assert_passes(call(harness, leaf))
    assert revocation_server.requests == [("POST", "/ocsp")]


def test_ocsp_revoked(harness: Harness, certs: Certs, revocation_server: RevocationServer) -> None:
    leaf = ocsp_setup(harness, certs, revocation_server, ocsp.OCSPCertStatus.REVOKED)
    assert_invalid(call(harness, leaf), "ClientCertificateRevoked")


def test_ocsp_responder_down_fails_closed(
    harness: Harness, certs: Certs, revocation_server: RevocationServer
) -> None:
    leaf = ocsp_setup(harness, certs, revocation_server, None)  # POST answers 404
    reply = call(harness, leaf)
    assert_invalid(reply, "ClientCertificateRevoked")
    assert reply.header("ErrorMessage") == "Certificate revocation status could not be determined."


def test_slow_ocsp_responder_is_cut_off_by_the_fetch_timeout(
    harness: Harness, certs: Certs, revocation_server: RevocationServer
) -> None:
    leaf = make("OCSP Client", certs.int, ocsp_url=revocation_server.url("/ocsp"))
    revocation_server.ocsp = lambda request: ocsp_response(leaf, certs.int)
    revocation_server.ocsp_delay = 3.0
    gateway = "revocation: {allowPrivateNetworks: true, fetchTimeoutSeconds: 0.3}"
    start(harness, certs, REVOCATION, gateway=gateway, crls=(crl(certs.root),))
    reply = call(harness, leaf)
    assert_invalid(reply, "ClientCertificateRevoked")
    assert reply.header("ErrorMessage") == "Certificate revocation status could not be determined."


def test_ocsp_responder_down_with_when_unknown_allow_on_the_api(
    harness: Harness, certs: Certs, revocation_server: RevocationServer
) -> None:
    leaf = make("OCSP Client", certs.int, ocsp_url=revocation_server.url("/ocsp"))
    start(
        harness,
        certs,
        REVOCATION,
        gateway=LOOPBACK_FETCHES,
        api="whenUnknown: allow",
        crls=(crl(certs.root),),
    )
    assert_passes(call(harness, leaf))


def test_ocsp_answer_with_a_wrong_signer_counts_as_no_data(
    harness: Harness, certs: Certs, revocation_server: RevocationServer
) -> None:
    leaf = make("OCSP Client", certs.int, ocsp_url=revocation_server.url("/ocsp"))
    mallory = make("Mallory", ca=True)
    revocation_server.ocsp = lambda request: ocsp_response(
        leaf, certs.int, signer=mallory, include_signer=True
    )
    start(harness, certs, REVOCATION, gateway=LOOPBACK_FETCHES, crls=(crl(certs.root),))
    assert_invalid(call(harness, leaf), "ClientCertificateRevoked")


def test_verify_with_revocation_data_from_ocsp(
    harness: Harness, certs: Certs, revocation_server: RevocationServer
) -> None:
    leaf = make("OCSP Client", certs.int, ocsp_url=revocation_server.url("/ocsp"))
    revocation_server.ocsp = lambda request: ocsp_response(leaf, certs.int)
    start(harness, certs, VERIFY_BOTH, gateway=LOOPBACK_FETCHES, crls=(crl(certs.root),))
    assert call(harness, leaf).body == b"True|True"


# --- identities ---------------------------------------------------------------------------------


def identity(attrs: str) -> str:
    return operation(
        f'<validate-client-certificate validate-revocation="false"><identities><identity {attrs} />'
        "</identities></validate-client-certificate>",
        ERROR_ECHO,
    )


def test_identity_thumbprint_in_any_case(harness: Harness, certs: Certs) -> None:
    mixed = certs.c1.thumbprint[:20].lower() + certs.c1.thumbprint[20:]
    start(harness, certs, identity(f'thumbprint="{mixed}"'))
    assert_passes(call(harness, certs.c1))
    assert_invalid(call(harness, certs.c2), "ClientCertificateIdentityNotMatched")


def test_identity_serial_number(harness: Harness, certs: Certs) -> None:
    serial = format(certs.c1.cert.serial_number, "x")
    start(harness, certs, identity(f'serial-number="{serial}"'))
    assert_passes(call(harness, certs.c1))
    assert_invalid(call(harness, certs.c2), "ClientCertificateIdentityNotMatched")


def test_identity_common_name(harness: Harness, certs: Certs) -> None:
    start(harness, certs, identity('common-name="client 01"'))
    assert_passes(call(harness, certs.c1))
    assert_invalid(call(harness, certs.c2), "ClientCertificateIdentityNotMatched")


def test_identity_subject_with_a_quoted_comma(harness: Harness, certs: Certs) -> None:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Contoso, Inc."),
            x509.NameAttribute(NameOID.COMMON_NAME, "Client 03"),
        ]
    )
    c3 = make(subject, certs.int)
    start(harness, certs, identity('subject="C=US, O="Contoso, Inc.", CN=Client 03"'))
    assert_passes(call(harness, c3))
    assert_invalid(call(harness, certs.c1), "ClientCertificateIdentityNotMatched")


def test_identity_dns_name(harness: Harness, certs: Certs) -> None:
    start(harness, certs, identity('dns-name="client01.contoso.test"'))
    assert_passes(call(harness, certs.c1))
    assert_invalid(call(harness, certs.c2), "ClientCertificateIdentityNotMatched")


def test_identity_issuer_subject(harness: Harness, certs: Certs) -> None:
    start(harness, certs, identity('issuer-subject="CN=Test Intermediate CA"'))
    assert_passes(call(harness, certs.c1))
    other_int = make("Other Intermediate", certs.root, ca=True)
    assert_invalid(call(harness, make("c", other_int)), "ClientCertificateIdentityNotMatched")


def test_identity_issuer_thumbprint(harness: Harness, certs: Certs) -> None:
    start(harness, certs, identity(f'issuer-thumbprint="{certs.int.thumbprint.lower()}"'))
    assert_passes(call(harness, leaf_only(harness, certs.c1)))  # issuer from the CA store
    other_int = make("Other Intermediate", certs.root, ca=True)
    assert_invalid(call(harness, make("c", other_int)), "ClientCertificateIdentityNotMatched")


def test_identity_issuer_certificate_id(harness: Harness, certs: Certs) -> None:
    impostor = make("Test Intermediate CA", certs.root, ca=True)  # same name, other key
    policy = identity('issuer-certificate-id="int-entity"')
    start(harness, certs, policy, entities={"int-entity": certs.int})
    assert_passes(call(harness, certs.c2))
    assert_invalid(call(harness, make("c", impostor)), "ClientCertificateIdentityNotMatched")


# --- caching, resumption ------------------------------------------------------------------------


def test_repeat_request_builds_no_chain(harness: Harness, certs: Certs) -> None:
    fresh = make("Repeat Client", certs.int)
    start(harness, certs, TRUST_ONLY)
    assert harness.gateway is not None
    cache = harness.gateway.proxy.snapshot.validator.cache
    before = cache.builds
    assert_passes(call(harness, fresh))
    assert cache.builds == before + 1
    for _ in range(3):
        assert_passes(call(harness, fresh))
    assert cache.builds == before + 1


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2])
def test_chain_sent_on_a_resumed_tls_session(
    harness: Harness, certs: Certs, version: ssl.TLSVersion
) -> None:
    """The intermediate is not uploaded: validation needs the chain the client sent, which the
    gateway still has on connections that resume the TLS session."""
    start(harness, certs, TRUST_ONLY, uploads=root_only(certs))
    ctx = harness.client(certs.c1).context()
    ctx.maximum_version = version
    session = None
    for attempt in range(3):
        raw = socket.create_connection(("127.0.0.1", harness.port), timeout=10)
        sock = ctx.wrap_socket(raw, server_hostname="localhost", session=session)
        conn = http.client.HTTPConnection("localhost", harness.port, timeout=10)
        conn.sock = sock
        conn.request("GET", "/echo/test")
        reply = conn.getresponse()
        assert (reply.status, reply.read(), reply.getheader("ErrorReason")) == (
            200,
            b"backend-ok",
            None,
        )
        assert sock.session_reused is (attempt > 0)
        session = sock.session  # read after the response: TLS 1.3 tickets arrive late
        conn.close()
