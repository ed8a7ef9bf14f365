"""`System.Text.Encoding` (UTF8, ASCII, Unicode, ...) and `System.Net.WebUtility`.

Decoding invalid input never throws, as .NET's default replacement fallback: bad UTF-8 becomes
U+FFFD, non-ASCII becomes '?'.
"""

from __future__ import annotations

import html.entities
import re
from typing import ClassVar

from . import exceptions as exc
from . import utf16
from .arrays import CsArray
from .binary import CsBytes, span, to_bytes
from .static import CHAR, SType, array_of
from .types import CsChar, CsObject


def _chars(value: object, param: str = "s") -> str:
    if value is None:
        raise exc.argument_null(param)
    if type(value) is str:
        return value
    if isinstance(value, CsArray) and all(type(c) is CsChar for c in value):
        return utf16.text("".join(c.value for c in value))  # type: ignore[attr-defined]
    raise exc.invalid_cast(value, "System.String")


class Encoding(CsObject):
    __slots__ = ("CodePage", "_codec", "_name", "_preamble", "_web_name")
    CS_TYPE = "System.Text.Encoding"
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset(
        {
            "GetBytes",
            "GetString",
            "GetByteCount",
            "GetCharCount",
            "WebName",
            "EncodingName",
            "BodyName",
            "HeaderName",
            "CodePage",
            "GetMaxByteCount",
            "GetPreamble",
            "ToString",
            "GetChars",
            "GetMaxCharCount",
            "Equals",
            "IsAlwaysNormalized",
        }
    )
    CS_RESULT_TYPES: ClassVar[dict[str, SType]] = {"GetChars": array_of(CHAR)}

    def __init__(
        self, codec: str, web_name: str, name: str, code_page: int, preamble: bool = True
    ) -> None:
        self._codec = codec
        self._web_name = web_name
        self._name = name
        self.CodePage = code_page
        self._preamble = preamble  # False: UTF-8 without a BOM (`Encoding.Default`)

    CodePage: int

    @property
    def WebName(self) -> str:
        return self._web_name

    @property
    def BodyName(self) -> str:
        return self._web_name

    @property
    def HeaderName(self) -> str:
        return self._web_name

    @property
    def EncodingName(self) -> str:
        return self._name

    def encode(self, text: str) -> bytes:
        text = utf16.well_formed(text)
        limit = {"ascii": 0x80, "latin-1": 0x100}.get(self._codec)
        if limit is None:
            return text.encode(self._codec)
        if all(ord(c) < limit for c in text):
            return text.encode(self._codec)
        # a character outside the code page is '?' per UTF-16 unit, as .NET's fallback does
        return b"".join(
            c.encode(self._codec) if ord(c) < limit else b"??" if ord(c) > 0xFFFF else b"?"
            for c in text
        )

    def decode(self, data: bytes) -> str:
        if self._codec == "ascii":
            return "".join(chr(b) if b < 0x80 else "?" for b in data)
        return data.decode(self._codec, errors="replace")

    def GetBytes(self, value: object, index: object = None, count: object = None) -> CsBytes:
        text = _chars(value)
        if index is not None:
            if type(index) is not int or type(count) is not int:
                raise exc.invalid_cast(index, "System.Int32")
            text = utf16.units(text)  # the range counts UTF-16 units
            if index < 0 or count < 0 or index + count > len(text):
                raise exc.argument_out_of_range("index" if index < 0 else "count")
            text = utf16.text(text[index : index + count])
        return CsBytes(self.encode(text))

    def GetString(self, value: object, index: object = None, count: object = None) -> str:
        data = to_bytes(value, "bytes")
        if index is not None:
            data = span(data, index, count, ("index", "count"))
        return self.decode(data)

    def GetByteCount(self, value: object) -> int:
        return len(self.encode(_chars(value, "chars")))

    def GetCharCount(self, value: object) -> int:
        return len(self.decode(to_bytes(value, "bytes")).encode("utf-16-le")) // 2

    def GetMaxByteCount(self, count: object) -> int:
        if type(count) is not int or count < 0:
            raise exc.argument_out_of_range("charCount")
        factor = {"utf-8": 3, "ascii": 1, "latin-1": 1, "utf-16-le": 2, "utf-16-be": 2}.get(
            self._codec, 4
        )
        return _int32_count((count + 1) * factor, "charCount")

    def GetMaxCharCount(self, count: object) -> int:
        """The most chars `count` bytes can decode to, with the replacement fallback."""
        if type(count) is not int:
            raise exc.invalid_cast(count, "System.Int32")
        if count < 0:
            raise exc.argument_out_of_range("byteCount")
        if self._codec in ("ascii", "latin-1"):
            chars = count
        elif self._codec == "utf-8":
            chars = count + 1
        elif self._codec.startswith("utf-16"):
            chars = (count >> 1) + (count & 1) + 1
        else:  # UTF-32: a surrogate pair per 4 bytes, and a pending one
            chars = count // 2 + 2
        return _int32_count(chars, "byteCount")

    def GetChars(
        self, value: object, index: object = None, count: object = None, *more: object
    ) -> CsArray:
        """`GetChars(byte[][, index, count])`: a new char[], a char per character as in
        `ToCharArray` (a UTF-16 unit each: a code point beyond U+FFFF is two). The overload
        decoding into a given char[] returns an int, which the one static type of the name
        cannot also say: not supported yet."""
        if more:
            raise exc.ExpressionRuntimeError(
                "NotSupportedException",
                "not supported yet: member 'GetChars(byte[], int, int, char[], int)' of type "
                "'System.Text.Encoding'",
            )
        data = to_bytes(value, "bytes")
        if index is not None or count is not None:
            data = _byte_range(data, index, count)
        return CsArray([CsChar(c) for c in utf16.units(self.decode(data))])

    def Equals(self, other: object) -> bool:
        """The same encoding: code page and, for UTF-8, whether it writes a BOM."""
        return (
            isinstance(other, Encoding)
            and other.CodePage == self.CodePage
            and other._preamble == self._preamble
        )

    def IsAlwaysNormalized(self) -> bool:
        """Form C holds for any Latin-1 text; .NET claims it for no other built-in encoding
        (ASCII's unassigned half goes through a fallback)."""
        return self._codec == "latin-1"

    def GetPreamble(self) -> CsBytes:
        return CsBytes(_PREAMBLES.get(self._codec, b"") if self._preamble else b"")

    def ToString(self) -> str:
        return _TYPE_NAMES.get(self._codec, "System.Text.Encoding")


