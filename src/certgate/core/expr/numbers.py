"""Numbers: `ToString(format)`, `Parse`/`TryParse` (invariant culture) and `System.Math`.

Standard formats on a double round the exact binary value half-to-even, as .NET Core 3.0+'s
Dragon4 does (so `0.125.ToString("F2")` is "0.12"); custom formats first take 15 significant
digits and then round half up (`DoublePrecisionCustomFormat`), also as .NET does. Integers are
Python ints; an integer's width (Int32 or Int64) matters only for hex of negatives, where a value
inside the Int32 range is taken as an Int32.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from . import exceptions as exc
from .budget import check_length
from .customformat import format_custom
from .strings import CsEnum, format_double
from .types import CsChar

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _bad_format() -> exc.ExpressionRuntimeError:
    return exc.format_error("Format specifier was invalid.")


def _exact_decimal(value: float | int, places: int) -> Decimal:
    """The exact value rounded half-to-even to `places` decimals."""
    with localcontext() as ctx:
        ctx.prec = 1200 + places  # a double's exact value has at most 1,100 digits
        return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def _int_text(value: int, spec: str) -> str:
    """An integer formatted with its digits rounded half away from zero, as .NET rounds an
    integer's exact digits (`12345.ToString("E3")` is 1.235E+004; a double's digits come from
    Dragon4, which takes a tie to even)."""
    with localcontext() as ctx:
        ctx.rounding, ctx.prec = ROUND_HALF_UP, 1200 + len(spec)
        return format(Decimal(value), spec)


def _group(digits: str) -> str:
    head = len(digits) % 3 or 3
    return ",".join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


def _fixed(value: float | int, places: int, grouped: bool) -> tuple[bool, str]:
    """(negative, text) of `value` with `places` decimals."""
    rounded = _exact_decimal(value, places)
    negative = rounded.is_signed() or (isinstance(value, float) and math.copysign(1, value) < 0)
    text = f"{rounded.copy_abs():f}"  # abs() would round to the context's 28 digits
    whole, _, frac = text.partition(".")
    if grouped:
        whole = _group(whole)
    return negative, whole + ("." + frac if places else "")


def _exponential(value: float | int, places: int, letter: str, min_exp_digits: int) -> str:
    if value == 0:
        mantissa, exp = "0." + "0" * places if places else "0", 0
        text = mantissa
    else:
        spec = f".{places}E"
        formatted = _int_text(value, spec) if isinstance(value, int) else format(value, spec)
        text, _, exp_text = formatted.partition("E")
        exp = int(exp_text)
        text = text.lstrip("-")
    sign = "-" if exp < 0 else "+"
    body = f"{text}{letter}{sign}{abs(exp):0{min_exp_digits}}"
    negative = value < 0 or (
        isinstance(value, float) and math.copysign(1, value) < 0 and value == 0
    )
    return ("-" if negative else "") + body


def _general(value: float | int, precision: int, letter: str) -> str:
    if isinstance(value, int) and precision == 0:
        return str(value)
    if isinstance(value, float) and precision == 0:
        return format_double(value)
    if value == 0:
        return "-0" if isinstance(value, float) and math.copysign(1, value) < 0 else "0"
    spec = f".{precision}g"
    text = _int_text(value, spec) if isinstance(value, int) else format(value, spec)
    mantissa, e, exp_text = text.upper().partition("E")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    if not e:
        return mantissa
    exp = int(exp_text)
    return f"{mantissa}{letter}{'-' if exp < 0 else '+'}{abs(exp):02}"


_STANDARD = re.compile(r"([A-Za-z])(\d{0,9})\Z")


#: Integral types whose width changes what hex formats print (Int32 is the runtime's default).
SIZED_BITS = {"System.Int64": 64, "System.Int16": 16, "System.SByte": 8}


def format_sized(value: object, bits: int, format: object = None, provider: object = None) -> str:
    """`ToString(format)` of a long/short/sbyte (the compiler knows the width): hex of a negative
    value is its two's complement in that width (`((short)-1).ToString("X")` is FFFF)."""
    if value is None:
        raise exc.null_reference()
    assert type(value) is int
    if type(format) is str and format[:1] in ("x", "X"):
        return format_number(value + 2**bits if value < 0 else value, format)
    return format_number(value, format)


