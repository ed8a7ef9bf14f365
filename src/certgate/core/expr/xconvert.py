"""Explicit conversions from `XElement` and `XAttribute` (`(int)el`, `(string)attr`, ...).

They read the value as XmlConvert does: `(int)el` allows surrounding whitespace and a sign
(unsigned types no sign), `(bool)el` takes `true`/`false`/`1`/`0` in any case (XLinq lowercases
first), `(double)el` also `INF`, `-INF` and what double.Parse reads (`NaN`, `Infinity`);
`(string)el` is the value. C# has no operator to `short`/`sbyte`: it converts through `int` and
truncates. A null element converts to null, or throws ArgumentNullException for a value type.
"""

from __future__ import annotations

import math
import re

from . import exceptions as exc
from .datefmt import parse_datetime, parse_datetimeoffset, parse_moment
from .datetime import UTC, DateTime, TimeSpan
from .decimals import parse as decimal_parse
from .guid import parse as parse_guid
from .singles import single
from .types import CsObject, CsTypeRef

_WHITE = " \t\n\v\f\r"  # NumberStyles.AllowLeadingWhite/AllowTrailingWhite
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_UNSIGNED = re.compile(r"[0-9]+\Z")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_SPECIAL = {"nan": math.nan, "infinity": math.inf, "∞": math.inf}  # double.Parse's symbols
_INT_RANGES = {"System.Int32": 32, "System.Int64": 64}
_UINT_RANGES = {"System.UInt32": 32, "System.UInt64": 64}
_THROUGH_INT = {"System.Int16": 16, "System.SByte": 8}  # `(short)el` is `(short)(int)el`


def _format(text: str) -> exc.ExpressionRuntimeError:
    return exc.format_error(f"The input string '{text}' was not in a correct format.")


def _xml_bool(text: str) -> bool:
    value = text.lower().strip(" \t\r\n")
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise exc.format_error(f"String '{text}' was not recognized as a valid Boolean.")


def _xml_integer(text: str, target: str) -> int:
    value = text.strip(_WHITE)
    if not (_INTEGER if target in _INT_RANGES else _UNSIGNED).match(value):
        raise _format(text)
    number = int(value)
    if target in _INT_RANGES:
        bits = _INT_RANGES[target]
        low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    else:
        low, high = 0, 2 ** _UINT_RANGES[target] - 1
    if not low <= number <= high:
        raise exc.ExpressionRuntimeError(
            "OverflowException",
            f"Value was either too large or too small for {'an' if target[7] in 'IU' else 'a'} "
            f"{target[7:]}.",
        )
    return number


def _xml_double(text: str) -> float:
    value = text.strip(" \t\r\n")
    if value == "INF":
        return math.inf
    if value == "-INF":
        return -math.inf
    value = value.strip(_WHITE)
    word = value.lstrip("+-").lower()
    if word in _SPECIAL and len(value) - len(word) <= 1:
        return -_SPECIAL[word] if value.startswith("-") else _SPECIAL[word]
    if not _FLOAT.match(value):
        raise _format(text)
    return float(value)


_DURATION = re.compile(
    r"(-)?P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)D)?"
    r"(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)(?:\.([0-9]+))?S)?)?\Z"
)
_TICKS_PER_SECOND = 10_000_000


def duration_text(ticks: int) -> str:
    """XmlConvert.ToString(TimeSpan): an xsd:duration such as `P1DT2H0.5S`, `PT0S` for zero."""
    sign, rest = ("-", -ticks) if ticks < 0 else ("", ticks)
    seconds, fraction = divmod(rest, _TICKS_PER_SECOND)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    day, hour = divmod(hours, 24)
    text = sign + "P" + (f"{day}D" if day else "")
    if hour or minute or second or fraction:
        text += "T" + (f"{hour}H" if hour else "") + (f"{minute}M" if minute else "")
        if second or fraction:
            digits = f"{fraction:07d}".rstrip("0")
            text += f"{second}" + (f".{digits}" if digits else "") + "S"
    return text if text[-1] != "P" else text + "T0S"


def _xml_timespan(text: str) -> TimeSpan:
    """XmlConvert.ToTimeSpan: an xsd:duration; a year counts 365 days, a month 30."""
    found = _DURATION.match(text.strip(" \t\r\n"))
    if (
        found is None
        or not any(found.group(i) for i in range(2, 8))
        or found.group(0).endswith("T")
    ):
        raise exc.format_error(f"The string '{text}' is not a valid TimeSpan value.")
    years, months, days, hours, minutes, seconds = (int(found.group(i) or 0) for i in range(2, 8))
    if max(years, months, days, hours, minutes, seconds) > 2**31 - 1:
        raise exc.format_error(f"The string '{text}' is not a valid TimeSpan value.")
    total = ((years + months // 12) * 365 + (months % 12) * 30 + days) * 24 + hours
    ticks = ((total * 60 + minutes) * 60 + seconds) * _TICKS_PER_SECOND
    ticks += int((found.group(8) or "0")[:9].ljust(9, "0")) // 100
    if found.group(1):
        ticks = -ticks
    if not -(2**63) <= ticks < 2**63:
        raise exc.ExpressionRuntimeError(
            "OverflowException", "The Duration constructed is too large or too small."
        )
    return TimeSpan(ticks)


def _xml_datetime(text: str) -> DateTime:
    """DateTime.Parse(value, InvariantCulture, RoundtripKind): a `Z` keeps the time in UTC."""
    value = text.strip(_WHITE)
    if value[-1:] in ("Z", "z"):
        ticks, _ = parse_moment(value)
        return DateTime(ticks, UTC)
    return parse_datetime(value)


def explicit(source: CsObject | None, target: CsTypeRef) -> object:
    """`(T)element` / `(T)attribute`: XElement's and XAttribute's explicit operators."""
    if source is None:
        if target.is_value_type:
            raise exc.argument_null("element")
        return None
    text = source.Value  # type: ignore[attr-defined]
    name = target.name
    if name == "System.String":
        return text
    if name == "System.Boolean":
        return _xml_bool(text)
    if name in _INT_RANGES or name in _UINT_RANGES:
        return _xml_integer(text, name)
    if name in _THROUGH_INT:
        bits = _THROUGH_INT[name]
        number = _xml_integer(text, "System.Int32") & (2**bits - 1)
        return number - 2**bits if number >= 2 ** (bits - 1) else number
    if name == "System.Double":
        return _xml_double(text)
    if name == "System.Single":  # XmlConvert.ToSingle: the double's parse, rounded to a float
        return single(_xml_double(text))
    if name == "System.Decimal":  # XmlConvert.ToDecimal: sign, point, exponent; no groups
        value = text.strip(_WHITE)
        if not _FLOAT.match(value):
            raise _format(text)
        return decimal_parse(value)
    if name == "System.Guid":
        return parse_guid(text.strip(" \t\r\n"))
    if name == "System.DateTime":
        return _xml_datetime(text)
    if name == "System.DateTimeOffset":
        return parse_datetimeoffset(text.strip(_WHITE))
    if name == "System.TimeSpan":
        return _xml_timespan(text)
    raise exc.ExpressionRuntimeError(
        "NotSupportedException", f"not supported yet: converting {source.CS_TYPE} to {name}"
    )
