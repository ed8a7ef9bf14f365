"""`System.Text.StringBuilder` (allow-listed with all members).

The text is held in UTF-16 unit form (`utf16.units`: an astral character as its two surrogates),
so every length, index and count is .NET's; `ToString()` gives the canonical form back. Appending
converts values as string concatenation does (`to_string`); `AppendLine` ends lines with
`jsonio.NEWLINE`, Environment.NewLine of the Windows machines APIM runs on. `Capacity` is the
capacity asked for (16 by default), or the length once the text outgrows it: .NET's growth by
chunks is an allocation detail that certgate does not imitate.
"""

from __future__ import annotations

from . import exceptions as exc
from .arrays import CsArray, non_negative_int
from .budget import check_length
from .jsonio import NEWLINE
from .static import SType
from .strings import format_string, join, replace, to_string
from .strings_more import char_array, write_chars
from .typenames import IMPLEMENTED, TypeInfo, register
from .types import CsChar, CsObject, CsTypeRef
from .utf16 import text, units


class StringBuilder(CsObject):
    __slots__ = ("_text", "capacity")
    CS_TYPE = "System.Text.StringBuilder"
    CS_FORMATTABLE = False  # ToString(start, length) is no IFormattable's
    CS_MEMBERS = frozenset(
        {
            "Append", "AppendLine", "AppendFormat", "Insert", "Remove", "Replace", "Clear",
            "Length", "Capacity", "ToString", "Equals", "AppendJoin", "EnsureCapacity", "CopyTo",
        }
    )  # fmt: skip
    CS_INDEXER = "get_item"
    CS_INDEX_SETTER = "set_item"

    def __init__(self, *args: object) -> None:
        if any(a is not None and type(a) not in (str, int) for a in args):
            raise exc.invalid_cast(
                next(a for a in args if type(a) not in (str, int)), "System.String"
            )
        if len(args) == 4:  # (value, startIndex, length, capacity)
            self._text, self.capacity = _substring_ctor(*args)
            return
        value = next((a for a in args if type(a) is str), "")
        self.capacity = next((a for a in args if type(a) is int), 0) or 16
        if self.capacity < 0:
            raise exc.argument_out_of_range("capacity")
        self._text = units(value)

    @property
    def Length(self) -> int:
        return len(self._text)

    @Length.setter
    def Length(self, value: object) -> None:
        size = non_negative_int(value, "value")
        self._text = self._text[:size].ljust(size, "\0")

    @property
    def Capacity(self) -> int:
        return max(self.capacity, len(self._text))

    @Capacity.setter
    def Capacity(self, value: object) -> None:
        capacity = non_negative_int(value, "value")
        if capacity < len(self._text):
            raise exc.argument_out_of_range("value")
        self.capacity = capacity

    def get_item(self, index: object) -> CsChar:
        i = non_negative_int(index, "index")
        if i >= len(self._text):
            raise exc.index_out_of_range()
        return CsChar(self._text[i])

    def set_item(self, index: object, value: object) -> None:
        i = non_negative_int(index, "index")
        if i >= len(self._text):
            raise exc.argument_out_of_range("index")
        if type(value) is not CsChar:
            raise exc.invalid_cast(value, "System.Char")
        self._text = self._text[:i] + value.value + self._text[i + 1 :]

    def Append(self, value: object = None, *more: object) -> StringBuilder:
        if more and type(value) is CsChar:  # Append(char, repeatCount)
            self._text += value.value * check_length(non_negative_int(more[0], "repeatCount"))
        elif more:  # Append(string | char[] | StringBuilder, startIndex, count)
            self._text += _slice(value, more[0], more[1] if len(more) > 1 else None)
        else:
            self._text += _units_of(value)
        check_length(len(self._text))  # `sb.Append(sb.ToString())` in a loop doubles it
        return self

    def AppendLine(self, value: object = None) -> StringBuilder:
        self._text += units(to_string(value)) + NEWLINE
        return self

    def AppendFormat(self, template: object, *args: object) -> StringBuilder:
        self._text += units(format_string(template, *args))
        return self

    def AppendJoin(self, separator: object, *values: object) -> StringBuilder:
        """`AppendJoin(separator, params string[] | params object[] | IEnumerable<T>)`, with a
        string or char separator: String.Join's text, appended."""
        if len(values) == 1 and values[0] is None:
            raise exc.argument_null("values")
        self._text += units(join(separator, *values))
        check_length(len(self._text))
        return self

    def EnsureCapacity(self, capacity: object) -> int:
        needed = non_negative_int(capacity, "capacity")
        if self.Capacity < needed:
            self.capacity = needed
        return self.Capacity

    def CopyTo(
        self, source_index: object, destination: object, index: object, count: object
    ) -> None:
        """`CopyTo(sourceIndex, char[] destination, destinationIndex, count)` (the overload with
        a Span<char> needs a type APIM does not allow)."""
        target = char_array(destination, "destination")
        at = non_negative_int(index, "destinationIndex")
        length, start = _int_arg(count), _int_arg(source_index)
        if at > len(target) - length:
            raise exc.ExpressionRuntimeError(
                "ArgumentException",
                "Either offset did not refer to a position in the string, or there is an "
                "insufficient length of destination character array.",
            )
        if length < 0:
            raise exc.argument_out_of_range("count")
        if not 0 <= start <= len(self._text):
            raise exc.argument_out_of_range("sourceIndex")
        if start > len(self._text) - length:
            raise exc.ExpressionRuntimeError(
                "ArgumentException",
                "Source string was not long enough. Check sourceIndex and count.",
            )
        write_chars(target, at, self._text[start : start + length])

    def Insert(self, index: object, value: object, *more: object) -> StringBuilder:
        """`Insert(index, value)`, `Insert(index, string, count)` (the string `count` times) and
        `Insert(index, char[], startIndex, charCount)`."""
        count = _int_arg(more[0]) if len(more) == 1 else 1
        if count < 0:
            raise exc.argument_out_of_range("count")
        i = non_negative_int(index, "index")
        if i > len(self._text):
            raise exc.argument_out_of_range("index")
        if len(more) == 1:
            piece = units(to_string(value))
            check_length(len(self._text) + len(piece) * count)
            inserted = piece * count
        elif more:
            inserted = _slice(value, more[0], more[1])
        else:
            inserted = _units_of(value)
        self._text = self._text[:i] + inserted + self._text[i:]
        check_length(len(self._text))
        return self

    def Remove(self, start: object, length: object) -> StringBuilder:
        i, n = non_negative_int(start, "startIndex"), non_negative_int(length, "length")
        if i + n > len(self._text):
            raise exc.argument_out_of_range("length")
        self._text = self._text[:i] + self._text[i + n :]
        return self

    def Replace(self, old: object, new: object, *span: object) -> StringBuilder:
        """Ordinal replacement of UTF-16 units: a lone surrogate replaces half a pair."""
        old, new = _unit_arg(old), _unit_arg(new)
        if span:
            i, n = non_negative_int(span[0], "startIndex"), non_negative_int(span[1], "count")
            if i + n > len(self._text):
                raise exc.argument_out_of_range("count")
            middle = units(replace(self._text[i : i + n], old, new))
            self._text = self._text[:i] + middle + self._text[i + n :]
        else:
            self._text = units(replace(self._text, old, new))
        return self

    def Clear(self) -> StringBuilder:
        self._text = ""
        return self

    def Equals(self, other: object) -> bool:
        """.NET Core compares the characters only (the Framework, and Mono, also Capacity)."""
        return isinstance(other, StringBuilder) and other._text == self._text

    def ToString(self, start: object = None, length: object = None) -> str:
        if start is None:
            return text(self._text)
        i, n = non_negative_int(start, "startIndex"), non_negative_int(length, "length")
        if i + n > len(self._text):
            raise exc.argument_out_of_range("length")
        return text(self._text[i : i + n])


