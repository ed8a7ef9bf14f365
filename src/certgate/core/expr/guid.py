"""`System.Guid` and `System.Random`.

A Guid keeps its 16 bytes in .NET's `ToByteArray()` order (the first three fields little-endian);
text forms print them big-endian, as .NET does. `new Random(seed)` reproduces .NET's seeded
generator (the legacy subtractive algorithm .NET still uses when a seed is given), so seeded
sequences match real C#.
"""

from __future__ import annotations

import os
import re
import secrets
import struct
from typing import ClassVar

from . import exceptions as exc
from .arrays import CsArray
from .binary import CsBytes, to_bytes
from .strings import WHITE_SPACE
from .types import CsObject, CsValue

_HEX32 = re.compile(r"[0-9A-Fa-f]{32}\Z")
_DASHED = re.compile(
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\Z"
)
_HEX_FORM = re.compile(
    r"\{\s*0[xX]([0-9A-Fa-f]{1,8})\s*,\s*0[xX]([0-9A-Fa-f]{1,4})\s*,\s*0[xX]([0-9A-Fa-f]{1,4})\s*,"
    r"\s*\{((?:\s*0[xX][0-9A-Fa-f]{1,2}\s*,){7}\s*0[xX][0-9A-Fa-f]{1,2}\s*)\}\s*\}\Z"
)


def _swap(raw: bytes) -> bytes:
    """ToByteArray order <-> big-endian text order (the first three fields are reversed)."""
    return raw[3::-1] + raw[5:3:-1] + raw[7:5:-1] + raw[8:]


class Guid(CsValue):
    __slots__ = ("_big",)
    CS_TYPE = "System.Guid"
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset(
        {"ToString", "ToByteArray", "Equals", "CompareTo", "GetHashCode"}
    )

    def __init__(self, big_endian: bytes) -> None:
        self._big = big_endian

    def value_key(self) -> int:
        return int.from_bytes(self._big, "big")

    def ToByteArray(self) -> CsBytes:
        return CsBytes(_swap(self._big))

    def Equals(self, other: object) -> bool:
        return isinstance(other, Guid) and other._big == self._big

    def GetHashCode(self) -> int:
        """.NET Core's: the XOR of the four Int32s of its in-memory (ToByteArray) layout, so
        `new Random(context.RequestId.GetHashCode())` seeds as in APIM. (.NET Framework, and so
        Mono, mixes the fields differently.)"""
        a, b, c, d = struct.unpack("<4i", _swap(self._big))
        return int(a ^ b ^ c ^ d)

    def CompareTo(self, other: object) -> int:
        if other is None:
            return 1
        if not isinstance(other, Guid):
            raise exc.ExpressionRuntimeError("ArgumentException", "Object must be of type GUID.")
        a, b = self._big, other._big  # .NET compares field by field as unsigned numbers
        return (a > b) - (a < b)

    def ToString(self, format: object = None, provider: object = None) -> str:
        h = self._big.hex()
        dashed = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        if format is None or format == "" or format in ("D", "d"):
            return dashed
        if format in ("N", "n"):
            return h
        if format in ("B", "b"):
            return "{" + dashed + "}"
        if format in ("P", "p"):
            return "(" + dashed + ")"
        if format in ("X", "x"):
            tail = ",".join(f"0x{b:02x}" for b in self._big[8:])
            return f"{{0x{h[:8]},0x{h[8:12]},0x{h[12:16]},{{{tail}}}}}"
        raise exc.format_error(
            'Format string can be only "D", "d", "N", "n", "P", "p", "B", "b", "X" or "x".'
        )


EMPTY = Guid(bytes(16))


def new_guid() -> Guid:
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # RFC 4122 variant
    return Guid(bytes(raw))


def _unrecognized(text: str) -> exc.ExpressionRuntimeError:
    return exc.format_error("Unrecognized Guid format.")


