"""`System.Net.IPAddress`, with the members APIM allows: `Parse`, `TryParse`, `IsLoopback` (all
static), `Equals`, `GetAddressBytes`, `AddressFamily` and `ToString`.

Parsing follows .NET 8's `IPAddressParser`: a string with a colon is IPv6, any other IPv4.

* IPv4 takes the legacy inet_aton forms as well: one to four parts, each decimal, octal (leading
  `0`) or hex (`0x`), the last part filling the remaining bytes ("10.1" and "0x0A000001" are both
  10.0.0.1). No whitespace, nothing after the address.
* IPv6 may be bracketed with a port after the bracket ("[::1]:443"; the port is checked, then
  dropped), end in a dotted IPv4 part and carry a scope ("fe80::1%3"). A scope that is not a
  number names a network interface, which an expression has no business seeing: it reads as 0,
  .NET's value for an interface the host does not have. An address that starts with a single
  colon (":1::2") is refused, as by .NET Framework and current .NET; Mono reads it as 0:1::2.

`ToString()` is .NET's RFC 5952 form: lower-case hex, the first longest run of two or more zero
groups as "::", and a dotted IPv4 tail for the IPv4-mapped, -compatible, SIIT and ISATAP forms.
`AddressFamily` is an enum of `System.Net.Sockets`, a namespace APIM does not allow: a policy can
print it or compare two of them, but not name `AddressFamily.InterNetwork`, so it compares
`ip.AddressFamily.ToString() == "InterNetwork"`.
"""

from __future__ import annotations

from . import exceptions as exc
from .binary import CsBytes, to_bytes
from .collections import value_equals
from .static import BOOL, SType
from .strings import CsEnum
from .typenames import IMPLEMENTED, StaticMember, TypeInfo, register
from .types import CsObject

_INVALID = "An invalid IP address was specified."
_HEX = frozenset("0123456789abcdefABCDEF")
_DECIMAL = frozenset("0123456789")
_MAX_IPV4 = 0xFFFFFFFF


class AddressFamilyEnum(CsEnum):
    """`System.Net.Sockets.AddressFamily` (only the two values an IPAddress has)."""

    __slots__ = ()
    CS_TYPE = "System.Net.Sockets.AddressFamily"


INTER_NETWORK = AddressFamilyEnum("InterNetwork", 2)
INTER_NETWORK_V6 = AddressFamilyEnum("InterNetworkV6", 23)


class IPAddress(CsObject):
    __slots__ = ("_packed", "_scope")
    CS_TYPE = "System.Net.IPAddress"
    CS_MEMBERS = frozenset({"AddressFamily", "Equals", "GetAddressBytes", "ToString"})

    def __init__(self, packed: bytes, scope: int = 0) -> None:
        self._packed = packed  # 4 or 16 bytes, network order
        self._scope = scope  # IPv6 scope id; 0: none

    @property
    def AddressFamily(self) -> AddressFamilyEnum:
        return INTER_NETWORK if len(self._packed) == 4 else INTER_NETWORK_V6

    def GetAddressBytes(self) -> CsBytes:
        return CsBytes(self._packed)  # a new array each call, as in .NET

    def equality_key(self) -> tuple[object, ...]:
        """Dictionary keys, HashSet, Distinct: by value, as .NET's GetHashCode (`keys.hash_key`)."""
        return len(self._packed), int.from_bytes(self._packed, "big"), self._scope

    def Equals(self, other: object) -> bool:
        """Same family, address and (IPv6) scope."""
        return (
            isinstance(other, IPAddress)
            and other._packed == self._packed
            and other._scope == self._scope
        )

    def ToString(self) -> str:
        if len(self._packed) == 4:
            return ".".join(str(b) for b in self._packed)
        groups = [int.from_bytes(self._packed[i : i + 2], "big") for i in range(0, 16, 2)]
        if _embeds_ipv4(groups):
            head = _compressed(groups[:6])
            tail = ".".join(str(b) for b in self._packed[12:])
            text = f"{head}{tail}" if head.endswith(":") else f"{head}:{tail}"
        else:
            text = _compressed(groups)
        return f"{text}%{self._scope}" if self._scope else text

    @property
    def is_loopback(self) -> bool:
        if len(self._packed) == 4:
            return self._packed[0] == 127
        # ::1 and the IPv4-mapped 127.0.0.1 (.NET Core 3.0+), both without a scope
        return self._scope == 0 and self._packed in (_IPV6_LOOPBACK, _MAPPED_LOOPBACK)


_IPV6_LOOPBACK = bytes(15) + b"\x01"
_MAPPED_LOOPBACK = bytes(10) + b"\xff\xff\x7f\x00\x00\x01"


_EMBEDDING = frozenset({(0, 0), (0, 0xFFFF), (0xFFFF, 0)})  # groups 4 and 5 before a dotted tail


def _embeds_ipv4(groups: list[int]) -> bool:
    """.NET prints the last 32 bits dotted for ::a.b.c.d, ::ffff:a.b.c.d and ::ffff:0:a.b.c.d
    (unless they start with 0.0), and for any ISATAP address (x:x:x:x:0:5efe:a.b.c.d)."""
    if not any(groups[:4]) and groups[6] and (groups[4], groups[5]) in _EMBEDDING:
        return True
    return groups[4] == 0 and groups[5] == 0x5EFE


