"""Registers `System.Single` (statics, `float` as a type) and its overloads in `System.Math`
(`Abs`, `Max`, `Min`, `Clamp`, `Sign` keep float; the others take the float as a double) and
`System.Convert` (`ToSingle`, `ToDecimal(float)`, `ToInt32(float)`, ...), wrapping the members
`bcl` and `decimalreg` registered.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps

from . import (
    decimalreg,  # noqa: F401  (registers the decimal overloads wrapped here)
    decimals,
    numbers,
)
from . import exceptions as exc
from . import singles as sg
from .static import BOOL, DOUBLE, SINGLE, SType
from .typenames import IMPLEMENTED, StaticMember, TypeInfo, register
from .types import CsChar, CsTypeRef

_FLOAT = sg.CsSingle


def _predicate(test: Callable[[float], bool]) -> StaticMember:
    def check(value: object) -> bool:
        return test(sg.coerce(value).value)

    return StaticMember(check, BOOL)


def _value(value: float) -> StaticMember:
    return StaticMember(_FLOAT(value), SINGLE, is_method=False)


_STATICS: dict[str, StaticMember] = {
    "MaxValue": _value(sg.MAX_VALUE),
    "MinValue": _value(-sg.MAX_VALUE),
    "Epsilon": _value(sg.EPSILON),
    "NaN": _value(math.nan),
    "PositiveInfinity": _value(math.inf),
    "NegativeInfinity": _value(-math.inf),
    "Parse": StaticMember(sg.parse, SINGLE),
    "TryParse": StaticMember(sg.try_parse, BOOL, outs=1),
    "IsNaN": _predicate(math.isnan),
    "IsInfinity": _predicate(math.isinf),
    "IsPositiveInfinity": _predicate(lambda x: x == math.inf),
    "IsNegativeInfinity": _predicate(lambda x: x == -math.inf),
    "IsFinite": _predicate(math.isfinite),
    "IsNegative": _predicate(lambda x: math.copysign(1.0, x) < 0),
    "IsNormal": _predicate(lambda x: math.isfinite(x) and abs(x) >= 1.1754943508222875e-38),
    "IsSubnormal": _predicate(lambda x: 0 < abs(x) < 1.1754943508222875e-38),
}


# --- System.Math and System.Convert overloads ----------------------------------------------------


def _widened(args: tuple[object, ...]) -> tuple[object, ...]:
    return tuple(arg.value if type(arg) is _FLOAT else arg for arg in args)


def _keeps_float(fn: Callable[..., object]) -> Callable[..., object]:
    """A Math overload with float parameters: float arguments give a float (a double among
    them: the double overload)."""

    def call(*args: object) -> object:
        result = fn(*_widened(args))
        if any(type(arg) is float for arg in args) or type(result) is not float:
            return result
        return sg.single(result)

    return call


def _overload(
    original: StaticMember, float_fn: Callable[..., object] | None, keeps: bool = False
) -> StaticMember:
    """A float argument takes `float_fn`, or widens to double for `original` (None); `keeps`:
    the float overload returns a float."""
    fallback = original.value
    assert callable(fallback)
    chosen = float_fn or (lambda *args: fallback(*_widened(args)))

    @wraps(fallback)  # its signature: the arguments .NET's overloads take (`arity`)
    def call(*args: object, **arg_types: tuple[str, ...]) -> object:
        if any(type(arg) is _FLOAT for arg in args):
            return chosen(*args)
        return fallback(*args, **arg_types)

    def typer(types: tuple[SType, ...]) -> SType:
        if SINGLE in types and keeps and DOUBLE not in types:
            return SINGLE
        if SINGLE in types:
            widened = tuple(DOUBLE if t is SINGLE else t for t in types)
            return original.typer(widened) if original.typer is not None else original.result
        return original.typer(types) if original.typer is not None else original.result

    return StaticMember(
        call, original.result, outs=original.outs, typer=typer, arg_types=original.arg_types
    )


_FLOAT_MATH: dict[str, Callable[..., object]] = {
    "Abs": _keeps_float(numbers.math_abs),
    "Max": _keeps_float(numbers.math_max),
    "Min": _keeps_float(numbers.math_min),
    "Clamp": _keeps_float(numbers.math_clamp),
}


def _math() -> TypeInfo:
    info = IMPLEMENTED["System.Math"]
    statics = {
        name: _overload(member, _FLOAT_MATH.get(name), name in _FLOAT_MATH)
        if member.is_method
        else member
        for name, member in info.statics.items()
    }
    return TypeInfo(info.full_name, info.stype, info.ref, statics, info.ctor)


def _no_char(value: object) -> CsChar:
    raise exc.ExpressionRuntimeError(
        "InvalidCastException", "Invalid cast from 'Single' to 'Char'."
    )


def _convert() -> TypeInfo:
    info = IMPLEMENTED["System.Convert"]
    special: dict[str, Callable[..., object]] = {
        "ToString": lambda value, *rest: value.ToString(),
        "ToDecimal": lambda value, *rest: sg.to_decimal(sg.coerce(value)),
        "ToChar": _no_char,
    }
    statics = {
        name: _overload(member, special.get(name)) if member.is_method else member
        for name, member in info.statics.items()
    }
    statics["ToSingle"] = StaticMember(sg.to_single, SINGLE)
    return TypeInfo(info.full_name, info.stype, info.ref, statics, info.ctor)


def _decimal_to_single(value: object) -> sg.CsSingle:
    return sg.from_decimal(decimals.coerce(value))


def _decimal() -> TypeInfo:
    """decimal.ToSingle lives here: it needs both types."""
    info = IMPLEMENTED["System.Decimal"]
    statics = {**info.statics, "ToSingle": StaticMember(_decimal_to_single, SINGLE)}
    return TypeInfo(info.full_name, info.stype, info.ref, statics, info.ctor)


register(
    _decimal(),
    TypeInfo(
        "System.Single",
        SINGLE,
        CsTypeRef("System.Single", (_FLOAT,), sg.ZERO, is_value_type=True),
        _STATICS,
    ),
    _math(),
    _convert(),
)
