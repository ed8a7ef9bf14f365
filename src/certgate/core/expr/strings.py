"""C# string semantics: ToString of primitives, `string` members and `String` statics.

Comparisons are ordinal (what `==` and the default `Equals`, `StartsWith(string, Ordinal)`, ...
do). .NET Core's culture-sensitive defaults for `StartsWith(string)`/`IndexOf(string)` differ from
ordinal only for unusual Unicode input; we use ordinal and document it. `*IgnoreCase` comparisons
fold with simple upper-casing, as OrdinalIgnoreCase does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from . import exceptions as exc
from .arrays import CsArray, is_enumerable
from .budget import check_length
from .types import CsChar, CsObject


class CsEnum(CsObject):
    """A value of an allowed .NET enum; one subclass per enum type, members are singletons."""

    __slots__ = ("name", "value")
    CS_MEMBERS = frozenset({"ToString"})

    def __init__(self, name: str, value: int) -> None:
        self.name = name
        self.value = value

    def ToString(self) -> str:
        return self.name


class StringComparison(CsEnum):
    __slots__ = ()
    CS_TYPE = "System.StringComparison"


class StringSplitOptions(CsEnum):
    __slots__ = ()
    CS_TYPE = "System.StringSplitOptions"


def enum_members(cls: type[CsEnum], *names: str) -> dict[str, CsEnum]:
    return {name: cls(name, value) for value, name in enumerate(names)}


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
    """double.ToString() of .NET Core 3.0+: shortest round-trip digits, E notation from 1E+15 and
    below 1E-04 (Python's repr switches at 1e16, so the exponent is decided here)."""
    if math.isnan(value):
        return "NaN"
    if value in (math.inf, -math.inf):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exp_text = _shortest_sci(abs(value)).partition("e")
    exp = int(exp_text)
    if exp >= 15 or exp < -4:
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{sign}{mantissa}E{'+' if exp >= 0 else '-'}{abs(exp):02d}"
    return sign + repr(abs(value)).removesuffix(".0")


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


def starts_with(s: str, value: object, comparison: object = None) -> bool:
    needle = _needle(value)
    return (
        fold(s).startswith(fold(needle)) if _comparison_folds(comparison) else s.startswith(needle)
    )


def ends_with(s: str, value: object, comparison: object = None) -> bool:
    needle = _needle(value)
    return fold(s).endswith(fold(needle)) if _comparison_folds(comparison) else s.endswith(needle)


def contains(s: str, value: object, comparison: object = None) -> bool:
    needle = _needle(value)
    return fold(needle) in fold(s) if _comparison_folds(comparison) else needle in s


def index_of(s: str, value: object, start: object = 0) -> int:
    begin = _int(start)
    if not 0 <= begin <= len(s):
        raise exc.argument_out_of_range("startIndex")
    return s.find(_needle(value), begin)


def equals(s: str, value: object, comparison: object = None) -> bool:
    if type(value) is not str:
        return False
    return fold(s) == fold(value) if _comparison_folds(comparison) else s == value


def substring(s: str, start: object, length: object = None) -> str:
    begin = _int(start)
    if not 0 <= begin <= len(s):
        raise exc.argument_out_of_range("startIndex")
    if length is None:
        return s[begin:]
    count = _int(length)
    if count < 0 or begin + count > len(s):
        raise exc.argument_out_of_range("length")
    return s[begin : begin + count]


def replace(s: str, old: object, new: object) -> str:
    needle = _needle(old, "oldValue")
    if needle == "":
        raise exc.ExpressionRuntimeError(
            "ArgumentException", "String cannot be of zero length. (Parameter 'oldValue')"
        )
    value = "" if new is None else _needle(new)
    if len(value) > len(needle):  # growth is a product of two inputs: check it first
        check_length(len(s) + s.count(needle) * (len(value) - len(needle)))
    return s.replace(needle, value)


def _trim_chars(args: tuple[object, ...]) -> str | None:
    if not args:
        return None  # .NET trims Unicode white space; Python's strip() default is close enough
    chars: list[str] = []
    for arg in args:
        items: Iterable[object] = (
            arg if isinstance(arg, CsObject) and hasattr(arg, "__iter__") else (arg,)
        )
        chars.extend(_needle(item) for item in items)
    return "".join(chars)


def trim(s: str, *chars: object) -> str:
    return s.strip(_trim_chars(chars))


def trim_start(s: str, *chars: object) -> str:
    return s.lstrip(_trim_chars(chars))


def trim_end(s: str, *chars: object) -> str:
    return s.rstrip(_trim_chars(chars))


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
    pieces = _split_all(s, separators)
    if flags & 2:  # TrimEntries (.NET 5)
        pieces = [piece.strip() for piece in pieces]
    if flags & 1:  # RemoveEmptyEntries
        pieces = [piece for piece in pieces if piece]
    if limit == 0:
        return CsArray([])
    if len(pieces) > limit:
        pieces = _split_limited(s, separators, limit, flags)
    return CsArray(pieces)


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
        return s[i] if s[i].isspace() else None
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
        piece = s[start:i].strip() if flags & 2 else s[start:i]
        if piece or not flags & 1:
            parts.append(piece)
        i += len(sep)
        start = i
    while flags & 1 and start < len(s) and (sep := _separator_at(s, start, separators)):
        start += len(sep)  # RemoveEmptyEntries: the last part does not start with empties
    tail = s[start:].strip() if flags & 2 else s[start:]
    if tail or not flags & 1:
        parts.append(tail)
    return parts


def pad_left(s: str, width: object, char: object = None) -> str:
    return s.rjust(check_length(_int(width)), " " if char is None else _needle(char))


def pad_right(s: str, width: object, char: object = None) -> str:
    return s.ljust(check_length(_int(width)), " " if char is None else _needle(char))


def char_at(s: str, index: object) -> CsChar:
    i = _int(index)
    if not 0 <= i < len(s):
        raise exc.index_out_of_range()
    return CsChar(s[i])


STRING_PROPERTIES: dict[str, Callable[[Any], object]] = {"Length": len}


def to_char_array(s: str, start: object = None, length: object = None) -> CsArray:
    """`ToCharArray()` / `ToCharArray(startIndex, length)`: a new, writable char[]."""
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
    "ToUpper": lambda s: s.upper(),
    "ToLower": lambda s: s.lower(),
    "ToUpperInvariant": lambda s: s.upper(),
    "ToLowerInvariant": lambda s: s.lower(),
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
    return value is None or (type(value) is str and value.strip() == "")


def new_string(value: object, *more: object) -> str:
    """`new string(char, count)`, `new string(char[])`, `new string(char[], start, length)`."""
    if type(value) is CsChar and len(more) == 1:
        count = _int(more[0])
        if count < 0:
            raise exc.argument_out_of_range("count")
        return value.value * check_length(count)
    if value is None and not more:
        return ""
    if not isinstance(value, CsArray) or not all(type(c) is CsChar for c in value):
        raise exc.invalid_cast(value, "System.Char[]")
    chars = "".join(str(c) for c in value)
    if not more:
        return chars
    if len(more) != 2:
        raise exc.invalid_cast(more[0], "System.Char")
    start, length = _int(more[0]), _int(more[1])
    if start < 0 or length < 0 or start + length > len(chars):
        raise exc.argument_out_of_range("startIndex" if start < 0 else "length")
    return chars[start : start + length]


def concat(*values: object) -> str:
    return "".join(to_string(value) for value in values)


def join(separator: object, *values: object) -> str:
    sep = "" if separator is None else _needle(separator)
    if len(values) == 1 and (isinstance(values[0], CsArray) or is_enumerable(values[0])):
        items: Iterable[object] = values[0]  # type: ignore[assignment]
    else:
        items = values
    return sep.join(to_string(item) for item in items)


def format_string(template: object, *args: object) -> str:
    """String.Format: `{index[,alignment][:format]}` items; the format goes to the value's
    `ToString(format)` as in an interpolated string (`langrt.format_hole`)."""
    from .langrt import format_hole  # noqa: PLC0415 - import cycle

    text = _needle(template, "format")
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
            index_text, _, align_text = spec.partition(",")
            if not index_text.strip().isdigit() or int(index_text) >= len(args):
                raise exc.format_error(
                    "Index (zero based) must be greater than or equal to zero and less than "
                    "the size of the argument list."
                )
            align = int(align_text) if align_text.strip().lstrip("-").isdigit() else None
            if align_text and align is None:
                raise exc.format_error()
            value = args[int(index_text)]
            out.append(format_hole(value, align, fmt if ":" in text[i + 1 : end] else None))
            i = end + 1
        elif c == "}":
            raise exc.format_error()
        else:
            out.append(c)
            i += 1
    return "".join(out)


STRING_STATICS: dict[str, Callable[..., object]] = {
    "IsNullOrEmpty": is_null_or_empty,
    "IsNullOrWhiteSpace": is_null_or_white_space,
    "Concat": concat,
    "Join": join,
    "Format": format_string,
    "Equals": lambda a, b: a == b if type(a) is str and type(b) is str else a is b,
}