def _compressed(groups: list[int]) -> str:
    """Hex groups joined by ':', the first longest run of at least two zeros as '::'."""
    best_start, best_len, run = -1, 1, 0
    for i, group in enumerate(groups):
        run = run + 1 if group == 0 else 0
        if run > best_len:
            best_start, best_len = i - run + 1, run
    if best_start < 0:
        return ":".join(f"{g:x}" for g in groups)
    before = ":".join(f"{g:x}" for g in groups[:best_start])
    after = ":".join(f"{g:x}" for g in groups[best_start + best_len :])
    return f"{before}::{after}"


# --- parsing ------------------------------------------------------------------------------------


def _parse_ipv4(text: str) -> int | None:
    """The address as a number, or None (.NET's `IPv4AddressHelper.ParseNonCanonical`, which
    must consume the whole string)."""
    parts: list[int] = []
    i, n = 0, len(text)
    while True:
        digits, base, seen = _DECIMAL, 10, False  # `seen`: the part has a digit ("0x" has none)
        if text.startswith("0", i):
            i, seen = i + 1, True
            if text[i : i + 1] in ("x", "X"):
                digits, base, seen, i = _HEX, 16, False, i + 1
            else:
                digits, base = frozenset("01234567"), 8
        value = 0
        while i < n and text[i] in digits:
            value = value * base + int(text[i], 16)
            if value > _MAX_IPV4:
                return None
            i, seen = i + 1, True
        if not seen:
            return None
        if i < n and text[i] == ".":
            if len(parts) == 3 or value > 0xFF:  # only the last part may exceed a byte
                return None
            parts.append(value)
            i += 1
            continue
        if i < n:
            return None
        break
    if value > _MAX_IPV4 >> (8 * len(parts)):
        return None
    head = 0
    for part in parts:
        head = head << 8 | part
    return head << (8 * (4 - len(parts))) | value


def _ipv4_tail_end(text: str, start: int) -> int | None:
    """End of the canonical dotted quad at `start` inside an IPv6 address (.NET's
    `IsValidCanonical`: decimal only, "01." refused but a last "04" taken), or None."""
    dots, number, have, leading_zero = 0, 0, False, False
    i = start
    while i < len(text) and text[i] not in "%/]":
        c = text[i]
        if c in _DECIMAL:
            if not have and c == "0":
                if text[i + 1 : i + 2] == "0":
                    return None
                leading_zero = True
            have = True
            number = number * 10 + int(c)
            if number > 0xFF:
                return None
        elif c == "." and have and not (number and leading_zero):
            dots, number, have, leading_zero = dots + 1, 0, False, False
        else:
            return None
        i += 1
    return i if dots == 3 and have else None


def _port_ok(port: str) -> bool:
    """After "[...]:": a decimal or 0x-hex number, possibly empty (.NET ignores its value)."""
    if port[:2] in ("0x", "0X"):
        return all(c in _HEX for c in port[2:])
    return all(c in _DECIMAL for c in port)


def _valid_ipv6(text: str) -> bool:
    """.NET 8's `IPv6AddressHelper.IsValidStrict`."""
    n = len(text)
    bracket = text.startswith("[")
    i = 1 if bracket else 0
    if text[i : i + 1] == ":" and text[i + 1 : i + 2] != ":":
        return False  # ":1::2": a single leading colon (see the module docstring)
    groups = run = 0  # groups seen; hex digits of the current one
    compressor = ipv4 = False
    expecting = True  # a group must follow (start, or after a single ':')
    last = 1  # start of the latest group: an IPv4 tail starts there
    while i < n:
        c = text[i]
        if c in _HEX:
            run, expecting, i = run + 1, False, i + 1
            continue
        if run > 4:
            return False
        if run:
            groups, last, run = groups + 1, i - run, 0
        if c == "%":  # the scope runs to ']', '/' or the end
            while i + 1 < n and text[i + 1] not in "]/":
                i += 1
            if i + 1 >= n:
                break
            i += 1
            c = text[i]
        if c == "]":
            if not bracket or (i + 1 < n and text[i + 1] != ":") or not _port_ok(text[i + 2 :]):
                return False
            bracket = False
            break
        if c == ":":
            if i > 0 and text[i - 1] == ":":
                if compressor:
                    return False
                compressor, expecting = True, False
            else:
                expecting = True
            i += 1
        elif c == "." and not ipv4:
            end = _ipv4_tail_end(text, last)
            if end is None:
                return False
            groups, ipv4, i = groups + 1, True, end  # the tail fills two groups
        else:
            return False
    if run > 4:
        return False
    groups += run > 0
    return not expecting and not bracket and (groups < 8 if compressor else groups == 8)