def parse(value: object) -> Guid:
    if value is None:
        raise exc.argument_null("input")
    if type(value) is not str:
        raise exc.invalid_cast(value, "System.String")
    text = value.strip()
    if len(text) >= 2 and (text[0], text[-1]) in (("{", "}"), ("(", ")")) and "," not in text:
        text = text[1:-1]
    if _DASHED.match(text):
        return Guid(bytes.fromhex(text.replace("-", "")))
    if _HEX32.match(text):
        return Guid(bytes.fromhex(text))
    match = _HEX_FORM.match(value.strip())
    if match:
        tail = [int(b, 16) for b in re.findall(r"0[xX]([0-9A-Fa-f]{1,2})", match.group(4))]
        head = (
            int(match.group(1), 16).to_bytes(4, "big")
            + int(match.group(2), 16).to_bytes(2, "big")
            + int(match.group(3), 16).to_bytes(2, "big")
        )
        return Guid(head + bytes(tail))
    raise _unrecognized(value)


def parse_exact(value: object, format: object) -> Guid:
    """Guid.ParseExact: the input, trimmed, must be in the one form `format` names (hex digits
    in either case; "X" also allows white space anywhere and shorter numbers)."""
    text = exc.string_argument(value, "input")
    form = exc.string_argument(format, "format")
    if len(form) != 1 or form not in "DdNnBbPpXx":
        raise exc.format_error(
            'Format string can be only "D", "d", "N", "n", "P", "p", "B", "b", "X" or "x".'
        )
    text = text.strip(WHITE_SPACE)
    if form in "Xx":
        text = "".join(c for c in text if c not in WHITE_SPACE)
        if not _HEX_FORM.match(text):
            raise _unrecognized(text)
        return parse(text)
    guid = parse(text)
    if guid.ToString(form).upper() != text.upper():
        raise _unrecognized(text)
    return guid


def try_parse_exact(value: object, format: object) -> tuple[bool, Guid]:
    """Guid.TryParseExact: false (and Guid.Empty) where ParseExact throws, null included."""
    try:
        return True, parse_exact(value, format)
    except exc.ExpressionRuntimeError:
        return False, EMPTY


def try_parse(value: object) -> tuple[bool, Guid]:
    try:
        return True, parse(value)
    except exc.ExpressionRuntimeError:
        return False, EMPTY


_NOTHING = object()  # `new Guid()`


def new(value: object = _NOTHING, *more: object) -> Guid:
    """`new Guid()`, `new Guid(string)`, `new Guid(byte[])` (a null one throws)."""
    if value is _NOTHING:
        return EMPTY
    if value is None:
        raise exc.argument_null("g")
    if type(value) is str:
        return parse(value)
    data = to_bytes(value, "b")
    if len(data) != 16:
        raise exc.ExpressionRuntimeError(
            "ArgumentException",
            "Byte array for Guid must be exactly 16 bytes long. (Parameter 'b')",
        )
    return Guid(_swap(data))


# --- System.Random -------------------------------------------------------------------------------

_MBIG = 2**31 - 1
_MSEED = 161803398