def _substring_ctor(
    value: object, start: object, length: object, capacity: object
) -> tuple[str, int]:
    """`StringBuilder(string value, int startIndex, int length, int capacity)`: the text and
    the capacity, checked in .NET's order."""
    asked = _int_arg(capacity)
    if asked < 0:
        raise exc.argument_out_of_range("capacity")
    size = non_negative_int(length, "length")
    begin = non_negative_int(start, "startIndex")
    whole = units(to_string(value))
    if begin > len(whole) - size:
        raise exc.argument_out_of_range("length")
    return whole[begin : begin + size], max(asked or 16, size)


def _chars(value: object) -> CsArray | None:
    """`value` when it is a `char[]` (appended or inserted as its characters), else None."""
    if not isinstance(value, CsArray):
        return None
    if value.element_name == "System.Char" or (
        len(value) and all(type(c) is CsChar for c in value)
    ):
        return value
    return None


def _units_of(value: object) -> str:
    """What `Append(value)`/`Insert(index, value)` adds, in unit form."""
    chars = _chars(value)
    if chars is not None:
        return "".join(str(c) for c in chars)
    return units(to_string(value))


def _slice(value: object, start: object, count: object) -> str:
    """`(string | char[] | StringBuilder value, int startIndex, int count)`, in unit form: a null
    value is allowed only for an empty slice."""
    begin, size = non_negative_int(start, "startIndex"), non_negative_int(count, "count")
    if value is None:
        if begin == 0 and size == 0:
            return ""
        raise exc.argument_null("value")
    chars = _chars(value)
    if chars is not None:
        whole = "".join(str(c) for c in chars)
    elif isinstance(value, StringBuilder):
        whole = value._text
    else:
        whole = units(to_string(value))
    if begin > len(whole) - size:
        raise exc.argument_out_of_range("startIndex")
    return whole[begin : begin + size]


def _unit_arg(value: object) -> object:
    """A string argument in unit form (a char is one unit already)."""
    return units(value) if type(value) is str else value


def _int_arg(value: object) -> int:
    if type(value) is not int:
        raise exc.invalid_cast(value, "System.Int32")
    return value


_INFO = TypeInfo(
    StringBuilder.CS_TYPE,
    SType(StringBuilder.CS_TYPE, StringBuilder),
    CsTypeRef(StringBuilder.CS_TYPE, (StringBuilder,)),
    ctor=StringBuilder,
)
if _INFO.full_name not in IMPLEMENTED:
    register(_INFO)
