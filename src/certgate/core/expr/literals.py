"""Decoding C# literal tokens into runtime values (strings, chars, numbers).

Errors are returned as `LiteralError(message, offset)` with the character offset inside the token,
so the lowering step can point at the exact bad escape.
"""

from __future__ import annotations

import re

from ...errors import ExpressionRuntimeError
from . import syntax as s
from . import utf16
from .decimals import CsDecimal, fit
from .singles import CsSingle, nearest_f32, single

_SIMPLE_ESCAPES = {
    "'": "'",
    '"': '"',
    "\\": "\\",
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}
_HEX = re.compile(r"[0-9a-fA-F]+")
INTEGER_KINDS = ("int", "uint", "long", "ulong")  # in the order C# tries them for a literal
_KIND_MAX = {"int": 2**31 - 1, "uint": 2**32 - 1, "long": 2**63 - 1, "ulong": 2**64 - 1}


class LiteralError(Exception):
    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def unescape(body: str) -> str:
    """Decode the escapes of a regular string/char literal body (without quotes)."""
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        kind = body[i + 1 : i + 2]
        if kind in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[kind])
            i += 2
        elif kind in ("u", "U", "x"):
            width = {"u": 4, "U": 8, "x": 4}[kind]
            match = _HEX.match(body, i + 2, i + 2 + width)
            if match is None or (kind != "x" and len(match.group()) != width):
                raise LiteralError("Unrecognized escape sequence", i)
            code = int(match.group(), 16)
            if code > 0x10FFFF:
                raise LiteralError("Unrecognized escape sequence", i)
            out.append(chr(code))
            i = match.end()
        else:
            raise LiteralError("Unrecognized escape sequence", i)
    # `\\uD83D\\uDE00` are two UTF-16 units, one character in canonical form; a lone half stays
    return utf16.text("".join(out))


def verbatim(body: str) -> str:
    return body.replace('""', '"')


def char_value(body: str) -> str:
    """A char literal: one UTF-16 unit ('😀' is two, too many, as for csc)."""
    text = utf16.units(unescape(body))
    if not text:
        raise LiteralError("Empty character literal")
    if len(text) != 1:
        raise LiteralError("Too many characters in character literal")
    return text


def integer(token: str) -> tuple[int, str]:
    """Value and C# type (one of `INTEGER_KINDS`) of an integer literal token: the first of the
    types its suffix allows that holds the value."""
    text = token.replace("_", "").lower()
    suffix = ""
    while text[-1:] in ("u", "l"):  # neither is a hex digit
        suffix = text[-1] + suffix
        text = text[:-1]
    base = 16 if text.startswith("0x") else 2 if text.startswith("0b") else 10
    try:
        value = int(text[2:] if base != 10 else text, base)
    except ValueError:
        raise LiteralError("Invalid number") from None
    if value > _KIND_MAX["ulong"]:
        raise LiteralError("Integral constant is too large")
    kinds = [k for k in INTEGER_KINDS if ("u" in k) >= ("u" in suffix)]
    kinds = [k for k in kinds if ("l" in k) >= ("l" in suffix)]
    return value, next(k for k in kinds if value <= _KIND_MAX[k])


def real(token: str) -> float:
    text = token.replace("_", "").lower()
    if text.endswith("m"):
        raise LiteralError("a decimal literal")  # `lower` reads those with `decimal_literal`
    text = text.rstrip("fd")  # `f`: `single_literal` rounds this value to binary32
    try:
        return float(text)
    except ValueError:
        raise LiteralError("Invalid number") from None


def decimal_literal(token: str) -> CsDecimal:
    """A `1.50m` / `1e3m` literal: its digits and scale kept (1.50m prints "1.50")."""
    text = token.replace("_", "").lower().removesuffix("m")
    mantissa, _, exponent = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    try:
        coef, exp = int((whole + frac) or "0"), int(exponent or "0")
    except ValueError:
        raise LiteralError("Invalid number") from None
    if len(str(coef)) - len(frac) + exp > 29:
        raise LiteralError("Floating-point constant is outside the range of type 'decimal'")
    try:
        return fit(coef, len(frac) - exp)
    except ExpressionRuntimeError:
        raise LiteralError(
            "Floating-point constant is outside the range of type 'decimal'"
        ) from None


def single_literal(token: str) -> CsSingle:
    """A `1.5f` literal: the decimal value rounded once to binary32 (csc refuses what overflows)."""
    number = real(token)
    value = CsSingle(nearest_f32(number, token.replace("_", "")[:-1])) if number else single(number)
    if value.value in (float("inf"), float("-inf")):
        raise LiteralError("Floating-point constant is outside the range of type 'float'")
    return value


_CONSTANT_MEMBERS = {
    (owner, bound): value
    for names, low, high in (
        (("int", "Int32"), -(2**31), 2**31 - 1),
        (("long", "Int64"), -(2**63), 2**63 - 1),
        (("uint", "UInt32"), 0, 2**32 - 1),
        (("ulong", "UInt64"), 0, 2**64 - 1),
    )
    for owner in names
    for bound, value in (("MinValue", low), ("MaxValue", high))
}


def constant_value(node: s.Expr | None) -> int | None:
    """The value of an integer constant expression (`60 * 20`, `-1`, `int.MaxValue + 1`)."""
    if isinstance(node, s.Literal):
        return node.value if node.kind in INTEGER_KINDS else None  # type: ignore[return-value]
    if isinstance(node, s.Member) and isinstance(node.target, (s.Name, s.PredefinedType)):
        return _CONSTANT_MEMBERS.get((node.target.name, node.name))
    if isinstance(node, s.Paren):
        return constant_value(node.inner)
    if isinstance(node, s.Unary) and node.op in ("-", "+"):
        inner = constant_value(node.operand)
        return None if inner is None else (-inner if node.op == "-" else inner)
    if isinstance(node, s.Binary) and node.op in ("+", "-", "*", "/", "%"):
        a, b = constant_value(node.left), constant_value(node.right)
        if a is None or b is None or (node.op in ("/", "%") and b == 0):
            return None
        if node.op == "/":
            return abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)  # truncates, as C#
        if node.op == "%":
            return a - b * (abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1))
        return a + b if node.op == "+" else a - b if node.op == "-" else a * b
    return None
