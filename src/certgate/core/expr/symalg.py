"""`System.Security.Cryptography.SymmetricAlgorithm`, `CipherMode` and `PaddingMode`.

`SymmetricAlgorithm.Create(name)` resolves names as .NET 8's CryptoConfig does (any case for its
table: "Aes", "AesManaged", "Rijndael", "TripleDES", "3DES", "DES", ...; exact case for full type
names such as "System.Security.Cryptography.AesManaged"; null for a name it does not know,
InvalidCastException for one that names another kind of algorithm, "SHA256"). AES (keys of
128/192/256 bits, a 128-bit block; Rijndael only with that block, as in .NET 8), TripleDES
(two or three keys, weak keys refused) and DES (weak and semi-weak keys refused) are
implemented; RC2 is not supported yet. APIM refuses the parameterless `Create()` (spec §3.3).

Members: `Key`, `IV` (generated on first read, settable with .NET's size checks), `KeySize`,
`BlockSize`, `FeedbackSize`, `Mode` (CBC by default; ECB, and CFB with the feedback sizes .NET 8
runs: 8 or a full block, 8 only for DES; OFB/CTS are CryptographicException), `Padding` (PKCS7
by default; None, Zeros, ANSIX923, ISO10126), `GenerateKey`, `GenerateIV`, `ValidKeySize`,
`Clear`/`Dispose` (forget key and IV, as .NET does), the .NET 6 one-shots `EncryptCbc`/
`DecryptCbc`/`EncryptEcb`/`DecryptEcb`/`EncryptCfb`/`DecryptCfb` and `GetCiphertextLengthCbc`/
`Ecb`/`Cfb`. `CreateEncryptor`/`CreateDecryptor` return an `ICryptoTransform`, a type outside
APIM's allow-list: its members (`TransformFinalBlock`) are refused at load with APIM's message,
so the value can only be disposed (APIM's `byte[].Encrypt(alg)` is the way to run one).
`LegalKeySizes`/`LegalBlockSizes` return `KeySizes[]`, outside the list too: not supported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import ClassVar

from . import exceptions as exc
from .binary import CsBytes, to_bytes
from .static import SType, class_stype
from .strings import CsEnum
from .symcipher import (
    CBC,
    CFB,
    CIPHER_MODES,
    ECB,
    NO_PADDING,
    PADDING_MODES,
    PARTIAL_BLOCK,
    PKCS7,
    ZEROS,
    CipherMode,
    CipherSpec,
    PaddingMode,
    crypto_error,
    des_key_problem,
    triple_des_key_is_weak,
)
from .typenames import IMPLEMENTED, OverloadRefused, StaticMember, TypeInfo, register
from .types import CsObject

_NS = "System.Security.Cryptography."
_BAD_KEY = "Specified key is not a valid size for this algorithm."
_BAD_IV = "Specified initialization vector (IV) does not match the block size for this algorithm."


# --- the algorithm object ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Kind:
    """One class CryptoConfig makes, with its algorithm's rules."""

    type_name: str  # what ToString() prints
    family: str  # "AES", "TripleDES" or "DES"
    key_bits: tuple[int, ...]  # legal key sizes; the largest is the default
    block_bits: int
    feedback: int  # default FeedbackSize (bits)
    cfb_bits: tuple[int, ...]  # feedback sizes CFB runs with
    rijndael: bool = False  # BlockSize 192/256: PlatformNotSupportedException (.NET 8)
    trims_iv: bool = False  # the CSP wrappers cut a longer IV to the block (CreateEncryptor)


def _aes(name: str, feedback: int = 8, *, rijndael: bool = False) -> Kind:
    return Kind(_NS + name, "AES", (128, 192, 256), 128, feedback, (8, 128), rijndael)


AES_CSP = _aes("AesCryptoServiceProvider")
AES_MANAGED = _aes("AesManaged")
AES_CNG = _aes("AesCng")
RIJNDAEL = _aes("RijndaelManaged", 128, rijndael=True)
TRIPLE_DES = Kind(
    _NS + "TripleDESCryptoServiceProvider", "TripleDES", (128, 192), 64, 8, (8, 64), trims_iv=True
)
DES = Kind(_NS + "DESCryptoServiceProvider", "DES", (64,), 64, 8, (8,), trims_iv=True)


def _int(value: object) -> int:
    if type(value) is not int:
        raise exc.invalid_cast(value, "System.Int32")
    return value


