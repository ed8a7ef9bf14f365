"""C# string semantics: ToString of primitives, `string` members and `String` statics.

Comparisons are ordinal (what `==` and the default `Equals`, `StartsWith(string, Ordinal)`, ...
do). .NET Core's culture-sensitive defaults for `StartsWith(string)`/`IndexOf(string)` differ from
ordinal only for unusual Unicode input; we use ordinal and document it. `*IgnoreCase` comparisons
fold with simple upper-casing, as OrdinalIgnoreCase does.

Lengths and indexes count UTF-16 units (`utf16`): a member that counts or indexes works on the
unit form of wide text and returns canonical strings; narrow text (nearly all) takes the plain
path unchanged. Whatever joins pieces (`Concat`, `Join`, `Format`, `new string(char[])`,
`Replace`, padding) passes its result through `utf16.text`, as two halves may meet.

`String.Compare`/`CompareOrdinal` follow .NET 8. Ordinal results are the difference of the first
differing UTF-16 units (else of the lengths), bug for bug: the whole-string form reads the NUL
terminator past a shorter string, so `CompareOrdinal("a", "ab")` is -98, not -1. The culture forms
(current culture = invariant, as APIM runs) return -1/0/1 from an approximation of the ICU root
collation that .NET 5+ uses (`compare_culture`):
* exact for ASCII: control characters are ignored, then white space < punctuation < symbols <
  `$` < digits < letters in ICU's order, compared case-insensitively over the whole string first;
  accents decide next, and only then case, position by position, lower case first ("a" < "A",
  "Ab" > "aB");
* accents are the canonical decomposition's combining marks, in ICU's order for U+0300-U+036F;
  compatibility forms (NBSP, "²", "ﬁ", full width) compare as their decomposition, after it;
  `ß`/`æ`/`œ` expand to "ss"/"ae"/"oe"; Latin letters "with stroke" (ø, ł, đ) are the base letter
  with an accent; digits of every script are equal to the ASCII digit of their value;
* approximated: other non-ASCII punctuation, symbols and Latin letters (dotless i, ŋ, þ, ...)
  sort after the ASCII ones of their group by code point instead of between them; other scripts
  sort after Latin by code point (Greek < Cyrillic < ... roughly as ICU, but e.g. Hangul after
  Han); kana and width differences are primary (ICU has them at a lower level), and a letter's
  combining marks are not reordered canonically across characters.
Windows' older NLS collation, which Mono imitates, ignores `-` and `'` at first ("co-op" > "coop"
there, < under ICU); the conformance vectors record that as a deviation.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Self, TypeVar

from . import exceptions as exc
from . import utf16
from .arrays import CsArray, is_enumerable
from .budget import check_length
from .types import CsChar, CsObject, CsTypeRef, CsValue

_INTEGRAL = frozenset(
    {
        "System.Int32", "System.Int64", "System.Int16", "System.SByte", "System.Byte",
        "System.UInt16", "System.UInt32", "System.UInt64",
    }
)  # fmt: skip


class CsEnum(CsValue):
    """A value of an allowed .NET enum; one subclass per enum type, named members are
    singletons. As in C#, enums are values: `==` and `<` compare their numbers, `(int)e` is the
    number and `(T)n` the member (or an unnamed value that prints as the number)."""

    __slots__ = ("name", "value")
    CS_MEMBERS = frozenset({"ToString", "Equals"})
    FLAGS: ClassVar[bool] = False  # [Flags]: values combine with `|`, `&`, `^`
    _by_value: ClassVar[dict[int, CsEnum]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._by_value = {}

    def __init__(self, name: str, value: int) -> None:
        self.name = name
        self.value = value
        type(self)._by_value.setdefault(value, self)  # the first name of a value wins

    def ToString(self, format: object = None) -> str:
        """Enum.ToString: "G" the name (or the number), "F" flag names even without [Flags],
        "D" the number, "X" its eight hex digits."""
        if format is not None and type(format) is not str:
            raise exc.invalid_cast(format, "System.String")
        letter = (format or "G").upper()
        if letter == "G":
            return self.name
        if letter == "D":
            return str(self.value)
        if letter == "X":
            return f"{self.value & 0xFFFFFFFF:08X}"
        if letter == "F":
            return type(self).flag_names(self.value)
        raise exc.format_error(
            'Format string can be only "G", "g", "X", "x", "F", "f", "D" or "d".'
        )

    def Equals(self, other: object) -> bool:
        return type(other) is type(self) and other.value == self.value

    @classmethod
    def flag_names(cls, value: int) -> str:
        """The names of the members whose bits make up `value`, highest first taken, or the
        number when some bits have no name (Enum's flags formatting)."""
        if value == 0:
            zero = cls._by_value.get(0)
            return "0" if zero is None else zero.name
        names: list[str] = []
        rest = value
        for bits, member in sorted(cls._by_value.items(), reverse=True):
            if bits and rest & bits == bits:
                names.append(member.name)
                rest &= ~bits
        return str(value) if rest else ", ".join(reversed(names))

    def value_key(self) -> int:
        return self.value

    def cs_explicit(self, target: CsTypeRef) -> object:
        """`(int)e` and the other integral types: the enum's number."""
        if target.name in _INTEGRAL:
            return self.value
        raise exc.invalid_cast(self, target.name)

    @classmethod
    def cs_from_integer(cls, value: int) -> CsEnum:
        """`(T)n`: the member numbered `n`, or a value without a name (printed as the number)."""
        found = cls._by_value.get(value)
        return found if found is not None else cls.unnamed(value)

    @classmethod
    def unnamed(cls, value: int) -> Self:
        """A value without a member: the number, or for [Flags] the names of its bits."""
        name = cls.flag_names(value) if cls.FLAGS else str(value)
        member = cls.__new__(cls)
        member.name, member.value = name, value
        return member


E = TypeVar("E", bound=CsEnum)


class StringComparison(CsEnum):
    __slots__ = ()
    CS_TYPE = "System.StringComparison"


class StringSplitOptions(CsEnum):
    __slots__ = ()
    FLAGS = True
    CS_TYPE = "System.StringSplitOptions"


def enum_members(cls: type[E], *names: str, start: int = 0) -> dict[str, E]:
    """An enum's members numbered in order (from `start`)."""
    return {name: cls(name, value) for value, name in enumerate(names, start)}


def enum_values(cls: type[E], pairs: tuple[tuple[str, int], ...]) -> dict[str, E]:
    """An enum's members with their numbers (several names may share one: Pfx, Pkcs12)."""
    return {name: cls(name, value) for name, value in pairs}


STRING_COMPARISON = enum_members(
    StringComparison,
    "CurrentCulture",
    "CurrentCultureIgnoreCase",
    "InvariantCulture",
    "InvariantCultureIgnoreCase",
    "Ordinal",
    "OrdinalIgnoreCase",
)
STRING_SPLIT_OPTIONS = enum_members(StringSplitOptions, "None", "RemoveEmptyEntries", "TrimEntries")


def format_double(value: float) -> str:
    """double.ToString() of .NET Core 3.0+: the shortest round-trip digits, in E notation when
    the decimal point would sit more than max(digits, 17) places in, or the value is below 1E-04
    (Number.Formatting's FormatDouble: nMaxDigits = Math.Max(DigitsCount, DoublePrecision))."""
    if math.isnan(value):
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"  # the invariant culture's symbols
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    mantissa, _, exp = _shortest_sci(abs(value)).partition("e")
    return general_text(value < 0, mantissa.replace(".", "").rstrip("0"), int(exp), 17)


def general_text(negative: bool, digits: str, exp: int, max_digits: int, letter: str = "E") -> str:
    """.NET's general format of significant `digits` (d.ddd x 10^exp): E notation when the
    point would sit more than max(len(digits), max_digits) places in, or below 1E-04."""
    sign = "-" if negative else ""
    if exp + 1 > max(len(digits), max_digits) or exp < -4:
        shown = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{shown}{letter}{'+' if exp >= 0 else '-'}{abs(exp):02d}"
    if exp < 0:
        return f"{sign}0.{'0' * (-exp - 1)}{digits}"
    whole, fraction = digits[: exp + 1].ljust(exp + 1, "0"), digits[exp + 1 :]
    return sign + whole + ("." + fraction if fraction else "")


def _shortest_sci(value: float) -> str:
    """Shortest round-trip digits of `value` in e-notation ('1.5e+20')."""
    for precision in range(17):
        candidate = f"{value:.{precision}e}"
        if float(candidate) == value:
            return candidate
    return f"{value:.17e}"


def to_string(value: object) -> str:
    """How C# turns a value into text (`+` concatenation, interpolation, ToString())."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    if kind is bool:
        return "True" if value else "False"
    if kind is int:
        return str(value)
    if kind is float:
        return format_double(value)  # type: ignore[arg-type]
    if kind is CsChar:
        return value.value  # type: ignore[attr-defined,no-any-return]
    if isinstance(value, CsObject):
        text = value.ToString()
        return text if isinstance(text, str) else ""
    raise exc.invalid_cast(value, "System.String")


# --- string members ------------------------------------------------------------------------------


def _comparison_folds(comparison: object) -> bool:
    if comparison is None:
        return False
    if not isinstance(comparison, StringComparison):
        raise exc.invalid_cast(comparison, "System.StringComparison")
    return comparison.name.endswith("IgnoreCase")


#: char.IsWhiteSpace: Unicode separators (Zs, Zl, Zp), U+0009-U+000D and U+0085. Python's
#: `str.isspace` also counts U+001C-U+001F, which .NET does not.
WHITE_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def to_upper(text: str) -> str:
    """ToUpper()/ToUpperInvariant(): per-character simple upper case (the length never changes:
    "ß" and "ﬁ" stay), and dotless i (U+0131) kept, as .NET's invariant casing does."""
    if text.isascii():
        return text.upper()
    return "".join(_upper_char(c) for c in text)


def _upper_char(c: str) -> str:
    if c == "\u0131":
        return c
    upper = c.upper()
    if len(upper) == 1:
        return upper
    title = c.title()  # U+1FB3 "ᾳ": the full upper case is two letters, the simple one is U+1FBC
    return title if len(title) == 1 else c


def to_lower(text: str) -> str:
    """ToLower()/ToLowerInvariant(): per-character simple lower case, so a final sigma is not
    special (U+03A3 gives U+03C3 at the end of a word too) and U+0130 (capital I with dot)
    stays, as in .NET's invariant casing."""
    if text.isascii():
        return text.lower()
    return "".join(lower if len(lower := c.lower()) == 1 else c for c in text)


def fold(text: str) -> str:
    """OrdinalIgnoreCase folding: per-character simple upper case."""
    if text.isascii():
        return text.upper()
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in text)


