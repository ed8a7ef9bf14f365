"""`byte[]` and `System.BitConverter`.

A `byte[]` made by the runtime is a `CsBytes`: a `CsArray` of ints 0..255 that also keeps the
`bytes` it came from, so hashing, Base64 and encodings never re-pack it. Functions taking a
`byte[]` accept any `CsArray` of bytes (`new byte[] { 1, 2 }`) and Python `bytes` (certificate
`RawData`), through `to_bytes`.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from typing import cast

from . import exceptions as exc
from . import singles as sg
from .arrays import CsArray
from .static import class_stype
from .types import CsChar


class CsBytes(CsArray):
    __slots__ = ("_data",)
    CS_TYPE = "System.Byte[]"

    def __init__(self, data: bytes | Iterable[int]) -> None:
        raw = data if isinstance(data, bytes) else bytes(data)
        super().__init__(raw)
        self._data = raw

    @property
    def data(self) -> bytes:
        return self._data

    def set_item(self, index: object, value: object) -> None:
        """`b[i] = v`: only a byte fits, and the packed bytes follow the write."""
        if type(value) is not int or not 0 <= value <= 255:
            raise exc.invalid_cast(value, "System.Byte")
        super().set_item(index, value)

    def _after_write(self) -> None:
        self._data = bytes(cast("list[int]", self._items))

    def overwrite(self, values: list[object]) -> None:
        """`Random.NextBytes` filling a runtime-made byte[] (bytes 0-255): packed anew at once."""
        assert len(values) == len(self._items)
        data = bytes(cast("list[int]", values))
        self._items[:] = list(data)
        self._data = data

    def ToString(self) -> str:
        return "System.Byte[]"


BYTES = class_stype(CsBytes)


def to_bytes(value: object, param: str = "inArray") -> bytes:
    """The bytes of a `byte[]` argument; ArgumentNullException for null."""
    if type(value) is CsBytes:
        return value.data
    if value is None:
        raise exc.argument_null(param)
    if isinstance(value, bytes):
        return value
    if isinstance(value, CsArray):
        items = tuple(value)
        if all(type(i) is int and 0 <= i <= 255 for i in items):
            return bytes(items)  # type: ignore[arg-type]
    raise exc.invalid_cast(value, "System.Byte[]")


def span(data: bytes, offset: object, count: object, names: tuple[str, str]) -> bytes:
    """`data[offset:offset+count]` with .NET's argument checks."""
    if type(offset) is not int or type(count) is not int:
        raise exc.invalid_cast(offset if type(offset) is not int else count, "System.Int32")
    if offset < 0:
        raise exc.argument_out_of_range(names[0])
    if count < 0:
        raise exc.argument_out_of_range(names[1])
    if offset + count > len(data):
        raise exc.argument_out_of_range(names[1])
    return data[offset : offset + count]


# --- BitConverter ------------------------------------------------------------------------------


def bc_to_string(value: object, start: object = None, length: object = None) -> str:
    data = to_bytes(value, "value")
    if start is not None:
        if type(start) is not int or not 0 <= start <= len(data):
            raise exc.argument_out_of_range("startIndex")
        if start == len(data) and start > 0 and length is None:
            raise exc.argument_out_of_range("startIndex")
        count = len(data) - start if length is None else length
        data = span(data, start, count, ("startIndex", "length"))
    return "-".join(f"{b:02X}" for b in data)


_INTEGER_FORMATS = {
    "System.Int16": "<h", "System.UInt16": "<H", "System.Int32": "<i", "System.UInt32": "<I",
    "System.Int64": "<q", "System.UInt64": "<Q",
}  # fmt: skip


