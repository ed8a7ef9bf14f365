"""`System.IO.StringReader` and `System.IO.StringWriter` (allow-listed with all members).

StringReader walks a string: `Read()`/`Peek()` give one character's code (-1 at the end),
`ReadLine()` ends a line at "\\r\\n", "\\r" or "\\n" and returns null at the end, `ReadToEnd()`
the rest. StringWriter appends to a `StringBuilder` (`GetStringBuilder()` is that builder, shared,
as in .NET); values are written as string concatenation converts them, and `WriteLine` ends lines
with `NewLine`, by default `jsonio.NEWLINE` (Environment.NewLine of the Windows hosts APIM runs
on). After `Dispose()`/`Close()` (or the end of a `using`) reading or writing throws
ObjectDisposedException; a writer's text stays readable.
"""

from __future__ import annotations

from . import exceptions as exc
from . import utf16
from .arrays import CsArray, non_negative_int
from .budget import check_length
from .jsonio import NEWLINE
from .stringbuilder import StringBuilder
from .strings import format_string, to_string
from .typenames import IMPLEMENTED, TypeInfo, register
from .types import CsChar, CsObject

_INVALID_OFF_LEN = (
    "Offset and length were out of bounds for the array or count is greater than the number of "
    "elements from index to the end of the source collection."
)


def _disposed(message: str) -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError("ObjectDisposedException", message)


def _chars(buffer: object) -> CsArray:
    """A `char[]` argument."""
    if buffer is None:
        raise exc.argument_null("buffer")
    if not isinstance(buffer, CsArray) or not all(type(c) is CsChar for c in buffer):
        raise exc.invalid_cast(buffer, "System.Char[]")
    return buffer


def _span(buffer: CsArray, index: object, count: object) -> tuple[int, int]:
    """(index, count) of `buffer[index .. index + count]`, with .NET's argument checks."""
    start, length = non_negative_int(index, "index"), non_negative_int(count, "count")
    if len(buffer) - start < length:
        raise exc.ExpressionRuntimeError("ArgumentException", _INVALID_OFF_LEN)
    return start, length


class StringReader(CsObject):
    __slots__ = ("_pos", "_text")
    CS_TYPE = "System.IO.StringReader"
    CS_MEMBERS = frozenset(
        {"Read", "ReadBlock", "ReadLine", "ReadToEnd", "Peek", "Close", "Dispose", "Equals"}
    )

    def __init__(self, text: str) -> None:
        # In UTF-16 unit form, so positions and Read()'s codes are .NET's (see utf16).
        self._text: str | None = utf16.units(text)  # None once disposed
        self._pos = 0

    def _open(self) -> str:
        if self._text is None:
            raise _disposed("Cannot read from a closed TextReader.")
        return self._text

    def Peek(self) -> int:
        text = self._open()
        return ord(text[self._pos]) if self._pos < len(text) else -1

    def Read(self, buffer: object = None, index: object = None, count: object = None) -> int:
        """`Read()`: the next character's code, -1 at the end; `Read(char[], index, count)`:
        how many characters were copied into the buffer, 0 at the end."""
        if buffer is None and index is None:
            text = self._open()
            if self._pos >= len(text):
                return -1
            self._pos += 1
            return ord(text[self._pos - 1])
        chars = _chars(buffer)
        start, length = _span(chars, index, count)
        text = self._open()
        chunk = text[self._pos : self._pos + length]
        for offset, char in enumerate(chunk):
            chars.set_item(start + offset, CsChar(char))
        self._pos += len(chunk)
        return len(chunk)

    def ReadBlock(self, buffer: object, index: object, count: object) -> int:
        return self.Read(buffer, index, count)  # a string has no short reads

    def ReadLine(self) -> str | None:
        text = self._open()
        start = self._pos
        if start >= len(text):
            return None
        ends = [i for i in (text.find("\r", start), text.find("\n", start)) if i >= 0]
        if not ends:
            self._pos = len(text)
            return utf16.text(text[start:])
        end = min(ends)
        self._pos = end + (2 if text.startswith("\r\n", end) else 1)
        return utf16.text(text[start:end])

    def ReadToEnd(self) -> str:
        text = self._open()
        rest = text[self._pos :]
        self._pos = len(text)
        return utf16.text(rest)

    def Close(self) -> None:
        self._text = None

    def Dispose(self) -> None:
        self._text = None

    def Equals(self, other: object) -> bool:
        return other is self


