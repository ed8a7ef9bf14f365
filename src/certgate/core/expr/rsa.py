"""`System.Security.Cryptography.RSA` and the names that go with it.

What policies do with RSA: verify a partner's signature with the public key of a certificate
(`cert.GetRSAPublicKey().VerifyData(data, sig, HashAlgorithmName.SHA256,
RSASignaturePadding.Pkcs1)`), sign a client assertion with a certificate's private key, and
encrypt or decrypt small payloads. `VerifyData`/`VerifyHash` answer false for a wrong signature,
as .NET does; a key that cannot do the operation throws CryptographicException.

`RSA.Create(bits)` generates a key in the worker; above 4,096 bits that takes seconds of CPU
that no expression budget can interrupt, so larger sizes are refused ("not supported").
Private keys can be used but never exported from an expression.
"""

from __future__ import annotations

import base64
import re
from typing import ClassVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from . import exceptions as exc
from .asym import AsymmetricAlgorithm
from .binary import CsBytes, to_bytes
from .static import class_stype
from .typenames import StaticMember, TypeInfo, register
from .types import CsObject

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "MD5": hashes.MD5,
    "SHA1": hashes.SHA1,
    "SHA256": hashes.SHA256,
    "SHA384": hashes.SHA384,
    "SHA512": hashes.SHA512,
}
_MAX_GENERATED_BITS = 4096


def crypto_error(message: str) -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError("CryptographicException", message)


class HashAlgorithmName(CsObject):
    """A struct in .NET; interned here, so `==` (reference equality for us) means same name."""

    __slots__ = ("_name",)
    CS_TYPE = "System.Security.Cryptography.HashAlgorithmName"
    CS_MEMBERS = frozenset({"Name", "ToString", "Equals"})
    _known: ClassVar[dict[str, HashAlgorithmName]] = {}

    def __init__(self, name: str | None) -> None:
        self._name = name

    @classmethod
    def named(cls, name: object = None) -> HashAlgorithmName:
        if name is not None and type(name) is not str:
            raise exc.invalid_cast(name, "System.String")
        key = name or ""
        found = cls._known.get(key)
        if found is None:
            found = HashAlgorithmName(name)
            if len(cls._known) < 64:  # interning is for the few real names
                cls._known[key] = found
        return found

    @property
    def Name(self) -> str | None:
        return self._name

    def Equals(self, other: object) -> bool:
        return isinstance(other, HashAlgorithmName) and other._name == self._name

    def ToString(self) -> str:
        return self._name or ""

    def algorithm(self) -> hashes.HashAlgorithm:
        if not self._name:
            raise exc.ExpressionRuntimeError(
                "ArgumentException", "The hash algorithm name cannot be null or empty."
            )
        found = _HASHES.get(self._name)
        if found is None:
            raise crypto_error(f"'{self._name}' is not a known hash algorithm.")
        return found()


class RSASignaturePadding(CsObject):
    __slots__ = ("_name",)
    CS_TYPE = "System.Security.Cryptography.RSASignaturePadding"
    CS_MEMBERS = frozenset({"ToString"})

    def __init__(self, name: str) -> None:
        self._name = name

    def ToString(self) -> str:
        return self._name

    def make(self, algorithm: hashes.HashAlgorithm) -> padding.AsymmetricPadding:
        if self._name == "Pss":  # .NET: salt as long as the hash, MGF1 with the same hash
            return padding.PSS(padding.MGF1(algorithm), algorithm.digest_size)
        return padding.PKCS1v15()


class RSAEncryptionPadding(CsObject):
    __slots__ = ("_hash", "_name")
    CS_TYPE = "System.Security.Cryptography.RSAEncryptionPadding"
    CS_MEMBERS = frozenset({"ToString"})

    def __init__(self, name: str, hash_name: str | None) -> None:
        self._name = name
        self._hash = hash_name

    def ToString(self) -> str:
        return self._name

    def make(self) -> padding.AsymmetricPadding:
        if self._hash is None:
            return padding.PKCS1v15()
        algorithm = _HASHES[self._hash]()
        return padding.OAEP(padding.MGF1(algorithm), algorithm, None)


