"""`System.Decimal`: .NET's 96-bit integer with a decimal scale of 0 to 28.

A `CsDecimal` holds a signed coefficient and a scale; the value is `coef * 10**-scale`. The scale
is part of the value's text (`1.50m` prints "1.50") but not of its identity (`1.5m == 1.50m`),
so equality, ordering and hashing use `value_key()`, the value scaled to 28 decimals (an exact
int). Results follow .NET's DecCalc: `+ -` keep the larger scale, `*` adds the scales, `/` gives
the smallest scale (not below the dividend's minus the divisor's) that holds the exact quotient,
else as many digits as fit; when a result needs more than 96 bits or 28 decimals, it loses
decimals with one rounding half to even; with none left to lose it is an OverflowException.

Decided differences from .NET: there is no negative zero (.NET keeps a sign on `-0.0m`, which
prints "0.0" and is only visible through `(double)-0.0m`, "-0"); `Parse` keeps at most 40
decimals of a long fraction before rounding (the result is the same).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import ClassVar

from . import exceptions as exc
from .arrays import CsArray
from .customformat import format_custom
from .numbers import standard_precision
from .strings import CsEnum, general_text
from .types import CsChar, CsValue

MAX_COEF = 2**96 - 1
MAX_SCALE = 28
_POW10: tuple[int, ...] = tuple(10**i for i in range(80))


def overflow() -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError(
        "OverflowException", "Value was either too large or too small for a Decimal."
    )


def _round_div(n: int, d: int) -> int:
    """n / d (d > 0) rounded half to even."""
    q, r = divmod(abs(n), d)
    if 2 * r > d or (2 * r == d and q & 1):
        q += 1
    return q if n >= 0 else -q


class CsDecimal(CsValue):
    __slots__ = ("coef", "scale")
    CS_TYPE = "System.Decimal"
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset(
        {"ToString", "CompareTo", "Equals", "GetHashCode", "Scale"}
    )

    def __init__(self, coef: int, scale: int = 0) -> None:
        self.coef = coef
        self.scale = scale

    # --- identity -------------------------------------------------------------------------------

    def value_key(self) -> int:
        return self.coef * _POW10[MAX_SCALE - self.scale]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CsDecimal) and other.value_key() == self.value_key()

    def __hash__(self) -> int:
        return hash(self.value_key())

    def __lt__(self, other: CsDecimal) -> bool:  # sorting (OrderBy, Max)
        return self.value_key() < other.value_key()

    def __float__(self) -> float:  # Json.NET compares Float tokens as doubles
        return to_double(self)

    def exact(self) -> Decimal:
        """The value as a Python Decimal with the same digits and exponent."""
        digits = tuple(map(int, str(abs(self.coef))))
        return Decimal((int(self.coef < 0), digits, -self.scale))

    # --- C# members -----------------------------------------------------------------------------

    def ToString(self, format: object = None, provider: object = None) -> str:
        if format is None or format == "":
            return _plain(self)
        if type(format) is not str:
            raise exc.invalid_cast(format, "System.String")
        return format_decimal(self, format)

    def CompareTo(self, other: object) -> int:
        if other is None:
            return 1
        if not isinstance(other, CsDecimal):
            raise exc.ExpressionRuntimeError("ArgumentException", "Object must be of type Decimal.")
        return compare(self, other)

    def Equals(self, other: object) -> bool:
        return isinstance(other, CsDecimal) and other.value_key() == self.value_key()

    def GetHashCode(self) -> int:
        # .NET hashes the double nearest the value; a stable 32-bit hash of the value will do
        return hash(self.value_key()) & 0x7FFFFFFF

    @property
    def Scale(self) -> int:
        return self.scale


ZERO = CsDecimal(0)
ONE = CsDecimal(1)
MINUS_ONE = CsDecimal(-1)
MAX_VALUE = CsDecimal(MAX_COEF)
MIN_VALUE = CsDecimal(-MAX_COEF)


def fit(coef: int, scale: int) -> CsDecimal:
    """The exact value `coef * 10**-scale` as .NET stores it: the fewest decimals dropped (one
    rounding, half to even) to fit 96 bits and 28 decimals; OverflowException if none will do."""
    if scale < 0:
        coef, scale = coef * 10**-scale, 0
    if scale - MAX_SCALE > len(str(abs(coef))):  # too small for 28 decimals: zero
        return CsDecimal(0, MAX_SCALE)
    target = min(scale, MAX_SCALE)
    while True:
        rounded = _round_div(coef, 10 ** (scale - target)) if target < scale else coef
        if abs(rounded) <= MAX_COEF:
            return CsDecimal(rounded, target)
        if target == 0:
            raise overflow()
        target -= 1


# --- conversions ---------------------------------------------------------------------------------


def from_int(value: int) -> CsDecimal:
    if abs(value) > MAX_COEF:
        raise overflow()
    return CsDecimal(value)


def from_double(value: float) -> CsDecimal:
    """.NET's VarDecFromR8: the double rounded to 15 significant digits (0.1 -> 0.1), trailing
    zeros dropped, as `(decimal)x`, `new decimal(x)` and `Convert.ToDecimal(x)` do."""
    if math.isnan(value) or math.isinf(value):
        raise overflow()
    if value == 0:
        return ZERO
    exp = math.frexp(value)[1]  # the biased exponent minus 1022
    if exp < -94:
        return ZERO
    if exp > 96:
        raise overflow()
    negative, dbl = value < 0, abs(value)
    power = 14 - ((exp * 19728) >> 16)
    if power >= 0:
        power = min(power, MAX_SCALE)
        dbl *= float(_POW10[power])
    elif power != -1 or dbl >= 1e15:
        dbl /= float(_POW10[-power])
    else:
        power = 0
    if dbl < 1e14 and power < MAX_SCALE:
        dbl *= 10
        power += 1
    mant = round(dbl)  # half to even, as Math.Round
    if mant == 0:
        return ZERO
    if power < 0:
        coef, scale = mant * _POW10[-power], 0
        if coef > MAX_COEF:
            raise overflow()
    else:
        drop = 0
        while drop < min(power, 14) and mant % _POW10[drop + 1] == 0:
            drop += 1
        coef, scale = mant // _POW10[drop], power - drop
    return CsDecimal(-coef if negative else coef, scale)


def to_double(value: CsDecimal) -> float:
    """.NET's VarR8FromDec: (low 64 bits + high 32 bits * 2^64) / 10^scale, in doubles."""
    magnitude = abs(value.coef)
    low, high = magnitude & 0xFFFFFFFFFFFFFFFF, magnitude >> 64
    result = (float(low) + float(high) * 1.8446744073709552e19) / float(_POW10[value.scale])
    return -result if value.coef < 0 else result