def unsigned(value: object, bits: int) -> object:
    """A negative integer as its two's complement in `bits` bits (what hex formats print)."""
    return value + 2**bits if type(value) is int and value < 0 else value


def format_number(value: float | int, format: object) -> str:
    """`value.ToString(format)` for Int32/Int64 (Python int) and Double (float)."""
    if format is None or format == "":
        return format_double(value) if isinstance(value, float) else str(value)
    if type(format) is not str:
        raise exc.invalid_cast(format, "System.String")
    if isinstance(value, float) and not math.isfinite(value):
        if math.isnan(value):
            return "NaN"
        return "Infinity" if value > 0 else "-Infinity"  # the invariant culture's symbols
    match = _STANDARD.match(format)
    if match is None:
        return format_custom(value, format)
    letter, digits = match.group(1), match.group(2)
    return _standard(value, letter, standard_precision(letter, digits))


def standard_precision(letter: str, digits: str) -> int | None:
    """A standard format's precision (.NET 8 takes up to 999,999,999). The formats that pad to
    it (`D`, `X`, `E`, `F`, `N`, `P`, `C`) build that many digits: past the memory limit, the
    OutOfMemoryException of `budget.check_length` instead of a gigabyte string."""
    precision = int(digits) if digits else None
    if precision is not None and letter.upper() in "DXEFNPC":
        check_length(precision)
    return precision


def _standard(value: float | int, letter: str, precision: int | None) -> str:
    kind = letter.upper()
    is_int = isinstance(value, int)
    if kind == "D":
        if not is_int:
            raise _bad_format()
        text = str(abs(value)).rjust(precision or 0, "0")
        return ("-" if value < 0 else "") + text
    if kind == "X":
        if not is_int:
            raise _bad_format()
        number = int(value)
        if number < 0:
            number += 2**32 if number >= _INT32_MIN else 2**64
        text = f"{number:X}" if letter == "X" else f"{number:x}"
        return text.rjust(precision or 0, "0")
    if kind in "FN":
        places = 2 if precision is None else precision
        negative, text = _fixed(value, places, kind == "N")
        return ("-" if negative else "") + text
    if kind == "P":
        places = 2 if precision is None else precision
        with localcontext() as ctx:
            ctx.prec = 1200
            scaled = Decimal(value) * 100
        negative, text = _fixed(scaled, places, True)  # type: ignore[arg-type]
        return ("-" if negative else "") + text + " %"
    if kind == "C":
        places = 2 if precision is None else precision
        negative, text = _fixed(value, places, True)
        return f"(¤{text})" if negative else f"¤{text}"
    if kind == "E":
        places = 6 if precision is None else precision
        return _exponential(value, places, letter, 3)
    if kind == "G":
        return _general(value, precision or 0, "E" if letter == "G" else "e")
    if kind == "R" and not is_int:  # round-trip: floating-point types only
        return format_double(float(value))
    raise _bad_format()


# --- parsing ------------------------------------------------------------------------------------

# .NET's number white space is U+0009-U+000D and the space (no NBSP, no U+0085); NUL
# characters may trail the whole (Number.TrailingZeros)
_INTEGER = re.compile(r"[ \t\n\v\f\r]*([+-]?)([0-9]+)[ \t\n\v\f\r]*\x00*\Z")
_FLOAT = re.compile(
    r"[ \t\n\v\f\r]*([+-]?)((?:[0-9][0-9,]*)?(?:\.[0-9]*)?)"  # a ',' anywhere after a digit
    r"(?:[eE]([+-]?[0-9]+))?[ \t\n\v\f\r]*\x00*\Z"
)
_SPECIAL = {"nan": math.nan, "infinity": math.inf, "∞": math.inf}