def _needle(value: object, param: str = "value") -> str:
    if value is None:
        raise exc.argument_null(param)
    if type(value) is CsChar:
        return value.value
    if type(value) is not str:
        raise exc.invalid_cast(value, "System.String")
    return value


def _int(value: object) -> int:
    if type(value) is not int:
        raise exc.invalid_cast(value, "System.Int32")
    return value


def _unit_pair(s: str, needle: str) -> tuple[str, str]:
    """`s` and `needle` in unit form when a half of a pair could match (a lone surrogate needle
    in wide text: `"😀".StartsWith("\ud83d")`); else as they are."""
    if utf16.narrow(s) or utf16.narrow(needle):
        return s, needle
    return utf16.units(s), utf16.units(needle)


def _ignores_case(comparison: object, culture: object) -> bool:
    """A `StringComparison`, or the `bool ignoreCase` of the overloads that also take a
    `CultureInfo` (only null can be passed: CultureInfo is outside APIM's allow-list)."""
    if type(comparison) is bool and culture is not _NO_CULTURE:
        return comparison
    return _comparison_folds(comparison)


_NO_CULTURE = object()  # the overload without a culture


def starts_with(
    s: str, value: object, comparison: object = None, culture: object = _NO_CULTURE
) -> bool:
    s, needle = _unit_pair(s, _needle(value))
    if _ignores_case(comparison, culture):
        return _fold_units(s).startswith(_fold_units(needle))
    return s.startswith(needle)


