"""GetNameInfo's choices that the Mono vectors (tests/conformance/vectors/x509_names.yaml) do not
reach: several OUs, no usual attribute, a subject without names, a broken UPN; and the refusals
around it. Certificates are made per run."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from certgate.core.certs import X509Certificate2
from certgate.core.expr import compile_expression
from certgate.errors import ExpressionError, ExpressionRuntimeError

_KEY = ec.generate_private_key(ec.SECP256R1())
_UPN = x509.ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")


def _cert(subject: list[x509.NameAttribute], *names: x509.GeneralName) -> X509Certificate2:
    start = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(subject))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "issuer")]))
        .public_key(_KEY.public_key())
        .serial_number(9)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=1))
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), False)
    return X509Certificate2(
        builder.sign(_KEY, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    )


def _name(cert: X509Certificate2, kind: str, for_issuer: bool = False) -> object:
    der = base64.b64encode(cert.der).decode()
    text = (
        f'@(new X509Certificate2(Convert.FromBase64String("{der}"))'
        f".GetNameInfo(X509NameType.{kind}, {'true' if for_issuer else 'false'}))"
    )
    return compile_expression(text).evaluate(None)


def _attr(oid: x509.ObjectIdentifier, value: str) -> x509.NameAttribute:
    return x509.NameAttribute(oid, value)


def test_simple_name_takes_the_first_ou_in_der_order_without_a_cn() -> None:
    cert = _cert(
        [
            _attr(NameOID.ORGANIZATION_NAME, "Org"),
            _attr(NameOID.ORGANIZATIONAL_UNIT_NAME, "first-ou"),
            _attr(NameOID.ORGANIZATIONAL_UNIT_NAME, "second-ou"),
        ]
    )
    assert _name(cert, "SimpleName") == "first-ou"


def test_simple_name_falls_back_to_the_last_other_attribute_then_the_san_email() -> None:
    only_locality = _cert(
        [_attr(NameOID.COUNTRY_NAME, "US"), _attr(NameOID.LOCALITY_NAME, "Seattle")]
    )
    assert _name(only_locality, "SimpleName") == "Seattle"
    nameless = _cert([], x509.DNSName("a.example"), x509.RFC822Name("who@example.com"))
    assert _name(nameless, "SimpleName") == "who@example.com"
    assert _name(_cert([]), "SimpleName") == ""


def test_dns_name_falls_back_to_the_cn_but_dns_from_alternative_name_does_not() -> None:
    cert = _cert([_attr(NameOID.COMMON_NAME, "cn.example")])
    assert _name(cert, "DnsName") == "cn.example"
    assert _name(cert, "DnsFromAlternativeName") == ""


def test_upn_skips_other_names_of_another_type() -> None:
    other = x509.OtherName(x509.ObjectIdentifier("1.2.3.4"), b"\x0c\x01x")
    upn = x509.OtherName(_UPN, b"\x0c\x0bme@ex.ample")
    assert _name(_cert([], other, upn), "UpnName") == "me@ex.ample"


def test_a_upn_that_is_not_a_utf8_string_is_a_cryptographic_exception() -> None:
    broken = x509.OtherName(_UPN, b"\x04\x02ab")  # an OCTET STRING
    with pytest.raises(ExpressionRuntimeError) as info:
        _name(_cert([], broken), "UpnName")
    assert info.value.exception_type == "CryptographicException"


def test_issuer_names_come_from_the_issuer() -> None:
    cert = _cert([_attr(NameOID.COMMON_NAME, "subject")])
    assert _name(cert, "SimpleName", for_issuer=True) == "issuer"
    assert _name(cert, "EmailName", for_issuer=True) == ""


def test_export_other_than_cert_is_not_supported_yet() -> None:
    der = base64.b64encode(_cert([]).der).decode()
    load = f'new X509Certificate2(Convert.FromBase64String("{der}"))'
    assert bytes(
        compile_expression(f"@({load}.Export(X509ContentType.Cert))").evaluate(None)  # type: ignore[call-overload]
    ) == base64.b64decode(der)
    with pytest.raises(ExpressionRuntimeError) as info:
        compile_expression(f"@({load}.Export(X509ContentType.Pfx))").evaluate(None)
    assert info.value.exception_type == "NotSupportedException"
    assert "not supported yet" in info.value.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("@(X509NameType.Nothing)", "Nothing"),
        ("@(new X509NameType())", ""),  # a value type: its default, not an error
    ],
)
def test_name_type_members(text: str, message: str) -> None:
    if message:
        with pytest.raises(ExpressionError) as info:
            compile_expression(text)
        assert message in info.value.message
    else:
        assert str(compile_expression(text).evaluate(None).ToString()) == "SimpleName"  # type: ignore[attr-defined]


def test_the_view_s_python_fields_stay_out_of_reach() -> None:
    der = base64.b64encode(_cert([]).der).decode()
    for member in ("cert", "der", "private_key", "check"):
        with pytest.raises(ExpressionError):
            compile_expression(
                f'@(new X509Certificate2(Convert.FromBase64String("{der}")).{member})'
            )