def _text(value: object, param: str = "s") -> str:
    return exc.string_argument(value, param)


def parse_integer(text: object, low: int, high: int, type_name: str) -> int:
    body = _text(text)
    match = _INTEGER.match(body)
    if match is None:
        raise exc.format_error(f"The input string '{body}' was not in a correct format.")
    number = int(match.group(2)) * (-1 if match.group(1) == "-" else 1)
    if not low <= number <= high:
        raise exc.ExpressionRuntimeError(
            "OverflowException", f"Value was either too large or too small for {type_name}."
        )
    return number


def parse_double(text: object) -> float:
    body = _text(text)
    special = body.strip()
    sign = -1.0 if special.startswith("-") else 1.0
    word = special.lstrip("+-").lower()
    if word in _SPECIAL and (word != "nan" or special[:1] not in "+-" or True):
        return sign * _SPECIAL[word] if word != "nan" else math.nan
    match = _FLOAT.match(body)
    if match is None or match.group(2) in ("", "."):
        raise exc.format_error(f"The input string '{body}' was not in a correct format.")
    literal = match.group(1) + match.group(2).replace(",", "")
    if match.group(3):
        literal += "e" + match.group(3)
    return float(literal)  # overflow gives ±∞, as .NET Core 3.0+ does


def try_parse(parse: object, default: object = 0) -> object:
    def attempt(*args: object) -> tuple[bool, object]:
        try:
            return True, parse(*args)  # type: ignore[operator]
        except exc.ExpressionRuntimeError as error:
            if error.exception_type == "ArgumentNullException" and args and args[0] is None:
                return False, default
            if error.exception_type in (
                "FormatException",
                "OverflowException",
                "ArgumentNullException",
            ):
                return False, default
            raise

    return attempt


# --- System.Math --------------------------------------------------------------------------------


def _num(value: object) -> int | float:
    if type(value) is int or type(value) is float:
        return value
    if isinstance(value, CsChar):
        return ord(value.value)
    if value is None:
        raise exc.no_value()
    raise exc.invalid_cast(value, "System.Double")


def _float(value: object) -> float:
    return float(_num(value))


def _same_kind(values: tuple[int | float, ...], result: int | float) -> int | float:
    return float(result) if any(isinstance(v, float) for v in values) else result


def math_abs(value: object) -> int | float:
    number = _num(value)
    if isinstance(number, int) and number in (_INT32_MIN, _INT64_MIN):
        raise exc.ExpressionRuntimeError(
            "OverflowException",
            "Negating the minimum value of a twos complement number is invalid.",
        )
    return abs(number)


def math_max(a: object, b: object) -> int | float:
    x, y = _num(a), _num(b)
    if isinstance(x, float) or isinstance(y, float):
        fx, fy = float(x), float(y)
        if math.isnan(fx) or math.isnan(fy):
            return math.nan
        if fx == fy == 0:
            return fy if math.copysign(1, fx) < 0 else fx
        return fx if fx > fy else fy
    return x if x >= y else y


def math_min(a: object, b: object) -> int | float:
    x, y = _num(a), _num(b)
    if isinstance(x, float) or isinstance(y, float):
        fx, fy = float(x), float(y)
        if math.isnan(fx) or math.isnan(fy):
            return math.nan
        if fx == fy == 0:
            return fx if math.copysign(1, fx) < 0 else fy
        return fx if fx < fy else fy
    return x if x <= y else y


def math_clamp(value: object, low: object, high: object) -> int | float:
    v, lo, hi = _num(value), _num(low), _num(high)
    if lo > hi:
        raise exc.ExpressionRuntimeError(
            "ArgumentException", f"'{lo}' cannot be greater than {hi}."
        )
    return _same_kind((v, lo, hi), lo if v < lo else hi if v > hi else v)


def math_sign(value: object) -> int:
    number = _num(value)
    if isinstance(number, float) and math.isnan(number):
        raise exc.ExpressionRuntimeError(
            "ArithmeticException", "Function does not accept floating point Not-a-Number values."
        )
    return (number > 0) - (number < 0)


