"""Members the Mono oracle cannot run (`tests/conformance/unit_tested/covd.yaml`): the .NET 5/6+
one-shot `HashData` statics, .NET Core 3.0+ RSA key import/export, RegexOptions.NonBacktracking
(.NET 7) and APIM's `VerifyNoRevocation()`; plus `StringBuilder.Capacity`'s refusals."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from certgate.core.certs import X509Certificate2
from certgate.core.expr import compile_expression, to_dotnet_string
from certgate.core.expr.stringbuilder import StringBuilder
from certgate.core.expr.types import CsObject
from certgate.core.validation.binding import CertificateCheck, bind
from certgate.core.validation.chain import ChainCache, TrustStore
from certgate.core.validation.validator import Validator
from tests.validation_certs import DAY, der, make, now

from .conftest import exception_of, rsa_self_signed, text_of

DATA = "Grüße, 😀"


# --- SHA*/MD5.HashData, HMAC*.HashData (.NET 5/6+) -----------------------------------------------


@pytest.mark.parametrize("name", ["MD5", "SHA1", "SHA256", "SHA384", "SHA512"])
def test_hash_data_is_the_digest_compute_hash_gives(name: str) -> None:
    expected = hashlib.new(name.lower(), DATA.encode()).digest()
    text = (
        f'@(Convert.ToBase64String({name}.HashData(Encoding.UTF8.GetBytes("{DATA}"))) + "|"'
        f' + ({name}.HashData(new byte[0]).Length * 8) + "|"'
        f' + Convert.ToBase64String({name}.Create().ComputeHash(Encoding.UTF8.GetBytes("{DATA}"))))'
    )
    b64 = base64.b64encode(expected).decode()
    assert text_of(text) == f"{b64}|{len(expected) * 8}|{b64}"
    assert exception_of(f"@({name}.HashData((byte[])null))") == "ArgumentNullException"


@pytest.mark.parametrize(
    ("name", "digest"),
    [
        ("HMACMD5", "md5"),
        ("HMACSHA1", "sha1"),
        ("HMACSHA256", "sha256"),
        ("HMACSHA384", "sha384"),
        ("HMACSHA512", "sha512"),
    ],
)
def test_hmac_hash_data_is_the_keyed_digest(name: str, digest: str) -> None:
    long_key = "k" * 200  # longer than any block: hashed first, as HMAC requires
    for key in ("secret", long_key, ""):
        expected = hmac.new(key.encode(), DATA.encode(), digest).digest()
        text = (
            f'@(Convert.ToBase64String({name}.HashData(Encoding.UTF8.GetBytes("{key}"),'
            f' Encoding.UTF8.GetBytes("{DATA}"))) + "|" + Convert.ToBase64String(new {name}('
            f'Encoding.UTF8.GetBytes("{key}")).ComputeHash(Encoding.UTF8.GetBytes("{DATA}"))))'
        )
        b64 = base64.b64encode(expected).decode()
        assert text_of(text) == f"{b64}|{b64}"
    assert exception_of(f"@({name}.HashData(null, new byte[] {{ 1 }}))") == "ArgumentNullException"
    assert exception_of(f"@({name}.HashData(new byte[] {{ 1 }}, null))") == "ArgumentNullException"


# --- RSA: ExportRSAPublicKey / ExportSubjectPublicKeyInfo / Import* (.NET Core 3.0+) -------------


@pytest.fixture(scope="module")
def key_and_cer() -> tuple[rsa.RSAPrivateKey, str]:
    key, cert = rsa_self_signed("export")
    return key, base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def _public(key: rsa.RSAPrivateKey, fmt: serialization.PublicFormat) -> str:
    return base64.b64encode(key.public_key().public_bytes(serialization.Encoding.DER, fmt)).decode()


def test_export_gives_pkcs1_and_spki(key_and_cer: tuple[rsa.RSAPrivateKey, str]) -> None:
    key, cer = key_and_cer
    pub = f'new X509Certificate2(Convert.FromBase64String("{cer}")).GetRSAPublicKey()'
    assert text_of(f"@(Convert.ToBase64String({pub}.ExportRSAPublicKey()))") == _public(
        key, serialization.PublicFormat.PKCS1
    )
    assert text_of(f"@(Convert.ToBase64String({pub}.ExportSubjectPublicKeyInfo()))") == _public(
        key, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # the PKCS#1 form is the certificate's public key bits (GetPublicKey)
    assert (
        text_of(
            f"@(Convert.ToBase64String({pub}.ExportRSAPublicKey()) == Convert.ToBase64String(new "
            f'X509Certificate2(Convert.FromBase64String("{cer}")).GetPublicKey()))'
        )
        == "True"
    )


def test_import_reads_its_format_only(key_and_cer: tuple[rsa.RSAPrivateKey, str]) -> None:
    key, _ = key_and_cer
    pkcs1 = _public(key, serialization.PublicFormat.PKCS1)
    spki = _public(key, serialization.PublicFormat.SubjectPublicKeyInfo)
    signature = base64.b64encode(key.sign(b"payload", padding.PKCS1v15(), hashes.SHA256())).decode()
    for method, data in (("ImportRSAPublicKey", pkcs1), ("ImportSubjectPublicKeyInfo", spki)):
        text = (
            f'@{{ var k = RSA.Create(1024); var raw = Convert.FromBase64String("{data}");'
            f" k.{method}(raw, out var read);"
            ' var ok = k.VerifyData(Encoding.UTF8.GetBytes("payload"),'
            f' Convert.FromBase64String("{signature}"), HashAlgorithmName.SHA256,'
            " RSASignaturePadding.Pkcs1);"
            ' return (read == raw.Length) + "|" + k.KeySize + "|" + ok; }'
        )
        assert text_of(text) == "True|2048|True"
    # the other format is refused, as .NET's AsnReader refuses it
    wrong = (("ImportRSAPublicKey", spki), ("ImportSubjectPublicKeyInfo", pkcs1))
    for method, data in wrong:
        text = f'@(RSA.Create(1024).{method}(Convert.FromBase64String("{data}"), out var n))'
        assert exception_of(text) == "CryptographicException"


def test_import_reports_bytes_read_before_trailing_data(
    key_and_cer: tuple[rsa.RSAPrivateKey, str],
) -> None:
    key, _ = key_and_cer
    raw = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )
    data = base64.b64encode(raw + b"\x00\x01\x02").decode()
    text = (
        f'@{{ var k = RSA.Create(1024); k.ImportRSAPublicKey(Convert.FromBase64String("{data}"),'
        " out var read); return read; }"
    )
    assert text_of(text) == str(len(raw))


def test_a_disposed_key_refuses_export_and_import(
    key_and_cer: tuple[rsa.RSAPrivateKey, str],
) -> None:
    _, cer = key_and_cer
    pub = f'new X509Certificate2(Convert.FromBase64String("{cer}")).GetRSAPublicKey()'
    for call in ("ExportRSAPublicKey()", "ExportSubjectPublicKeyInfo()"):
        assert exception_of(f"@{{ var k = {pub}; k.Dispose(); return k.{call}; }}") == (
            "ObjectDisposedException"
        )
    text = (
        f"@{{ var k = RSA.Create(1024); var d = {pub}.ExportRSAPublicKey(); k.Dispose();"
        " k.ImportRSAPublicKey(d, out var n); return n; }"
    )
    assert exception_of(text) == "ObjectDisposedException"


# --- RegexOptions.NonBacktracking (.NET 7) -------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value"),
    [
        (r"\d+", "a1b22c333"),
        (r"(?<key>\w+)=(?<val>[^;]*)", "a=1;bb=;c=3"),
        (r"(a|ab)(c|bcd)(d*)", "abcd"),
        (r"^\s*$|x{2,3}", "xxxxxxx"),
    ],
)
def test_nonbacktracking_finds_the_same_matches(pattern: str, value: str) -> None:
    def matches(options: str) -> str:
        return text_of(
            f'@(string.Join(",", Regex.Matches("{value}", @"{pattern}"{options}).Cast<Match>()'
            '.Select(m => m.Index + ":" + m.Value + ":" + m.Groups.Count)))'
        )

    assert matches(", RegexOptions.NonBacktracking") == matches("")


def test_nonbacktracking_options_and_name() -> None:
    assert text_of("@(RegexOptions.NonBacktracking.ToString())") == "NonBacktracking"
    assert (
        text_of("@((RegexOptions.NonBacktracking | RegexOptions.IgnoreCase).ToString())")
        == "IgnoreCase, NonBacktracking"
    )
    text = '@(Regex.IsMatch("ABC", "b", RegexOptions.NonBacktracking | RegexOptions.IgnoreCase))'
    assert text_of(text) == "True"
    for other in ("RightToLeft", "ECMAScript"):
        text = f'@(Regex.IsMatch("a", "a", RegexOptions.NonBacktracking | RegexOptions.{other}))'
        assert exception_of(text) == "ArgumentOutOfRangeException"


@pytest.mark.parametrize(
    "pattern",
    [r"(a)\1", r"(?<n>a)\k<n>", "a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b", "(?>a+)b", r"\Ga",
     "(a)?(?(1)b|a)", "(?(a)a|b)"],
)  # fmt: skip
def test_nonbacktracking_refuses_backtracking_constructs(pattern: str) -> None:
    assert exception_of(f'@(Regex.IsMatch("ab", @"{pattern}", RegexOptions.NonBacktracking))') == (
        "NotSupportedException"
    )
    compile_expression(f'@(Regex.IsMatch("ab", @"{pattern}"))').evaluate(None)  # fine without


def test_nonbacktracking_allows_the_same_characters_escaped_or_in_a_class() -> None:
    text = r'@(Regex.IsMatch("(?=!\\k", @"\(\?=[(?!]\\k", RegexOptions.NonBacktracking))'
    assert text_of(text) == "True"


# --- X509Certificate2.VerifyNoRevocation (APIM's extension) -------------------------------------


class _Request(CsObject):
    __slots__ = ("Certificate",)
    CS_TYPE = "IRequest"
    CS_MEMBERS = frozenset({"Certificate"})
    Certificate: X509Certificate2


class _Context(CsObject):
    __slots__ = ("Request",)
    CS_TYPE = "IProxyRequestContext"
    CS_MEMBERS = frozenset({"Request"})
    Request: _Request


ROOT = make("Covd Root CA", ca=True)
INTERMEDIATE = make("Covd Intermediate CA", ROOT, ca=True)
VERIFY = '@(context.Request.Certificate.Verify() + "|" + context.Request.Certificate.VerifyNoRevocation())'


def _verify(leaf_der: bytes, *uploaded: x509.Certificate) -> str:
    validator = Validator(TrustStore.build(("Root", c) for c in uploaded), cache=ChainCache())
    check = CertificateCheck(validator, (der(INTERMEDIATE),), now(), "api")
    request = _Request()
    request.Certificate = bind(X509Certificate2(leaf_der), check)
    context = _Context()
    context.Request = request
    return to_dotnet_string(compile_expression(VERIFY, context_type=_Context).evaluate(context))


def test_verify_no_revocation_skips_only_the_revocation_check() -> None:
    leaf = der(make("client", INTERMEDIATE))
    # chain to the uploaded root is fine; revocation status is unknown (no CRL, no OCSP)
    assert _verify(leaf, ROOT.cert) == "False|True"
    # no uploaded root: neither verifies
    assert _verify(leaf) == "False|False"
    # an expired certificate fails both
    expired = der(make("old", INTERMEDIATE, not_before=now() - 3 * DAY, not_after=now() - DAY))
    assert _verify(expired, ROOT.cert) == "False|False"


def test_an_unbound_certificate_verifies_nothing() -> None:
    view = X509Certificate2(der(make("client", INTERMEDIATE)))
    assert view.Verify() is False and view.VerifyNoRevocation() is False


# --- StringBuilder.Capacity ----------------------------------------------------------------


def test_capacity_setter_and_constructors() -> None:
    assert StringBuilder(0).Capacity == 16
    assert StringBuilder("abc", 0).Capacity == 16
    assert StringBuilder("x" * 40, 8).Capacity == 40
    assert exception_of("@(new StringBuilder(-1))") == "ArgumentOutOfRangeException"
    sb = StringBuilder("abc")
    sb.Capacity = 3
    sb.Append("d")  # certgate reports the length past the capacity, not .NET's next chunk
    assert sb.Capacity == 4
    assert exception_of('@{ var b = new StringBuilder("abc"); b.Capacity = 2; return b; }') == (
        "ArgumentOutOfRangeException"
    )