class Random(CsObject):
    """`new Random()` (unpredictable) and `new Random(seed)` (.NET's seeded sequence)."""

    __slots__ = ("_inext", "_inextp", "_seed_array")
    CS_TYPE = "System.Random"
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset(
        {"Next", "NextDouble", "NextBytes", "NextInt64"}
    )
    CS_LONG: ClassVar[frozenset[str]] = frozenset({"NextInt64"})

    def __init__(self, seed: object = None) -> None:
        if seed is None:
            seed = secrets.randbits(31)
        if type(seed) is not int:
            raise exc.invalid_cast(seed, "System.Int32")
        subtraction = _MBIG if seed == -(2**31) else abs(seed)
        mj = _MSEED - subtraction
        array = [0] * 56
        array[55] = mj
        mk = 1
        for i in range(1, 55):
            ii = (21 * i) % 55
            array[ii] = mk
            mk = mj - mk
            if mk < 0:
                mk += _MBIG
            mj = array[ii]
        for _ in range(1, 5):
            for i in range(1, 56):
                array[i] -= array[1 + (i + 30) % 55]
                array[i] = ((array[i] + 2**31) % 2**32) - 2**31  # int32 wrap
                if array[i] < 0:
                    array[i] += _MBIG
        self._seed_array = array
        self._inext = 0
        self._inextp = 21

    def _internal_sample(self) -> int:
        inext, inextp = self._inext + 1, self._inextp + 1
        if inext >= 56:
            inext = 1
        if inextp >= 56:
            inextp = 1
        ret = self._seed_array[inext] - self._seed_array[inextp]
        if ret == _MBIG:
            ret -= 1
        if ret < 0:
            ret += _MBIG
        self._seed_array[inext] = ret
        self._inext, self._inextp = inext, inextp
        return ret

    def _sample(self) -> float:
        return self._internal_sample() * (1.0 / _MBIG)

    def _large_sample(self) -> float:
        result = self._internal_sample()
        if self._internal_sample() % 2 == 0:
            result = -result
        return (result + (_MBIG - 1.0)) / (2.0 * _MBIG - 1.0)

    def Next(self, a: object = None, b: object = None) -> int:
        if a is None:
            return self._internal_sample()
        if type(a) is not int or (b is not None and type(b) is not int):
            raise exc.invalid_cast(a, "System.Int32")
        if b is None:
            if a < 0:
                raise exc.ExpressionRuntimeError(
                    "ArgumentOutOfRangeException",
                    "'maxValue' must be greater than or equal to zero. (Parameter 'maxValue')",
                )
            return int(self._sample() * a)
        low, high = a, b
        if low > high:
            raise exc.ExpressionRuntimeError(
                "ArgumentOutOfRangeException",
                "'minValue' cannot be greater than maxValue. (Parameter 'minValue')",
            )
        span = high - low
        if span <= _MBIG:
            return int(self._sample() * span) + low
        return int(self._large_sample() * span) + low

    def NextInt64(self, a: object = None, b: object = None) -> int:
        """.NET 6+'s seeded `NextInt64`: 64 random bits from three `Next(2^k)` draws, the top
        63 (or the range's bit count, retried until in range) kept."""
        if a is None:
            while True:
                result = self._next_uint64() >> 1
                if result != 2**63 - 1:
                    return result
        if type(a) is not int or (b is not None and type(b) is not int):
            raise exc.invalid_cast(a if type(a) is not int else b, "System.Int64")
        if b is None:
            if a < 0:
                raise exc.ExpressionRuntimeError(
                    "ArgumentOutOfRangeException",
                    "'maxValue' must be a non-negative value. (Parameter 'maxValue')",
                )
            low, high = 0, a
        else:
            low, high = a, b
            if low > high:
                raise exc.ExpressionRuntimeError(
                    "ArgumentOutOfRangeException",
                    "'minValue' cannot be greater than maxValue. (Parameter 'minValue')",
                )
        exclusive = high - low
        if exclusive <= 1:
            return low
        shift = 64 - (exclusive - 1).bit_length()  # 64 - Log2Ceiling(range)
        while True:
            result = self._next_uint64() >> shift
            if result < exclusive:
                return result + low

    def _next_uint64(self) -> int:
        return (
            int(self._sample() * (1 << 22))
            | int(self._sample() * (1 << 22)) << 22
            | int(self._sample() * (1 << 20)) << 44
        )

    def NextDouble(self) -> float:
        return self._sample()

    def NextBytes(self, buffer: object) -> None:
        """Fills the array in place with the low byte of one sample per element."""
        if buffer is None:
            raise exc.argument_null("buffer")
        if not isinstance(buffer, CsArray):
            raise exc.invalid_cast(buffer, "System.Byte[]")
        buffer.overwrite([self._internal_sample() & 0xFF for _ in range(len(buffer))])

    def ToString(self) -> str:
        return "System.Random"
