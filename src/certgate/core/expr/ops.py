"""C# operators on runtime values.

The translator emits plain Python operators when static types make them exact (str == str is
ordinal in both languages; int arithmetic wrapped by `wrap32`). These helpers cover the rest:
integer division/remainder (C# truncates toward zero), double division by zero (no exception in
C#), `+` as string concatenation, and the dynamic forms used when a type is only known at run time.
Lifted semantics: arithmetic with a null operand gives null; ordering comparisons give false.
"""

from __future__ import annotations

import math

from . import decimals, singles, utf16
from . import exceptions as exc
from .budget import check_length
from .collections import value_equals
from .strings import to_string
from .types import CsChar, CsObject, CsValue

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def wrap32(value: int) -> int:
    """Unchecked int32 overflow: keep the low 32 bits, two's complement."""
    return ((value + 0x80000000) & 0xFFFFFFFF) - 0x80000000


def wrap64(value: int) -> int:
    return ((value + 0x8000000000000000) & 0xFFFFFFFFFFFFFFFF) - 0x8000000000000000


def wrap_u32(value: int) -> int:
    """Unchecked uint overflow: the low 32 bits."""
    return value & 0xFFFFFFFF


def wrap_u64(value: int) -> int:
    return value & 0xFFFFFFFFFFFFFFFF


def unsigned_div(a: int, b: int) -> int:
    """uint/ulong `/`: operands are never negative, so nothing overflows."""
    if b == 0:
        raise exc.divide_by_zero()
    return a // b


def unsigned_mod(a: int, b: int) -> int:
    if b == 0:
        raise exc.divide_by_zero()
    return a % b


def concat(a: object, b: object) -> str:
    """`a + b` on strings; two halves of a pair meeting make the canonical character."""
    left, right = to_string(a), to_string(b)
    return utf16.text(left + right) if utf16.meet(left, right) else left + right


def concat_capped(a: object, b: object) -> str:
    """`concat` in budgeted expressions: there `s = s + s` can repeat, so the length is capped
    before the copy (elsewhere an expression's size bounds what its `+`s can build)."""
    left, right = to_string(a), to_string(b)
    check_length(len(left) + len(right))
    return utf16.text(left + right) if utf16.meet(left, right) else left + right


def int_div(a: int, b: int, wrap: bool = True) -> int:
    if b == 0:
        raise exc.divide_by_zero()
    quotient = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        quotient = -quotient
    if quotient > (_INT32_MAX if wrap else _INT64_MAX):  # MinValue / -1
        raise exc.overflow()
    return quotient


def int_mod(a: int, b: int, wrap: bool = True) -> int:
    if b == 0:
        raise exc.divide_by_zero()
    if b == -1 and a == (_INT32_MIN if wrap else _INT64_MIN):
        raise exc.overflow()
    return a - b * int_div(a, b, wrap)