def truncated(value: CsDecimal) -> int:
    """The integral part (toward zero)."""
    magnitude = abs(value.coef) // _POW10[value.scale]
    return -magnitude if value.coef < 0 else magnitude


def to_integral(value: CsDecimal, low: int, high: int, name: str) -> int:
    """`(int)d` and decimal.ToInt32: truncated, OverflowException out of range (always
    checked: decimal conversions do not wrap)."""
    number = truncated(value)
    if not low <= number <= high:
        raise exc.ExpressionRuntimeError(
            "OverflowException", f"Value was either too large or too small for {name}."
        )
    return number


def coerce(value: object) -> CsDecimal:
    """An operand as a decimal: C#'s implicit conversions (integral types and char)."""
    if isinstance(value, CsDecimal):
        return value
    if type(value) is int:
        return from_int(value)
    if type(value) is CsChar:
        return CsDecimal(ord(value.value))
    if value is None:
        raise exc.no_value()
    raise exc.invalid_cast(value, "System.Decimal")


def explicit(value: object) -> CsDecimal:
    """`(decimal)x`: the implicit conversions plus double (VarDecFromR8)."""
    if type(value) is float:
        return from_double(value)
    return coerce(value)


INTEGRAL_RANGES = {  # (decimal -> T) range and the name .NET's OverflowException message gives
    "System.Int32": (-(2**31), 2**31 - 1, "an Int32"),
    "System.Int64": (-(2**63), 2**63 - 1, "an Int64"),
    "System.Int16": (-(2**15), 2**15 - 1, "an Int16"),
    "System.Byte": (0, 255, "an unsigned byte"),
    "System.SByte": (-128, 127, "a signed byte"),
    "System.UInt16": (0, 2**16 - 1, "a UInt16"),
    "System.UInt32": (0, 2**32 - 1, "a UInt32"),
    "System.UInt64": (0, 2**64 - 1, "a UInt64"),
    "System.Char": (0, 2**16 - 1, "a UInt16"),
}