def ends_with(
    s: str, value: object, comparison: object = None, culture: object = _NO_CULTURE
) -> bool:
    s, needle = _unit_pair(s, _needle(value))
    if _ignores_case(comparison, culture):
        return _fold_units(s).endswith(_fold_units(needle))
    return s.endswith(needle)


def contains(s: str, value: object, comparison: object = None) -> bool:
    s, needle = _unit_pair(s, _needle(value))
    if _comparison_folds(comparison):
        return _fold_units(needle) in _fold_units(s)
    return needle in s


def index_of(s: str, value: object, *rest: object) -> int:
    """`IndexOf(value[, startIndex[, count]][, comparison])`; the culture comparisons search
    ordinally, as the invariant culture does for text without ignorable characters. Indexes
    count UTF-16 units."""
    if not utf16.narrow(s):
        s = utf16.units(s)
    folds = False
    if rest and isinstance(rest[-1], StringComparison):
        folds, rest = _comparison_folds(rest[-1]), rest[:-1]
    begin = _int(rest[0]) if rest else 0
    if not 0 <= begin <= len(s):
        raise exc.argument_out_of_range("startIndex")
    end = len(s)
    if len(rest) > 1:
        count = _int(rest[1])
        if count < 0 or begin + count > len(s):
            raise exc.argument_out_of_range("count")
        end = begin + count
    needle = utf16.units(_needle(value))
    if folds:
        return _fold_units(s).find(_fold_units(needle), begin, end)
    return s.find(needle, begin, end)


def _fold_units(u: str) -> str:
    """`fold` of text in unit form, a surrogate pair folded as its character (Deseret has
    case), so that indexes stay unit indexes."""
    return fold(u) if utf16.narrow(u) else utf16.units(fold(utf16.text(u)))


def equals(s: str, value: object, comparison: object = None) -> bool:
    if type(value) is not str:
        return False
    return fold(s) == fold(value) if _comparison_folds(comparison) else s == value


def substring(s: str, start: object, length: object = None) -> str:
    if not utf16.narrow(s):
        return utf16.text(_substring(utf16.units(s), start, length))
    return _substring(s, start, length)


def _substring(s: str, start: object, length: object) -> str:
    begin = _int(start)
    if not 0 <= begin <= len(s):
        raise exc.argument_out_of_range("startIndex")
    if length is None:
        return s[begin:]
    count = _int(length)
    if count < 0 or begin + count > len(s):
        raise exc.argument_out_of_range("length")
    return s[begin : begin + count]


def replace(
    s: str, old: object, new: object, comparison: object = None, culture: object = _NO_CULTURE
) -> str:
    """`Replace(old, new[, StringComparison])`, `Replace(old, new, ignoreCase, culture)`, and
    the char overload; the culture comparisons match ordinally (as `index_of`)."""
    needle = _needle(old, "oldValue")
    if needle == "":
        raise exc.ExpressionRuntimeError(
            "ArgumentException", "String cannot be of zero length. (Parameter 'oldValue')"
        )
    value = "" if new is None else _needle(new)
    folds = _ignores_case(comparison, culture)
    if folds or not (utf16.narrow(s) and utf16.narrow(value)):  # halves may meet
        s, needle, value = utf16.units(s), utf16.units(needle), utf16.units(value)
        replaced = _replace_folded(s, needle, value) if folds else _replace_all(s, needle, value)
        return utf16.text(replaced)
    return _replace_all(s, needle, value)


def _replace_folded(s: str, needle: str, value: str) -> str:
    """Every match of `needle` ignoring case, left to right (texts in unit form)."""
    folded, target = _fold_units(s), _fold_units(needle)
    parts: list[str] = []
    start = 0
    while (found := folded.find(target, start)) >= 0:
        parts += (s[start:found], value)
        start = found + len(needle)
    check_length(sum(map(len, parts)) + len(s) - start)
    return "".join(parts) + s[start:]


def _replace_all(s: str, needle: str, value: str) -> str:
    if len(value) > len(needle):  # growth is a product of two inputs: check it first
        check_length(len(s) + s.count(needle) * (len(value) - len(needle)))
    return s.replace(needle, value)


def _trim_chars(args: tuple[object, ...]) -> str:
    """The characters Trim/TrimStart/TrimEnd remove: the given chars (one, several, or a
    char[]); none, null or an empty array means white space (char.IsWhiteSpace)."""
    chars: list[str] = []
    for arg in args:
        if arg is None:  # Trim((char[])null)
            continue
        items: Iterable[object] = (
            arg if isinstance(arg, CsObject) and hasattr(arg, "__iter__") else (arg,)
        )
        chars.extend(_needle(item) for item in items)
    return "".join(chars) or WHITE_SPACE


def _trimmed(s: str, chars: tuple[object, ...], strip: Callable[[str, str], str]) -> str:
    """`strip` with the trim chars; a surrogate trim char removes half of a pair."""
    if utf16.narrow(s):
        return strip(s, _trim_chars(chars))
    return utf16.text(strip(utf16.units(s), utf16.units(_trim_chars(chars))))


def trim(s: str, *chars: object) -> str:
    return _trimmed(s, chars, str.strip)


def trim_start(s: str, *chars: object) -> str:
    return _trimmed(s, chars, str.lstrip)


def trim_end(s: str, *chars: object) -> str:
    return _trimmed(s, chars, str.rstrip)


