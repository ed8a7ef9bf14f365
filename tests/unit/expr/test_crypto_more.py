"""Oid, PublicKey, AsymmetricAlgorithm, RNGCryptoServiceProvider, SymmetricAlgorithm: what the
Mono vectors (`tests/conformance/vectors/crypto_more.yaml`) cannot show: .NET 6+ members (the
one-shot ciphers, `new PublicKey(key)`, `CreateFromSubjectPublicKeyInfo`), CFB (Mono's AES has
none), .NET 8 behaviour Mono lacks (set-once Oids, Windows' OID names, RSA's algorithm names,
OFB refused, Rijndael's 128-bit block), APIM's allow-list at load time and the sandbox."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization

from certgate.core import certs
from certgate.core.expr import compile_expression, to_dotnet_string
from certgate.core.expr.binary import CsBytes
from certgate.errors import ExpressionError, NotSupportedError
from certgate.testing.pki import DemoPki

from .conftest import exception_of, load_error, rsa_self_signed, text_of, value_of

# NIST SP 800-38A, AES-128
NIST_KEY = "2b7e151628aed2a6abf7158809cf4f3c"
NIST_IV = "000102030405060708090a0b0c0d0e0f"
NIST_PLAIN = "6bc1bee22e409f96e93d7e117393172aae2d"


def hexed(value: str) -> str:
    """A C# expression for the bytes of a hex string (Convert.FromHexString is .NET 5+)."""
    return f'Convert.FromHexString("{value}")'


def aes(setup: str = "") -> str:
    """Statements making `a`, an AES object with NIST's key and IV, then `setup`."""
    return (
        f'var a = SymmetricAlgorithm.Create("Aes"); a.Key = {hexed(NIST_KEY)};'
        f" a.IV = {hexed(NIST_IV)}; {setup}"
    )


def not_supported(text: str) -> str:
    with pytest.raises(NotSupportedError) as info:
        compile_expression(text)
    return info.value.message


@pytest.fixture(scope="module")
def rsa_cert() -> str:
    """Base64 DER of a self-signed RSA certificate made for this run."""
    _, cert = rsa_self_signed("crypto more")
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


@pytest.fixture(scope="module")
def rsa_pfx() -> str:
    key, cert = rsa_self_signed("crypto more signer")
    pfx = serialization.pkcs12.serialize_key_and_certificates(
        b"k", key, cert, None, serialization.BestAvailableEncryption(b"k")
    )
    return base64.b64encode(pfx).decode()


def cert_expr(b64: str) -> str:
    return f'new X509Certificate2(Convert.FromBase64String("{b64}"))'


# --- Oid -----------------------------------------------------------------------------------------


def test_oid_value_and_friendly_name_are_set_once() -> None:
    assert exception_of('@{ var o = new Oid("CN"); o.Value = "2.5.4.7"; return 1; }') == (
        "PlatformNotSupportedException"
    )
    assert exception_of(
        '@{ var o = new Oid("2.5.4.3", "CN"); o.FriendlyName = "O"; return 1; }'
    ) == ("PlatformNotSupportedException")
    # the same value again is no change; a name that leads to another OID is refused
    assert text_of('@{ var o = new Oid("CN"); o.Value = "2.5.4.3"; return o.Value; }') == "2.5.4.3"
    assert exception_of(
        '@{ var o = new Oid(); o.Value = "2.5.4.3"; o.FriendlyName = "O"; return 1; }'
    ) == ("PlatformNotSupportedException")


