"""RSA and `new X509Certificate2(...)`: what the Mono vectors (`vectors/rsa.yaml`) cannot show:
.NET Core 3.0+ members, PSS (Mono lacks it), generated keys, and the limits certgate adds."""

from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, Encoding, pkcs12

from certgate.core import certs
from certgate.core.expr import compile_expression, to_dotnet_string
from certgate.errors import ExpressionRuntimeError
from certgate.testing.pki import DemoPki

from .conftest import rsa_self_signed, text_of


def _pfx(password: bytes) -> str:
    """A self-signed RSA certificate with its key, made for this test run."""
    key, cert = rsa_self_signed("signer", x509.random_serial_number())
    encryption = BestAvailableEncryption(password)
    return base64.b64encode(
        pkcs12.serialize_key_and_certificates(b"c", key, cert, None, encryption)
    ).decode()


@pytest.fixture(scope="module")
def pfx() -> str:
    return _pfx(b"pw")


def test_pss_signature_round_trip_and_rejects_other_data(pfx: str) -> None:
    text = (
        '@{ var c = new X509Certificate2(Convert.FromBase64String("$PFX"), "pw");'
        ' var d = Encoding.UTF8.GetBytes("payload");'
        " var sig = c.GetRSAPrivateKey().SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);"
        " var key = c.GetRSAPublicKey();"
        ' return key.VerifyData(d, sig, HashAlgorithmName.SHA256, RSASignaturePadding.Pss) + "|"'
        " + key.VerifyData(new byte[] { 1 }, sig, HashAlgorithmName.SHA256, RSASignaturePadding.Pss)"
        ' + "|" + key.VerifyData(d, sig, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1); }'
    ).replace("$PFX", pfx)
    assert text_of(text) == "True|False|False"


def test_public_key_export_and_import_round_trip(pfx: str) -> None:
    text = (
        '@{ var c = new X509Certificate2(Convert.FromBase64String("$PFX"), "pw");'
        " var spki = c.GetRSAPublicKey().ExportSubjectPublicKeyInfo();"
        " var other = RSA.Create(1024); other.ImportSubjectPublicKeyInfo(spki, out var read);"
        ' var d = Encoding.UTF8.GetBytes("x");'
        " var sig = c.GetRSAPrivateKey().SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);"
        ' return (read == spki.Length) + "|" + other.KeySize + "|"'
        " + other.VerifyData(d, sig, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1); }"
    ).replace("$PFX", pfx)
    assert text_of(text) == "True|2048|True"


def test_generated_key_signs_and_verifies() -> None:
    text = (
        "@{ var k = RSA.Create(1024); var d = new byte[] { 1, 2, 3 };"
        " var sig = k.SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);"
        ' return k.KeySize + "|" + k.VerifyData(d, sig, HashAlgorithmName.SHA256,'
        " RSASignaturePadding.Pkcs1); }"
    )
    assert text_of(text) == "1024|True"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("@(RSA.Create(8192))", "NotSupportedException"),  # seconds of CPU in the worker
        ("@(RSA.Create(1000))", "CryptographicException"),  # not a multiple of 64
        ('@(new X509Certificate2("/etc/passwd"))', "NotSupportedException"),  # no file reads
        (
            "@(RSA.Create(1024).ImportSubjectPublicKeyInfo(new byte[] { 48, 0 }, out var n))",
            "CryptographicException",
        ),
    ],
)
def test_refused_at_run_time(text: str, kind: str) -> None:
    with pytest.raises(ExpressionRuntimeError) as info:
        compile_expression(text).evaluate(None)
    assert info.value.exception_type == kind


def test_a_pfx_is_decrypted_once_and_the_cache_stays_bounded(
    pfx: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    certs._LOADED.clear()
    text = '@(new X509Certificate2(Convert.FromBase64String("$PFX"), "pw").HasPrivateKey)'.replace(
        "$PFX", pfx
    )
    expression = compile_expression(text)
    assert to_dotnet_string(expression.evaluate(None)) == "True"
    assert to_dotnet_string(expression.evaluate(None)) == "True"
    assert len(certs._LOADED) == 1  # the second evaluation derived no key
    monkeypatch.setattr(certs, "_LOADED_MAX", 2)
    pki = DemoPki.create(("localhost",))
    for issued in (pki.root, pki.intermediate, pki.client):
        der = issued.cert.public_bytes(Encoding.DER)
        loaded = certs.new_certificate(certs.CsBytes(der))
        assert loaded.Thumbprint and not loaded.HasPrivateKey
    assert len(certs._LOADED) == 2


def test_the_request_certificate_exposes_no_private_key() -> None:
    pki = DemoPki.create(("localhost",))
    view = certs.X509Certificate2(pki.client.der, has_private_key=True)
    assert view.GetRSAPrivateKey() is None and view.private_key is None
