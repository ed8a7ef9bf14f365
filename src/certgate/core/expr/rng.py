"""`System.Security.Cryptography.RNGCryptoServiceProvider` (obsolete since .NET 6, still
working): `GetBytes(byte[] [, offset, count])` and `GetNonZeroBytes(byte[])` fill the array in
place from the OS's CSPRNG (`os.urandom`). `Dispose()` does nothing, as in .NET 8 (the object
stays usable). The `CspParameters` constructor needs a type outside APIM's allow-list.
"""

from __future__ import annotations

import os

from . import exceptions as exc
from .arrays import CsArray
from .binary import CsBytes, to_bytes
from .typenames import IMPLEMENTED, TypeInfo, register
from .types import CsObject


def _buffer(data: object) -> CsArray:
    if data is None:
        raise exc.argument_null("data")
    if not isinstance(data, CsArray):
        raise exc.invalid_cast(data, "System.Byte[]")
    if type(data) is not CsBytes:
        to_bytes(data, "data")  # only a byte[] can be filled
    return data


def _non_zero(count: int) -> bytes:
    """`count` random bytes from 1..255, each uniform (zero bytes are drawn again)."""
    found = bytearray()
    while len(found) < count:
        found += os.urandom(count - len(found) + 8).replace(b"\0", b"")
    return bytes(found[:count])


class RNGCryptoServiceProvider(CsObject):
    __slots__ = ()
    CS_TYPE = "System.Security.Cryptography.RNGCryptoServiceProvider"
    CS_MEMBERS = frozenset({"GetBytes", "GetNonZeroBytes", "Dispose", "ToString"})

    def GetBytes(self, data: object, offset: object = None, count: object = None) -> None:
        buffer = _buffer(data)
        if offset is None:
            buffer.overwrite(list(os.urandom(len(buffer))))
            return
        if type(offset) is not int or type(count) is not int:
            raise exc.invalid_cast(offset if type(offset) is not int else count, "System.Int32")
        if offset < 0:
            raise exc.argument_out_of_range("offset")
        if count < 0:
            raise exc.argument_out_of_range("count")
        if count > len(buffer) - offset:
            raise exc.ExpressionRuntimeError(
                "ArgumentException",
                "Offset and length were out of bounds for the array or count is greater than "
                "the number of elements from index to the end of the source collection.",
            )
        items = list(buffer)
        items[offset : offset + count] = os.urandom(count)
        buffer.overwrite(items)

    def GetNonZeroBytes(self, data: object) -> None:
        buffer = _buffer(data)
        buffer.overwrite(list(_non_zero(len(buffer))))

    def Dispose(self) -> None:
        """Nothing to release (.NET 8's provider keeps working after Dispose too)."""

    def ToString(self) -> str:
        return self.CS_TYPE


def new_rng(*args: object) -> RNGCryptoServiceProvider:
    """`new RNGCryptoServiceProvider()`, `(string)` and `(byte[])` (both ignored by .NET)."""
    if len(args) > 1:
        raise exc.invalid_operation("RNGCryptoServiceProvider takes at most one argument")
    if (
        args
        and args[0] is not None
        and type(args[0]) is not str
        and not isinstance(args[0], CsArray)
    ):
        raise exc.ExpressionRuntimeError(
            "NotSupportedException", "not supported yet: RNGCryptoServiceProvider(CspParameters)"
        )
    return RNGCryptoServiceProvider()


_INFO = TypeInfo.of(RNGCryptoServiceProvider, {}, new_rng)
if _INFO.full_name not in IMPLEMENTED:
    register(_INFO)