def test_windows_names_of_extended_key_usages_and_aliases() -> None:
    assert text_of('@(new Oid("1.3.6.1.5.5.7.3.2").FriendlyName)') == "Client Authentication"
    assert text_of('@(new Oid("1.3.6.1.5.5.7.3.1").FriendlyName)') == "Server Authentication"
    assert text_of('@(new Oid("2.5.29.37").FriendlyName)') == "Enhanced Key Usage"
    assert text_of('@(new Oid("client authentication").Value)') == "1.3.6.1.5.5.7.3.2"
    assert text_of('@(new Oid("nistP256").Value + "|" + new Oid("ST").Value)') == (
        "1.2.840.10045.3.1.7|2.5.4.8"
    )
    assert text_of('@(new Oid("1.3.14.3.2.29").FriendlyName)') == "sha1RSA"  # compat OID


# --- PublicKey, X509Certificate2.PublicKey / SignatureAlgorithm --------------------------------


def test_public_key_of_an_ec_certificate() -> None:
    der = DemoPki.create(("localhost",)).client.der
    cert = cert_expr(base64.b64encode(der).decode())
    assert text_of(f"@({cert}.PublicKey.GetRSAPublicKey() == null)") == "True"
    assert text_of(f"@({cert}.PublicKey.Oid.FriendlyName)") == "ECC"
    assert exception_of(f"@({cert}.PublicKey.Key)") == "NotSupportedException"
    spki = value_of(f"@({cert}.PublicKey.ExportSubjectPublicKeyInfo())")
    assert isinstance(spki, CsBytes)
    expected = (
        certs.X509Certificate2(der)
        .cert.public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    assert spki.data == expected


def test_public_key_of_an_rsa_certificate(rsa_cert: str) -> None:
    cert = cert_expr(rsa_cert)
    assert text_of(f"@({cert}.PublicKey.GetRSAPublicKey().KeySize)") == "2048"
    same = (
        f"@(Convert.ToBase64String({cert}.PublicKey.ExportSubjectPublicKeyInfo())"
        f" == Convert.ToBase64String({cert}.GetRSAPublicKey().ExportSubjectPublicKeyInfo()))"
    )
    assert text_of(same) == "True"
    # Key is read once per PublicKey (.NET caches it), GetRSAPublicKey imports afresh
    assert text_of(f"@{{ var pk = {cert}.PublicKey; return pk.Key == pk.Key; }}") == "True"
    assert (
        text_of(
            f"@{{ var pk = {cert}.PublicKey; return pk.GetRSAPublicKey() == pk.GetRSAPublicKey(); }}"
        )
        == "False"
    )


def test_public_key_made_from_a_key_or_its_spki(rsa_cert: str) -> None:
    cert = cert_expr(rsa_cert)
    assert text_of(f"@(new PublicKey({cert}.GetRSAPublicKey()).Oid.FriendlyName)") == "RSA"
    text = (
        f"@{{ var spki = {cert}.PublicKey.ExportSubjectPublicKeyInfo();"
        " var longer = new byte[spki.Length + 3]; Array.Copy(spki, longer, spki.Length);"
        " var pk = PublicKey.CreateFromSubjectPublicKeyInfo(longer, out int read);"
        ' return (read == spki.Length) + "|" + pk.Oid.Value + "|" + pk.Key.KeySize; }'
    )
    assert text_of(text) == "True|1.2.840.113549.1.1.1|2048"
    bad = "@(PublicKey.CreateFromSubjectPublicKeyInfo(new byte[] { 0x30, 0x05, 1 }, out int n))"
    assert exception_of(bad) == "CryptographicException"
    assert exception_of("@(new PublicKey(null))") == "NullReferenceException"


def test_public_key_members_of_types_outside_the_allow_list_are_not_supported() -> None:
    for member in ("EncodedKeyValue", "EncodedParameters", "GetECDsaPublicKey()"):
        message = not_supported(f"@(new X509Certificate2(new byte[0]).PublicKey.{member})")
        assert member.rstrip("()") in message


def test_certificate_public_key_is_new_per_read() -> None:
    """The certificate view is shared by requests: disposing `PublicKey.Key` in one expression
    must not reach another."""
    der = DemoPki.create(("localhost",)).client.der
    view = certs.X509Certificate2(der)
    assert view.PublicKey is not view.PublicKey
    assert view.SignatureAlgorithm is not view.SignatureAlgorithm
    assert view.SignatureAlgorithm.FriendlyName == "sha256ECDSA"


# --- AsymmetricAlgorithm -----------------------------------------------------------------------


def test_rsa_names_its_algorithms_as_dotnet_core(rsa_cert: str) -> None:
    key = f"{cert_expr(rsa_cert)}.PublicKey.Key"
    assert text_of(f'@({key}.SignatureAlgorithm + "|" + {key}.KeyExchangeAlgorithm)') == "RSA|RSA"
    spki = f"@({key}.ExportSubjectPublicKeyInfo().Length > 270)"
    assert text_of(spki) == "True"


def test_private_keys_are_not_exported_as_xml(rsa_pfx: str) -> None:
    key = f'new X509Certificate2(Convert.FromBase64String("{rsa_pfx}"), "k").GetRSAPrivateKey()'
    assert exception_of(f"@({key}.ToXmlString(true))") == "NotSupportedException"
    assert text_of(f'@({key}.ToXmlString(false).StartsWith("<RSAKeyValue><Modulus>"))') == "True"


def test_from_xml_imports_a_private_key() -> None:
    key, _ = rsa_self_signed("xml")
    n = key.private_numbers()
    field = {
        "Modulus": n.public_numbers.n, "Exponent": n.public_numbers.e, "P": n.p, "Q": n.q,
        "DP": n.dmp1, "DQ": n.dmq1, "InverseQ": n.iqmp, "D": n.d,
    }  # fmt: skip
    xml = (
        "<RSAKeyValue>"
        + "".join(
            f"<{k}>{base64.b64encode(v.to_bytes((v.bit_length() + 7) // 8, 'big')).decode()}</{k}>"
            for k, v in field.items()
        )
        + "</RSAKeyValue>"
    )
    text = (
        f'@{{ var r = RSA.Create(); r.FromXmlString("{xml}"); var d = new byte[] {{ 1, 2 }};'
        " var sig = r.SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);"
        " return r.VerifyData(d, sig, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1); }"
    )
    assert text_of(text) == "True"
    partial = xml.split("<D>")[0] + "</RSAKeyValue>"
    text = f'@{{ RSA.Create().FromXmlString("{partial}"); return 1; }}'
    assert exception_of(text) == "CryptographicException"
    bad = '@{ RSA.Create().FromXmlString("<Modulus>!!</Modulus>"); return 1; }'
    assert exception_of(bad) == "CryptographicException"


def test_legal_key_sizes_are_not_supported() -> None:
    assert "LegalKeySizes" in not_supported("@(RSA.Create().LegalKeySizes)")
    assert "LegalBlockSizes" in not_supported('@(SymmetricAlgorithm.Create("Aes").LegalBlockSizes)')


# --- RNGCryptoServiceProvider -----------------------------------------------------------------


def test_rng_keeps_working_after_dispose_and_fills_only_byte_arrays() -> None:
    text = "@{ var r = new RNGCryptoServiceProvider(); r.Dispose(); var b = new byte[64]; r.GetBytes(b); return b.Any(x => x != 0); }"
    assert text_of(text) == "True"
    assert exception_of(
        "@{ object b = new int[] { 1000 }; new RNGCryptoServiceProvider().GetBytes((byte[])b); return 1; }"
    ) == ("InvalidCastException")


# --- SymmetricAlgorithm: APIM's refusals ----------------------------------------------------------


def test_parameterless_create_is_refused_as_apim_does() -> None:
    assert load_error("@(SymmetricAlgorithm.Create())") == (
        "Usage of member 'Create' of type 'System.Security.Cryptography.SymmetricAlgorithm' "
        "is not supported within expressions"
    )


def test_transform_members_are_refused_as_apim_does() -> None:
    text = '@{ var t = SymmetricAlgorithm.Create("Aes").CreateEncryptor(); return t.TransformFinalBlock(new byte[1], 0, 1); }'
    assert load_error(text).endswith(
        "Usage of member 'TransformFinalBlock' of type "
        "'System.Security.Cryptography.ICryptoTransform' is not supported within expressions"
    )


def test_other_symmetric_algorithms_are_not_supported_yet() -> None:
    for name in ("RC2", "System.Security.Cryptography.RC2"):
        assert exception_of(f'@(SymmetricAlgorithm.Create("{name}"))') == "NotSupportedException"


# --- SymmetricAlgorithm: .NET 8 where Mono differs -------------------------------------------------


def test_dotnet8_modes_and_block_sizes() -> None:
    assert exception_of(
        '@{ var a = SymmetricAlgorithm.Create("Aes"); a.Mode = CipherMode.OFB; return 1; }'
    ) == ("CryptographicException")
    assert exception_of(
        '@{ var a = SymmetricAlgorithm.Create("Rijndael"); a.BlockSize = 256; return 1; }'
    ) == ("PlatformNotSupportedException")
    assert exception_of(
        '@{ var a = SymmetricAlgorithm.Create("Rijndael"); a.BlockSize = 64; return 1; }'
    ) == ("CryptographicException")


def test_create_encryptor_checks_its_arguments() -> None:
    make = 'var a = SymmetricAlgorithm.Create("Aes");'
    assert exception_of(
        f"@{{ {make} a.CreateEncryptor(new byte[5], new byte[16]); return 1; }}"
    ) == ("ArgumentException")
    assert exception_of(
        f"@{{ {make} a.CreateDecryptor(new byte[16], new byte[8]); return 1; }}"
    ) == ("ArgumentException")
    assert exception_of(f"@{{ {make} a.CreateEncryptor(new byte[16], null); return 1; }}") == (
        "CryptographicException"
    )
    assert (
        text_of(
            f"@{{ {make} a.Mode = CipherMode.ECB; return a.CreateEncryptor(new byte[16], null) != null; }}"
        )
        == "True"
    )
    assert exception_of(f"@{{ {make} a.CreateEncryptor(null, new byte[16]); return 1; }}") == (
        "ArgumentNullException"
    )
    # APIM's Encrypt(alg, key, iv) goes through CreateEncryptor(key, iv)
    assert exception_of(
        f"@{{ {make} return new byte[1].Encrypt(a, new byte[5], new byte[16]); }}"
    ) == ("ArgumentException")


# --- CFB (Mono's AES has none) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("feedback", "plain", "cipher"),
    [
        (8, NIST_PLAIN, "3B79424C9C0DD436BACE9E0ED4586A4F32B9"),  # SP 800-38A F.3.7
        (128, NIST_PLAIN[:32], "3B3FD92EB72DAD20333449F8E83CFB4A"),  # F.3.13
    ],
)
def test_cfb_matches_nist(feedback: int, plain: str, cipher: str) -> None:
    setup = f"a.Mode = CipherMode.CFB; a.FeedbackSize = {feedback}; a.Padding = PaddingMode.None;"
    text = f"@{{ {aes(setup)} return Convert.ToHexString({hexed(plain)}.Encrypt(a)); }}"
    assert text_of(text) == cipher
    back = f"@{{ {aes(setup)} return Convert.ToHexString({hexed(cipher)}.Decrypt(a)); }}"
    assert text_of(back) == plain.upper()
    one_shot = (
        f"@{{ {aes()} return Convert.ToHexString(a.EncryptCfb({hexed(plain)}, a.IV,"
        f" PaddingMode.None, {feedback})); }}"
    )
    assert text_of(one_shot) == cipher


