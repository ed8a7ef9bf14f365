"""Registers `System.Decimal` (statics, constructor, `decimal` as a type) and its overloads in
`System.Math` (`Round`, `Abs`, `Max`, ...) and `System.Convert` (`ToDecimal`, `ToInt32(decimal)`,
...). The overloads wrap the double/integer members `bcl` registered: a decimal argument takes
the decimal path, anything else the original one, and the static type follows the argument.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from . import bcl  # noqa: F401  (registers Math and Convert, whose members are wrapped here)
from . import decimals as dec
from . import exceptions as exc
from .static import BOOL, DECIMAL, DOUBLE, INT, LONG, SType, array_of
from .strings import to_string
from .typenames import IMPLEMENTED, StaticMember, TypeInfo, register
from .types import CsChar, CsTypeRef

_DEC = dec.CsDecimal

_INTEGRAL = {  # decimal.ToX / Convert.ToX(decimal): range and the name messages give
    name.removeprefix("System."): limits
    for name, limits in dec.INTEGRAL_RANGES.items()
    if name != "System.Char"
}
_INTEGRAL_STYPE = {"Int64": LONG, "UInt32": LONG, "UInt64": LONG}


def _to_integral(kind: str) -> Callable[[object], int]:
    low, high, name = _INTEGRAL[kind]

    def convert(value: object) -> int:
        return dec.to_integral(dec.coerce(value), low, high, name)

    return convert


def _binary(fn: Callable[[dec.CsDecimal, dec.CsDecimal], dec.CsDecimal]) -> Callable[..., object]:
    def apply(a: object, b: object) -> dec.CsDecimal:
        return fn(dec.coerce(a), dec.coerce(b))

    return apply


def _compare(a: object, b: object) -> int:
    return dec.compare(dec.coerce(a), dec.coerce(b))


def _equals(a: object, b: object) -> bool:
    return dec.equals(dec.coerce(a), dec.coerce(b))


def _to_double(value: object) -> float:
    return dec.to_double(dec.coerce(value))


def _negate(value: object) -> dec.CsDecimal:
    result = dec.negate(dec.coerce(value))
    assert result is not None
    return result


_CURRENCY_DECIMALS = 4  # an OLE Automation Currency is a long of ten-thousandths
_CURRENCY_UNITS: tuple[int, ...] = (10_000, 1_000, 100, 10, 1)  # per decimal of the value
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


def _from_oa_currency(cy: object) -> dec.CsDecimal:
    """decimal.FromOACurrency: .NET Core drops the trailing zero decimals (12.95 prints
    "12.95", not "12.9500"), except for zero ("0.0000")."""
    if type(cy) is not int:
        raise exc.invalid_cast(cy, "System.Int64")
    coef, scale = cy, _CURRENCY_DECIMALS
    while coef and scale and coef % 10 == 0:
        coef, scale = coef // 10, scale - 1
    return dec.CsDecimal(coef, scale)


def _to_oa_currency(value: object) -> int:
    """decimal.ToOACurrency: rounded half to even to four decimals, in ten-thousandths;
    OverflowException beyond a long."""
    rounded = dec.round_to(dec.coerce(value), _CURRENCY_DECIMALS, "ToEven")
    cy = rounded.coef * _CURRENCY_UNITS[rounded.scale]
    if not _LONG_MIN <= cy <= _LONG_MAX:
        raise exc.ExpressionRuntimeError(
            "OverflowException", "Value was either too large or too small for a Currency."
        )
    return cy


def _method(fn: Callable[..., object], result: SType, outs: int = 0) -> StaticMember:
    return StaticMember(fn, result, outs=outs)


def _value(value: object) -> StaticMember:
    return StaticMember(value, DECIMAL, is_method=False)


_STATICS: dict[str, StaticMember] = {
    "MaxValue": _value(dec.MAX_VALUE),
    "MinValue": _value(dec.MIN_VALUE),
    "One": _value(dec.ONE),
    "Zero": _value(dec.ZERO),
    "MinusOne": _value(dec.MINUS_ONE),
    "Parse": _method(dec.parse, DECIMAL),
    "TryParse": _method(dec.try_parse, BOOL, outs=1),
    "Round": _method(dec.round_, DECIMAL),
    "Truncate": _method(dec.truncate, DECIMAL),
    "Floor": _method(dec.floor, DECIMAL),
    "Ceiling": _method(dec.ceiling, DECIMAL),
    "Add": _method(_binary(dec.add), DECIMAL),
    "Subtract": _method(_binary(dec.subtract), DECIMAL),
    "Multiply": _method(_binary(dec.multiply), DECIMAL),
    "Divide": _method(_binary(dec.divide), DECIMAL),
    "Remainder": _method(_binary(dec.remainder), DECIMAL),
    "Negate": _method(_negate, DECIMAL),
    "Compare": _method(_compare, INT),
    "Equals": _method(_equals, BOOL),
    "GetBits": _method(dec.get_bits, array_of(INT)),
    "FromOACurrency": _method(_from_oa_currency, DECIMAL),
    "ToOACurrency": _method(_to_oa_currency, LONG),
    "ToDouble": _method(_to_double, DOUBLE),
    **{
        f"To{kind}": _method(_to_integral(kind), _INTEGRAL_STYPE.get(kind, INT))
        for kind in _INTEGRAL
    },
}


# --- System.Math and System.Convert overloads ----------------------------------------------------


def _any_decimal(args: tuple[object, ...]) -> bool:
    return any(type(arg) is _DEC for arg in args)


def _overload(original: StaticMember, decimal_fn: Callable[..., object]) -> StaticMember:
    """`original` for other arguments, `decimal_fn` when an argument is a decimal; the static
    type is decimal when the first argument is."""
    fallback = original.value
    assert callable(fallback)

    @wraps(fallback)  # its signature: the arguments .NET's overloads take (`arity`)
    def call(*args: object, **arg_types: tuple[str, ...]) -> object:
        return decimal_fn(*args) if _any_decimal(args) else fallback(*args, **arg_types)

    def typer(types: tuple[SType, ...]) -> SType:
        if any(t is DECIMAL for t in types):
            return DECIMAL
        return original.typer(types) if original.typer is not None else original.result

    return StaticMember(
        call, original.result, outs=original.outs, typer=typer, arg_types=original.arg_types
    )


def _with_overloads(name: str, overloads: dict[str, Callable[..., object]]) -> TypeInfo:
    info = IMPLEMENTED[name]
    statics = dict(info.statics)
    for member, fn in overloads.items():
        statics[member] = _overload(statics[member], fn)
    return TypeInfo(info.full_name, info.stype, info.ref, statics, info.ctor)


def _math_clamp(value: object, low: object, high: object) -> dec.CsDecimal:
    x, lo, hi = dec.coerce(value), dec.coerce(low), dec.coerce(high)
    if dec.compare(lo, hi) > 0:
        raise exc.ExpressionRuntimeError(
            "ArgumentException",
            f"'{lo.ToString()}' cannot be greater than {hi.ToString()}.",
        )
    return lo if dec.compare(x, lo) < 0 else hi if dec.compare(x, hi) > 0 else x


_MATH_OVERLOADS: dict[str, Callable[..., object]] = {
    "Abs": dec.abs_,
    "Max": dec.max_,
    "Min": dec.min_,
    "Clamp": _math_clamp,
    "Sign": dec.sign,
    "Round": dec.round_,
    "Floor": dec.floor,
    "Ceiling": dec.ceiling,
    "Truncate": dec.truncate,
}


def _convert_integral(kind: str) -> Callable[..., int]:
    """Convert.ToInt32(decimal): rounded half to even first, unlike a cast."""
    low, high, name = _INTEGRAL[kind]

    def convert(value: object, *rest: object) -> int:
        rounded = dec.round_to(dec.coerce(value), 0, "ToEven")
        return dec.to_integral(rounded, low, high, name)

    return convert


def _convert_char(value: object) -> CsChar:
    raise exc.ExpressionRuntimeError(
        "InvalidCastException", "Invalid cast from 'Decimal' to 'Char'."
    )


_CONVERT_OVERLOADS: dict[str, Callable[..., object]] = {
    **{f"To{kind}": _convert_integral(kind) for kind in _INTEGRAL},
    "ToDouble": _to_double,
    "ToBoolean": lambda value: dec.coerce(value).coef != 0,
    "ToChar": _convert_char,
    "ToString": lambda value, *rest: to_string(value),
}
_CONVERT = _with_overloads("System.Convert", _CONVERT_OVERLOADS)
_CONVERT.statics["ToDecimal"] = _method(dec.to_decimal, DECIMAL)

register(
    TypeInfo(
        "System.Decimal",
        DECIMAL,
        CsTypeRef("System.Decimal", (_DEC,), dec.ZERO, is_value_type=True),
        _STATICS,
        dec.new,
    ),
    _with_overloads("System.Math", _MATH_OVERLOADS),
    _CONVERT,
)
