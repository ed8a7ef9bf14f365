"""Tokens -> JSON text, the way Json.NET's JsonTextWriter writes it (reading is in `jsonread`;
`parse` is re-exported here).

Reading is lenient like Json.NET's: comments, single-quoted strings, unquoted property names,
trailing commas, NaN/Infinity; integers become Int64 (BigInteger when larger), numbers with a
fraction or exponent become Double, ISO-8601 date-time strings become Date values
(DateParseHandling.DateTime), and a later duplicate property replaces the earlier one. Nesting
deeper than 64 is refused (Json.NET 13's MaxDepth).

Writing: `Formatting.Indented` indents by two spaces and breaks lines with `NEWLINE`; doubles are
written round-trip with a ".0" added to integral values; strings escape control characters,
quotes, backslashes and U+0085/U+2028/U+2029; dates (DateTime and DateTimeOffset) are ISO 8601,
byte arrays Base64.
"""

from __future__ import annotations

import base64
import math

from .binary import to_bytes
from .datetime import DateTime, DateTimeOffset
from .jcontainer import JContainer, JProperty
from .jobject import JObject
from .jsonread import MAX_DEPTH, parse
from .jspecial import JConstructor
from .jtoken import JToken, JValue
from .singles import CsSingle
from .strings import format_double, to_string

#: Environment.NewLine of the machine APIM runs on (Windows). Mono on Linux prints "\n".
NEWLINE = "\r\n"


def escape(text: str) -> str:
    out = ['"']
    for c in text:
        code = ord(c)
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif code < 0x20 or c in "\u0085\u2028\u2029":
            special = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}.get(c)
            out.append(special or f"\\u{code:04x}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def write_float(value: float) -> str:
    if math.isnan(value):
        return '"NaN"'
    if math.isinf(value):
        return '"Infinity"' if value > 0 else '"-Infinity"'
    text = format_double(value)
    return text if any(c in text for c in ".E") else text + ".0"


def write_scalar(token: JValue) -> str:
    value, kind = token.raw, token.KIND_NAME
    if kind == "Null" or (value is None and kind != "Undefined"):  # JValue.CreateString(null)
        return "null"
    if kind == "Undefined":
        return "undefined"
    if kind == "Boolean":
        return "true" if value else "false"
    if kind == "Integer":
        return str(value)
    if kind == "Float" and type(value) is CsSingle and not math.isfinite(value.value):
        value = value.value  # "NaN", "Infinity": written as the double's are
    if kind == "Float" and type(value) is not float:  # decimal, float: at least ".0"
        text = to_string(value)
        return text if any(c in text for c in ".E") else text + ".0"
    if kind == "Float":
        return write_float(value)  # type: ignore[arg-type]
    if kind == "Date":
        return '"' + iso_date(value) + '"'
    if kind == "Bytes":
        return '"' + base64.b64encode(to_bytes(value)).decode() + '"'
    if kind == "Raw":
        return str(value)
    if kind == "Uri":  # JsonWriter.WriteValue(Uri) writes the original text
        return escape(getattr(value, "OriginalString", to_string(value)))
    return escape(to_string(value))


def iso_date(value: object) -> str:
    """Json.NET's IsoDateFormat (DateTimeUtils.WriteDateTimeString): seconds, then up to 7
    fraction digits without trailing zeros, then for a DateTime 'Z' (Utc), the local offset
    (Local; the machine is UTC) or nothing, for a DateTimeOffset its clock time and offset."""
    if isinstance(value, DateTimeOffset):
        minutes = value.offset_minutes
        sign = "-" if minutes < 0 else "+"
        offset = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        return _iso_clock(value.DateTime) + offset
    if not isinstance(value, DateTime):
        return to_string(value)
    kind = value.Kind.name
    return _iso_clock(value) + ("Z" if kind == "Utc" else "+00:00" if kind == "Local" else "")


def _iso_clock(value: DateTime) -> str:
    return value.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF")


def write_token(token: JToken, indented: bool, level: int = 0) -> str:
    parts: list[str] = []
    _write(token, indented, level, parts)
    return "".join(parts)


def _is_comment(token: JToken) -> bool:
    return isinstance(token, JValue) and token.KIND_NAME == "Comment"


def _write(token: JToken, indented: bool, level: int, out: list[str]) -> None:
    if isinstance(token, JValue):
        comment = token.KIND_NAME == "Comment"
        out.append(f"/*{to_string(token.raw)}*/" if comment else write_scalar(token))
        return
    if isinstance(token, JProperty):
        out.append(escape(token.Name) + (": " if indented else ":"))
        value = token.property_value()
        out.append("null") if _is_comment(value) else _write(value, indented, level, out)
        return
    assert isinstance(token, JContainer)
    if isinstance(token, JConstructor):
        open_, close = f"new {token.Name or ''}(", ")"
    else:
        open_, close = ("{", "}") if isinstance(token, JObject) else ("[", "]")
    items = token.child_tokens()
    if not items:
        out.append(open_ + close)
        return
    out.append(open_)
    wrote_value = False  # a comment is no value: no comma after it, the state stays
    for item in items:
        comment = _is_comment(item)
        if wrote_value and not comment:
            out.append(",")
        if indented:
            out.append(NEWLINE + "  " * (level + 1))
        _write(item, indented, level + 1, out)
        wrote_value = wrote_value or not comment
    if indented and wrote_value:
        out.append(NEWLINE + "  " * level)
    out.append(close)


__all__ = ["MAX_DEPTH", "NEWLINE", "escape", "iso_date", "parse", "write_float", "write_token"]