def _round_to_even(x: float) -> float:
    return float(round(x)) if math.isfinite(x) else x


def _midpoint(mode: object) -> str:
    if isinstance(mode, CsEnum) and mode.CS_TYPE == "System.MidpointRounding":
        return mode.name
    raise exc.invalid_cast(mode, "System.MidpointRounding")


def _round_mode(x: float, mode: str) -> float:
    if not math.isfinite(x):
        return x
    if mode == "ToEven":
        return math.copysign(_round_to_even(x), x)
    if mode == "AwayFromZero":
        whole = float(math.trunc(x))
        if abs(x - whole) >= 0.5:
            whole += math.copysign(1, x)
        return math.copysign(whole, x)
    if mode in ("ToZero",):
        return math.copysign(float(math.trunc(x)), x)
    if mode in ("ToNegativeInfinity",):
        return float(math.floor(x))
    if mode in ("ToPositiveInfinity",):
        return math.copysign(float(math.ceil(x)), x)
    raise exc.argument_out_of_range("mode")


def math_round(value: object, *args: object) -> float:
    """Math.Round(x), (x, digits), (x, mode), (x, digits, mode) for doubles (.NET Core)."""
    x = _float(value)
    digits = 0
    mode = "ToEven"
    for arg in args:
        if type(arg) is int:
            digits = arg
        else:
            mode = _midpoint(arg)
    if not 0 <= digits <= 15:
        raise exc.ExpressionRuntimeError(
            "ArgumentOutOfRangeException",
            "Rounding digits must be between 0 and 15, inclusive. (Parameter 'digits')",
        )
    if digits == 0:
        return _round_mode(x, mode)
    if abs(x) >= 1e16:
        return x
    power = 10.0**digits
    return _round_mode(x * power, mode) / power


def math_floor(value: object) -> float:
    x = _float(value)
    return float(math.floor(x)) if math.isfinite(x) else x


def math_ceiling(value: object) -> float:
    x = _float(value)
    return math.copysign(float(math.ceil(x)), x) if math.isfinite(x) else x


def math_truncate(value: object) -> float:
    x = _float(value)
    return math.copysign(float(math.trunc(x)), x) if math.isfinite(x) else x


def math_sqrt(value: object) -> float:
    x = _float(value)
    return math.sqrt(x) if x >= 0 else (x if x == 0 else math.nan)


def math_pow(a: object, b: object) -> float:
    x, y = _float(a), _float(b)
    try:
        result = math.pow(x, y)
    except ValueError:  # Python refuses what IEEE 754 defines: pow(±0, y < 0) is ±infinity
        if x == 0 and y < 0:
            odd = float(y).is_integer() and int(y) % 2 == 1
            return math.copysign(math.inf, x) if odd else math.inf
        return math.nan
    except OverflowError:
        return math.inf if x > 0 or (float(y).is_integer() and int(y) % 2 == 0) else -math.inf
    return result


def math_log(value: object, base: object = None) -> float:
    x = _float(value)
    if base is not None:
        b = _float(base)
        if b == 1 or b <= 0 or x < 0 or math.isnan(x) or math.isnan(b):
            return math.nan
        return _ln(x) / _ln(b)
    return _ln(x)


def _ln(x: float) -> float:
    if math.isnan(x) or x < 0:
        return math.nan
    if x == 0:
        return -math.inf
    if math.isinf(x):
        return math.inf
    return math.log(x)


def math_log10(value: object) -> float:
    x = _float(value)
    if math.isnan(x) or x < 0:
        return math.nan
    if x == 0:
        return -math.inf
    return math.log10(x) if math.isfinite(x) else x


def math_log2(value: object) -> float:
    x = _float(value)
    if math.isnan(x) or x < 0:
        return math.nan
    if x == 0:
        return -math.inf
    return math.log2(x) if math.isfinite(x) else x