def test_cfb8_pads_to_the_feedback_size_and_refuses_other_sizes() -> None:
    setup = "a.Mode = CipherMode.CFB;"  # FeedbackSize 8, PKCS7: one padding byte
    assert text_of(f"@{{ {aes(setup)} return new byte[5].Encrypt(a).Length; }}") == "6"
    bad = f"@{{ {aes('a.Mode = CipherMode.CFB; a.FeedbackSize = 64;')} return new byte[8].Encrypt(a); }}"
    assert exception_of(bad) == "CryptographicException"
    one_shot = f"@{{ {aes()} return a.EncryptCfb(new byte[8], a.IV, PaddingMode.None, 64); }}"
    assert exception_of(one_shot) == "CryptographicException"
    assert exception_of(
        f"@{{ {aes()} return a.DecryptCfb(new byte[8], a.IV, PaddingMode.None, 12); }}"
    ) == ("ArgumentException")


# --- .NET 6 one-shots ---------------------------------------------------------------------------


def test_one_shots_match_the_transforms() -> None:
    cbc = f"@{{ {aes()} return Convert.ToHexString(a.EncryptCbc({hexed(NIST_PLAIN[:32])}, a.IV, PaddingMode.None)); }}"
    assert text_of(cbc) == "7649ABAC8119B246CEE98E9B12E9197D"  # SP 800-38A F.2.1
    ecb = f"@{{ {aes()} return Convert.ToHexString(a.EncryptEcb({hexed(NIST_PLAIN[:32])}, PaddingMode.None)); }}"
    assert text_of(ecb) == "3AD77BB40D7A3660A89ECAF32466EF97"  # F.1.1
    round_trip = (
        f'@{{ {aes()} var e = a.EncryptCbc(Encoding.UTF8.GetBytes("hello"), a.IV);'
        ' var f = a.EncryptEcb(Encoding.UTF8.GetBytes("hello"), PaddingMode.ANSIX923);'
        ' return Encoding.UTF8.GetString(a.DecryptCbc(e, a.IV)) + "|" + e.Length + "|"'
        " + Encoding.UTF8.GetString(a.DecryptEcb(f, PaddingMode.ANSIX923))"
        ' + "|" + (Convert.ToBase64String(e) == Convert.ToBase64String(Encoding.UTF8.GetBytes("hello").Encrypt(a))); }'
    )
    assert text_of(round_trip) == "hello|16|hello|True"