def split(s: str, *args: object, options: object = None, count: object = None) -> object:
    """String.Split: separators (chars or strings, one or an array; none means white space),
    an optional maximum `count` of parts and StringSplitOptions, matched left to right with the
    first separator (in the given order) that fits at each position, as .NET does."""
    rest = list(args)
    if rest and isinstance(rest[-1], StringSplitOptions):
        options = rest.pop()
    if rest and type(rest[-1]) is int:
        count = rest.pop()
    separators: list[str] = []
    for arg in rest:
        if isinstance(arg, CsArray):
            separators.extend(_needle(item) for item in arg)
        elif arg is not None:
            separators.append(_needle(arg))
    separators = [sep for sep in separators if sep]
    limit = _int(count) if count is not None else 2**31 - 1
    if limit < 0:
        raise exc.argument_out_of_range("count")
    flags = options.value if isinstance(options, StringSplitOptions) else 0
    if not utf16.narrow(s):  # a separator may be half of a pair: split the units
        units = utf16.units(s)
        found = _split_parts(units, [utf16.units(sep) for sep in separators], limit, flags)
        return CsArray([utf16.text(piece) for piece in found])
    return CsArray(_split_parts(s, separators, limit, flags))


def _split_parts(s: str, separators: list[str], limit: int, flags: int) -> list[str]:
    if limit == 0:
        return []
    if limit == 1:  # the whole string, not split at all
        whole = s.strip(WHITE_SPACE) if flags & 2 else s
        return [] if flags & 1 and not whole else [whole]
    pieces = _split_all(s, separators)
    if len(pieces) > limit:  # counted before empties are removed, as .NET counts
        return _split_limited(s, separators, limit, flags)
    if flags & 2:  # TrimEntries (.NET 5)
        pieces = [piece.strip(WHITE_SPACE) for piece in pieces]
    if flags & 1:  # RemoveEmptyEntries
        pieces = [piece for piece in pieces if piece]
    return pieces


def _split_all(s: str, separators: list[str]) -> list[str]:
    parts, start, i = [], 0, 0
    while i < len(s):
        sep = _separator_at(s, i, separators)
        if sep is None:
            i += 1
            continue
        parts.append(s[start:i])
        i += len(sep)
        start = i
    parts.append(s[start:])
    return parts


def _separator_at(s: str, i: int, separators: list[str]) -> str | None:
    if not separators:
        return s[i] if s[i] in WHITE_SPACE else None
    return next((sep for sep in separators if s.startswith(sep, i)), None)


def _split_limited(s: str, separators: list[str], limit: int, flags: int) -> list[str]:
    """At most `limit` parts: the last one keeps the rest of the string, separators included."""
    parts: list[str] = []
    start, i = 0, 0
    while i < len(s) and len(parts) < limit - 1:
        sep = _separator_at(s, i, separators)
        if sep is None:
            i += 1
            continue
        piece = s[start:i].strip(WHITE_SPACE) if flags & 2 else s[start:i]
        if piece or not flags & 1:
            parts.append(piece)
        i += len(sep)
        start = i
    while flags & 1 and start < len(s) and (sep := _separator_at(s, start, separators)):
        start += len(sep)  # RemoveEmptyEntries: the last part does not start with empties
    tail = s[start:].strip(WHITE_SPACE) if flags & 2 else s[start:]
    if tail or not flags & 1:
        parts.append(tail)
    return parts


def _width(width: object) -> int:
    total = _int(width)
    if total < 0:
        raise exc.argument_out_of_range("totalWidth")
    return check_length(total)


def _padded(s: str, width: object, char: object, pad: Callable[[str, int, str], str]) -> str:
    """PadLeft/PadRight: the width counts UTF-16 units; a surrogate pad char may complete a
    pair with the text's lone half."""
    fill = " " if char is None else _needle(char)
    if utf16.narrow(s) and utf16.narrow(fill):
        return pad(s, _width(width), fill)
    return utf16.text(pad(utf16.units(s), _width(width), fill))


def pad_left(s: str, width: object, char: object = None) -> str:
    return _padded(s, width, char, str.rjust)


def pad_right(s: str, width: object, char: object = None) -> str:
    return _padded(s, width, char, str.ljust)


def char_at(s: str, index: object) -> CsChar:
    """`s[i]`: the i-th UTF-16 unit (half of a pair for astral text)."""
    i = _int(index)
    if not utf16.narrow(s):
        s = utf16.units(s)
    if not 0 <= i < len(s):
        raise exc.index_out_of_range()
    return CsChar(s[i])


STRING_PROPERTIES: dict[str, Callable[[Any], object]] = {"Length": utf16.length}


def to_char_array(s: str, start: object = None, length: object = None) -> CsArray:
    """`ToCharArray()` / `ToCharArray(startIndex, length)`: a new, writable char[] of UTF-16
    units."""
    s = utf16.units(s)
    begin, count = (0, len(s)) if start is None else (_int(start), _int(length))
    if begin < 0 or count < 0 or begin + count > len(s):
        raise exc.argument_out_of_range("startIndex" if begin < 0 else "length")
    return CsArray([CsChar(c) for c in s[begin : begin + count]])


def get_hash_code(s: str) -> int:
    """.NET (Core) randomizes string hashes per process: stable within one, never across. So
    does Python's `hash`; folded to an Int32."""
    h = hash(s)
    return ((h ^ (h >> 32)) + 2**31) % 2**32 - 2**31


STRING_METHODS: dict[str, Callable[..., object]] = {
    "GetHashCode": get_hash_code,
    "ToCharArray": to_char_array,
    "ToUpper": to_upper,
    "ToLower": to_lower,
    "ToUpperInvariant": to_upper,
    "ToLowerInvariant": to_lower,
    "Trim": trim,
    "TrimStart": trim_start,
    "TrimEnd": trim_end,
    "StartsWith": starts_with,
    "EndsWith": ends_with,
    "Contains": contains,
    "Substring": substring,
    "IndexOf": index_of,
    "Replace": replace,
    "Split": split,
    "Equals": equals,
    "PadLeft": pad_left,
    "PadRight": pad_right,
    "ToString": lambda s: s,
}