def float_div(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def float_mod(a: float, b: float) -> float:
    if b == 0 or math.isinf(a):
        return math.nan
    return math.fmod(a, b)


# --- dynamic forms (operand types known only at run time) -----------------------------------------


def _number(value: object) -> int | float:
    kind = type(value)
    if kind is int or kind is float:
        return value  # type: ignore[return-value]
    if kind is CsChar:
        return ord(value.value)  # type: ignore[attr-defined]
    raise exc.invalid_cast(value, "System.Double")


def _is_int32(value: int) -> bool:
    return _INT32_MIN <= value <= _INT32_MAX


def value_arith(op: str, a: object, b: object) -> object:
    """`a op b` where `a` is a CsValue (DateTime - TimeSpan, ...); lifted: null gives null."""
    if a is None or b is None:
        return None
    if not isinstance(a, CsValue) or type(a).operator_result(op, type(b)) is None:
        raise exc.ExpressionRuntimeError(
            "InvalidOperationException",
            f"Operator '{op}' cannot be applied to operands of type '{exc.clr_name(a)}' and "
            f"'{exc.clr_name(b)}'",
        )
    return a.cs_binary(op, b)


def arith(op: str, a: object, b: object) -> object:
    """`a op b` for + - * / % when the operand types were not known at load time."""
    if op == "+" and hasattr(type(a), "cs_add"):  # `ns + "local"`: XNamespace's operator
        return a.cs_add(b)  # type: ignore[attr-defined]
    if op == "+" and (type(a) is str or type(b) is str):
        return concat_capped(a, b)  # untyped `acc + acc` may sit in an `Aggregate`
    if a is None or b is None:
        return None
    if type(a) is decimals.CsDecimal or type(b) is decimals.CsDecimal:
        return decimals.arith(op, a, b)
    if type(a) is singles.CsSingle or type(b) is singles.CsSingle:
        return singles.arith(op, a, b)
    if isinstance(a, CsValue):
        return value_arith(op, a, b)
    x, y = _number(a), _number(b)
    if type(x) is int and type(y) is int:
        # int32 unless a value needs 64 bits (a boxed long is indistinguishable here)
        narrow = _is_int32(x) and _is_int32(y)
        if op == "/":
            return int_div(x, y, narrow)
        if op == "%":
            return int_mod(x, y, narrow)
        result = x + y if op == "+" else x - y if op == "-" else x * y
        return wrap32(result) if narrow else wrap64(result)
    fx, fy = float(x), float(y)
    if op == "/":
        return float_div(fx, fy)
    if op == "%":
        return float_mod(fx, fy)
    return fx + fy if op == "+" else fx - fy if op == "-" else fx * fy


def negate(a: object) -> object:
    if a is None:
        return None
    if type(a) is decimals.CsDecimal:
        return decimals.negate(a)
    if type(a) is singles.CsSingle:
        return singles.negate(a)
    x = _number(a)
    if isinstance(x, float):
        return -x
    return wrap32(-x) if _is_int32(x) else wrap64(-x)


def compare(op: str, a: object, b: object) -> bool:
    """`<`, `<=`, `>`, `>=`; lifted: false when either side is null."""
    if a is None or b is None:
        return False
    if type(a) is decimals.CsDecimal or type(b) is decimals.CsDecimal:
        return decimals.compare_op(op, a, b)
    if type(a) is singles.CsSingle or type(b) is singles.CsSingle:
        return singles.compare_op(op, a, b)
    x: int | float
    y: int | float
    if isinstance(a, CsValue) and isinstance(b, CsValue) and type(a) is type(b):
        x, y = a.value_key(), b.value_key()
    else:
        x, y = _number(a), _number(b)
    if op == "<":
        return x < y
    if op == "<=":
        return x <= y
    if op == ">":
        return x > y
    return x >= y


def equals(a: object, b: object) -> bool:
    """`==` when an operand's type is unknown: value equality for primitives and numbers,
    reference equality for objects, but for a class that defines `==` as its Equals (Uri:
    `CS_EQUALITY_OPERATOR`)."""
    ta = type(a)
    if ta is str and type(b) is str:  # the common case: thumbprints, header values
        return a == b
    if a is b:
        return True
    if a is None or b is None:
        return False
    tb = type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a == b
    if ta is decimals.CsDecimal or tb is decimals.CsDecimal:  # a decimal equals an integer
        exact = (int, decimals.CsDecimal)
        return ta in exact and tb in exact and decimals.equals(a, b)
    if ta is singles.CsSingle or tb is singles.CsSingle:  # a float equals a number
        numeric = (int, float, singles.CsSingle)
        return ta in numeric and tb in numeric and singles.equals(a, b)
    if isinstance(a, CsValue) and isinstance(b, CsValue) and type(a) is type(b):
        return a.value_key() == b.value_key()
    if ta is tb and getattr(ta, "CS_EQUALITY_OPERATOR", False):  # Uri's `==` is Equals
        return bool(a.Equals(b))  # type: ignore[attr-defined]
    if isinstance(a, CsObject) or isinstance(b, CsObject):
        # `name == "a"`: a string converts implicitly to XName / XNamespace (interned)
        if ta is str and hasattr(tb, "cs_implicit"):
            return b is tb.cs_implicit(a)
        if tb is str and hasattr(ta, "cs_implicit"):
            return a is ta.cs_implicit(b)
        return False
    return value_equals(a, b)


def not_equals(a: object, b: object) -> bool:
    return not equals(a, b)


def concat_all(*parts: object) -> str:
    """Interpolated strings: each hole converted as `ToString()` would."""
    return utf16.text("".join(to_string(part) for part in parts))


def concat_all_capped(*parts: object) -> str:
    texts = [to_string(part) for part in parts]
    check_length(sum(map(len, texts)))
    return utf16.text("".join(texts))


def to_double(value: object) -> float:
    return float(_number(value))


def convert(value: object, target: str) -> object:
    """Explicit numeric/char conversion `(int)x` (unchecked, like C# outside `checked`)."""
    if value is None:
        raise exc.no_value()
    if type(value) is singles.CsSingle or target == "System.Single":
        if target in ("System.Single", "System.Decimal", "System.Double"):
            return singles.cast(value, target)
        value = singles.as_double(value)  # (int)f: the double's conversion
    if type(value) is decimals.CsDecimal or target == "System.Decimal":
        return decimals.cast(value, target)
    number = _number(value)
    if target == "System.Double":
        return float(number)
    if isinstance(number, float):
        if math.isnan(number) or math.isinf(number):
            return _INT32_MIN if target == "System.Int32" else _INT64_MIN
        number = int(number)  # truncates toward zero
        if target == "System.Int32" and not _is_int32(number):
            return _INT32_MIN  # what x64 .NET yields for out-of-range doubles
        if target == "System.Int64" and not -(2**63) <= number < 2**63:
            return _INT64_MIN
    if target == "System.Int32":
        return wrap32(number)
    if target == "System.Int64":
        return wrap64(number)
    if target == "System.Char":
        return CsChar(chr(number & 0xFFFF))
    raise exc.invalid_cast(value, target)
