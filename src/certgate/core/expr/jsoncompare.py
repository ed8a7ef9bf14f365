"""How a JSONPath filter compares two tokens: Json.NET 13's BooleanQueryExpression.MatchTokens,
EqualsWithStringCoercion, EqualsWithStrictMatch, RegexEquals and JValue.CompareTo/Compare.

Only two JValues compare; with an object, array or property on either side only `!=` (and a
bare existence test) is true. Ordering converts the right value to the left one's type (to the
right one's when the left is a string), as `Convert.ToInt64`/`ToDouble`/`ToBoolean`/
`ToDateTime` do, so a number against a string that is not a number throws FormatException.
"""

from __future__ import annotations

import base64
import math

from . import exceptions as exc
from .binary import CsBytes
from .convert import to_boolean, to_double, to_int64
from .datefmt import convert_to_datetime
from .datetime import DateTime, DateTimeOffset, new_datetimeoffset
from .decimals import CsDecimal, to_decimal
from .decimals import compare as compare_decimals
from .jsonio import iso_date
from .jtoken import JToken, JValue, values_equal
from .keys import compare, compare_strings
from .regexp import Regex
from .singles import CsSingle
from .strings import substring, to_string

_NUMBERS = frozenset({"Integer", "Float"})
# RegexOptions IgnoreCase, Multiline, ExplicitCapture, Singleline
_REGEX_FLAGS = {"i": 1, "m": 2, "x": 4, "s": 16}
_TYPED = {"Guid": "Guid", "TimeSpan": "TimeSpan", "Uri": "Uri"}


def match_values(op: str, left: JToken, right: JToken) -> bool:
    """MatchTokens: `op` between one token of each side."""
    if not isinstance(left, JValue) or not isinstance(right, JValue):
        return op == "!="  # "can only specify primitive types in a comparison"
    if op == "==":
        return equals_with_coercion(left, right)
    if op == "!=":
        return not equals_with_coercion(left, right)
    if op == "===":
        return equals_strictly(left, right)
    if op == "!==":
        return not equals_strictly(left, right)
    if op == "=~":
        return regex_equals(left, right)
    order = compare_tokens(left, right)
    return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[op]


def equals_with_coercion(value: JValue, query: JValue) -> bool:
    """`==`: equal values, an integer equal to a float, or a date, GUID, TimeSpan, URI or
    bytes value whose JSON text is the query string."""
    if values_equal(value, query):
        return True
    if {value.kind, query.kind} == _NUMBERS:
        return compare_values(value.kind, value.raw, query.raw) == 0
    if query.kind != "String":
        return False
    text = _text_of(value)
    return text is not None and text == to_string(query.raw)


def equals_strictly(value: JValue, query: JValue) -> bool:
    """`===`: an integer equal to a float, else the same JTokenType and equal values."""
    if {value.kind, query.kind} == _NUMBERS:
        return compare_values(value.kind, value.raw, query.raw) == 0
    return value.kind == query.kind and values_equal(value, query)


def regex_equals(value: JValue, pattern: JValue) -> bool:
    """`=~ /pattern/flags`: both strings, else false; flags i, m, s, x (others ignored)."""
    if value.kind != "String" or pattern.kind != "String":
        return False
    text = to_string(pattern.raw)
    slash = text.rfind("/")
    body = substring(text, 1, slash - 1)
    options = sum({_REGEX_FLAGS.get(flag, 0) for flag in substring(text, slash + 1)})
    return Regex(body, options).IsMatch(to_string(value.raw))


def _text_of(value: JValue) -> str | None:
    """The text EqualsWithStringCoercion gives a value that is not a string, number, bool."""
    raw = value.raw
    if value.kind == "Date":
        if isinstance(raw, DateTimeOffset):
            return raw.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz")
        return iso_date(raw)
    if value.kind == "Bytes" and isinstance(raw, CsBytes):
        return base64.b64encode(raw.data).decode()
    if value.kind == "Uri":
        return str(raw.OriginalString)  # type: ignore[attr-defined]
    if value.kind in ("Guid", "TimeSpan"):
        return to_string(raw)
    return None


def compare_tokens(left: JValue, right: JValue) -> int:
    """JValue.CompareTo(JValue): as the left value's type, or the right one's when only the
    left is a string."""
    kind = right.kind if left.kind == "String" and right.kind != "String" else left.kind
    return compare_values(kind, left.raw, right.raw)


