"""The X509Certificate2 view renders what .NET renders (spec §2.6)."""

from __future__ import annotations

import hashlib

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from certgate.core.certs import X509Certificate2, dotnet_name, load_certificate
from certgate.errors import CertificateLoadError
from certgate.testing.pki import issue


def name(*pairs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs])


def test_dn_is_reversed_with_dotnet_labels() -> None:
    dn = name(
        (NameOID.COUNTRY_NAME, "US"),
        (NameOID.STATE_OR_PROVINCE_NAME, "Illinois"),
        (NameOID.ORGANIZATION_NAME, "Contoso"),
        (NameOID.COMMON_NAME, "Client 01"),
    )
    assert dotnet_name(dn) == "CN=Client 01, O=Contoso, S=Illinois, C=US"


def test_dn_values_with_special_characters_are_quoted() -> None:
    dn = name((NameOID.ORGANIZATION_NAME, "Contoso, Inc."), (NameOID.COMMON_NAME, 'say "hi"'))
    assert dotnet_name(dn) == 'CN="say ""hi""", O="Contoso, Inc."'
    plain = name((NameOID.COMMON_NAME, "plain-name.example"))
    assert dotnet_name(plain) == "CN=plain-name.example"


def test_unknown_attribute_prints_as_oid() -> None:
    dn = name((x509.ObjectIdentifier("1.2.3.4"), "v"))
    assert dotnet_name(dn) == "OID.1.2.3.4=v"


def test_thumbprint_subject_issuer_serial() -> None:
    ca = issue("Test Intermediate CA", ca=True)
    leaf = issue("Client 01", ca, organization="Contoso")
    view = X509Certificate2(leaf.der)
    assert view.Thumbprint == hashlib.sha1(leaf.der).hexdigest().upper()
    assert view.Thumbprint != view.Thumbprint.lower()
    assert view.Subject == "CN=Client 01, O=Contoso" == view.SubjectName.Name
    assert view.Issuer == "CN=Test Intermediate CA" == view.IssuerName.Name
    assert int(view.SerialNumber, 16) == leaf.cert.serial_number
    assert view.SerialNumber == view.SerialNumber.upper()
    assert view.NotBefore.to_python() < view.NotAfter.to_python()
    assert view.Version == 3 and view.HasPrivateKey is False


def test_serial_keeps_the_der_sign_byte() -> None:
    leaf = issue("x")
    view = X509Certificate2(leaf.der)
    # .NET prints the DER INTEGER's bytes: a serial with the top bit set gets a leading 00.
    if leaf.cert.serial_number.bit_length() % 8 == 0:
        assert view.SerialNumber.startswith("00")
    assert len(view.SerialNumber) % 2 == 0


def test_to_string_blocks() -> None:
    view = X509Certificate2(issue("Client 01", organization="Contoso").der)
    text = view.ToString()
    heads = [line for line in text.splitlines() if line.startswith("[")]
    assert heads == [
        "[Subject]",
        "[Issuer]",
        "[Serial Number]",
        "[Not Before]",
        "[Not After]",
        "[Thumbprint]",
    ]
    assert text.startswith("[Subject]\n  CN=Client 01, O=Contoso\n\n[Issuer]\n")
    assert text.endswith(f"[Thumbprint]\n  {view.Thumbprint}\n")


def test_garbage_is_not_a_certificate() -> None:
    with pytest.raises(CertificateLoadError):
        X509Certificate2(b"\x30\x03\x02\x01\x00")


def test_load_pem_with_key_pfx_and_der() -> None:
    leaf = issue("srv")
    pem = load_certificate(leaf.cert_pem() + leaf.key_pem())
    assert pem.der == leaf.der and pem.key_pem is not None
    pfx = load_certificate(leaf.pfx(b"pw"), password=b"pw")
    assert pfx.der == leaf.der and pfx.key_pem is not None
    der = load_certificate(leaf.der)
    assert der.der == leaf.der and der.key_pem is None


def test_wrong_pfx_password_and_mismatched_key_are_refused() -> None:
    leaf, other = issue("a"), issue("b")
    with pytest.raises(CertificateLoadError, match="wrong password"):
        load_certificate(leaf.pfx(b"right"), password=b"wrong")
    with pytest.raises(CertificateLoadError, match="does not belong"):
        load_certificate(leaf.cert_pem() + other.key_pem())
    with pytest.raises(CertificateLoadError):
        load_certificate(b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")


def test_validity_dates_are_dotnet_datetimes() -> None:
    import datetime as dt

    from certgate.core.expr import DateTime, compile_expression

    moment = DateTime(dt.datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=dt.UTC))
    assert moment.ToString() == "03/04/2026 05:06:07"
    assert moment.ToString("o") == "2026-03-04T05:06:07.8901230Z"
    assert moment.ToString("s") == "2026-03-04T05:06:07"
    assert moment.ToString("u") == "2026-03-04 05:06:07Z"
    assert moment.ToString("R") == "Wed, 04 Mar 2026 05:06:07 GMT"
    assert moment.Ticks == 639_081_975_678_901_230  # 100 ns units since 0001-01-01

    leaf = X509Certificate2(issue("x").der)
    same = compile_expression("@(context.NotBefore == context.NotBefore)").evaluate(leaf)
    order = compile_expression("@(context.NotAfter < context.NotBefore)").evaluate(leaf)
    assert (same, order) == (True, False)
