"""Hash and HMAC classes of `System.Security.Cryptography` (hashlib/hmac underneath).

`SHA256.Create()`, `new SHA256Managed()`, `MD5.Create()`, ... give a `HashAlgorithm`;
`new HMACSHA256(key)` a keyed one. `ComputeHash(byte[] [, offset, count])` returns the digest and
also sets `Hash`. The one-shot statics `SHA256.HashData(bytes)` and `HMACSHA256.HashData(key,
data)` (.NET 5/6+) are provided too.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from typing import ClassVar

from . import exceptions as exc
from .binary import CsBytes, to_bytes
from .types import CsObject

_SIZES = {"md5": 128, "sha1": 160, "sha256": 256, "sha384": 384, "sha512": 512}
_BLOCK = {"md5": 64, "sha1": 64, "sha256": 64, "sha384": 128, "sha512": 128}
_NAMES = {
    "md5": "System.Security.Cryptography.MD5",
    "sha1": "System.Security.Cryptography.SHA1",
    "sha256": "System.Security.Cryptography.SHA256",
    "sha384": "System.Security.Cryptography.SHA384",
    "sha512": "System.Security.Cryptography.SHA512",
}


def _digest(name: str, data: bytes) -> bytes:
    return hashlib.new(name, data, usedforsecurity=False).digest()


class HashAlgorithm(CsObject):
    __slots__ = ("_disposed", "_hash", "_name")
    CS_TYPE = "System.Security.Cryptography.HashAlgorithm"
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset(
        {"ComputeHash", "Hash", "HashSize", "Dispose", "Clear", "Initialize", "ToString"}
    )

    def __init__(self, name: str) -> None:
        self._name = name
        self._hash: bytes | None = None
        self._disposed = False

    @property
    def HashSize(self) -> int:
        return _SIZES[self._name]

    @property
    def Hash(self) -> CsBytes | None:
        """The last computed digest (a copy); null before any, as in .NET Core."""
        self._check()
        return None if self._hash is None else CsBytes(self._hash)

    def _check(self) -> None:
        if self._disposed:
            raise exc.ExpressionRuntimeError(
                "ObjectDisposedException", "Cannot access a disposed object."
            )

    def _compute(self, data: bytes) -> bytes:
        return _digest(self._name, data)

    def ComputeHash(self, value: object, offset: object = None, count: object = None) -> CsBytes:
        if offset is None:  # .NET: ComputeHash(buffer) checks disposal first, the range
            self._check()  # overload its arguments first
        data = to_bytes(value, "buffer")
        if offset is not None:
            if type(offset) is not int or type(count) is not int:
                raise exc.invalid_cast(offset, "System.Int32")
            if offset < 0:
                raise exc.argument_out_of_range("offset")
            if count < 0 or count > len(data) or len(data) - count < offset:
                raise exc.ExpressionRuntimeError(
                    "ArgumentException",
                    "Offset and length were out of bounds for the array or count is greater "
                    "than the number of elements from index to the end of the source collection.",
                )
            self._check()
            data = data[offset : offset + count]
        self._hash = self._compute(data)
        return CsBytes(self._hash)

    def Initialize(self) -> None:
        """Resets the running state; `Hash` keeps the last digest (.NET keeps HashValue)."""

    def Dispose(self) -> None:
        self._disposed = True

    def Clear(self) -> None:
        self._disposed = True

    def ToString(self) -> str:
        return _IMPL_NAMES.get(self._name, self.CS_TYPE)


_IMPL_NAMES = {
    "md5": "System.Security.Cryptography.MD5+Implementation",
    "sha1": "System.Security.Cryptography.SHA1+Implementation",
    "sha256": "System.Security.Cryptography.SHA256+Implementation",
    "sha384": "System.Security.Cryptography.SHA384+Implementation",
    "sha512": "System.Security.Cryptography.SHA512+Implementation",
}


class Hmac(HashAlgorithm):
    __slots__ = ("_key",)
    CS_TYPE = "System.Security.Cryptography.HMAC"
    CS_MEMBERS: ClassVar[frozenset[str]] = HashAlgorithm.CS_MEMBERS | {"Key", "HashName"}

    def __init__(self, name: str, key: bytes) -> None:
        super().__init__(name)
        self._key = key

    @property
    def Key(self) -> CsBytes:
        return CsBytes(self._key)

    @Key.setter
    def Key(self, value: object) -> None:  # `new HMACSHA256 { Key = ... }` (settable in .NET)
        self._key = to_bytes(value, "value")

    @property
    def HashName(self) -> str:
        return {"md5": "MD5", "sha1": "SHA1"}.get(self._name, self._name.upper())

    def _compute(self, data: bytes) -> bytes:
        return hmac.new(self._key, data, self._name).digest()

    def ToString(self) -> str:
        return "System.Security.Cryptography.HMAC" + self.HashName.replace("SHA", "SHA")


def hash_factory(name: str) -> Callable[..., HashAlgorithm]:
    def create(*args: object) -> HashAlgorithm:
        if args:
            raise exc.ExpressionRuntimeError(
                "NotSupportedException", "not supported yet: creating a hash algorithm by name"
            )
        return HashAlgorithm(name)

    return create


def hmac_factory(name: str) -> Callable[..., Hmac]:
    def create(*key: object) -> Hmac:
        if not key:  # `new HMACSHA256()`: a random key of the block size
            return Hmac(name, os.urandom(_BLOCK[name]))
        return Hmac(name, to_bytes(key[0], "key"))

    return create


def hash_data(name: str) -> Callable[[object], CsBytes]:
    def one_shot(value: object) -> CsBytes:
        return CsBytes(_digest(name, to_bytes(value, "source")))

    return one_shot


def hmac_data(name: str) -> Callable[[object, object], CsBytes]:
    def one_shot(key: object, value: object) -> CsBytes:
        return CsBytes(hmac.new(to_bytes(key, "key"), to_bytes(value, "source"), name).digest())

    return one_shot


# Importing these registers the other cryptography types of the allow-list (spec §3.3).
from . import oids, pubkey, rng, symalg  # noqa: E402, F401