# --- String statics -------------------------------------------------------------------------------


def is_null_or_empty(value: object) -> bool:
    return value is None or value == ""


def is_null_or_white_space(value: object) -> bool:
    return value is None or (type(value) is str and value.strip(WHITE_SPACE) == "")


def new_string(value: object, *more: object) -> str:
    """`new string(char, count)`, `new string(char[])`, `new string(char[], start, length)`."""
    if type(value) is CsChar and len(more) == 1:
        count = _int(more[0])
        if count < 0:
            raise exc.argument_out_of_range("count")
        return utf16.text(value.value * check_length(count))
    if value is None and not more:
        return ""
    if not isinstance(value, CsArray) or not all(type(c) is CsChar for c in value):
        raise exc.invalid_cast(value, "System.Char[]")
    chars = "".join(str(c) for c in value)
    if not more:
        return utf16.text(chars)
    if len(more) != 2:
        raise exc.invalid_cast(more[0], "System.Char")
    start, length = _int(more[0]), _int(more[1])
    if start < 0 or length < 0 or start + length > len(chars):
        raise exc.argument_out_of_range("startIndex" if start < 0 else "length")
    return utf16.text(chars[start : start + length])


def _one_sequence(values: tuple[object, ...], static_type: tuple[str, ...]) -> bool:
    """One argument that C# passes as the sequence (an array, an `IEnumerable<T>`), not as a
    single `object` (`string.Join(",", context.Variables["list"])` prints the array's type)."""
    if len(values) != 1 or static_type[-1:] == ("System.Object",):
        return False
    if type(values[0]) is str:  # a string is one value, but an IEnumerable<char> is chars
        return static_type[-1:] not in ((), ("System.String",), ("<unknown>",))
    return is_enumerable(values[0])


def concat(*values: object, arg_types: tuple[str, ...] = ()) -> str:
    """String.Concat: one enumerable argument (`string[]`, `object[]`, `IEnumerable<T>`, a LINQ
    result) is concatenated element by element; otherwise the arguments' texts."""
    if _one_sequence(values, arg_types):
        values = tuple(values[0])  # type: ignore[arg-type]
        check_length(len(values))
    return utf16.text("".join(to_string(value) for value in values))


def _texts(value: object) -> bool:
    """A string[] (the `Join(separator, value, startIndex, count)` overload takes only that)."""
    if not isinstance(value, CsArray):
        return False
    if value.element_name is not None:
        return value.element_name == "System.String"
    return all(item is None or type(item) is str for item in value)


def _join_range(array: CsArray, start: int, count: int) -> CsArray:
    items = list(array)
    if start < 0:
        raise exc.argument_out_of_range("startIndex")
    if count < 0:
        raise exc.argument_out_of_range("count")
    if start > len(items) - count:
        raise exc.argument_out_of_range("startIndex")
    return CsArray(items[start : start + count])


def join(separator: object, *values: object, arg_types: tuple[str, ...] = ()) -> str:
    """String.Join: one argument that is an array or a sequence is joined element by element
    (a string is one value: `params string[]` wins over `IEnumerable<char>`); a null array
    throws."""
    sep = "" if separator is None else _needle(separator)
    if len(values) == 1 and values[0] is None and arg_types[-1:] != ("System.String",):
        raise exc.argument_null("value")  # a null array (a null string is one empty value)
    if len(values) == 3 and _texts(values[0]) and type(values[1]) is type(values[2]) is int:
        values = (_join_range(values[0], values[1], values[2]),)  # type: ignore[arg-type]
    if _one_sequence(values, arg_types):
        items: Iterable[object] = values[0]  # type: ignore[assignment]
    else:
        items = values
    return utf16.text(sep.join(to_string(item) for item in items))


_WIDTH_LIMIT = 1_000_000  # String.Format reads no wider alignment (.NET's WidthLimit)


def format_string(template: object, *args: object, arg_types: tuple[str, ...] = ()) -> str:
    """String.Format: `{index[,alignment][:format]}` items; the format goes to the value's
    `ToString(format)` as in an interpolated string (`langrt.format_hole`). One array of a
    reference type is the `params object[]` itself (`Format("{0}", new[] {"a"})` is "a"); an
    array of a value type is one argument (`Format(string, object)`). The static types choose
    the other overloads C# picks: `Format(null, "{0}", x)` takes the null as an
    IFormatProvider, `Format("{0}", null)` passes a null `params` array."""
    from .langrt import format_hole  # noqa: PLC0415 - import cycle

    if arg_types[:2] == ("<null>", "System.String"):
        template, args, arg_types = args[0], args[1:], arg_types[1:]
    if arg_types[1:] == ("<null>",):
        raise exc.argument_null("args")
    text = _needle(template, "format")
    if (
        len(args) == 1
        and isinstance(args[0], CsArray)
        and _references(args[0])
        and (arg_types[-1:] in ((), ("<unknown>",)) or arg_types[-1].endswith("[]"))
    ):  # `params object[]` takes an array; any other static type is `Format(string, object)`
        args = tuple(args[0])
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c in "{}" and text.startswith(c * 2, i):
            out.append(c)
            i += 2
        elif c == "{":
            end = text.find("}", i)
            if end < 0:
                raise exc.format_error()
            spec, _, fmt = text[i + 1 : end].partition(":")
            index_text, comma, align_text = spec.partition(",")
            if not index_text[:1].isdigit() or (comma and not align_text.strip()):
                raise exc.format_error()  # `{ 0}`, `{0,}`: a digit first, an alignment after ','
            if not index_text.strip().isdigit() or int(index_text) >= len(args):
                raise exc.format_error(
                    "Index (zero based) must be greater than or equal to zero and less than "
                    "the size of the argument list."
                )
            align = int(align_text) if align_text.strip().lstrip("-").isdigit() else None
            if (align_text and align is None) or abs(align or 0) > _WIDTH_LIMIT:
                raise exc.format_error()
            value = args[int(index_text)]
            out.append(format_hole(value, align, fmt if ":" in text[i + 1 : end] else None))
            i = end + 1
        elif c == "}":
            raise exc.format_error()
        else:
            out.append(c)
            i += 1
    return utf16.text("".join(out))