class StringWriter(CsObject):
    __slots__ = ("_builder", "_newline", "_open")
    CS_TYPE = "System.IO.StringWriter"
    CS_MEMBERS = frozenset(
        {
            "Write", "WriteLine", "NewLine", "GetStringBuilder", "Flush", "Close", "Dispose",
            "Equals", "ToString",
        }
    )  # fmt: skip

    def __init__(self, builder: StringBuilder) -> None:
        self._builder = builder
        self._newline = NEWLINE
        self._open = True

    @property
    def NewLine(self) -> str:
        return self._newline

    @NewLine.setter
    def NewLine(self, value: object) -> None:
        if value is not None and type(value) is not str:
            raise exc.invalid_cast(value, "System.String")
        self._newline = NEWLINE if value is None else value  # null restores the default

    def _append(self, text: str) -> None:
        if not self._open:
            raise _disposed("Cannot write to a closed TextWriter.")
        check_length(self._builder.Length + len(text))  # `w.Write(w.ToString())` doubles it
        self._builder.Append(text)

    @staticmethod
    def _text_of(value: object, more: tuple[object, ...]) -> str:
        if isinstance(value, CsArray) and len(more) == 2:  # Write(char[], index, count)
            chars = _chars(value)
            start, length = _span(chars, *more)
            return "".join(str(c) for c in list(chars)[start : start + length])
        if more:  # Write(string format, params object[] args)
            return format_string(value, *more)
        if isinstance(value, CsArray) and all(type(c) is CsChar for c in value):
            return "".join(str(c) for c in value)  # char[]
        return to_string(value)  # null writes nothing

    def Write(self, value: object, *more: object) -> None:
        self._append(self._text_of(value, more))

    def WriteLine(self, *args: object) -> None:
        text = self._text_of(args[0], args[1:]) if args else ""
        self._append(text + self._newline)

    def GetStringBuilder(self) -> StringBuilder:
        return self._builder

    def Flush(self) -> None:
        """Nothing is buffered."""

    def Close(self) -> None:
        self._open = False

    def Dispose(self) -> None:
        self._open = False

    def Equals(self, other: object) -> bool:
        return other is self

    def ToString(self) -> str:
        return self._builder.ToString()


def new_string_reader(s: object) -> StringReader:
    if s is None:
        raise exc.argument_null("s")
    if type(s) is not str:
        raise exc.invalid_cast(s, "System.String")
    return StringReader(s)


_NO_BUILDER = object()  # `new StringWriter()`: the writer makes its own StringBuilder


def new_string_writer(sb: object = _NO_BUILDER, provider: object = None) -> StringWriter:
    """`new StringWriter()`, `new StringWriter(StringBuilder sb[, IFormatProvider provider])`.
    A provider other than null would need a CultureInfo, which APIM does not allow."""
    if provider is not None:
        raise exc.invalid_cast(provider, "System.IFormatProvider")
    if sb is _NO_BUILDER:
        return StringWriter(StringBuilder())
    if sb is None:
        raise exc.argument_null("sb")
    if not isinstance(sb, StringBuilder):
        raise exc.invalid_cast(sb, StringBuilder.CS_TYPE)
    return StringWriter(sb)


_INFOS = (
    TypeInfo.of(StringReader, ctor=new_string_reader),
    TypeInfo.of(StringWriter, ctor=new_string_writer),
)
register(*(info for info in _INFOS if info.full_name not in IMPLEMENTED))
