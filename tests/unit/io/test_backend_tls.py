"""Backend server-name matching, the backend directory, and the policies that fill it."""

from __future__ import annotations

import datetime as dt
import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from certgate.core.backends import BackendDirectory, BackendEntity, BackendTls, base_key
from certgate.core.certs import load_certificate
from certgate.core.policy.document import load_document
from certgate.errors import PolicyError, PolicyRuntimeError
from certgate.io.backend_tls import BackendTlsContexts, name_matches
from certgate.testing.pki import issue


def _cert(cn: str, sans: list[x509.GeneralName] | None) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
    )
    if sans is not None:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(key, hashes.SHA256())


@pytest.mark.parametrize(
    ("pattern", "host", "matches"),
    [
        ("api.example.com", "api.example.com", True),
        ("API.example.com", "api.EXAMPLE.com", True),
        ("api.example.com", "www.example.com", False),
        ("*.example.com", "api.example.com", True),
        ("*.example.com", "example.com", False),
        ("*.example.com", "a.b.example.com", False),
        ("*.com", "example.com", False),
    ],
)
def test_dns_names_match_like_rfc_6125(pattern: str, host: str, matches: bool) -> None:
    assert name_matches(_cert("ignored", [x509.DNSName(pattern)]), host) is matches


def test_ip_addresses_match_ip_sans_only() -> None:
    cert = _cert("127.0.0.1", [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    assert name_matches(cert, "127.0.0.1")
    assert not name_matches(cert, "127.0.0.2")
    assert not name_matches(_cert("127.0.0.1", [x509.DNSName("127.0.0.1")]), "127.0.0.1")


def test_the_common_name_counts_only_without_a_san() -> None:
    assert name_matches(_cert("backend.test", None), "backend.test")
    assert not name_matches(_cert("backend.test", None), "other.test")
    assert not name_matches(_cert("backend.test", [x509.DNSName("x.test")]), "backend.test")


def test_entities_are_found_by_id_in_any_case_and_by_url() -> None:
    entity = BackendEntity("Orders", "https://Orders.example.com:8443/v1", BackendTls())
    directory = BackendDirectory([entity], {})
    assert directory.entity("orders") is entity
    assert directory.by_base.get(base_key("https://orders.example.com:8443/v1/")) is entity
    assert directory.by_base.get(base_key("https://orders.example.com/v1")) is None
    with pytest.raises(PolicyRuntimeError, match="Backend with id 'other' could not be found"):
        directory.entity("other")


def test_identities_need_a_private_key_and_pfx_bodies_are_parsed_once() -> None:
    issued = issue("Gateway Identity", client=True)
    with_key = load_certificate(issued.cert_pem() + issued.key_pem())
    public = load_certificate(issued.cert_pem())
    directory = BackendDirectory([], {"with-key": with_key, "public": public})
    assert directory.by_id("WITH-KEY") is with_key
    assert directory.by_thumb(issued.thumbprint.lower()) is with_key
    with pytest.raises(PolicyRuntimeError, match="private key was not found"):
        directory.by_id("public")
    pfx = issued.pfx(b"pw")
    first = directory.from_pfx(pfx, "pw")
    assert directory.from_pfx(pfx, "pw") is first
    with pytest.raises(PolicyRuntimeError, match="wrong password"):
        directory.from_pfx(pfx, "nope")


def test_equal_tls_choices_share_a_context_and_different_ones_do_not() -> None:
    issued = issue("Gateway Identity", client=True)
    identity = load_certificate(issued.cert_pem() + issued.key_pem())
    contexts = BackendTlsContexts()
    plain = contexts.get(BackendTls())
    assert contexts.get(BackendTls()) is plain
    presenting = BackendTls().presenting(identity)
    assert presenting != BackendTls()
    assert contexts.get(presenting) is not plain
    assert BackendTls(validate_chain=False) != BackendTls()


def _policy(inbound: str) -> str:
    return f"<policies><inbound>{inbound}</inbound></policies>"


@pytest.mark.parametrize(
    ("element", "message"),
    [
        ("<authentication-certificate />", "Exactly one of the attributes"),
        (
            '<authentication-certificate thumbprint="A" certificate-id="b" />',
            "Exactly one of the attributes",
        ),
        ('<authentication-certificate thumbprint="A" password="x" />', "applies to 'body' only"),
        ('<authentication-certificate certificate-id="b" key="x" />', "'key' attribute"),
        ('<set-backend-service base-url="http://a" backend-id="b" />', "Exactly one of"),
        ("<set-backend-service />", "Exactly one of"),
    ],
)
def test_malformed_backend_policies_are_refused_at_load(element: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        load_document(_policy(element), source="p.xml", scope="api")


@pytest.mark.parametrize(
    "element",
    [
        '<authentication-certificate certificate-id="backend-cert" />',
        '<authentication-certificate thumbprint="@(&quot;AB&quot;)" />',
        '<authentication-certificate body="@(new byte[0])" password="pw" />',
        '<set-backend-service backend-id="orders" />',
    ],
)
def test_well_formed_backend_policies_load(element: str) -> None:
    load_document(_policy(element), source="p.xml", scope="api")