def _references(array: CsArray) -> bool:
    """Whether an array's elements are of a reference type (an object[] by covariance): by its
    element type where its creation knew it, else by its items (`Split`'s strings)."""
    from .typenames import IMPLEMENTED  # noqa: PLC0415 - import cycle

    if array.element_name is not None:
        info = IMPLEMENTED.get(array.element_name)
        return info is None or info.ref is None or not info.ref.is_value_type
    return all(
        item is None
        or type(item) is str
        or (isinstance(item, CsObject) and not isinstance(item, CsValue))
        for item in array
    )


# --- String.Compare / CompareOrdinal (see the module docstring) ----------------------------------


def _units(s: str) -> list[int]:
    """UTF-16 code units: ordinal results are differences of units (we hold code points)."""
    if s.isascii():
        return list(s.encode("ascii"))
    return list(memoryview(s.encode("utf-16-le", "surrogatepass")).cast("H"))


def compare_ordinal(a: str, b: str) -> int:
    """`String.CompareOrdinal(a, b)` / `Compare(a, b, Ordinal)`. .NET compares the first unit,
    then the second, then two at a time, reading the NUL terminator (and the zero padding of an
    empty string) past the shorter string: so units up to an even count are compared."""
    if a == b:
        return 0
    x, y = _units(a), _units(b)
    shorter = min(len(x), len(y))
    px, py = [*x, 0, 0], [*y, 0, 0]
    for i in range(max(2, shorter + (shorter & 1))):
        if px[i] != py[i]:
            return px[i] - py[i]
    return len(x) - len(y)


def _sequence_compare(a: str, b: str) -> int:
    """Ordinal comparison of two substrings (`SpanHelpers.SequenceCompareTo`: no terminator)."""
    x, y = _units(a), _units(b)
    for p, q in zip(x, y, strict=False):
        if p != q:
            return p - q
    return len(x) - len(y)


def _upper_unit(unit: int) -> int:
    """.NET's ordinal casing of one UTF-16 unit: simple upper case, none for surrogates, and
    dotless i (U+0131) and long s (U+017F) kept, as .NET's ordinal casing table does."""
    if unit < 0x80:
        return unit - 32 if 97 <= unit <= 122 else unit
    if unit in (0x131, 0x17F) or 0xD800 <= unit <= 0xDFFF:
        return unit
    upper = chr(unit).upper()
    return ord(upper) if len(upper) == 1 and ord(upper) <= 0xFFFF else unit


def _upper_pair(high: int, low: int) -> tuple[int, int]:
    code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
    upper = chr(code).upper()
    if len(upper) != 1:
        return high, low
    code = ord(upper) - 0x10000
    return 0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)


def _is_pair(units: list[int], i: int) -> bool:
    return 0xD800 <= units[i] <= 0xDBFF and 0xDC00 <= units[i + 1] <= 0xDFFF


def compare_ordinal_ignore_case(a: str, b: str) -> int:
    """`OrdinalIgnoreCase` (ICU mode): the difference of the upper-cased first differing units
    (a surrogate pair upper-cases as one code point), else of the lengths."""
    x, y = _units(a), _units(b)
    i, n = 0, min(len(x), len(y))
    while i < n:
        if n - i > 1 and _is_pair(x, i) and _is_pair(y, i):
            pa, pb = _upper_pair(x[i], x[i + 1]), _upper_pair(y[i], y[i + 1])
            if pa != pb:
                return pa[0] - pb[0] if pa[0] != pb[0] else pa[1] - pb[1]
            i += 2
            continue
        if x[i] != y[i]:
            ua, ub = _upper_unit(x[i]), _upper_unit(y[i])
            if ua != ub:
                return ua - ub
        i += 1
    return len(x) - len(y)


# ICU root order of the characters we place exactly: ASCII (and the white space around it), by
# group. Other characters of a group follow its placed ones, by code point.
_GROUPS = (
    "\t\n\x0b\x0c\r\x85\u2028\u2029 ",  # white space
    "_-,;:!?.'\"()[]{}@*/\\&#%",  # punctuation
    "`^+<=>|~",  # symbols
    "$",  # currency
    "0123456789",  # digits (of any script: by value)
    "abcdefghijklmnopqrstuvwxyz",  # Latin letters
    "",  # other letters
    "",  # anything else (private use, unassigned, lone surrogates)
)
_PLACED = {c: (group, i) for group, chars in enumerate(_GROUPS) for i, c in enumerate(chars)}
# The secondary (accent) order of the combining diacritical marks U+0300-U+036F in ICU's root
# collation (as ICU 72 sorts "a" + mark).
_MARKS = {
    chr(int(code, 16)): i + 1
    for i, code in enumerate(
        """034F 0332 0313 0343 0314 0301 0341 0300 0340 0306 0302 030C 030A 0342 0308 0344 030B
        0303 0307 0338 0327 0328 0304 030D 030E 0312 0315 031A 033D 033E 033F 0346 034A 034B 034C
        0350 0351 0352 0357 035B 035D 035E 0316 0317 0318 0319 031C 031D 031E 031F 0320 0329 032A
        032B 032C 032F 0333 033A 033B 033C 0347 0348 0349 034D 034E 0353 0354 0355 0356 0359 035A
        035C 035F 0362 0336 0337 0335 0305 0309 030F 0310 0311 031B 0321 0322 0323 0324 0325 0326
        032D 032E 0330 0331 0334 0339 0345 0358 0360 0361 0363 0368 0369 0364 036A 0365 036B 0366
        036C 036D 0367 036E 036F""".split()  # noqa: SIM905 - a table
    )
}
_STROKE = "\u0338"  # ICU sorts ø as o + U+0338
_EXPANSIONS = {"ß": "ss", "æ": "ae", "œ": "oe"}  # one letter, several primaries (then tertiary)
_AFTER = {"\u0131": "i", "ŋ": "n"}  # dotless i, eng: own letters ICU puts right after another
_WITH_STROKE = re.compile(r"LATIN (?:SMALL|CAPITAL) LETTER ([A-Z]) WITH STROKE$")