def bc_get_bytes(value: object, arg_types: tuple[str, ...] = ()) -> CsBytes:
    """Little-endian bytes of the overload the argument's static type picks (`GetBytes(5L)` is
    8 bytes); an integer of unknown static type in the Int32 range is taken as an Int32."""
    if type(value) is bool:
        return CsBytes(b"\x01" if value else b"\x00")
    if type(value) is float:
        return CsBytes(struct.pack("<q", bc_double_to_int64_bits(value)))
    if type(value) is sg.CsSingle:  # GetBytes(float): 4 bytes
        return CsBytes(struct.pack("<i", bc_single_to_int32_bits(value)))
    if type(value) is CsChar:
        return CsBytes(struct.pack("<H", ord(value.value) & 0xFFFF))
    if type(value) is int:
        static = _INTEGER_FORMATS.get(arg_types[0] if arg_types else "")
        if static is None:  # byte and sbyte widen to short, as C# overload resolution does
            small = arg_types[:1] in (("System.Byte",), ("System.SByte",))
            static = "<h" if small else "<i" if -(2**31) <= value < 2**31 else "<q"
        return CsBytes(struct.pack(static, value))
    if value is None:
        raise exc.argument_null("value")
    raise exc.invalid_cast(value, "System.Int32")


def _reader(fmt: str) -> Callable[..., object]:
    """`ToX(byte[] value, int startIndex)`, and `ToX(ReadOnlySpan<byte>)` that a byte[] converts
    to: the first bytes, ArgumentOutOfRange when there are too few."""
    size = struct.calcsize(fmt)

    def read(value: object, start: object = None) -> object:
        data = to_bytes(value, "value")
        if start is None:
            if len(data) < size:
                raise exc.argument_out_of_range("value")
            start = 0
        if type(start) is not int:
            raise exc.invalid_cast(start, "System.Int32")
        if not 0 <= start < len(data):
            raise exc.argument_out_of_range("startIndex")
        if start + size > len(data):
            raise exc.ExpressionRuntimeError(
                "ArgumentException",
                "Destination array is not long enough to copy all the items in the collection. "
                "Check array index and length. (Parameter 'value')",
            )
        result: object = struct.unpack_from(fmt, data, start)[0]
        return result

    return read


bc_to_int16 = _reader("<h")
bc_to_int32 = _reader("<i")
bc_to_int64 = _reader("<q")
bc_to_uint16 = _reader("<H")
bc_to_uint32 = _reader("<I")
bc_to_uint64 = _reader("<Q")
bc_to_double = _reader("<d")


def bc_to_char(value: object, start: object = None) -> CsChar:
    return CsChar(chr(cast("int", bc_to_uint16(value, start))))


def bc_to_single(value: object, start: object = None) -> sg.CsSingle:
    return bc_int32_bits_to_single(bc_to_int32(value, start))


# The NaN of .NET's arithmetic and `double.NaN` (x64's default NaN) has the sign bit set; that of
# Python's `math.nan`, which certgate's helpers return, has it clear: written out as bits, the one
# is taken for the other. (A NaN made from those very bits by Int64BitsToDouble is the one case
# this gets wrong.)
_PY_NAN64, _NET_NAN64 = 0x7FF8000000000000, -0x8000000000000
_PY_NAN32, _NET_NAN32 = 0x7FC00000, -0x400000


def _integer(value: object, bits: int) -> int:
    """A signed integral argument of `bits` bits (char converts implicitly)."""
    if type(value) is CsChar:
        return ord(value.value) & 0xFFFF
    if type(value) is not int or not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
        raise exc.invalid_cast(value, f"System.Int{bits}")
    return value


def bc_double_to_int64_bits(value: object) -> int:
    bits: int = struct.unpack("<q", struct.pack("<d", sg.as_double(value)))[0]
    return _NET_NAN64 if bits == _PY_NAN64 else bits


def bc_int64_bits_to_double(value: object) -> float:
    result: float = struct.unpack("<d", struct.pack("<q", _integer(value, 64)))[0]
    return result


def bc_single_to_int32_bits(value: object) -> int:
    bits: int = struct.unpack("<i", struct.pack("<f", sg.coerce(value).value))[0]
    return _NET_NAN32 if bits == _PY_NAN32 else bits


def bc_int32_bits_to_single(value: object) -> sg.CsSingle:
    return sg.CsSingle(struct.unpack("<f", struct.pack("<i", _integer(value, 32)))[0])


def bc_to_boolean(value: object, start: object) -> bool:
    data = to_bytes(value, "value")
    if type(start) is not int or not 0 <= start < len(data):
        raise exc.argument_out_of_range("startIndex")
    return data[start] != 0
