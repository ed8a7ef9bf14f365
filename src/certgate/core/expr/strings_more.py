"""More `string` members (`LastIndexOf`, `IndexOfAny`, `Insert`, `Remove`, `Normalize`, ...) and
`String` statics (`Copy`, `Intern`, `IsInterned`), with .NET 8 semantics; `members` and `bcl`
add them to those of `strings`. Also `StringComparer.FromComparison` (registered by `gentypes`)
and the `char[]` writing the `CopyTo` members share.

Indexes and counts are UTF-16 units, as in `strings` (`utf16` explains the two forms of a
string).
Searches with a culture comparison are ordinal (`strings.index_of` explains why). Normalization
is Python's `unicodedata` (Unicode 14.0; .NET 8 on ICU has 15.0).

`String.IsInterned` returns its argument: .NET's intern pool holds every literal of every loaded
expression and much of the framework's text, so what it holds is not something an expression
can know; a string that is not in it (null in .NET) is the case certgate does not reproduce.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from . import exceptions as exc
from . import utf16
from .arrays import CsArray
from .budget import check_length
from .dictionary import STRING_COMPARERS, StringComparer
from .static import BOOL, INT, STRING, UNKNOWN, VOID, SType
from .strings import STRING_COMPARISON, StringComparison, _fold_units, _int, _needle
from .types import CsChar


def _comparison(value: object) -> str:
    """The name of a StringComparison argument; ArgumentException for an undefined value."""
    if not isinstance(value, StringComparison):
        raise exc.invalid_cast(value, "System.StringComparison")
    if value.name not in STRING_COMPARISON:
        raise exc.ExpressionRuntimeError(
            "ArgumentException",
            "The string comparison type passed in is currently not supported. "
            "(Parameter 'comparisonType')",
        )
    return value.name


# --- LastIndexOf ---------------------------------------------------------------------------------


def last_index_of(s: str, value: object, *rest: object) -> int:
    """`LastIndexOf(char[, startIndex[, count]])` and `LastIndexOf(string[, startIndex[, count]]
    [, comparisonType])`: the search runs backwards from `startIndex` over `count` characters."""
    comparison: object = None
    if rest and isinstance(rest[-1], StringComparison):
        comparison, rest = rest[-1], rest[:-1]
    s = utf16.units(s)
    if type(value) is CsChar and comparison is None:
        return _last_char(s, value.value, rest)
    if value is None:  # before the comparison's check, as .NET
        raise exc.argument_null("value")
    mode = "CurrentCulture" if comparison is None else _comparison(comparison)
    return _last_string(s, utf16.units(_needle(value)), rest, mode)


def _backward(s: str, rest: tuple[object, ...]) -> tuple[int, int] | None:
    """The slice a backward search `(startIndex[, count])` covers, checked as .NET does; None
    on an empty string, which finds nothing whatever the range."""
    start = _int(rest[0])
    count = _int(rest[1]) if len(rest) > 1 else start + 1
    if not s:
        return None
    if not 0 <= start < len(s):
        raise exc.argument_out_of_range("startIndex")
    if not 0 <= count <= start + 1:
        raise exc.argument_out_of_range("count")
    return start + 1 - count, start + 1


def _last_char(s: str, char: str, rest: tuple[object, ...]) -> int:
    """String.LastIndexOf(char[, int[, int]])."""
    if not rest:
        return s.rfind(char)
    bounds = _backward(s, rest)
    return -1 if bounds is None else s.rfind(char, *bounds)


def _last_string(s: str, needle: str, rest: tuple[object, ...], comparison: str) -> int:
    """CompareInfo.LastIndexOf(source, value, startIndex, count): `startIndex` may be the length
    (taken as length - 1, with one less to count) and -1 for an empty string; an empty value is
    found at the end of the range (.NET 5+; .NET Framework and Mono answer the range's last
    index)."""
    n = len(s)
    start = _int(rest[0]) if rest else n - 1
    count = (_int(rest[1]) if len(rest) > 1 else start + 1) if rest else n
    if start == n and n:
        start, count = start - 1, count - 1 if count > 0 else count
    if n == 0 and start in (-1, 0):
        start, count = -1, 0
    elif not 0 <= start < n:
        raise exc.argument_out_of_range("startIndex")
    begin = start + 1 - count
    if count < 0 or not 0 <= begin <= n:
        raise exc.argument_out_of_range("count")
    if not needle:
        return begin + count
    if comparison.endswith("IgnoreCase"):
        return _fold_units(s).rfind(_fold_units(needle), begin, begin + count)
    return s.rfind(needle, begin, begin + count)


# --- IndexOfAny / LastIndexOfAny -----------------------------------------------------------------


def _any_of(value: object) -> re.Pattern[str] | None:
    """A pattern matching one of the chars of a `char[]` (None for an empty array)."""
    if value is None:
        raise exc.argument_null("anyOf")
    if not isinstance(value, CsArray) or not all(type(c) is CsChar for c in value):
        raise exc.invalid_cast(value, "System.Char[]")
    chars = sorted({str(c) for c in value})
    if not chars:
        return None
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")


def index_of_any(s: str, any_of: object, *rest: object) -> int:
    """`IndexOfAny(anyOf[, startIndex[, count]])`."""
    pattern = _any_of(any_of)
    s = utf16.units(s)
    start = _int(rest[0]) if rest else 0
    if not 0 <= start <= len(s):
        raise exc.argument_out_of_range("startIndex")
    count = _int(rest[1]) if len(rest) > 1 else len(s) - start
    if not 0 <= count <= len(s) - start:
        raise exc.argument_out_of_range("count")
    found = pattern.search(s, start, start + count) if pattern else None
    return found.start() if found else -1


def last_index_of_any(s: str, any_of: object, *rest: object) -> int:
    """`LastIndexOfAny(anyOf[, startIndex[, count]])`: backwards from `startIndex`."""
    pattern = _any_of(any_of)
    s = utf16.units(s)
    bounds = _backward(s, rest) if rest else (0, len(s))
    if bounds is None or pattern is None:
        return -1
    last = -1
    for found in pattern.finditer(s, *bounds):
        last = found.start()
    return last


# --- Insert / Remove / CopyTo --------------------------------------------------------------------


def insert(s: str, start_index: object, value: object) -> str:
    """`Insert(startIndex, value)`: inserting between the halves of a pair, or a half next to
    its other half, gives the canonical string."""
    index = _int(start_index)
    text = exc.string_argument(value, "value")
    if not (utf16.narrow(s) and utf16.narrow(text)):
        s, text = utf16.units(s), utf16.units(text)
    if not 0 <= index <= len(s):
        raise exc.argument_out_of_range("startIndex")
    check_length(len(s) + len(text))
    return utf16.text(s[:index] + text + s[index:])


def remove(s: str, start_index: object, count: object = None) -> str:
    """`Remove(startIndex)` (startIndex may be the length: nothing removed, as .NET Core allows)
    and `Remove(startIndex, count)`; what is left of a pair's halves may join."""
    if not utf16.narrow(s):
        return utf16.text(_remove(utf16.units(s), start_index, count))
    return _remove(s, start_index, count)