Element = tuple[int, int, int]  # (primary or 0 for an accent, secondary, tertiary)


def _primary(group: int, index: int, tail: int = 0) -> int:
    """A primary weight: by group, then by the index among the group's placed characters, then
    by `tail` (the code point of an unplaced character, 1 for a letter of `_AFTER`)."""
    return ((group + 1) << 40) | (index << 24) | tail


def _mark(c: str) -> Element:
    return (0, _MARKS.get(c, 0x200 + ord(c)), 0)


def _base(c: str, variant: int) -> list[Element]:
    """Collation elements of one character of a decomposition (`variant`: 1 for a compatibility
    form, which sorts after its plain form)."""
    category = unicodedata.category(c)
    if category[0] == "M":
        return [_mark(c)]
    lower = c.lower() if len(c.lower()) == 1 else c
    tertiary = (2 if lower != c else 0) + variant  # lower case < variants < upper case
    folded = c.casefold()
    if len(folded) == 1 and folded != lower:  # final sigma: a variant of sigma
        lower, tertiary = folded, tertiary | 1
    placed = _PLACED.get(lower)
    if placed is not None:
        return [(_primary(*placed), 0, tertiary)]
    if category in ("Cc", "Cf"):
        return []  # completely ignorable: NUL and other controls, soft hyphen, zero-width marks
    if lower in _EXPANSIONS:
        return [(_primary(*_PLACED[p]), 0, tertiary | 1) for p in _EXPANSIONS[lower]]
    if category == "Nd":
        return [(_primary(4, unicodedata.digit(c)), 0, tertiary)]
    stroke = _WITH_STROKE.match(unicodedata.name(c, ""))
    if stroke:
        return [(_primary(*_PLACED[stroke.group(1).lower()]), 0, tertiary), _mark(_STROKE)]
    if lower == "ð":  # eth: d with an accent of its own
        return [(_primary(*_PLACED["d"]), 0, tertiary), (0, 0x200 + ord(lower), 0)]
    if lower in _AFTER:
        return [(_primary(*_PLACED[_AFTER[lower]], 1), 0, tertiary)]
    group = {"Z": 0, "P": 1, "S": 3 if category == "Sc" else 2, "N": 4}.get(category[0], 7)
    if category[0] == "L":
        group = 5 if unicodedata.name(c, "").startswith("LATIN") else 6
    return [(_primary(group, len(_GROUPS[group]), ord(lower)), 0, tertiary)]


@functools.lru_cache(maxsize=4096)
def _elements(c: str) -> tuple[Element, ...]:
    canonical = unicodedata.normalize("NFD", c)
    compat = unicodedata.normalize("NFKD", c)
    variant = int(compat != canonical)
    return tuple(element for part in compat for element in _base(part, variant))


def _collation_key(s: str) -> tuple[list[int], list[int], list[int]]:
    primary: list[int] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    for c in s:
        for p, sec, ter in _elements(c):
            if p:
                primary.append(p)
            secondary.append(sec)
            tertiary.append(ter)
    return primary, secondary, tertiary


def _ascii_tables() -> tuple[dict[int, str | None], dict[int, str | None]]:
    """`str.translate` tables giving ASCII text the same primary and tertiary order as
    `_collation_key` (one character per weight), for the common all-ASCII case."""
    weights = {c: _elements(chr(c)) for c in range(128)}
    ranks = {p: i for i, p in enumerate(sorted({e[0][0] for e in weights.values() if e}))}
    primary: dict[int, str | None] = {}
    tertiary: dict[int, str | None] = {}
    for c, element in weights.items():
        primary[c] = chr(0x100 + ranks[element[0][0]]) if element else None
        tertiary[c] = chr(0x100 + element[0][2]) if element else None
    return primary, tertiary


_ASCII_PRIMARY, _ASCII_TERTIARY = _ascii_tables()


def _sign(less: bool) -> int:
    return -1 if less else 1


def compare_culture(a: str, b: str, ignore_case: bool = False) -> int:
    """Invariant-culture comparison (-1, 0, 1): primary (letters, ignoring case and accents) over
    the whole strings, then accents, then case unless `ignore_case`."""
    if a == b:
        return 0
    if a.isascii() and b.isascii():
        pa, pb = a.translate(_ASCII_PRIMARY), b.translate(_ASCII_PRIMARY)
        if pa != pb:
            return _sign(pa < pb)
        if ignore_case:
            return 0
        ta, tb = a.translate(_ASCII_TERTIARY), b.translate(_ASCII_TERTIARY)
        return 0 if ta == tb else _sign(ta < tb)
    ka, kb = _collation_key(a), _collation_key(b)
    for level in range(2 if ignore_case else 3):
        if ka[level] != kb[level]:
            return _sign(ka[level] < kb[level])
    return 0


def _text(value: object) -> str | None:
    if value is None or type(value) is str:
        return value
    raise exc.invalid_cast(value, "System.String")


def _mode(value: object) -> str:
    """The StringComparison name of a `bool ignoreCase` or `StringComparison` argument."""
    if type(value) is bool:
        return "CurrentCultureIgnoreCase" if value else "CurrentCulture"
    if not isinstance(value, StringComparison):
        raise exc.invalid_cast(value, "System.StringComparison")
    return value.name


def _by_mode(a: str, b: str, mode: str, *, whole: bool) -> int:
    if mode == "Ordinal":
        return compare_ordinal(a, b) if whole else _sequence_compare(a, b)
    if mode == "OrdinalIgnoreCase":
        return compare_ordinal_ignore_case(a, b)
    return compare_culture(a, b, mode.endswith("IgnoreCase"))