def cast(value: object, target: str) -> object:
    """Explicit conversions to and from decimal: `(decimal)x`, `(int)d` (truncates, always
    checked), `(double)d`, `(char)d`."""
    if value is None:
        raise exc.no_value()
    if target == "System.Decimal":
        return explicit(value)
    number = coerce(value)
    if target == "System.Double":
        return to_double(number)
    limits = INTEGRAL_RANGES.get(target)
    if limits is None:
        raise exc.invalid_cast(value, target)
    result = to_integral(number, *limits)
    return CsChar(chr(result)) if target == "System.Char" else result


def decimal_as_number(value: CsDecimal, target: str) -> int | float | CsDecimal:
    """What `Convert.ToX(decimal)` starts from: a double, or the integer nearest (half to
    even) for the integral types; the range check is the converter's."""
    if target == "System.Double":
        return to_double(value)
    if target in INTEGRAL_RANGES:
        return truncated(round_to(value, 0, "ToEven"))
    return value


def to_decimal(value: object, provider: object = None) -> CsDecimal:
    """Convert.ToDecimal: numbers (a double through VarDecFromR8), strings (Parse), bools; a null
    string or object is 0."""
    if value is None:
        return ZERO
    if type(value) is bool:
        return ONE if value else ZERO
    if type(value) is str:
        return parse(value)
    if type(value) is CsChar:
        raise exc.ExpressionRuntimeError(
            "InvalidCastException", "Invalid cast from 'Char' to 'Decimal'."
        )
    return explicit(value)


# --- arithmetic ----------------------------------------------------------------------------------


def add(a: CsDecimal, b: CsDecimal, sign: int = 1) -> CsDecimal:
    scale = max(a.scale, b.scale)
    coef = a.coef * _POW10[scale - a.scale] + sign * b.coef * _POW10[scale - b.scale]
    return fit(coef, scale)


def multiply(a: CsDecimal, b: CsDecimal) -> CsDecimal:
    return fit(a.coef * b.coef, a.scale + b.scale)


def divide(a: CsDecimal, b: CsDecimal) -> CsDecimal:
    if b.coef == 0:
        raise exc.divide_by_zero()
    start = a.scale - b.scale  # the quotient's scale before any extra digit
    num, den = abs(a.coef), abs(b.coef)
    negative = (a.coef < 0) != (b.coef < 0)
    for scale in range(max(start, 0), MAX_SCALE + 1):  # exact: the smallest scale that holds it
        q, r = divmod(num * _POW10[scale - start], den)
        if r == 0 and q <= MAX_COEF:
            return CsDecimal(-q if negative else q, scale)
        if q > MAX_COEF:
            break
    for scale in range(MAX_SCALE, -1, -1):  # inexact: as many digits as fit
        if scale >= start:
            q = _round_div(num * _POW10[scale - start], den)
        else:
            q = _round_div(num, den * _POW10[start - scale])
        if q <= MAX_COEF:  # a quotient too small for 28 decimals is a plain 0
            return CsDecimal(-q if negative else q, scale if q else 0)
    raise overflow()


def remainder(a: CsDecimal, b: CsDecimal) -> CsDecimal:
    """Sign of the dividend, scale of the finer operand (.NET Core 3.0+'s VarDecMod)."""
    if b.coef == 0:
        raise exc.divide_by_zero()
    scale = max(a.scale, b.scale)
    x, y = a.coef * _POW10[scale - a.scale], abs(b.coef) * _POW10[scale - b.scale]
    rest = abs(x) % y
    return CsDecimal(-rest if x < 0 else rest, scale)


def sum_all(values: list[object]) -> CsDecimal:
    """Enumerable.Sum over decimals (integers among them convert)."""
    total = ZERO
    for value in values:
        total = add(total, coerce(value))
    return total