def _enum(value: object, cls: type[CsEnum]) -> CsEnum:
    if type(value) is int:  # the literal 0 converts to any enum in C#
        return cls.cs_from_integer(value)
    if not isinstance(value, cls):
        raise exc.invalid_cast(value, cls.CS_TYPE)
    return value


def _mode(value: object) -> CipherMode:
    mode = _enum(value, CipherMode)
    assert isinstance(mode, CipherMode)
    return mode


def _padding(value: object, param: str | None = None) -> PaddingMode:
    """A PaddingMode; an unnamed one is CryptographicException (the property) or
    ArgumentOutOfRangeException (a one-shot's `param`)."""
    padding = _enum(value, PaddingMode)
    if not 1 <= padding.value <= 5:
        if param is not None:
            raise exc.argument_out_of_range(param)
        raise crypto_error("Specified padding mode is not valid for this algorithm.")
    assert isinstance(padding, PaddingMode)
    return PADDING_MODES[padding.name]


class ICryptoTransform(CsObject):
    """Opaque: every member is outside APIM's allow-list (see the module docstring)."""

    __slots__ = ("encrypting", "spec")
    CS_TYPE = _NS + "ICryptoTransform"
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, spec: CipherSpec, encrypting: bool) -> None:
        self.spec = spec
        self.encrypting = encrypting

    def ToString(self) -> str:
        return (
            _NS + "UniversalCryptoEncryptor"
            if self.encrypting
            else _NS + "UniversalCryptoDecryptor"
        )


