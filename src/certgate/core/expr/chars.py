"""`System.Char`'s static members, with .NET 8 semantics.

Categories are Unicode's general categories (`unicodedata`), as .NET's `CharUnicodeInfo` has
them since .NET Core 3.0; Python 3.11 carries Unicode 14.0 where .NET 8 has 15.0, so a letter
new in 15.0 is unassigned here. Casing is `strings.to_upper`/`to_lower` (invariant, simple
one-to-one: 'ß' and dotless i stay).

A `CsChar` is one UTF-16 unit: `"😀"[0]` is the high surrogate U+D83D, as in .NET. The
`(string s, int index)` overloads take a unit index (`utf16.units`), and those that take a
category read a surrogate pair at `index` as its code point (U+1D400, a bold capital A, is a
letter at index 0 of its string and its low surrogate at index 1 is not).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from . import exceptions as exc
from . import utf16
from .static import BOOL, CHAR, DOUBLE, INT, STRING, class_stype
from .strings import WHITE_SPACE, CsEnum, enum_members, to_lower, to_upper
from .typenames import IMPLEMENTED, StaticMember, TypeInfo, register
from .types import CsChar

_MISSING = object()


class UnicodeCategory(CsEnum):
    __slots__ = ()
    CS_TYPE = "System.Globalization.UnicodeCategory"


UNICODE_CATEGORY = enum_members(
    UnicodeCategory,
    "UppercaseLetter",
    "LowercaseLetter",
    "TitlecaseLetter",
    "ModifierLetter",
    "OtherLetter",
    "NonSpacingMark",
    "SpacingCombiningMark",
    "EnclosingMark",
    "DecimalDigitNumber",
    "LetterNumber",
    "OtherNumber",
    "SpaceSeparator",
    "LineSeparator",
    "ParagraphSeparator",
    "Control",
    "Format",
    "Surrogate",
    "PrivateUse",
    "ConnectorPunctuation",
    "DashPunctuation",
    "OpenPunctuation",
    "ClosePunctuation",
    "InitialQuotePunctuation",
    "FinalQuotePunctuation",
    "OtherPunctuation",
    "MathSymbol",
    "CurrencySymbol",
    "ModifierSymbol",
    "OtherSymbol",
    "OtherNotAssigned",
)
# Unicode's two-letter categories in the order of .NET's UnicodeCategory values
_CATEGORY_CODES = (
    "Lu",
    "Ll",
    "Lt",
    "Lm",
    "Lo",
    "Mn",
    "Mc",
    "Me",
    "Nd",
    "Nl",
    "No",
    "Zs",
    "Zl",
    "Zp",
    "Cc",
    "Cf",
    "Cs",
    "Co",
    "Pc",
    "Pd",
    "Ps",
    "Pe",
    "Pi",
    "Pf",
    "Po",
    "Sm",
    "Sc",
    "Sk",
    "So",
    "Cn",
)
_BY_CODE = dict(zip(_CATEGORY_CODES, UNICODE_CATEGORY.values(), strict=True))
# CJK compatibility ideographs that UnicodeData.txt gives a numeric value (.NET's table comes
# from there); Python also knows Unihan's values for the unified ideographs ('一' is 1), .NET not
_IDEOGRAPH_NUMERIC = frozenset({0xF96B, 0xF973, 0xF978, 0xF9B2, 0xF9D1, 0xF9D3, 0xF9FD, 0x2F890})
_UTF32_MESSAGE = (
    "A valid UTF32 value is between 0x000000 and 0x10ffff, inclusive, and should not include "
    "surrogate codepoint values (0x00d800 ~ 0x00dfff)."
)


def _high(code: int) -> str:
    return chr(0xD800 + ((code - 0x10000) >> 10))


def _char(value: object) -> str:
    """The UTF-16 unit a char argument stands for (a CsChar holding a code point beyond U+FFFF,
    which a member still counting code points could make, as its high surrogate)."""
    if type(value) is not CsChar:
        raise exc.invalid_cast(value, "System.Char")
    code = ord(value.value)
    return _high(code) if code > 0xFFFF else value.value


def _units(value: object) -> str:
    """A string argument as UTF-16 units (one Python character per unit)."""
    if value is None:
        raise exc.argument_null("s")
    if type(value) is not str:
        raise exc.invalid_cast(value, "System.String")
    return utf16.units(value)


def _index(units: str, index: object) -> int:
    if type(index) is not int:
        raise exc.invalid_cast(index, "System.Int32")
    if not 0 <= index < len(units):
        raise exc.argument_out_of_range("index")
    return index


def _is_high(u: str) -> bool:
    return "\ud800" <= u <= "\udbff"


def _is_low(u: str) -> bool:
    return "\udc00" <= u <= "\udfff"


def _code_point(units: str, i: int) -> str:
    """The code point at `i`: a surrogate pair read whole, a lone surrogate as itself."""
    if _is_high(units[i]) and i + 1 < len(units) and _is_low(units[i + 1]):
        return chr(0x10000 + ((ord(units[i]) - 0xD800) << 10) + ord(units[i + 1]) - 0xDC00)
    return units[i]


def _category(c: str) -> str:
    return unicodedata.category(c)


def _predicate(test: Callable[[str], bool], pairs: bool) -> Callable[..., bool]:
    """`M(char c)` and `M(string s, int index)`; `pairs`: the latter reads a surrogate pair."""

    def call(c: object, index: object = _MISSING) -> bool:
        if index is _MISSING:
            return test(_char(c))
        units = _units(c)
        i = _index(units, index)
        return test(_code_point(units, i) if pairs else units[i])

    return call


def _in(*codes: str) -> Callable[[str], bool]:
    wanted = frozenset(codes)
    return lambda c: _category(c) in wanted


def _first(letter: str) -> Callable[[str], bool]:
    return lambda c: _category(c)[0] == letter


_ASCII_LETTER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _ascii(test: Callable[[str], bool]) -> Callable[[object], bool]:
    """.NET 6/7 `IsAscii*`: a char overload only."""
    return lambda c: test(_char(c))


def is_between(c: object, low: object, high: object) -> bool:
    """.NET's `(uint)(c - min) <= (uint)(max - min)`, wrap-around included: with max < min,
    every char above min matches."""
    start = ord(_char(low))
    return (ord(_char(c)) - start) % 2**32 <= (ord(_char(high)) - start) % 2**32


def is_surrogate_pair(high: object, low: object) -> bool:
    """`IsSurrogatePair(char high, char low)` or `(string s, int index)`."""
    if type(high) is str or high is None:
        units = _units(high)
        i = _index(units, low)
        return i + 1 < len(units) and _is_high(units[i]) and _is_low(units[i + 1])
    return _is_high(_char(high)) and _is_low(_char(low))


def get_numeric_value(c: object, index: object = _MISSING) -> float:
    if index is _MISSING:
        u = _char(c)
    else:
        units = _units(c)
        u = _code_point(units, _index(units, index))
    if _category(u)[0] == "N" or ord(u) in _IDEOGRAPH_NUMERIC:
        return float(unicodedata.numeric(u, -1.0))
    return -1.0


def get_unicode_category(c: object, index: object = _MISSING) -> CsEnum:
    if index is _MISSING:
        return _BY_CODE[_category(_char(c))]
    units = _units(c)
    return _BY_CODE[_category(_code_point(units, _index(units, index)))]


def _case(convert: Callable[[str], str]) -> Callable[[object], CsChar]:
    def call(c: object) -> CsChar:
        unit = _char(c)
        if _is_high(unit) or _is_low(unit):
            return CsChar(unit)  # a surrogate has no case
        return CsChar(convert(unit))

    return call


def parse(s: object) -> CsChar:
    units = _units(s)
    if len(units) != 1:
        raise exc.format_error("String must be exactly one character long.")
    return CsChar(units)


def try_parse(s: object) -> tuple[bool, CsChar]:
    if s is None:
        return False, CsChar("\0")
    try:
        return True, parse(s)
    except exc.ExpressionRuntimeError:
        return False, CsChar("\0")


def to_string(c: object) -> str:
    return _char(c)


def convert_from_utf32(utf32: object) -> str:
    """The character as a string (canonical: one code point, `Length` 2 beyond U+FFFF)."""
    if type(utf32) is not int:
        raise exc.invalid_cast(utf32, "System.Int32")
    if not 0 <= utf32 <= 0x10FFFF or 0xD800 <= utf32 <= 0xDFFF:
        raise exc.ExpressionRuntimeError(
            "ArgumentOutOfRangeException", f"{_UTF32_MESSAGE} (Parameter 'utf32')"
        )
    return chr(utf32)


def convert_to_utf32(first: object, second: object) -> int:
    """`ConvertToUtf32(char highSurrogate, char lowSurrogate)` or `(string s, int index)`."""
    if type(first) is CsChar:
        high, low = _char(first), _char(second)
        if not _is_high(high):
            raise exc.argument_out_of_range("highSurrogate")
        if not _is_low(low):
            raise exc.argument_out_of_range("lowSurrogate")
        return ord(_code_point(high + low, 0))
    units = _units(first)
    i = _index(units, second)
    code = _code_point(units, i)
    if _is_high(code):
        raise exc.ExpressionRuntimeError(
            "ArgumentException",
            f"Found a high surrogate char without a following low surrogate at index: {i}. "
            "The input may not be in this encoding, or may not contain valid Unicode "
            "(UTF-16) characters. (Parameter 's')",
        )
    if _is_low(code):
        raise exc.ExpressionRuntimeError(
            "ArgumentException",
            f"Found a low surrogate char without a preceding high surrogate at index: {i}. "
            "The input may not be in this encoding, or may not contain valid Unicode "
            "(UTF-16) characters. (Parameter 's')",
        )
    return ord(code)


_PREDICATES: dict[str, Callable[..., bool]] = {
    "IsControl": _predicate(_in("Cc"), pairs=False),
    "IsDigit": _predicate(_in("Nd"), pairs=True),
    "IsLetter": _predicate(_first("L"), pairs=True),
    "IsLetterOrDigit": _predicate(lambda c: _category(c) == "Nd" or _category(c)[0] == "L", True),
    "IsLower": _predicate(_in("Ll"), pairs=True),
    "IsUpper": _predicate(_in("Lu"), pairs=True),
    "IsNumber": _predicate(_first("N"), pairs=True),
    "IsPunctuation": _predicate(_first("P"), pairs=True),
    "IsSymbol": _predicate(_first("S"), pairs=True),
    "IsSeparator": _predicate(_first("Z"), pairs=True),
    # Zs/Zl/Zp, U+0009-U+000D and U+0085; Python's isspace also has U+001C-U+001F
    "IsWhiteSpace": _predicate(lambda c: c in WHITE_SPACE, pairs=False),
    "IsSurrogate": _predicate(lambda c: _is_high(c) or _is_low(c), pairs=False),
    "IsHighSurrogate": _predicate(_is_high, pairs=False),
    "IsLowSurrogate": _predicate(_is_low, pairs=False),
    "IsSurrogatePair": is_surrogate_pair,
    "IsAscii": _ascii(lambda c: c < "\x80"),
    "IsAsciiDigit": _ascii(lambda c: "0" <= c <= "9"),
    "IsAsciiLetter": _ascii(lambda c: c in _ASCII_LETTER),
    "IsAsciiLetterLower": _ascii(lambda c: "a" <= c <= "z"),
    "IsAsciiLetterUpper": _ascii(lambda c: "A" <= c <= "Z"),
    "IsAsciiLetterOrDigit": _ascii(lambda c: c in _ASCII_LETTER or "0" <= c <= "9"),
    "IsAsciiHexDigit": _ascii(lambda c: c in "0123456789ABCDEFabcdef"),
    "IsAsciiHexDigitLower": _ascii(lambda c: c in "0123456789abcdef"),
    "IsAsciiHexDigitUpper": _ascii(lambda c: c in "0123456789ABCDEF"),
    "IsBetween": is_between,
}
CHAR_STATICS: dict[str, StaticMember] = {
    **{name: StaticMember(fn, BOOL) for name, fn in _PREDICATES.items()},
    "ToUpper": StaticMember(_case(to_upper), CHAR),
    "ToLower": StaticMember(_case(to_lower), CHAR),
    "ToUpperInvariant": StaticMember(_case(to_upper), CHAR),
    "ToLowerInvariant": StaticMember(_case(to_lower), CHAR),
    "GetNumericValue": StaticMember(get_numeric_value, DOUBLE),
    "GetUnicodeCategory": StaticMember(get_unicode_category, class_stype(UnicodeCategory)),
    "Parse": StaticMember(parse, CHAR),
    "TryParse": StaticMember(try_parse, BOOL, outs=1),
    "ToString": StaticMember(to_string, STRING),
    "ConvertFromUtf32": StaticMember(convert_from_utf32, STRING),
    "ConvertToUtf32": StaticMember(convert_to_utf32, INT),
    "MinValue": StaticMember(CsChar("\0"), CHAR, is_method=False),
    "MaxValue": StaticMember(CsChar("\uffff"), CHAR, is_method=False),
}

_info = IMPLEMENTED["System.Char"]
register(
    TypeInfo(_info.full_name, _info.stype, _info.ref, {**_info.statics, **CHAR_STATICS}, _info.ctor)
)