SIGNATURE_PADDINGS = {name: RSASignaturePadding(name) for name in ("Pkcs1", "Pss")}
ENCRYPTION_PADDINGS = {"Pkcs1": RSAEncryptionPadding("Pkcs1", None)} | {
    f"Oaep{h}": RSAEncryptionPadding(f"Oaep{h}", h) for h in ("SHA1", "SHA256", "SHA384", "SHA512")
}


def _hash_name(value: object) -> hashes.HashAlgorithm:
    if not isinstance(value, HashAlgorithmName):
        raise exc.invalid_cast(value, HashAlgorithmName.CS_TYPE)
    return value.algorithm()


def _signature_padding(value: object) -> RSASignaturePadding:
    if value is None:
        raise exc.argument_null("padding")
    if not isinstance(value, RSASignaturePadding):
        raise exc.invalid_cast(value, RSASignaturePadding.CS_TYPE)
    return value


def _encryption_padding(value: object) -> RSAEncryptionPadding:
    if value is None:
        raise exc.argument_null("padding")
    if not isinstance(value, RSAEncryptionPadding):
        raise exc.invalid_cast(value, RSAEncryptionPadding.CS_TYPE)
    return value


class RSA(AsymmetricAlgorithm):
    __slots__ = ("_disposed", "_private", "_public")
    CS_TYPE = "System.Security.Cryptography.RSA"
    CS_MEMBERS = AsymmetricAlgorithm.CS_MEMBERS | frozenset(
        {
            "KeySize", "SignData", "VerifyData", "SignHash", "VerifyHash", "Encrypt", "Decrypt",
            "ExportSubjectPublicKeyInfo", "ExportRSAPublicKey", "ImportSubjectPublicKeyInfo",
            "ImportRSAPublicKey", "Dispose", "ToString",
        }
    )  # fmt: skip
    CS_OUT_METHODS: ClassVar[dict[str, int]] = {
        "ImportSubjectPublicKeyInfo": 1,
        "ImportRSAPublicKey": 1,
    }

    def __init__(self, private: rsa.RSAPrivateKey | None, public: rsa.RSAPublicKey) -> None:
        self._private = private
        self._public = public
        self._disposed = False

    @staticmethod
    def create(bits: object = 2048) -> RSA:
        if type(bits) is not int:
            raise exc.invalid_cast(bits, "System.Int32")
        if bits < 512 or bits % 64:
            raise crypto_error("Specified key is not a valid size for this algorithm.")
        if bits > _MAX_GENERATED_BITS:
            raise exc.ExpressionRuntimeError(
                "NotSupportedException",
                f"not supported: generating an RSA key above {_MAX_GENERATED_BITS} bits",
            )
        key = rsa.generate_private_key(65537, bits)
        return RSA(key, key.public_key())

    @property
    def KeySize(self) -> int:
        return self._public.key_size

    @KeySize.setter
    def KeySize(self, value: object) -> None:
        """A new size replaces the key with a new one, as .NET's RSA classes do (they make it
        when next used; made at once here, with `RSA.Create(bits)`'s checks)."""
        if value != self._public.key_size:
            fresh = RSA.create(value)
            self._private, self._public = fresh._private, fresh._public

    @property
    def SignatureAlgorithm(self) -> str:
        return "RSA"  # .NET Core's RSA; .NET Framework's RSACryptoServiceProvider gave a URI

    @property
    def KeyExchangeAlgorithm(self) -> str:
        return "RSA"

    def ToXmlString(self, include_private: object) -> str:
        """`<RSAKeyValue>` with Modulus and Exponent; private parameters are never exported
        from an expression (a key without them: .NET's CryptographicException)."""
        if type(include_private) is not bool:
            raise exc.invalid_cast(include_private, "System.Boolean")
        public = self._verifying_key().public_numbers()
        if include_private:
            if self._private is None:
                raise crypto_error("Key does not exist.")
            raise exc.ExpressionRuntimeError(
                "NotSupportedException", "not supported: exporting a private key from an expression"
            )
        return (
            f"<RSAKeyValue><Modulus>{_b64(public.n)}</Modulus>"
            f"<Exponent>{_b64(public.e)}</Exponent></RSAKeyValue>"
        )

    def FromXmlString(self, xml: object) -> None:
        """Imports the key of an `<RSAKeyValue>` document (public, or with every private
        parameter)."""
        self._check()
        if xml is None:
            raise exc.argument_null("xmlString")
        if type(xml) is not str:
            raise exc.invalid_cast(xml, "System.String")
        self._private, self._public = _key_from_xml(xml)

    def _check(self) -> None:
        """.NET 8's RSA classes throw once disposed (RSACng/RSAOpenSsl ThrowIfDisposed)."""
        if self._disposed:
            raise exc.ExpressionRuntimeError(
                "ObjectDisposedException", "Cannot access a disposed object."
            )

    def _verifying_key(self) -> rsa.RSAPublicKey:
        self._check()
        return self._public

    def _signing_key(self) -> rsa.RSAPrivateKey:
        self._check()
        if self._private is None:
            raise crypto_error("Key does not exist.")
        return self._private

    def SignData(self, data: object, *args: object) -> CsBytes:
        if len(args) == 4:  # (data, offset, count, hash, padding)
            offset, count = args[0], args[1]
            raw = to_bytes(data, "data")
            if type(offset) is not int or type(count) is not int:
                raise exc.invalid_cast(offset, "System.Int32")
            if offset < 0 or count < 0 or offset + count > len(raw):
                raise exc.argument_out_of_range("offset" if offset < 0 else "count")
            data, args = CsBytes(raw[offset : offset + count]), args[2:]
        if len(args) != 2:
            raise exc.invalid_operation("SignData takes the data, a hash name and a padding")
        algorithm = _hash_name(args[0])
        scheme = _signature_padding(args[1]).make(algorithm)
        return CsBytes(self._signing_key().sign(to_bytes(data, "data"), scheme, algorithm))

    def SignHash(self, digest: object, name: object, pad: object) -> CsBytes:
        algorithm = _hash_name(name)
        scheme = _signature_padding(pad).make(algorithm)
        raw = to_bytes(digest, "hash")
        return CsBytes(self._signing_key().sign(raw, scheme, utils.Prehashed(algorithm)))

    def VerifyData(self, data: object, signature: object, name: object, pad: object) -> bool:
        algorithm = _hash_name(name)
        scheme = _signature_padding(pad).make(algorithm)
        try:
            self._verifying_key().verify(
                to_bytes(signature, "signature"), to_bytes(data, "data"), scheme, algorithm
            )
        except InvalidSignature:
            return False
        return True

    def VerifyHash(self, digest: object, signature: object, name: object, pad: object) -> bool:
        algorithm = _hash_name(name)
        scheme = _signature_padding(pad).make(algorithm)
        raw = to_bytes(digest, "hash")
        if len(raw) != algorithm.digest_size:
            return False
        try:
            self._verifying_key().verify(
                to_bytes(signature, "signature"), raw, scheme, utils.Prehashed(algorithm)
            )
        except InvalidSignature:
            return False
        return True

    def Encrypt(self, data: object, pad: object) -> CsBytes:
        scheme = _encryption_padding(pad).make()
        try:
            return CsBytes(self._verifying_key().encrypt(to_bytes(data, "data"), scheme))
        except ValueError as error:
            raise crypto_error(str(error)) from None

    def Decrypt(self, data: object, pad: object) -> CsBytes:
        scheme = _encryption_padding(pad).make()
        try:
            return CsBytes(self._signing_key().decrypt(to_bytes(data, "data"), scheme))
        except ValueError:
            raise crypto_error("The parameter is incorrect.") from None

    def ExportSubjectPublicKeyInfo(self) -> CsBytes:
        return CsBytes(
            self._verifying_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def ExportRSAPublicKey(self) -> CsBytes:
        return CsBytes(
            self._verifying_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.PKCS1
            )
        )

    def _import(self, source: object, *, spki: bool) -> tuple[None, int]:
        """ImportSubjectPublicKeyInfo (`spki`) or ImportRSAPublicKey: reads the first DER
        SEQUENCE of `source` (bytes after it are left, as .NET's `bytesRead` tells), which must
        be of that format: an AlgorithmIdentifier first, or the modulus INTEGER first."""
        self._check()
        der = _first_sequence(to_bytes(source, "source"))
        if der is None or _content_tag(der) != (0x30 if spki else 0x02):
            raise crypto_error("ASN1 corrupted data.")
        try:
            key = serialization.load_der_public_key(der)
        except ValueError:
            raise crypto_error("ASN1 corrupted data.") from None
        if not isinstance(key, rsa.RSAPublicKey):
            raise crypto_error("The key is not an RSA key.")
        self._private, self._public = None, key
        return None, len(der)

    def ImportSubjectPublicKeyInfo(self, source: object) -> tuple[None, int]:
        return self._import(source, spki=True)

    def ImportRSAPublicKey(self, source: object) -> tuple[None, int]:
        return self._import(source, spki=False)

    def Dispose(self) -> None:
        self._disposed = True

    def ToString(self) -> str:
        return "System.Security.Cryptography.RSACng"  # the class .NET 8 returns on Windows