def math_exp(value: object) -> float:
    try:
        return math.exp(_float(value))
    except OverflowError:
        return math.inf


def _unary(fn: Callable[[float], float]) -> Callable[[object], float]:
    def apply(value: object) -> float:
        try:
            return fn(_float(value))
        except (ValueError, OverflowError):
            return math.nan

    return apply


def math_sinh(value: object) -> float:
    x = _float(value)
    try:
        return math.sinh(x)
    except OverflowError:
        return math.copysign(math.inf, x)


def math_cosh(value: object) -> float:
    x = _float(value)
    try:
        return math.cosh(x)
    except OverflowError:
        return math.inf


_MIN_NORMAL = 2.2250738585072014e-308


def is_normal(x: float) -> bool:
    """double.IsNormal: finite, not zero, not subnormal."""
    return math.isfinite(x) and abs(x) >= _MIN_NORMAL


def is_subnormal(x: float) -> bool:
    return 0 < abs(x) < _MIN_NORMAL


def math_atanh(value: object) -> float:
    """Atanh: ±1 gives ±∞ (Python raises), beyond them NaN."""
    x = _float(value)
    if abs(x) == 1:
        return math.copysign(math.inf, x)
    return math.atanh(x) if abs(x) < 1 else math.nan


def math_cbrt(value: object) -> float:
    """The correctly rounded cube root (glibc's `cbrt` can be ulps off: 27 -> 3.0000000000000004,
    375**3 -> 375.0000000000001); perfect cubes get their exact root."""
    x = _float(value)
    if x == 0 or not math.isfinite(x):
        return x
    target = Fraction(abs(x))
    guess = math.cbrt(abs(x))
    for _ in range(8):  # step towards the double nearest to the real root
        low, high = math.nextafter(guess, 0.0), math.nextafter(guess, math.inf)
        if target < ((Fraction(low) + Fraction(guess)) / 2) ** 3:
            guess = low
        elif target > ((Fraction(guess) + Fraction(high)) / 2) ** 3:
            guess = high
        else:
            break
    return math.copysign(guess, x)


def math_atan2(y: object, x: object) -> float:
    return math.atan2(_float(y), _float(x))


def math_div_rem(a: object, b: object) -> tuple[int, int]:
    x, y = _num(a), _num(b)
    if not isinstance(x, int) or not isinstance(y, int):
        raise exc.invalid_cast(a, "System.Int32")
    if y == 0:
        raise exc.divide_by_zero()
    q = abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1)
    return q, x - q * y


def math_big_mul(a: object, b: object) -> int:
    return int(_num(a)) * int(_num(b))


def math_ieee_remainder(a: object, b: object) -> float:
    x, y = _float(a), _float(b)
    if y == 0 or math.isinf(x) or math.isnan(x) or math.isnan(y):
        return math.nan
    return math.remainder(x, y)


MATH_FUNCTIONS: dict[str, Callable[..., object]] = {
    "Abs": math_abs,
    "Max": math_max,
    "Min": math_min,
    "Clamp": math_clamp,
    "Sign": math_sign,
    "Round": math_round,
    "Floor": math_floor,
    "Ceiling": math_ceiling,
    "Truncate": math_truncate,
    "Sqrt": math_sqrt,
    "Pow": math_pow,
    "Log": math_log,
    "Log10": math_log10,
    "Log2": math_log2,
    "Exp": math_exp,
    "Sin": _unary(math.sin),
    "Cos": _unary(math.cos),
    "Tan": _unary(math.tan),
    "Asin": _unary(math.asin),
    "Acos": _unary(math.acos),
    "Atan": _unary(math.atan),
    "Sinh": math_sinh,
    "Cosh": math_cosh,
    "Tanh": _unary(math.tanh),
    "Asinh": _unary(math.asinh),
    "Acosh": _unary(math.acosh),
    "Atanh": math_atanh,
    "Cbrt": math_cbrt,
    "Atan2": math_atan2,
    "BigMul": math_big_mul,
    "IEEERemainder": math_ieee_remainder,
}