def compare_values(kind: str, a: object, b: object) -> int:
    """JValue.Compare(valueType, objA, objB); null sorts first."""
    if a is b:
        return 0
    if b is None:
        return 1
    if a is None:
        return -1
    if kind in _NUMBERS:
        return _compare_numbers(kind, a, b)
    if kind in ("String", "Comment", "Raw"):
        return _ordinal(to_string(a), to_string(b))
    if kind == "Boolean":
        return _sign(int(to_boolean(a)) - int(to_boolean(b)))
    if kind == "Date":
        return _compare_dates(a, b)
    if kind == "Bytes":
        return _compare_bytes(a, b)
    if kind in _TYPED:
        if type(b) is not type(a):
            raise exc.ExpressionRuntimeError(
                "ArgumentException", f"Object must be of type {_TYPED[kind]}."
            )
        return compare_strings(to_string(a), to_string(b)) if kind == "Uri" else compare(a, b)
    raise exc.ExpressionRuntimeError(
        "ArgumentOutOfRangeException",
        f"Unexpected value type: {kind} (Parameter 'valueType')\nActual value was {kind}.",
    )


def _compare_numbers(kind: str, a: object, b: object) -> int:
    numeric = type(a) in (int, float) and type(b) in (int, float)
    if numeric and (_is_big(a) or _is_big(b)):  # CompareBigInteger: exact
        return _sign((a > b) - (a < b))  # type: ignore[operator]
    if isinstance(a, CsDecimal) or isinstance(b, CsDecimal):
        return compare_decimals(to_decimal(a), to_decimal(b))
    if kind == "Integer" and not _is_float(a) and not _is_float(b):
        x = a if type(a) is int else to_int64(a)  # an int past Int64 is a BigInteger: exact
        y = b if type(b) is int else to_int64(b)
        return _sign(x - y)
    return _compare_floats(_double(a), _double(b))


def _is_big(value: object) -> bool:
    return type(value) is int and not -(2**63) <= value < 2**63


def _is_float(value: object) -> bool:
    return type(value) is float or isinstance(value, CsSingle)


def _double(value: object) -> float:
    if _is_float(value):
        return float(value)  # type: ignore[arg-type]
    return to_double(value)


def _compare_floats(x: float, y: float) -> int:
    """CompareFloat: equal within MathUtils.ApproxEquals' tolerance, else Double.CompareTo
    (NaN first)."""
    tolerance = (abs(x) + abs(y) + 10.0) * 2.2204460492503131e-16
    if x == y or -tolerance < x - y < tolerance:
        return 0
    if math.isnan(x) or math.isnan(y):
        return 0 if math.isnan(x) and math.isnan(y) else -1 if math.isnan(x) else 1
    return -1 if x < y else 1


def _compare_dates(a: object, b: object) -> int:
    """A DateTime against the other value as a DateTime (clock ticks, kind ignored); a
    DateTimeOffset against the other as a DateTimeOffset (the instant)."""
    if isinstance(a, DateTime):
        other = b.DateTime if isinstance(b, DateTimeOffset) else convert_to_datetime(b)
        return _sign(a.Ticks - other.Ticks)
    if not isinstance(a, DateTimeOffset):
        raise exc.invalid_cast(a, "System.DateTimeOffset")
    moment = b if isinstance(b, DateTimeOffset) else new_datetimeoffset(convert_to_datetime(b))
    return _sign(a.UtcTicks - moment.UtcTicks)


def _compare_bytes(a: object, b: object) -> int:
    """MiscellaneousUtils.ByteArrayCompare: the shorter first, then byte by byte."""
    if not isinstance(b, CsBytes) or not isinstance(a, CsBytes):
        raise exc.ExpressionRuntimeError("ArgumentException", "Object must be of type byte[].")
    x, y = a.data, b.data
    return _sign(len(x) - len(y)) or _sign((x > y) - (x < y))


def _ordinal(a: str, b: str) -> int:
    """string.CompareOrdinal's sign: UTF-16 code unit by code unit."""
    x, y = a.encode("utf-16-be", "surrogatepass"), b.encode("utf-16-be", "surrogatepass")
    return _sign((x > y) - (x < y))


def _sign(n: int) -> int:
    return (n > 0) - (n < 0)