def _int32_count(count: int, param: str) -> int:
    """A computed buffer size: ArgumentOutOfRange beyond Int32.MaxValue."""
    if count > 2**31 - 1:
        raise exc.argument_out_of_range(param)
    return count


def _byte_range(data: bytes, index: object, count: object) -> bytes:
    """`bytes[index:index+count]` with the checks of Encoding.GetChars(byte[], int, int)."""
    if type(index) is not int or type(count) is not int:
        raise exc.invalid_cast(index if type(index) is not int else count, "System.Int32")
    if index < 0 or count < 0:
        raise exc.argument_out_of_range("byteIndex" if index < 0 else "byteCount")
    if len(data) - index < count:
        raise exc.argument_out_of_range("bytes")
    return data[index : index + count]


def utf8(text: str) -> bytes:
    """Text as .NET's UTF-8 encoder writes it: a surrogate pair held as two code points is
    one character, a lone surrogate is U+FFFD (EF BF BD)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return utf16.well_formed(text).encode("utf-8")


_PREAMBLES = {
    "utf-8": b"\xef\xbb\xbf",
    "utf-16-le": b"\xff\xfe",
    "utf-16-be": b"\xfe\xff",
    "utf-32-le": b"\xff\xfe\x00\x00",
    "utf-32-be": b"\x00\x00\xfe\xff",
}
_TYPE_NAMES = {
    "utf-8": "System.Text.UTF8Encoding+UTF8EncodingSealed",
    "ascii": "System.Text.ASCIIEncoding+ASCIIEncodingSealed",
    "utf-16-le": "System.Text.UnicodeEncoding",
    "utf-16-be": "System.Text.UnicodeEncoding",
    "utf-32-le": "System.Text.UTF32Encoding",
    "utf-32-be": "System.Text.UTF32Encoding",
    "latin-1": "System.Text.Latin1Encoding",
}

UTF8 = Encoding("utf-8", "utf-8", "Unicode (UTF-8)", 65001)
# .NET Core's Encoding.Default: UTF-8 that writes no BOM (Encoding.cs, s_defaultEncoding)
DEFAULT = Encoding("utf-8", "utf-8", "Unicode (UTF-8)", 65001, preamble=False)
ASCII = Encoding("ascii", "us-ascii", "US-ASCII", 20127)
UNICODE = Encoding("utf-16-le", "utf-16", "Unicode", 1200)
BIG_ENDIAN_UNICODE = Encoding("utf-16-be", "utf-16BE", "Unicode (Big-Endian)", 1201)
UTF32 = Encoding("utf-32-le", "utf-32", "Unicode (UTF-32)", 12000)
UTF32_BIG_ENDIAN = Encoding("utf-32-be", "utf-32BE", "Unicode (UTF-32 Big-Endian)", 12001)
LATIN1 = Encoding("latin-1", "iso-8859-1", "Western European (ISO)", 28591)
# the names .NET's `Encoding.GetEncoding(string)` knows without a registered provider (its
# EncodingTable, UTF-7 left out: .NET 5+ refuses it), compared case-insensitively
_ALIASES = {
    UTF8: "utf-8 utf8 unicode-1-1-utf-8 unicode-2-0-utf-8 x-unicode-1-1-utf-8 x-unicode-2-0-utf-8",
    ASCII: "us-ascii ascii ansi_x3.4-1968 ansi_x3.4-1986 cp367 csascii ibm367 iso-ir-6 iso646-us "
    "iso_646.irv:1991 us",
    UNICODE: "utf-16 utf-16le unicode ucs-2 iso-10646-ucs-2",
    BIG_ENDIAN_UNICODE: "utf-16be unicodefffe",
    UTF32: "utf-32 utf-32le",
    UTF32_BIG_ENDIAN: "utf-32be",
    LATIN1: "iso-8859-1 latin1 cp819 csisolatin1 ibm819 iso-ir-100 iso8859-1 iso_8859-1 "
    "iso_8859-1:1987 l1",
}
_BY_NAME = {name: encoding for encoding, names in _ALIASES.items() for name in names.split()}
_BY_CODE_PAGE = {encoding.CodePage: encoding for encoding in _ALIASES}


def get_encoding(name: object) -> Encoding:
    if type(name) is int:
        if name in _BY_CODE_PAGE:
            return _BY_CODE_PAGE[name]
    elif type(name) is str and name.lower() in _BY_NAME:
        return _BY_NAME[name.lower()]
    if name is None:
        raise exc.argument_null("name")
    raise exc.ExpressionRuntimeError(
        "ArgumentException",
        f"'{name}' is not a supported encoding name. (Parameter 'name')",
    )


def convert(
    source: object, target: object, value: object, index: object = None, count: object = None
) -> CsBytes:
    """Encoding.Convert(srcEncoding, dstEncoding, bytes[, index, count]): decoded, re-encoded."""
    if not isinstance(source, Encoding) or not isinstance(target, Encoding):
        if source is None or target is None:
            raise exc.argument_null("srcEncoding" if source is None else "dstEncoding")
        raise exc.invalid_cast(
            source if not isinstance(source, Encoding) else target, Encoding.CS_TYPE
        )
    data = to_bytes(value, "bytes")
    if index is not None or count is not None:
        data = _byte_range(data, index, count)
    return CsBytes(target.encode(source.decode(data)))


# --- WebUtility ---------------------------------------------------------------------------------

_URL_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!*()")


def url_encode(value: object) -> str | None:
    if value is None:
        return None
    text = _chars(value, "value")
    out: list[str] = []
    for byte in UTF8.encode(text):
        if byte in _URL_SAFE:
            out.append(chr(byte))
        elif byte == 0x20:
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


_HEX = frozenset(b"0123456789abcdefABCDEF")


def url_decode(value: object) -> str | None:
    if value is None:
        return None
    text = _chars(value, "encodedValue")
    if "%" not in text and "+" not in text:
        return text
    return UTF8.decode(_percent_decode(UTF8.encode(text)))


def html_encode(value: object) -> str | None:
    if value is None:
        return None
    text = _chars(value, "value")
    out: list[str] = []
    for c in utf16.well_formed(text):
        code = ord(c)
        if c == "<":
            out.append("&lt;")
        elif c == ">":
            out.append("&gt;")
        elif c == '"':
            out.append("&quot;")
        elif c == "'":
            out.append("&#39;")
        elif c == "&":
            out.append("&amp;")
        elif 160 <= code < 256 or code > 0xFFFF:
            out.append(f"&#{code};")
        else:
            out.append(c)
    return "".join(out)


# .NET reads an entity from `&` to the next `;`, unless an `&` comes first
_ENTITY = re.compile(r"&([^;&]*);")
# uint.TryParse with NumberStyles.Integer: blanks around, a sign (only "-0" survives a minus)
_DECIMAL = re.compile(r"[ \t\n\v\f\r]*([+-]?)([0-9]+)[ \t\n\v\f\r]*\Z")
_HEX_NUMBER = re.compile(r"[0-9A-Fa-f]+\Z")


def _entity(match: re.Match[str]) -> str:
    body = match.group(1)
    if len(body) > 1 and body[0] == "#":
        code = _entity_code(body)
        if code is None or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            return match.group(0)
        return chr(code)
    return html.entities.html5.get(body + ";", match.group(0)) if body in _HTML4 else match.group(0)


def _entity_code(body: str) -> int | None:
    """The number of `&#…;` as WebUtility.HtmlDecode parses it, or None."""
    if body[1] in "xX":
        digits = body[2:]
        return int(digits, 16) if _HEX_NUMBER.match(digits) and len(digits) <= 8 else None
    number = _DECIMAL.match(body, 1)
    if number is None:
        return None
    value = int(number.group(2))
    if number.group(1) == "-" and value != 0:
        return None
    return value if value <= 0xFFFFFFFF else None


_HTML4 = frozenset(html.entities.name2codepoint) | {"apos"}


def html_decode(value: object) -> str | None:
    if value is None:
        return None
    text = _chars(value, "value")
    return _ENTITY.sub(_entity, text) if "&" in text else text


def url_encode_to_bytes(
    value: object, offset: object = None, count: object = None
) -> CsBytes | None:
    if value is None:
        return None
    data = to_bytes(value, "value")
    if offset is not None:
        data = span(data, offset, count, ("offset", "count"))
    out = bytearray()
    for byte in data:
        if byte in _URL_SAFE:
            out.append(byte)
        elif byte == 0x20:
            out.append(0x2B)
        else:
            out += f"%{byte:02X}".encode()
    return CsBytes(bytes(out))


def url_decode_to_bytes(
    value: object, offset: object = None, count: object = None
) -> CsBytes | None:
    if value is None:
        return None
    data = to_bytes(value, "encodedValue")
    if offset is not None:
        data = span(data, offset, count, ("offset", "count"))
    return CsBytes(_percent_decode(data))


def _percent_decode(data: bytes) -> bytes:
    """`+` → space, `%XX` → that byte; a `%` without two hex digits stays as it is (.NET)."""
    out = bytearray()
    i = 0
    while i < len(data):
        b = data[i]
        if b == 0x2B:
            out.append(0x20)
        elif b == 0x25 and i + 2 < len(data) and data[i + 1] in _HEX and data[i + 2] in _HEX:
            out.append(int(data[i + 1 : i + 3], 16))
            i += 3
            continue
        else:
            out.append(b)
        i += 1
    return bytes(out)