def _ipv6_groups(text: str) -> tuple[list[int], str]:
    """The 8 groups and the scope text ("%..." or "") of a valid address (.NET's
    `IPv6AddressHelper.Parse`)."""
    numbers = [0] * 8
    index, number, pending, compressor_at = 0, 0, True, -1
    close = text.find("]")
    end = close if close >= 0 else len(text)
    has_dot = "." in text
    scope = ""
    i = 1 if text.startswith("[") else 0
    while i < end:
        c = text[i]
        if c == "%":
            if pending:
                numbers[index], index, pending = number, index + 1, False
            start = i
            while i < end and text[i] != "/":
                i += 1
            scope = text[start:i]
            i = end
        elif c == ":":
            numbers[index], index, number = number, index + 1, 0
            i += 1
            if text[i : i + 1] == ":":
                compressor_at, i = index, i + 1
            elif (compressor_at < 0 and index < 6) or not has_dot:
                continue
            # a '.' within the next group's reach starts the IPv4 tail (two groups)
            j = i
            while j < min(end, i + 4) and text[j] not in ":%/":
                if text[j] == ".":
                    tail = i
                    while tail < end and text[tail] not in "%/":
                        tail += 1
                    a, b, c4, d = (int(p) for p in text[i:tail].split("."))
                    numbers[index], numbers[index + 1] = a << 8 | b, c4 << 8 | d
                    index, number, pending, i = index + 2, 0, False, tail
                    break
                j += 1
        else:
            number = (number << 4 | int(c, 16)) & 0xFFFF
            i += 1
    if pending:
        numbers[index], index = number, index + 1
    if compressor_at > 0 and index != 8:  # move the groups after '::' to the end
        moved = numbers[compressor_at:index]
        numbers[compressor_at:index] = [0] * len(moved)
        numbers[8 - len(moved) :] = moved
    return numbers, scope


def _scope_id(scope: str) -> int:
    """`uint.TryParse(scope, NumberStyles.None)`, else 0 (an interface name, or nothing)."""
    digits = scope[1:]
    if digits.isascii() and digits.isdigit():
        significant = digits.lstrip("0")
        if len(significant) <= 10 and int(significant or "0") <= _MAX_IPV4:
            return int(significant or "0")
    return 0


def _parse(text: str) -> IPAddress | None:
    if ":" not in text:
        value = _parse_ipv4(text)
        return None if value is None else IPAddress(value.to_bytes(4, "big"))
    if not _valid_ipv6(text):
        return None
    groups, scope = _ipv6_groups(text)
    return IPAddress(b"".join(g.to_bytes(2, "big") for g in groups), _scope_id(scope))


def _text(value: object) -> str:
    if type(value) is not str:
        raise exc.invalid_cast(value, "System.String")
    return value


def parse(ip_string: object) -> IPAddress:
    if ip_string is None:
        raise exc.argument_null("ipString")
    address = _parse(_text(ip_string))
    if address is None:
        raise exc.format_error(_INVALID)
    return address


def try_parse(ip_string: object) -> tuple[bool, IPAddress | None]:
    address = None if ip_string is None else _parse(_text(ip_string))
    return address is not None, address


def _address(value: object, param: str) -> IPAddress:
    if value is None:
        raise exc.argument_null(param)
    if not isinstance(value, IPAddress):
        raise exc.invalid_cast(value, IPAddress.CS_TYPE)
    return value


def is_loopback(address: object) -> bool:
    """`IPAddress.IsLoopback(a)`: 127.0.0.0/8, ::1 and ::ffff:127.0.0.1."""
    return _address(address, "address").is_loopback


def static_equals(a: object, b: object) -> bool:
    """`IPAddress.Equals(a, b)`, which is `object.Equals(a, b)`."""
    return value_equals(a, b)


def new_ip_address(address: object, scopeid: object = None) -> IPAddress:
    """`new IPAddress(long)` (the bytes of the number in memory order, as .NET on x86/ARM),
    `new IPAddress(byte[])` (4 or 16 bytes) and `new IPAddress(byte[], long scopeid)`."""
    if type(address) is int and scopeid is None:
        if not 0 <= address <= _MAX_IPV4:
            raise exc.argument_out_of_range("newAddress")
        return IPAddress(address.to_bytes(4, "little"))
    data = to_bytes(address, "address")
    if scopeid is not None:
        if type(scopeid) is not int:
            raise exc.invalid_cast(scopeid, "System.Int64")
        if not 0 <= scopeid <= _MAX_IPV4:
            raise exc.argument_out_of_range("scopeid")
    if len(data) == 16 or (len(data) == 4 and scopeid is None):
        return IPAddress(data, scopeid or 0)
    raise exc.ExpressionRuntimeError("ArgumentException", f"{_INVALID} (Parameter 'address')")


_STYPE = SType(IPAddress.CS_TYPE, IPAddress)
_INFO = TypeInfo.of(
    IPAddress,
    {
        "Parse": StaticMember(parse, _STYPE),
        "TryParse": StaticMember(try_parse, BOOL, outs=1),
        "IsLoopback": StaticMember(is_loopback, BOOL),
        "Equals": StaticMember(static_equals, BOOL),
    },
    ctor=new_ip_address,
)
if _INFO.full_name not in IMPLEMENTED:
    register(_INFO)
