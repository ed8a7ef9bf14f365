"""`CompareTo` and `Equals` of bool, char and the numbers, and `bool.Parse`/`TryParse`, as .NET 8
has them.

Every integral type is a Python int at run time, so which overload C# picks, and so the result,
comes from the static types (`comparison`, called by the translator): `b.CompareTo(x)` on a byte
takes `CompareTo(byte)` when `x` converts to byte implicitly (a byte, or an int constant that
fits) and `CompareTo(object)` otherwise, which throws unless the boxed value is a byte.
`CompareTo(T)` returns the difference on byte, sbyte, short, ushort and char (`m_value - value`)
and -1/0/1 on the wider types; `double.Equals(double)` holds for two NaNs.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from . import exceptions as exc
from . import syntax as s
from .literals import INTEGER_KINDS
from .singles import CsSingle
from .static import SType
from .strings import WHITE_SPACE
from .types import CsChar

_I8, _U8, _I16, _U16 = "System.SByte", "System.Byte", "System.Int16", "System.UInt16"
_I32, _U32, _I64, _U64 = "System.Int32", "System.UInt32", "System.Int64", "System.UInt64"
_F64, _CHAR, _F32, _DEC = "System.Double", "System.Char", "System.Single", "System.Decimal"
# C#'s implicit numeric conversions (spec §10.2.3), source -> targets
_WIDENS_TO: dict[str, frozenset[str]] = {
    _I8: frozenset({_I16, _I32, _I64, _F32, _F64, _DEC}),
    _U8: frozenset({_I16, _U16, _I32, _U32, _I64, _U64, _F32, _F64, _DEC}),
    _I16: frozenset({_I32, _I64, _F32, _F64, _DEC}),
    _U16: frozenset({_I32, _U32, _I64, _U64, _F32, _F64, _DEC}),
    _I32: frozenset({_I64, _F32, _F64, _DEC}),
    _U32: frozenset({_I64, _U64, _F32, _F64, _DEC}),
    _I64: frozenset({_F32, _F64, _DEC}),
    _U64: frozenset({_F32, _F64, _DEC}),
    _CHAR: frozenset({_U16, _I32, _U32, _I64, _U64, _F32, _F64, _DEC}),
    _F32: frozenset({_F64}),
}
# the ranges an int (or long) constant converts into implicitly
_RANGES = {
    _I8: (-(2**7), 2**7 - 1),
    _U8: (0, 2**8 - 1),
    _I16: (-(2**15), 2**15 - 1),
    _U16: (0, 2**16 - 1),
    _U32: (0, 2**32 - 1),
    _U64: (0, 2**64 - 1),
}
_DIFFERENCE = frozenset({_I8, _U8, _I16, _U16})  # CompareTo returns m_value - value
_RECEIVERS = frozenset({_I8, _U8, _I16, _U16, _I32, _U32, _I64, _U64, _F64})

Comparison = Callable[[object, object], object]


def _number(value: object) -> int | float:
    """An argument the typed overload received: char and float converted as C# does."""
    if type(value) is CsChar:
        code = ord(value.value)  # beyond U+FFFF: its high surrogate, as `chars` has it
        return code if code <= 0xFFFF else 0xD800 + ((code - 0x10000) >> 10)
    if type(value) is CsSingle:
        return value.value
    if type(value) is int or type(value) is float:
        return value
    raise exc.invalid_cast(value, _F64)


def _sign(a: int | float, b: int | float) -> int:
    return (a > b) - (a < b)