def test_one_shots_check_their_arguments() -> None:
    assert (
        exception_of(f"@{{ {aes()} return a.EncryptCbc(new byte[1], new byte[8]); }}")
        == "ArgumentException"
    )
    assert exception_of(f"@{{ {aes()} return a.EncryptEcb(new byte[1], (PaddingMode)7); }}") == (
        "ArgumentOutOfRangeException"
    )
    assert (
        exception_of(f"@{{ {aes()} return a.DecryptCbc(new byte[16], a.IV); }}")
        == "CryptographicException"
    )
    assert exception_of(f"@{{ {aes()} return a.EncryptEcb(new byte[3], PaddingMode.None); }}") == (
        "CryptographicException"
    )
    assert (
        exception_of(f"@{{ {aes()} return a.EncryptCbc(null, a.IV); }}") == "ArgumentNullException"
    )


def test_ciphertext_lengths() -> None:
    make = 'var a = SymmetricAlgorithm.Create("Aes");'
    text = (
        f'@{{ {make} return a.GetCiphertextLengthCbc(5) + "|" + a.GetCiphertextLengthCbc(16)'
        ' + "|" + a.GetCiphertextLengthEcb(16, PaddingMode.Zeros) + "|" + a.GetCiphertextLengthEcb(0, PaddingMode.PKCS7)'
        ' + "|" + a.GetCiphertextLengthCfb(5) + "|" + a.GetCiphertextLengthCfb(5, PaddingMode.PKCS7, 128); }'
    )
    assert text_of(text) == "16|32|16|16|5|16"
    assert exception_of(f"@{{ {make} return a.GetCiphertextLengthCbc(5, PaddingMode.None); }}") == (
        "ArgumentException"
    )
    assert exception_of(
        f"@{{ {make} return a.GetCiphertextLengthEcb(-1, PaddingMode.None); }}"
    ) == ("ArgumentOutOfRangeException")
    assert exception_of(
        f"@{{ {make} return a.GetCiphertextLengthCfb(5, PaddingMode.None, 0); }}"
    ) == ("ArgumentOutOfRangeException")


