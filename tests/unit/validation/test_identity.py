"""Identity claims: DN syntax and comparison, thumbprints, serials, names (spec §5.1, §11.2)."""

from __future__ import annotations

import hashlib

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from certgate.core.validation.identity import (
    DnSyntaxError,
    IssuerFacts,
    make_identity,
    name_to_dn,
    normalize_fingerprint,
    normalize_serial,
    parse_dn,
    serial_hex,
)
from tests.validation_certs import der, make


def dn(*pairs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs])


CONTOSO = dn(
    (NameOID.COUNTRY_NAME, "US"),
    (NameOID.STATE_OR_PROVINCE_NAME, "Illinois"),
    (NameOID.LOCALITY_NAME, "Chicago"),
    (NameOID.ORGANIZATION_NAME, "Contoso, Inc."),
    (NameOID.COMMON_NAME, "*.contoso.com"),
)


def test_d2_example_with_a_quoted_comma_equals_the_certificate_name() -> None:
    text = 'C=US, ST=Illinois, L=Chicago, O="Contoso, Inc.", CN=*.contoso.com'
    assert parse_dn(text) == name_to_dn(CONTOSO)


def test_order_of_rdns_does_not_matter() -> None:
    dotnet = 'CN=*.contoso.com, O="Contoso, Inc.", L=Chicago, S=Illinois, C=US'
    assert parse_dn(dotnet) == name_to_dn(CONTOSO)


def test_case_and_white_space_of_values_and_types_are_folded() -> None:
    text = '  c = us ;st=ILLINOIS;  l=chicago ; o = "CONTOSO,   INC." ; cn=*.Contoso.com '
    assert parse_dn(text) == name_to_dn(CONTOSO)


def test_a_different_value_or_a_missing_rdn_does_not_match() -> None:
    assert parse_dn('C=US, ST=Illinois, L=Chicago, O="Contoso Inc.", CN=*.contoso.com') != (
        name_to_dn(CONTOSO)
    )
    assert parse_dn('ST=Illinois, L=Chicago, O="Contoso, Inc.", CN=*.contoso.com') != name_to_dn(
        CONTOSO
    )


def test_rdn_multiset_counts_duplicates() -> None:
    two = dn((NameOID.ORGANIZATIONAL_UNIT_NAME, "a"), (NameOID.ORGANIZATIONAL_UNIT_NAME, "a"))
    assert parse_dn("OU=a, OU=a") == name_to_dn(two)
    assert parse_dn("OU=a") != name_to_dn(two)


def test_quotes_escapes_and_oids() -> None:
    name = dn((NameOID.COMMON_NAME, 'say "hi", ok'), (x509.ObjectIdentifier("1.2.3.4"), "v+w"))
    assert parse_dn('CN="say ""hi"", ok", OID.1.2.3.4="v+w"') == name_to_dn(name)
    assert parse_dn(r"CN=say \"hi\"\2C ok, 1.2.3.4=v\+w") == name_to_dn(name)


def test_multi_valued_rdn() -> None:
    multi = x509.Name(
        [
            x509.RelativeDistinguishedName(
                [
                    x509.NameAttribute(NameOID.COMMON_NAME, "x"),
                    x509.NameAttribute(NameOID.USER_ID, "7"),
                ]
            )
        ]
    )
    assert parse_dn("UID=7 + CN=x") == name_to_dn(multi)
    assert parse_dn("UID=7, CN=x") != name_to_dn(multi)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("CN", "missing '='"),
        ("XX=1", "unknown attribute type 'XX'"),
        ('CN="open', "not closed"),
        ('CN="a" b', "unexpected 'b'"),
    ],
)
def test_dn_syntax_errors_say_what(text: str, message: str) -> None:
    with pytest.raises(DnSyntaxError, match=message):
        parse_dn(text)


def test_thumbprints_any_case_separators_and_the_windows_lrm_mark() -> None:
    plain = "0F5E4A4C8B1D2E3F405162738495A6B7C8D9E0F1"
    assert normalize_fingerprint(plain.lower()) == plain
    assert (
        normalize_fingerprint("\u200e0f 5e 4a 4c 8b 1d 2e 3f 40 51 62 73 84 95 a6 b7 c8 d9 e0 f1")
        == plain
    )
    assert normalize_fingerprint("0F:5E:" + plain[4:]) == plain
    assert len(normalize_fingerprint("ab" * 32)) == 64  # SHA-256 (certgate extension)
    for bad in ("xyz", "ABC", "00" * 21):
        with pytest.raises(ValueError):
            normalize_fingerprint(bad)


def test_serial_numbers_ignore_leading_zeros_and_case() -> None:
    cert = make("s", serial=0x00AB12)
    assert serial_hex(cert.cert) == "AB12"
    assert normalize_serial("00ab12") == normalize_serial("AB 12") == "AB12"


def facts() -> IssuerFacts:
    return IssuerFacts(None, None)


def never(_: str) -> bool:
    return False


def test_identity_attributes_are_anded() -> None:
    cert = make(
        dn((NameOID.ORGANIZATION_NAME, "Contoso"), (NameOID.COMMON_NAME, "Client 01")),
        dns=("client01.contoso.test",),
    )
    data = der(cert)
    sha1 = hashlib.sha1(data).hexdigest()
    both = make_identity({"thumbprint": sha1.lower(), "common-name": "client 01"})
    assert both.matches(cert.cert, data, facts(), never)
    wrong = make_identity({"thumbprint": sha1, "dns-name": "other.contoso.test"})
    assert not wrong.matches(cert.cert, data, facts(), never)
    by_sha256 = make_identity({"thumbprint": hashlib.sha256(data).hexdigest()})
    assert by_sha256.matches(cert.cert, data, facts(), never)
    dns = make_identity({"dns-name": "CLIENT01.contoso.test."})
    assert dns.matches(cert.cert, data, facts(), never)


def test_dns_name_does_not_expand_wildcards() -> None:
    cert = make("w", dns=("*.contoso.test",))
    assert not make_identity({"dns-name": "a.contoso.test"}).matches(
        cert.cert, der(cert), facts(), never
    )
    assert make_identity({"dns-name": "*.contoso.test"}).matches(
        cert.cert, der(cert), facts(), never
    )


def test_issuer_thumbprint_needs_a_known_issuer() -> None:
    root = make("Root", ca=True)
    leaf = make("leaf", root)
    identity = make_identity({"issuer-thumbprint": root.thumbprint.lower()})
    assert identity.matches(leaf.cert, der(leaf), IssuerFacts(root.cert, der(root)), never)
    assert not identity.matches(leaf.cert, der(leaf), facts(), never)


def test_issuer_certificate_id_asks_the_validator() -> None:
    leaf = make("leaf")
    identity = make_identity({"issuer-certificate-id": "ca-entity"})
    asked: list[str] = []

    def issued_by(cert_id: str) -> bool:
        asked.append(cert_id)
        return True

    assert identity.matches(leaf.cert, der(leaf), facts(), issued_by)
    assert asked == ["ca-entity"]


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"thumbprint": "not-hex"}, "'thumbprint'"),
        ({"serial-number": "zz"}, "'serial-number'"),
        ({"subject": "CN"}, "'subject'"),
        ({"issuer-certificate-id": " "}, "'issuer-certificate-id'"),
    ],
)
def test_bad_identity_values_name_the_attribute(attrs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_identity(attrs)