class SymmetricAlgorithm(CsObject):
    __slots__ = ("_feedback", "_iv", "_key", "_key_size", "_kind", "_mode", "_padding")
    CS_TYPE = _NS + "SymmetricAlgorithm"
    CS_MEMBERS = frozenset(
        {
            "Key", "IV", "KeySize", "BlockSize", "FeedbackSize", "Mode", "Padding",
            "GenerateKey", "GenerateIV", "ValidKeySize", "Clear", "Dispose", "CreateEncryptor",
            "CreateDecryptor", "EncryptCbc", "DecryptCbc", "EncryptEcb", "DecryptEcb",
            "EncryptCfb", "DecryptCfb", "GetCiphertextLengthCbc", "GetCiphertextLengthEcb",
            "GetCiphertextLengthCfb", "ToString",
        }
    )  # fmt: skip

    def __init__(self, kind: Kind) -> None:
        self._kind = kind
        self._key: bytes | None = None
        self._iv: bytes | None = None
        self._key_size = max(kind.key_bits)
        self._mode: CipherMode = CBC
        self._padding: PaddingMode = PKCS7
        self._feedback = kind.feedback

    # --- properties ---

    @property
    def Key(self) -> CsBytes:
        if self._key is None:
            self.GenerateKey()
        assert self._key is not None
        return CsBytes(self._key)

    @Key.setter
    def Key(self, value: object) -> None:
        key = to_bytes(value, "value")
        if len(key) * 8 not in self._kind.key_bits:
            if self._kind.family == "AES":
                raise crypto_error(_BAD_KEY)
            raise exc.ExpressionRuntimeError("ArgumentException", _BAD_KEY)  # DES, TripleDES
        problem = self._weak_key(key)
        if problem is not None:
            raise crypto_error(problem)
        self._key, self._key_size = key, len(key) * 8

    def _weak_key(self, key: bytes) -> str | None:
        if self._kind.family == "DES":
            return des_key_problem(key)
        if self._kind.family == "TripleDES" and triple_des_key_is_weak(key):
            return "Specified key is a known weak key for 'TripleDES' and cannot be used."
        return None

    @property
    def IV(self) -> CsBytes:
        if self._iv is None:
            self.GenerateIV()
        assert self._iv is not None
        return CsBytes(self._iv)

    @IV.setter
    def IV(self, value: object) -> None:
        iv = to_bytes(value, "value")
        if len(iv) * 8 != self._kind.block_bits:
            raise crypto_error(_BAD_IV)
        self._iv = iv

    @property
    def KeySize(self) -> int:
        return self._key_size

    @KeySize.setter
    def KeySize(self, value: object) -> None:
        if _int(value) not in self._kind.key_bits:
            raise crypto_error(_BAD_KEY)
        self._key_size, self._key = _int(value), None

    @property
    def BlockSize(self) -> int:
        return self._kind.block_bits

    @BlockSize.setter
    def BlockSize(self, value: object) -> None:
        size = _int(value)
        if size == self._kind.block_bits:
            return
        if self._kind.rijndael and size in (192, 256):
            raise exc.ExpressionRuntimeError(
                "PlatformNotSupportedException", "BlockSize must be 128 in this implementation."
            )
        raise crypto_error("Specified block size is not valid for this algorithm.")

    @property
    def FeedbackSize(self) -> int:
        return self._feedback

    @FeedbackSize.setter
    def FeedbackSize(self, value: object) -> None:
        size = _int(value)
        if size <= 0 or size > self._kind.block_bits or size % 8:
            raise crypto_error("Specified feedback size is invalid.")
        self._feedback = size

    @property
    def Mode(self) -> CipherMode:
        return self._mode

    @Mode.setter
    def Mode(self, value: object) -> None:
        mode = _mode(value)
        if mode.value not in (CBC.value, ECB.value, CFB.value):
            raise crypto_error("Specified cipher mode is not valid for this algorithm.")
        self._mode = CIPHER_MODES[mode.name]

    @property
    def Padding(self) -> PaddingMode:
        return self._padding

    @Padding.setter
    def Padding(self, value: object) -> None:
        self._padding = _padding(value)

    # --- keys ---

    def GenerateKey(self) -> None:
        """A random key of `KeySize`, never a weak DES/TripleDES one (as .NET)."""
        key = os.urandom(self._key_size // 8)
        while self._weak_key(key) is not None:
            key = os.urandom(self._key_size // 8)
        self._key = key

    def GenerateIV(self) -> None:
        self._iv = os.urandom(self._kind.block_bits // 8)

    def ValidKeySize(self, bits: object) -> bool:
        return _int(bits) in self._kind.key_bits

    def Dispose(self) -> None:
        """.NET forgets the key and IV (a later read makes new ones); the object stays usable."""
        self._key = self._iv = None

    def Clear(self) -> None:
        self.Dispose()

    # --- transforms ---

    def _cfb_bits(self, bits: int) -> int:
        if bits not in self._kind.cfb_bits:
            raise crypto_error(
                f"The specified feedback size '{bits}' for CipherMode 'CFB' is not supported."
            )
        return bits

    def spec(
        self,
        key: bytes | None = None,
        iv: bytes | None = None,
        *,
        mode: CipherMode | None = None,
        padding: PaddingMode | None = None,
        feedback: int | None = None,
    ) -> CipherSpec:
        """The cipher of this object's settings, or of those given (one-shots, CreateEncryptor
        with a key and IV)."""
        mode = self._mode if mode is None else mode
        bits = self._feedback if feedback is None else feedback
        if mode is CFB:
            self._cfb_bits(bits)
        return CipherSpec(
            self._kind.family == "AES",
            self.Key.data if key is None else key,
            mode,
            self.IV.data if iv is None else iv,
            self._padding if padding is None else padding,
            bits // 8,
            self._kind.block_bits // 8,
        )

    def _transform(self, args: tuple[object, ...], encrypting: bool) -> ICryptoTransform:
        if not args:
            return ICryptoTransform(self.spec(), encrypting)
        if len(args) != 2:
            raise exc.invalid_operation("CreateEncryptor takes a key and an IV")
        if args[0] is None:
            raise exc.argument_null("rgbKey")
        key = to_bytes(args[0], "rgbKey")
        if len(key) * 8 not in self._kind.key_bits:
            raise _argument(_BAD_KEY, "rgbKey")
        if self._kind.family == "DES" and des_key_problem(key) is not None:
            raise crypto_error(des_key_problem(key) or "")
        iv = None if args[1] is None else self._transform_iv(to_bytes(args[1], "rgbIV"))
        if iv is None and self._mode is not ECB:
            raise crypto_error(
                "The cipher mode specified requires that an initialization vector (IV) be used."
            )
        return ICryptoTransform(self.spec(key, iv or bytes(self._kind.block_bits // 8)), encrypting)

    def _transform_iv(self, iv: bytes) -> bytes:
        block = self._kind.block_bits // 8
        if self._kind.trims_iv and len(iv) > block:
            return iv[:block]  # CAPI's compatibility: a longer IV is cut to the block
        if len(iv) != block:
            raise _argument(_BAD_IV, "rgbIV")
        return iv

    def CreateEncryptor(self, *args: object) -> ICryptoTransform:
        return self._transform(args, encrypting=True)

    def CreateDecryptor(self, *args: object) -> ICryptoTransform:
        return self._transform(args, encrypting=False)

    # --- .NET 6 one-shots ---

    def _one_shot(
        self, mode: CipherMode, iv: object, padding_mode: object, feedback: int | None = None
    ) -> CipherSpec:
        block = self._kind.block_bits // 8
        vector = bytes(block)
        if mode is not ECB:
            vector = to_bytes(iv, "iv")
            if len(vector) != block:
                raise _argument(_BAD_IV, "iv")
        padding = _padding(padding_mode, "paddingMode")
        return self.spec(self.Key.data, vector, mode=mode, padding=padding, feedback=feedback)

    def EncryptCbc(self, plaintext: object, iv: object, padding_mode: object = PKCS7) -> CsBytes:
        data = to_bytes(plaintext, "plaintext")
        return CsBytes(self._one_shot(CBC, iv, padding_mode).encrypt(data))

    def DecryptCbc(self, ciphertext: object, iv: object, padding_mode: object = PKCS7) -> CsBytes:
        data = to_bytes(ciphertext, "ciphertext")
        return CsBytes(self._one_shot(CBC, iv, padding_mode).decrypt(data))

    def EncryptEcb(self, plaintext: object, padding_mode: object) -> CsBytes:
        data = to_bytes(plaintext, "plaintext")
        return CsBytes(self._one_shot(ECB, None, padding_mode).encrypt(data))

    def DecryptEcb(self, ciphertext: object, padding_mode: object) -> CsBytes:
        data = to_bytes(ciphertext, "ciphertext")
        return CsBytes(self._one_shot(ECB, None, padding_mode).decrypt(data))

    def EncryptCfb(
        self, plaintext: object, iv: object, padding_mode: object = NO_PADDING, feedback: object = 8
    ) -> CsBytes:
        data = to_bytes(plaintext, "plaintext")
        bits = self._one_shot_feedback(feedback)
        return CsBytes(self._one_shot(CFB, iv, padding_mode, bits).encrypt(data))

    def DecryptCfb(
        self,
        ciphertext: object,
        iv: object,
        padding_mode: object = NO_PADDING,
        feedback: object = 8,
    ) -> CsBytes:
        data = to_bytes(ciphertext, "ciphertext")
        bits = self._one_shot_feedback(feedback)
        return CsBytes(self._one_shot(CFB, iv, padding_mode, bits).decrypt(data))

    def _one_shot_feedback(self, value: object) -> int:
        """A one-shot's feedback size: .NET's argument checks, then the algorithm's sizes."""
        bits = _int(value)
        if bits <= 0:
            raise exc.argument_out_of_range("feedbackSizeInBits")
        if bits % 8 or bits > self._kind.block_bits:
            raise _argument("The feedback size is not valid.", "feedbackSizeInBits")
        return self._cfb_bits(bits)

    def GetCiphertextLengthCbc(self, length: object, padding_mode: object = PKCS7) -> int:
        return _ciphertext_length(length, padding_mode, self._kind.block_bits // 8)

    def GetCiphertextLengthEcb(self, length: object, padding_mode: object) -> int:
        return _ciphertext_length(length, padding_mode, self._kind.block_bits // 8)

    def GetCiphertextLengthCfb(
        self, length: object, padding_mode: object = NO_PADDING, feedback: object = 8
    ) -> int:
        bits = _int(feedback)
        if bits <= 0:
            raise exc.argument_out_of_range("feedbackSizeInBits")
        if bits % 8:
            raise _argument("Value must be a whole number of bytes.", "feedbackSizeInBits")
        return _ciphertext_length(length, padding_mode, bits // 8)

    def ToString(self) -> str:
        return self._kind.type_name


def _argument(message: str, param: str) -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError("ArgumentException", f"{message} (Parameter '{param}')")


def _ciphertext_length(length: object, padding_mode: object, unit: int) -> int:
    size = _int(length)
    if size < 0:
        raise exc.argument_out_of_range("plaintextLength")
    padding = _padding(padding_mode, "paddingMode")
    short = -size % unit
    if padding is NO_PADDING and short:
        raise _argument(PARTIAL_BLOCK, "plaintextLength")
    if padding is NO_PADDING or (padding is ZEROS and not short):
        return size
    if size + (short or unit) > 2**31 - 1:
        raise exc.argument_out_of_range("plaintextLength")
    return size + (short or unit)


# --- SymmetricAlgorithm.Create(name) -----------------------------------------------------------

_XMLENC = "http://www.w3.org/2001/04/xmlenc#"
_NAMES = {  # CryptoConfig's table
    AES_CSP: ("AES", "AesCryptoServiceProvider", _NS + "AesCryptoServiceProvider"),
    AES_MANAGED: ("AesManaged", _NS + "AesManaged"),
    RIJNDAEL: (
        "Rijndael",
        _NS + "Rijndael",
        _NS + "SymmetricAlgorithm",
        *(
            _XMLENC + f"{prefix}aes{bits}{suffix}"
            for bits in (128, 192, 256)
            for prefix, suffix in (("", "-cbc"), ("kw-", ""))
        ),
    ),
    TRIPLE_DES: (
        "3DES",
        "TripleDES",
        "Triple DES",
        _NS + "TripleDES",
        _XMLENC + "tripledes-cbc",
        _XMLENC + "kw-tripledes",
    ),
    DES: ("DES", _NS + "DES", _XMLENC + "des-cbc"),
}
_BY_NAME = {name.casefold(): kind for kind, names in _NAMES.items() for name in names}
_BY_TYPE = {  # public classes CryptoConfig also finds by their exact full name
    _NS + "RijndaelManaged": RIJNDAEL,
    _NS + "AesCng": AES_CNG,
    _NS + "TripleDESCryptoServiceProvider": TRIPLE_DES,
    _NS + "DESCryptoServiceProvider": DES,
}
# RC2, which CryptoConfig also knows, is not implemented yet ...
_OTHER_SYMMETRIC = frozenset(
    {"rc2", "system.security.cryptography.rc2", _NS.lower() + "rc2cryptoserviceprovider"}
)
# ... and for algorithms that are not symmetric: the cast to SymmetricAlgorithm fails.
_OTHER_KINDS = (
    "SHA", "SHA1", "MD5", "SHA256", "SHA384", "SHA512", "HMACMD5", "HMACSHA1", "HMACSHA256",
    "HMACSHA384", "HMACSHA512", "RSA", "DSA", "ECDsa", "RandomNumberGenerator",
)  # fmt: skip
_NOT_SYMMETRIC = frozenset(
    f"{prefix}{name}".casefold() for name in _OTHER_KINDS for prefix in ("", _NS)
) | frozenset({"sha-256", "sha-384", "sha-512"})


def kind_of(name: str) -> Kind | None:
    """The algorithm `SymmetricAlgorithm.Create(name)` makes; None: .NET returns null."""
    folded = name.casefold()
    found = _BY_NAME.get(folded) or _BY_TYPE.get(name)
    if found is not None:
        return found
    if folded in _OTHER_SYMMETRIC:
        raise exc.ExpressionRuntimeError(
            "NotSupportedException", f"not supported yet: the symmetric algorithm '{name}'"
        )
    if folded in _NOT_SYMMETRIC:
        raise exc.invalid_cast(name, _NS + "SymmetricAlgorithm")
    return None


def create(name: object = None) -> SymmetricAlgorithm | None:
    if name is None:
        raise exc.argument_null("name")
    if type(name) is not str:
        raise exc.invalid_cast(name, "System.String")
    kind = kind_of(name)
    return None if kind is None else SymmetricAlgorithm(kind)


def _create_overload(types: tuple[SType, ...]) -> SType:
    """`Create()` without a name is the one member APIM takes out of SymmetricAlgorithm."""
    if not types:
        raise OverloadRefused(
            f"Usage of member 'Create' of type '{_NS}SymmetricAlgorithm' is not supported within "
            "expressions"
        )
    return class_stype(SymmetricAlgorithm)


_INFOS = (
    TypeInfo.of(
        SymmetricAlgorithm,
        {"Create": StaticMember(create, class_stype(SymmetricAlgorithm), typer=_create_overload)},
    ),
    TypeInfo.enum(CIPHER_MODES),
    TypeInfo.enum(PADDING_MODES),
)
register(*(info for info in _INFOS if info.full_name not in IMPLEMENTED))
