"""APIM's `byte[]` extension methods `Encrypt`/`Decrypt` (spec §2.15), all three overloads:

* `(string alg, byte[] key, byte[] iv)`: `alg` names the algorithm as
  `SymmetricAlgorithm.Create(alg)` does (see `symalg`), run with .NET's defaults (CBC, PKCS7),
  with the checks of setting its `Key` and `IV` (a wrong AES key size is CryptographicException,
  a wrong TripleDES/DES one ArgumentException, a weak DES key CryptographicException); a name
  .NET does not know gives no algorithm, hence NullReferenceException.
* `(SymmetricAlgorithm alg)`: the algorithm's own `Key`, `IV`, `Mode`, `Padding` and
  `FeedbackSize`, as `alg.CreateEncryptor()` uses them (a key or IV never set is generated).
* `(SymmetricAlgorithm alg, byte[] key, byte[] iv)`: as `alg.CreateEncryptor(key, iv)`: the
  algorithm's mode and padding with that key and IV (wrong sizes: ArgumentException).

AES, TripleDES and DES are implemented; RC2 is refused as not supported yet.
"""

from __future__ import annotations

from . import exceptions as exc
from .binary import BYTES, CsBytes, to_bytes
from .static import SType
from .symalg import SymmetricAlgorithm, kind_of
from .symcipher import CipherSpec


def _named_spec(alg: str, key: object, iv: object) -> CipherSpec:
    """`SymmetricAlgorithm.Create(alg)` given `Key` and `IV`: their setters' checks apply."""
    kind = kind_of(alg)
    if kind is None:  # SymmetricAlgorithm.Create(alg) returned null
        raise exc.null_reference()
    algorithm = SymmetricAlgorithm(kind)
    algorithm.Key = to_bytes(key, "key")
    algorithm.IV = to_bytes(iv, "iv")
    return algorithm.spec()


def _spec(args: tuple[object, ...], encrypting: bool) -> CipherSpec:
    alg = args[0] if args else None
    if isinstance(alg, SymmetricAlgorithm):
        if len(args) == 1:
            return alg.CreateEncryptor().spec
        if len(args) == 3:
            return alg.CreateEncryptor(args[1], args[2]).spec
    elif type(alg) is str and len(args) == 3:
        return _named_spec(alg, args[1], args[2])
    elif alg is None and len(args) == 1:  # `alg.CreateEncryptor()` on null
        raise exc.null_reference()
    elif alg is None and len(args) == 3:  # taken as the name: SymmetricAlgorithm.Create(null)
        raise exc.argument_null("algName")
    name = "Encrypt" if encrypting else "Decrypt"
    raise exc.invalid_operation(
        f"{name} takes (string alg, byte[] key, byte[] iv), (SymmetricAlgorithm alg) or "
        "(SymmetricAlgorithm alg, byte[] key, byte[] iv)"
    )


def encrypt(data: object, *args: object) -> CsBytes:
    plain = to_bytes(data, "input")
    return CsBytes(_spec(args, encrypting=True).encrypt(plain))


def decrypt(data: object, *args: object) -> CsBytes:
    sealed = to_bytes(data, "input")
    return CsBytes(_spec(args, encrypting=False).decrypt(sealed))


ARRAY_EXTENSIONS = {"Encrypt": encrypt, "Decrypt": decrypt}
ARRAY_EXTENSION_TYPES: dict[str, SType] = {"Encrypt": BYTES, "Decrypt": BYTES}

__all__ = ["ARRAY_EXTENSIONS", "ARRAY_EXTENSION_TYPES", "decrypt", "encrypt"]
