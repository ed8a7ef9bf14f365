"""`System.Uri`'s hex helpers, `CheckHostName` and `TryCreate(baseUri, relative, out result)`.

`CheckHostName` returns a `UriHostNameType`, an enum outside APIM's allow-list: an expression
can print or compare its value but not name the type. `TryCreate(string, UriKind, out)` and
`IsWellFormedUriString` need `UriKind`, also outside the list, so they are not offered;
`HexUnescape` takes a `ref int`, which expressions do not support.
"""

from __future__ import annotations

import ipaddress

from . import exceptions as exc
from .strings import CsEnum, enum_members
from .types import CsChar
from .uri import RelativeUri, Uri, new_uri

_HEX_DIGITS = "0123456789abcdefABCDEF"


class UriHostNameType(CsEnum):
    __slots__ = ()
    CS_TYPE = "System.UriHostNameType"


HOST_NAME_TYPES = enum_members(UriHostNameType, "Unknown", "Basic", "Dns", "IPv4", "IPv6")


def _char(value: object) -> str:
    if type(value) is not CsChar:
        raise exc.invalid_cast(value, "System.Char")
    return value.value


def from_hex(digit: object) -> int:
    """`Uri.FromHex(c)`: the value of an ASCII hex digit."""
    c = _char(digit)
    if c not in _HEX_DIGITS:
        raise exc.ExpressionRuntimeError(
            "ArgumentException",
            "Value does not fall within the expected range. (Parameter 'digit')",
        )
    return int(c, 16)


def hex_escape(character: object) -> str:
    """`Uri.HexEscape(c)`: "%XX" for a character up to U+00FF."""
    c = _char(character)
    if ord(c) > 0xFF:
        raise exc.argument_out_of_range("character")
    return f"%{ord(c):02X}"


def is_hex_digit(character: object) -> bool:
    return _char(character) in _HEX_DIGITS


def is_hex_encoding(pattern: object, index: object) -> bool:
    """`Uri.IsHexEncoding(s, i)`: "%XX" at `i` (a negative index throws, as .NET indexes)."""
    if pattern is None:
        raise exc.null_reference()
    if type(pattern) is not str:
        raise exc.invalid_cast(pattern, "System.String")
    if type(index) is not int:
        raise exc.invalid_cast(index, "System.Int32")
    if len(pattern) - index < 3:
        return False
    if index < 0:
        raise exc.index_out_of_range()
    return (
        pattern[index] == "%"
        and pattern[index + 1] in _HEX_DIGITS
        and pattern[index + 2] in _HEX_DIGITS
    )


def _ipv4(name: str) -> bool:
    """IPv4AddressHelper.ParseNonCanonical over the whole name: 1 to 4 parts, each decimal,
    octal (leading 0) or hex (0x); the last part fills the remaining bytes."""
    parts = name.split(".")
    if len(parts) > 4:
        return False
    values: list[int] = []
    for part in parts:
        base, digits = 10, part
        if part[:2] in ("0x", "0X"):
            base, digits = 16, part[2:]
        elif part[:1] == "0" and part != "0":
            base, digits = 8, part[1:]
        allowed = {8: "01234567", 10: "0123456789", 16: _HEX_DIGITS}[base]
        if not digits or any(c not in allowed for c in digits):
            return False
        values.append(int(digits, base))
    if any(v > 0xFF for v in values[:-1]):
        return False
    return values[-1] < 1 << (8 * (5 - len(values)))


def _dns(name: str) -> bool:
    """DomainNameHelper.IsValid (and its IRI form): labels of letters, digits, '-' and '_'
    that start with a letter or digit, 63 characters at most (an ACE prefix counted for a
    non-ASCII label); a final '.' ends the name."""
    labels = name.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    for label in labels:
        if not label or not label[0].isalnum():
            return False
        if any(not (c.isalnum() or c in "-_") for c in label):
            return False
        if len(label) + (0 if label.isascii() else 4) > 63:
            return False
    return True


def _ipv6(name: str) -> bool:
    try:
        ipaddress.IPv6Address(name)
    except ValueError:
        return False
    return True


def check_host_name(name: object) -> UriHostNameType:
    """`Uri.CheckHostName(s)`: IPv6 ("[...]" or bare), IPv4, Dns or Unknown (never Basic)."""
    if name is None or name == "":
        return HOST_NAME_TYPES["Unknown"]
    if type(name) is not str:
        raise exc.invalid_cast(name, "System.String")
    if len(name) > 32767:
        return HOST_NAME_TYPES["Unknown"]
    if name[0] == "[" and name[-1] == "]" and _ipv6(name[1:-1]):
        return HOST_NAME_TYPES["IPv6"]
    if _ipv4(name):
        return HOST_NAME_TYPES["IPv4"]
    if _dns(name):
        return HOST_NAME_TYPES["Dns"]
    return HOST_NAME_TYPES["IPv6" if _ipv6(name) else "Unknown"]


def try_create(base: object, relative: object) -> tuple[bool, Uri | None]:
    """`Uri.TryCreate(baseUri, relativeUri, out result)`: an absolute `relativeUri` (a string
    or a Uri) is the result whatever the base; a relative one is resolved against the base."""
    if isinstance(relative, str):
        try:
            return True, Uri(relative)
        except exc.ExpressionRuntimeError:
            if ":" in relative.split("/", 1)[0]:  # a scheme certgate cannot read
                return False, None
        relative = RelativeUri(relative)
    if not isinstance(base, Uri) or isinstance(base, RelativeUri):
        return False, None
    if not isinstance(relative, Uri):
        return False, None
    if not isinstance(relative, RelativeUri):
        return True, relative
    try:
        return True, new_uri(base, relative)
    except exc.ExpressionRuntimeError:
        return False, None
