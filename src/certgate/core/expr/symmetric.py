"""APIM's `byte[]` extension methods `Encrypt`/`Decrypt` (spec §2.15), overload
`(string alg, byte[] key, byte[] iv)`.

`alg` names a symmetric algorithm as `SymmetricAlgorithm.Create(alg)` does (.NET's CryptoConfig
names, any case); the algorithm runs with .NET's defaults: CBC mode, PKCS7 padding. AES (also
under its Rijndael names: a 128-bit block) is implemented; DES, TripleDES, RC2 and the
`SymmetricAlgorithm` overloads are refused as not supported yet.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from . import exceptions as exc
from .binary import BYTES, CsBytes, to_bytes
from .static import SType

_AES_NAMES = frozenset(
    name.lower()
    for base in ("Aes", "AesManaged", "AesCryptoServiceProvider", "Rijndael", "RijndaelManaged")
    for name in (base, f"System.Security.Cryptography.{base}")
)
_BLOCK_BYTES = 16


def _crypto_error(message: str) -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError("CryptographicException", message)


def _cipher(alg: object, key: object, iv: object) -> Cipher[modes.CBC]:
    if type(alg) is not str:
        raise exc.ExpressionRuntimeError(
            "NotSupportedException",
            "not supported yet: Encrypt/Decrypt with a SymmetricAlgorithm object",
        )
    if alg.lower() not in _AES_NAMES:
        raise exc.ExpressionRuntimeError(
            "NotSupportedException", f"not supported yet: the symmetric algorithm '{alg}'"
        )
    secret, vector = to_bytes(key, "key"), to_bytes(iv, "iv")
    if len(secret) not in (16, 24, 32):
        raise _crypto_error("Specified key is not a valid size for this algorithm.")
    if len(vector) != _BLOCK_BYTES:
        raise _crypto_error(
            "Specified initialization vector (IV) does not match the block size for this algorithm."
        )
    return Cipher(algorithms.AES(secret), modes.CBC(vector))


def encrypt(data: object, alg: object = None, key: object = None, iv: object = None) -> CsBytes:
    plain = to_bytes(data, "input")
    cipher = _cipher(alg, key, iv)
    padder = padding.PKCS7(_BLOCK_BYTES * 8).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = cipher.encryptor()
    return CsBytes(encryptor.update(padded) + encryptor.finalize())


def decrypt(data: object, alg: object = None, key: object = None, iv: object = None) -> CsBytes:
    sealed = to_bytes(data, "input")
    cipher = _cipher(alg, key, iv)
    if len(sealed) % _BLOCK_BYTES:
        raise _crypto_error("The input data is not a complete block.")
    decryptor = cipher.decryptor()
    padded = decryptor.update(sealed) + decryptor.finalize()
    unpadder = padding.PKCS7(_BLOCK_BYTES * 8).unpadder()
    try:
        return CsBytes(unpadder.update(padded) + unpadder.finalize())
    except ValueError:
        raise _crypto_error("Padding is invalid and cannot be removed.") from None


ARRAY_EXTENSIONS = {"Encrypt": encrypt, "Decrypt": decrypt}
ARRAY_EXTENSION_TYPES: dict[str, SType] = {"Encrypt": BYTES, "Decrypt": BYTES}

__all__ = ["ARRAY_EXTENSIONS", "ARRAY_EXTENSION_TYPES", "decrypt", "encrypt"]