# --- sandbox --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '@(SymmetricAlgorithm.Create("Aes").CreateEncryptor().spec)',
        '@(SymmetricAlgorithm.Create("Aes")._key)',
        '@(SymmetricAlgorithm.Create("Aes").spec())',
        '@(new Oid("CN")._value)',
        "@(new RNGCryptoServiceProvider().__class__)",
    ],
)
def test_python_internals_are_out_of_reach(text: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(text)


def test_results_print_as_dotnet() -> None:
    assert to_dotnet_string(value_of('@(SymmetricAlgorithm.Create("Aes").Mode)')) == "CBC"
    assert text_of('@(SymmetricAlgorithm.Create("System.Security.Cryptography.AesCng"))') == (
        "System.Security.Cryptography.AesCng"
    )


# --- TripleDES and DES: .NET 8 where Mono differs ----------------------------------------------------

TDES_KEY = "0123456789abcdef23456789abcdef01456789abcdef0123"


def test_des_family_key_sizes_are_argument_exceptions() -> None:
    """TripleDES.Key and DES.Key check the size with ArgumentException in .NET 8 (Mono's
    TripleDES throws CryptographicException)."""
    for name, size in (("TripleDES", 20), ("DES", 16)):
        text = f'@{{ var a = SymmetricAlgorithm.Create("{name}"); a.Key = new byte[{size}]; return 1; }}'
        assert exception_of(text) == "ArgumentException"
    by_name = '@(new byte[8].Encrypt("TripleDES", new byte[20], new byte[8]))'
    assert exception_of(by_name) == "ArgumentException"


def test_triple_des_cfb_pads_to_the_feedback_size() -> None:
    """.NET 8 pads CFB to the feedback size (CFB8: one byte); Mono pads to the block."""
    setup = f'var a = SymmetricAlgorithm.Create("TripleDES"); a.Key = {hexed(TDES_KEY)}; a.IV = new byte[8];'
    cfb8 = f'@{{ {setup} a.Mode = CipherMode.CFB; var e = new byte[5].Encrypt(a); return e.Length + "|" + e.Decrypt(a).Length; }}'
    assert text_of(cfb8) == "6|5"
    cfb64 = f"@{{ {setup} a.Mode = CipherMode.CFB; a.FeedbackSize = 64; return new byte[5].Encrypt(a).Length; }}"
    assert text_of(cfb64) == "8"
    des = 'var d = SymmetricAlgorithm.Create("DES"); d.Mode = CipherMode.CFB; d.FeedbackSize = 64;'
    assert exception_of(f"@{{ {des} return new byte[5].Encrypt(d); }}") == "CryptographicException"


def test_des_family_one_shots() -> None:
    setup = f'var a = SymmetricAlgorithm.Create("TripleDES"); a.Key = {hexed(TDES_KEY)};'
    text = f'@{{ {setup} return Convert.ToHexString(a.EncryptEcb(Encoding.ASCII.GetBytes("The qufck brown fox jump"), PaddingMode.None)); }}'
    assert text_of(text) == "A826FD8CE53B855FCCE21C8112256FE668D5C05DD9B6B900"  # SP 800-67
    assert exception_of(f"@{{ {setup} return a.EncryptCbc(new byte[8], new byte[16]); }}") == (
        "ArgumentException"
    )
    assert text_of(f"@{{ {setup} return a.GetCiphertextLengthCbc(9); }}") == "16"