def _compare_double(a: object, b: object) -> int:
    """Double.CompareTo(double): NaN sorts first and equals NaN."""
    x, y = _number(a), _number(b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(y) - math.isnan(x)
    return _sign(x, y)


def _equals_double(a: object, b: object) -> bool:
    """Double.Equals(double): NaN equals NaN."""
    x, y = _number(a), _number(b)
    return x == y or (math.isnan(x) and math.isnan(y))


def _equals(a: object, b: object) -> bool:
    return _number(a) == _number(b)


def _difference(a: object, b: object) -> int:
    return int(_number(a)) - int(_number(b))


def _compare(a: object, b: object) -> int:
    return _sign(_number(a), _number(b))


def _typed(name: str, receiver: str) -> Comparison:
    """The overload taking the receiver's own type."""
    if name == "Equals":
        return _equals_double if receiver == _F64 else _equals
    if receiver == _F64:
        return _compare_double
    return _difference if receiver in _DIFFERENCE else _compare


def _boxed(name: str, receiver: str, same: bool) -> Comparison:
    """The `(object)` overload, for an argument whose static (so boxed) type is `same` as the
    receiver's (a `T?`) or not."""
    typed = _typed(name, receiver)
    short = receiver.removeprefix("System.")

    def compare(a: object, b: object) -> object:
        if b is None:
            return 1 if name == "CompareTo" else False
        if same:
            return typed(a, b)
        if name == "Equals":
            return False
        raise exc.ExpressionRuntimeError("ArgumentException", f"Object must be of type {short}.")

    return compare


def _constant(node: s.Expr | None) -> int | None:
    """The value of an integer literal, signed or in parentheses."""
    if isinstance(node, s.Paren):
        return _constant(node.inner)
    if isinstance(node, s.Unary) and node.op in ("-", "+"):
        inner = _constant(node.operand)
        return None if inner is None else (-inner if node.op == "-" else inner)
    if isinstance(node, s.Literal) and node.kind in INTEGER_KINDS and type(node.value) is int:
        return node.value
    return None


def _converts(source: SType, target: str, node: s.Expr | None) -> bool:
    """Does an argument of static type `source` convert to `target` implicitly?"""
    if source.nullable:
        return False
    if source.name == target or target in _WIDENS_TO.get(source.name, ()):
        return True
    constant = _constant(node) if source.name in (_I32, _I64) else None
    if constant is None or target not in _RANGES or (source.name == _I64 and target != _U64):
        return False
    low, high = _RANGES[target]
    return low <= constant <= high


def comparison(name: str, receiver: SType, arg: SType, node: s.Expr | None) -> Comparison | None:
    """The function `receiver.name(arg)` calls, for a number receiver and a one-argument
    `CompareTo`/`Equals` whose argument's static type is known; None: decided at run time."""
    if name not in ("CompareTo", "Equals") or receiver.nullable or not arg.known:
        return None
    if receiver.name not in _RECEIVERS or receiver.py not in (int, float):
        return None
    if arg.py is type(None):  # the null literal: CompareTo(object)
        return _boxed(name, receiver.name, same=False)
    if _converts(arg, receiver.name, node):
        return _typed(name, receiver.name)
    return _boxed(name, receiver.name, same=arg.name == receiver.name)


# --- bool and char ------------------------------------------------------------------------------


def bool_compare_to(a: bool, b: object) -> int:
    """Boolean.CompareTo: false < true; null sorts first."""
    if b is None:
        return 1
    if type(b) is not bool:
        raise exc.ExpressionRuntimeError("ArgumentException", "Object must be of type Boolean.")
    return int(a) - int(b)


def char_compare_to(a: CsChar, b: object) -> int:
    """Char.CompareTo: the difference of the UTF-16 units (a char beyond U+FFFF stands for its
    high surrogate, see `chars`); null sorts first."""
    if b is None:
        return 1
    if type(b) is not CsChar:
        raise exc.ExpressionRuntimeError("ArgumentException", "Object must be of type Char.")
    return _difference(a, b)


def parse_bool(value: object) -> bool:
    """Boolean.Parse: "true"/"false" in any case, white space and NUL around them ignored."""
    text = exc.string_argument(value, "value")
    word = text.strip(WHITE_SPACE + "\0")
    if word.isascii() and word.lower() in ("true", "false"):
        return word.lower() == "true"
    raise exc.format_error(f"String '{text}' was not recognized as a valid Boolean.")


def try_parse_bool(value: object) -> tuple[bool, bool]:
    try:
        return True, parse_bool(value)
    except exc.ExpressionRuntimeError:
        return False, False
