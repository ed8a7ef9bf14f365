"""`System.Text.StringBuilder` (allow-listed with all members).

Appending converts values as string concatenation does (`to_string`); `AppendLine` ends lines with
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


class StringBuilder(CsObject):
    __slots__ = ("_text", "capacity")
    CS_TYPE = "System.Text.StringBuilder"
    CS_MEMBERS = frozenset(
        {
            "Append", "AppendLine", "AppendFormat", "Insert", "Remove", "Replace", "Clear",
            "Length", "Capacity", "ToString", "Equals", "AppendJoin", "EnsureCapacity", "CopyTo",
        }
    )  # fmt: skip
    CS_INDEXER = "get_item"
    CS_INDEX_SETTER = "set_item"

    def __init__(self, *args: object) -> None:
        value = next((a for a in args if type(a) is str), "")
        self.capacity = next((a for a in args if type(a) is int), 0) or 16
        if any(a is not None and type(a) not in (str, int) for a in args):
            raise exc.invalid_cast(
                next(a for a in args if type(a) not in (str, int)), "System.String"
            )
        if self.capacity < 0:
            raise exc.argument_out_of_range("capacity")
        self._text = value

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
        elif more:  # Append(string, startIndex, count)
            text = to_string(value)
            start = non_negative_int(more[0], "startIndex")
            count = non_negative_int(more[1], "count")
            if start + count > len(text):
                raise exc.argument_out_of_range("count")
            self._text += text[start : start + count]
        elif isinstance(value, CsArray) and all(type(c) is CsChar for c in value):
            self._text += "".join(str(c) for c in value)  # char[]
        else:
            self._text += to_string(value)
        check_length(len(self._text))  # `sb.Append(sb.ToString())` in a loop doubles it
        return self

    def AppendLine(self, value: object = None) -> StringBuilder:
        self._text += to_string(value) + NEWLINE
        return self

    def AppendFormat(self, template: object, *args: object) -> StringBuilder:
        self._text += format_string(template, *args)
        return self

    def AppendJoin(self, separator: object, *values: object) -> StringBuilder:
        """`AppendJoin(separator, params string[] | params object[] | IEnumerable<T>)`, with a
        string or char separator: String.Join's text, appended."""
        if len(values) == 1 and values[0] is None:
            raise exc.argument_null("values")
        self._text += join(separator, *values)
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

    def Insert(self, index: object, value: object) -> StringBuilder:
        i = non_negative_int(index, "index")
        if i > len(self._text):
            raise exc.argument_out_of_range("index")
        self._text = self._text[:i] + to_string(value) + self._text[i:]
        return self

    def Remove(self, start: object, length: object) -> StringBuilder:
        i, n = non_negative_int(start, "startIndex"), non_negative_int(length, "length")
        if i + n > len(self._text):
            raise exc.argument_out_of_range("length")
        self._text = self._text[:i] + self._text[i + n :]
        return self

    def Replace(self, old: object, new: object, *span: object) -> StringBuilder:
        if span:
            i, n = non_negative_int(span[0], "startIndex"), non_negative_int(span[1], "count")
            if i + n > len(self._text):
                raise exc.argument_out_of_range("count")
            middle = replace(self._text[i : i + n], old, new)
            self._text = self._text[:i] + middle + self._text[i + n :]
        else:
            self._text = replace(self._text, old, new)
        return self

    def Clear(self) -> StringBuilder:
        self._text = ""
        return self

    def Equals(self, other: object) -> bool:
        return isinstance(other, StringBuilder) and other._text == self._text

    def ToString(self, start: object = None, length: object = None) -> str:
        if start is None:
            return self._text
        i, n = non_negative_int(start, "startIndex"), non_negative_int(length, "length")
        if i + n > len(self._text):
            raise exc.argument_out_of_range("length")
        return self._text[i : i + n]


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