def _remove(s: str, start_index: object, count: object) -> str:
    start = _int(start_index)
    if count is None:
        if not 0 <= start <= len(s):
            raise exc.argument_out_of_range("startIndex")
        return s[:start]
    length = _int(count)
    if start < 0:
        raise exc.argument_out_of_range("startIndex")
    if length < 0 or length > len(s) - start:
        raise exc.argument_out_of_range("count")
    return s[:start] + s[start + length :]


def write_chars(destination: CsArray, index: int, text: str) -> None:
    """Store the UTF-16 units of `text` into a `char[]` from `index` (the caller checked that
    they fit)."""
    for offset, char in enumerate(utf16.units(text)):
        destination.set_item(index + offset, CsChar(char))


def char_array(value: object, param: str) -> CsArray:
    """A `char[]` argument to write into."""
    if value is None:
        raise exc.argument_null(param)
    if not isinstance(value, CsArray) or not all(type(c) is CsChar for c in value):
        raise exc.invalid_cast(value, "System.Char[]")
    return value


def copy_to(
    s: str, source_index: object, destination: object, index: object, count: object
) -> None:
    """`CopyTo(sourceIndex, char[] destination, destinationIndex, count)`."""
    target = char_array(destination, "destination")
    s = utf16.units(s)
    start, at, length = _int(source_index), _int(index), _int(count)
    if length < 0:
        raise exc.argument_out_of_range("count")
    if start < 0 or length > len(s) - start:
        raise exc.argument_out_of_range("sourceIndex")
    if at > len(target) - length or at < 0:
        raise exc.argument_out_of_range("destinationIndex")
    write_chars(target, at, s[start : start + length])


# --- Normalize / IsNormalized / Clone ------------------------------------------------------------


def _valid_for_normalization(s: str) -> str:
    """.NET (ICU) refuses lone surrogates and U+FFFE before normalizing."""
    if any("\ud800" <= c <= "\udfff" or c == "\ufffe" for c in s):
        raise exc.ExpressionRuntimeError(
            "ArgumentException", "Invalid Unicode code point found. (Parameter 'strInput')"
        )
    return s


def normalize(s: str) -> str:
    """`Normalize()`: form C (the overloads taking a NormalizationForm need a type APIM does
    not allow)."""
    if s.isascii():
        return s
    return unicodedata.normalize("NFC", _valid_for_normalization(s))


def is_normalized(s: str) -> bool:
    return s.isascii() or unicodedata.is_normalized("NFC", _valid_for_normalization(s))


def clone(s: str) -> object:
    """`Clone()`: the string itself, typed object."""
    return s


STRING_METHODS: dict[str, Callable[..., object]] = {
    "LastIndexOf": last_index_of,
    "IndexOfAny": index_of_any,
    "LastIndexOfAny": last_index_of_any,
    "Insert": insert,
    "Remove": remove,
    "CopyTo": copy_to,
    "Normalize": normalize,
    "IsNormalized": is_normalized,
    "Clone": clone,
}
STRING_TYPES: dict[str, SType] = {
    "LastIndexOf": INT,
    "IndexOfAny": INT,
    "LastIndexOfAny": INT,
    "Insert": STRING,
    "Remove": STRING,
    "CopyTo": VOID,
    "Normalize": STRING,
    "IsNormalized": BOOL,
    "Clone": UNKNOWN,
}


# --- String statics ------------------------------------------------------------------------------


def copy(value: object) -> str:
    return exc.string_argument(value, "str")


STRING_STATICS: dict[str, Callable[..., object]] = {
    "Copy": copy,
    "Intern": copy,
    "IsInterned": copy,
}


# --- StringComparer.FromComparison ---------------------------------------------------------------


def comparer_from_comparison(value: object) -> StringComparer:
    return STRING_COMPARERS[_comparison(value)]