def _nulls(a: str | None, b: str | None) -> int:
    """null sorts before any string; two nulls are equal."""
    return 0 if a is b else (-1 if a is None else 1)


def _no_overload(name: str, count: int) -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError(
        "ArgumentException", f"No overload for method '{name}' takes {count} arguments"
    )


def compare(*args: object) -> int:
    """`String.Compare(strA, strB[, ignoreCase | comparisonType])` and
    `String.Compare(strA, indexA, strB, indexB, length[, ignoreCase | comparisonType])`.
    Indexes and lengths count UTF-16 units."""
    if len(args) in (2, 3):
        a, b = _text(args[0]), _text(args[1])
        mode = _mode(args[2]) if len(args) == 3 else "CurrentCulture"
        if a is None or b is None:
            return _nulls(a, b)
        return _by_mode(a, b, mode, whole=True)
    if len(args) not in (5, 6):
        raise _no_overload("Compare", len(args))
    a, b = _unit_text(args[0]), _unit_text(args[2])
    index_a, index_b, length = _int(args[1]), _int(args[3]), _int(args[4])
    if len(args) == 6 and isinstance(args[5], StringComparison):
        return _compare_range(a, index_a, b, index_b, length, args[5].name)
    return _compare_range_culture(
        a, index_a, b, index_b, length, _mode(args[5]) if len(args) == 6 else "CurrentCulture"
    )


def _unit_text(value: object) -> str | None:
    """A string argument in unit form, for the overloads that index it."""
    text = _text(value)
    return text if text is None else utf16.units(text)


def _span(u: str, start: int, count: int) -> str:
    """A range of text in unit form, canonical again (a pair cut in two stays in halves)."""
    return utf16.text(u[start : start + count])


def _compare_range(a: str | None, ia: int, b: str | None, ib: int, length: int, mode: str) -> int:
    """The StringComparison overload: nulls first, then the argument checks."""
    if a is None or b is None:
        return _nulls(a, b)
    if length < 0:
        raise exc.argument_out_of_range("length")
    if ia < 0 or ib < 0:
        raise exc.argument_out_of_range("indexA" if ia < 0 else "indexB")
    if len(a) < ia or len(b) < ib:
        raise exc.argument_out_of_range("indexA" if len(a) < ia else "indexB")
    if length == 0:
        return 0
    span_a = _span(a, ia, min(length, len(a) - ia))
    return _by_mode(span_a, _span(b, ib, min(length, len(b) - ib)), mode, whole=False)


def _compare_range_culture(
    a: str | None, ia: int, b: str | None, ib: int, length: int, mode: str
) -> int:
    """The overloads without a StringComparison go through `CompareInfo.Compare(string1, offset1,
    length1, ...)`, which checks the ranges before looking at nulls (a null with a non-empty
    range throws)."""
    la = length if a is None else min(length, len(a) - ia)
    lb = length if b is None else min(length, len(b) - ib)
    for text, offset, count in ((a, ia, la), (b, ib, lb)):
        valid = offset >= 0 and count >= 0 and offset + count <= (0 if text is None else len(text))
        if not valid:
            if la < 0 or lb < 0:
                raise exc.argument_out_of_range("length1" if la < 0 else "length2")
            if ia < 0 or ib < 0:
                raise exc.argument_out_of_range("offset1" if ia < 0 else "offset2")
            raise exc.argument_out_of_range("string1" if text is a else "string2")
    if a is None or b is None:
        return _nulls(a, b)
    return compare_culture(_span(a, ia, la), _span(b, ib, lb), mode.endswith("IgnoreCase"))


def compare_ordinal_static(*args: object) -> int:
    """`String.CompareOrdinal(strA, strB)` and `(strA, indexA, strB, indexB, length)`."""
    if len(args) == 2:
        a, b = _text(args[0]), _text(args[1])
        return _nulls(a, b) if a is None or b is None else compare_ordinal(a, b)
    if len(args) != 5:
        raise _no_overload("CompareOrdinal", len(args))
    a, b = _unit_text(args[0]), _unit_text(args[2])
    ia, ib, length = _int(args[1]), _int(args[3]), _int(args[4])
    if a is None or b is None:
        return _nulls(a, b)
    if length < 0:
        raise exc.argument_out_of_range("length")
    if ia < 0 or ib < 0:
        raise exc.argument_out_of_range("indexA" if ia < 0 else "indexB")
    la, lb = min(length, len(a) - ia), min(length, len(b) - ib)
    if la < 0 or lb < 0:
        raise exc.argument_out_of_range("indexA" if la < 0 else "indexB")
    if length == 0:
        return 0
    return _sequence_compare(_span(a, ia, la), _span(b, ib, lb))


def compare_to(s: str, value: object) -> int:
    """`s.CompareTo(value)`: the current (invariant) culture; null sorts first."""
    if value is None:
        return 1
    if type(value) is not str:
        raise exc.ExpressionRuntimeError("ArgumentException", "Object must be of type String.")
    return compare_culture(s, value)


STRING_METHODS["CompareTo"] = compare_to


def static_equals(a: object, b: object, comparison: object = None) -> bool:
    """String.Equals(a, b[, comparison]): null equals only null."""
    if a is None or b is None:
        if comparison is not None:
            _comparison_folds(comparison)
        return a is b
    if type(a) is not str or type(b) is not str:
        return a is b
    return equals(a, b, comparison)


STRING_STATICS: dict[str, Callable[..., object]] = {
    "IsNullOrEmpty": is_null_or_empty,
    "IsNullOrWhiteSpace": is_null_or_white_space,
    "Concat": concat,
    "Join": join,
    "Format": format_string,
    "Equals": static_equals,
    "Compare": compare,
    "CompareOrdinal": compare_ordinal_static,
}