def negate(value: object) -> CsDecimal | None:
    if value is None:
        return None
    number = coerce(value)
    return CsDecimal(-number.coef, number.scale)


def compare(a: CsDecimal, b: CsDecimal) -> int:
    x, y = a.value_key(), b.value_key()
    return (x > y) - (x < y)


def subtract(a: CsDecimal, b: CsDecimal) -> CsDecimal:
    return add(a, b, -1)


_OPERATORS: dict[str, Callable[[CsDecimal, CsDecimal], CsDecimal]] = {
    "+": add,
    "-": subtract,
    "*": multiply,
    "/": divide,
    "%": remainder,
}


def arith(op: str, a: object, b: object) -> CsDecimal | None:
    """`a op b` with a decimal operand (the other one integral or char); lifted: null -> null."""
    if a is None or b is None:
        return None
    if type(a) is float or type(b) is float:  # reached only from untyped code
        raise exc.ExpressionRuntimeError(
            "InvalidOperationException",
            f"Operator '{op}' cannot be applied to operands of type '{exc.clr_name(a)}' and "
            f"'{exc.clr_name(b)}'",
        )
    return _OPERATORS[op](coerce(a), coerce(b))


def equals(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is b
    return coerce(a).value_key() == coerce(b).value_key()


def not_equals(a: object, b: object) -> bool:
    return not equals(a, b)


def compare_op(op: str, a: object, b: object) -> bool:
    """`<`, `<=`, `>`, `>=` with a decimal operand; lifted: false when a side is null."""
    if a is None or b is None:
        return False
    order = compare(coerce(a), coerce(b))
    return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[op]


# --- rounding ------------------------------------------------------------------------------------

_MODES = ("ToEven", "AwayFromZero", "ToZero", "ToNegativeInfinity", "ToPositiveInfinity")


def _rounded(n: int, d: int, mode: str) -> int:
    """n / d (d > 0) rounded to an integer with a MidpointRounding mode."""
    q, r = divmod(abs(n), d)
    negative = n < 0
    if r:
        if mode == "ToEven":
            q += 2 * r > d or (2 * r == d and q & 1)
        elif mode == "AwayFromZero":
            q += 2 * r >= d
        elif mode == "ToNegativeInfinity":
            q += negative
        elif mode == "ToPositiveInfinity":
            q += not negative
    return -q if negative else q


def round_to(value: CsDecimal, decimals: int, mode: str) -> CsDecimal:
    if value.scale <= decimals:
        return value
    coef = _rounded(value.coef, _POW10[value.scale - decimals], mode)
    return CsDecimal(coef, decimals)


def _mode(mode: object) -> str:
    name = mode.ToString() if isinstance(mode, CsEnum) else None
    if name not in _MODES:
        raise exc.ExpressionRuntimeError(
            "ArgumentException",
            f"The value '{exc.clr_name(mode) if name is None else name}' is not valid for this "
            "usage of the type MidpointRounding. (Parameter 'mode')",
        )
    return name


def round_(value: object, *args: object) -> CsDecimal:
    """decimal.Round / Math.Round: (d), (d, decimals), (d, mode), (d, decimals, mode)."""
    number = coerce(value)
    decimals, mode = 0, "ToEven"
    for arg in args:
        if isinstance(arg, CsEnum):
            mode = _mode(arg)
        elif type(arg) is int:
            decimals = arg
        else:
            raise exc.invalid_cast(arg, "System.Int32")
    if not 0 <= decimals <= MAX_SCALE:
        raise exc.ExpressionRuntimeError(
            "ArgumentOutOfRangeException",
            "Decimal can only round to between 0 and 28 digits of precision. "
            "(Parameter 'decimals')",
        )
    return round_to(number, decimals, mode)


def truncate(value: object) -> CsDecimal:
    return round_to(coerce(value), 0, "ToZero")


def floor(value: object) -> CsDecimal:
    return round_to(coerce(value), 0, "ToNegativeInfinity")


def ceiling(value: object) -> CsDecimal:
    return round_to(coerce(value), 0, "ToPositiveInfinity")


def sign(value: object) -> int:
    coef = coerce(value).coef
    return (coef > 0) - (coef < 0)


def abs_(value: object) -> CsDecimal:
    number = coerce(value)
    return CsDecimal(abs(number.coef), number.scale)


def max_(a: object, b: object) -> CsDecimal:
    x, y = coerce(a), coerce(b)
    return y if compare(x, y) < 0 else x  # equal values: the first


def min_(a: object, b: object) -> CsDecimal:
    x, y = coerce(a), coerce(b)
    return x if compare(x, y) < 0 else y  # equal values: the second (its scale shows)


# --- text ----------------------------------------------------------------------------------------

_WHITE = "\t\n\v\f\r "
_NUMBER = re.compile(r"([+-]?)([0-9][0-9,]*)?(?:\.([0-9]*))?([+-]?)\Z")
_KEPT_DECIMALS = 40  # enough for one correct rounding to 28 decimals


def parse(text: object) -> CsDecimal:
    """decimal.Parse(s): NumberStyles.Number in the invariant culture (signs before or after,
    thousands separators, a point; no exponent)."""
    if text is None:
        raise exc.argument_null("s")
    if type(text) is not str:
        raise exc.invalid_cast(text, "System.String")
    match = _NUMBER.match(text.strip(_WHITE))
    lead, whole, frac, trail = match.groups() if match else ("", None, None, "")
    if match is None or (lead and trail) or not ((whole or "") + (frac or "")):
        raise exc.format_error(f"The input string '{text}' was not in a correct format.")
    digits = (whole or "").replace(",", "").lstrip("0")
    if len(digits) > 29:  # MaxValue has 29 digits
        raise overflow()
    frac = frac or ""
    if len(frac) > _KEPT_DECIMALS:  # a sticky digit keeps a tie from looking exact
        frac = frac[:_KEPT_DECIMALS] + ("1" if frac[_KEPT_DECIMALS:].strip("0") else "0")
    coef = int((digits or "0") + frac)
    result = fit(-coef if "-" in (lead, trail) else coef, len(frac))
    return CsDecimal(0, result.scale) if result.coef == 0 else result


def try_parse(text: object) -> tuple[bool, CsDecimal]:
    try:
        return True, parse(text)
    except exc.ExpressionRuntimeError:
        return False, ZERO


def _plain(value: CsDecimal) -> str:
    digits = str(abs(value.coef)).rjust(value.scale + 1, "0")
    if value.scale:
        digits = f"{digits[: -value.scale]}.{digits[-value.scale :]}"
    return ("-" if value.coef < 0 else "") + digits


_STANDARD = re.compile(r"([A-Za-z])(\d{0,9})\Z")


def _half_up(value: Decimal, places: int) -> Decimal:
    """.NET rounds a decimal's digits half away from zero when it formats them."""
    with localcontext() as ctx:
        ctx.prec = places + 40  # a decimal has at most 29 digits before the point
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _grouped(text: str) -> str:
    whole, point, frac = text.partition(".")
    head = len(whole) % 3 or 3
    parts = [whole[:head], *(whole[i : i + 3] for i in range(head, len(whole), 3))]
    return ",".join(parts) + point + frac


def _fixed(value: CsDecimal, places: int, grouped: bool) -> tuple[bool, str]:
    rounded = _half_up(value.exact(), places)
    text = f"{rounded.copy_abs():f}"
    return rounded != 0 and value.coef < 0, _grouped(text) if grouped else text


def _exponent(value: CsDecimal, places: int, letter: str, width: int) -> str:
    if value.coef == 0:
        return ("0." + "0" * places if places else "0") + f"{letter}+{'0' * width}"
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = places + 40, ROUND_HALF_UP
        mantissa, _, exp = f"{value.exact().copy_abs():.{places}E}".partition("E")
    number = int(exp)
    sign = "-" if value.coef < 0 else ""
    return f"{sign}{mantissa}{letter}{'-' if number < 0 else '+'}{abs(number):0{width}}"


def _general(value: CsDecimal, precision: int, letter: str) -> str:
    """`G<n>`: n significant digits (half away from zero), E notation when the exponent is
    below -4 or at least n; trailing zeros dropped."""
    if value.coef == 0:
        return "0"
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = precision, ROUND_HALF_UP
        rounded = +value.exact().copy_abs()
    digits = "".join(map(str, rounded.as_tuple().digits)).rstrip("0") or "0"
    return general_text(value.coef < 0, digits, rounded.adjusted(), precision, letter)


def format_decimal(value: CsDecimal, format: str) -> str:
    """`d.ToString(format)`: the standard formats C, E, F, G, N, P, and custom patterns."""
    with localcontext() as ctx:
        ctx.prec = 100  # Decimal arithmetic on 29 digits stays exact
        return _format(value, format)


def _format(value: CsDecimal, format: str) -> str:
    match = _STANDARD.match(format)
    if match is None:
        return format_custom(value.exact(), format)
    letter, digits = match.group(1), match.group(2)
    precision = standard_precision(letter, digits)
    kind = letter.upper()
    if kind in "FN":
        negative, text = _fixed(value, 2 if precision is None else precision, kind == "N")
        return ("-" if negative else "") + text
    if kind == "C":
        negative, text = _fixed(value, 2 if precision is None else precision, True)
        return f"(¤{text})" if negative else f"¤{text}"
    if kind == "P":
        scaled = CsDecimal(value.coef * 100, value.scale)
        negative, text = _fixed(scaled, 2 if precision is None else precision, True)
        return ("-" if negative else "") + text + " %"
    if kind == "E":
        return _exponent(value, 6 if precision is None else precision, letter, 3)
    if kind == "G":
        if not precision:  # no rounding: every digit, the scale's trailing zeros too
            return _plain(value)
        return _general(value, precision, "E" if letter == "G" else "e")
    raise exc.format_error("Format specifier was invalid.")


# --- construction --------------------------------------------------------------------------------


def get_bits(value: object) -> CsArray:
    """decimal.GetBits: low, middle, high 32 bits, then sign (bit 31) and scale (bits 16-23)."""
    number = coerce(value)
    magnitude = abs(number.coef)
    flags = (number.scale << 16) | (0x80000000 if number.coef < 0 else 0)
    words = [(magnitude >> shift) & 0xFFFFFFFF for shift in (0, 32, 64)] + [flags]
    return CsArray([w - 2**32 if w >= 2**31 else w for w in words])


def _from_parts(lo: object, mid: object, hi: object, negative: object, scale: object) -> CsDecimal:
    words = [w for w in (lo, mid, hi) if type(w) is int]
    if len(words) != 3 or type(negative) is not bool or type(scale) is not int:
        raise exc.invalid_cast(lo, "System.Int32")
    if not 0 <= scale <= MAX_SCALE:
        raise exc.ExpressionRuntimeError(
            "ArgumentOutOfRangeException",
            "Decimal's scale value must be between 0 and 28, inclusive. (Parameter 'scale')",
        )
    magnitude = sum((w & 0xFFFFFFFF) << (32 * i) for i, w in enumerate(words))
    return CsDecimal(-magnitude if negative else magnitude, scale)


def _from_bits(bits: object) -> CsDecimal:
    if bits is None:
        raise exc.argument_null("bits")
    items = list(bits) if isinstance(bits, CsArray) else None
    flags = items[3] if items is not None and len(items) == 4 else None
    if type(flags) is not int or flags & 0x7F00FFFF or not 0 <= (flags >> 16) & 0xFF <= 28:
        raise exc.ExpressionRuntimeError(
            "ArgumentException", "Decimal byte array constructor requires an array of length "
            "four containing valid decimal bytes."
        )  # fmt: skip
    assert items is not None
    return _from_parts(items[0], items[1], items[2], flags < 0, (flags >> 16) & 0xFF)


def new(*args: object) -> CsDecimal:
    """`new decimal()`, `(int | long | double)`, `(int[] bits)`, `(lo, mid, hi, isNegative,
    scale)`."""
    if not args:
        return ZERO
    if len(args) == 5:
        return _from_parts(*args)
    if len(args) == 1 and isinstance(args[0], CsArray):
        return _from_bits(args[0])
    if len(args) == 1 and type(args[0]) in (int, float):
        return explicit(args[0])
    raise exc.ExpressionRuntimeError(
        "ArgumentException", "No constructor of System.Decimal takes these arguments."
    )