_XML_FIELD = re.compile(r"<(Modulus|Exponent|P|Q|DP|DQ|InverseQ|D)>([A-Za-z0-9+/=\s]*)</\1>")
_PRIVATE_FIELDS = ("P", "Q", "DP", "DQ", "InverseQ", "D")
_MAX_IMPORTED_PRIVATE_BITS = 4096  # validating a private key costs primality checks


def _b64(number: int) -> str:
    return base64.b64encode(number.to_bytes((number.bit_length() + 7) // 8, "big")).decode()


def _xml_numbers(xml: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for match in _XML_FIELD.finditer(xml):
        try:
            raw = base64.b64decode("".join(match.group(2).split()), validate=True)
        except ValueError:
            raise crypto_error(_xml_error(match.group(1))) from None
        found.setdefault(match.group(1), int.from_bytes(raw, "big"))
    return found


def _xml_error(field: str) -> str:
    return f"Input string does not contain a valid encoding of the 'RSA' '{field}' parameter."


def _key_from_xml(xml: str) -> tuple[rsa.RSAPrivateKey | None, rsa.RSAPublicKey]:
    numbers = _xml_numbers(xml)
    for field in ("Modulus", "Exponent"):
        if not numbers.get(field):
            raise crypto_error(_xml_error(field))
    public = rsa.RSAPublicNumbers(numbers["Exponent"], numbers["Modulus"])
    present = [f for f in _PRIVATE_FIELDS if f in numbers]
    try:
        if not present:
            return None, public.public_key()
        if len(present) != len(_PRIVATE_FIELDS):
            missing = next(f for f in _PRIVATE_FIELDS if f not in numbers)
            raise crypto_error(_xml_error(missing))
        if public.n.bit_length() > _MAX_IMPORTED_PRIVATE_BITS:
            raise exc.ExpressionRuntimeError(
                "NotSupportedException",
                "not supported: importing an RSA private key above "
                f"{_MAX_IMPORTED_PRIVATE_BITS} bits",
            )
        private = rsa.RSAPrivateNumbers(
            numbers["P"], numbers["Q"], numbers["D"], numbers["DP"], numbers["DQ"],
            numbers["InverseQ"], public,
        ).private_key()  # fmt: skip
    except ValueError:
        raise crypto_error("Bad Data.") from None
    return private, private.public_key()


def _first_sequence(der: bytes) -> bytes | None:
    """The DER SEQUENCE at the start of `der` (header and content), or None."""
    if len(der) < 2 or der[0] != 0x30:
        return None
    length, head = der[1], 2
    if length & 0x80:
        count = length & 0x7F
        if not 0 < count <= 4 or len(der) < 2 + count:
            return None
        length, head = int.from_bytes(der[2 : 2 + count], "big"), 2 + count
    return der[: head + length] if head + length <= len(der) else None


def _content_tag(der: bytes) -> int:
    """The tag of the first element inside a SEQUENCE `_first_sequence` returned."""
    head = 2 + (der[1] & 0x7F if der[1] & 0x80 else 0)
    return der[head] if head < len(der) else -1


def _value(value: object, cls: type) -> StaticMember:
    return StaticMember(value, class_stype(cls), is_method=False)


register(
    TypeInfo.of(
        HashAlgorithmName,
        {name: _value(HashAlgorithmName.named(name), HashAlgorithmName) for name in _HASHES},
        HashAlgorithmName.named,
    ),
    TypeInfo.of(
        RSASignaturePadding,
        {name: _value(p, RSASignaturePadding) for name, p in SIGNATURE_PADDINGS.items()},
    ),
    TypeInfo.of(
        RSAEncryptionPadding,
        {name: _value(p, RSAEncryptionPadding) for name, p in ENCRYPTION_PADDINGS.items()},
    ),
    TypeInfo.of(RSA, {"Create": StaticMember(RSA.create, class_stype(RSA))}),
)
