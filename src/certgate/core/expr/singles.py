"""`System.Single` (C# `float`): an IEEE binary32 value.

A `CsSingle` holds a Python float that is exactly representable in 32 bits; every operation is
done in double and rounded once to binary32 (`to_f32`), which for `+ - * /` of two binary32
values is the correctly rounded binary32 result, as .NET computes it (SSE, no extended
precision). C#'s rules: `float op float|int|long|char` is a float, `float op double` a double
(the float widens exactly), `float op decimal` does not exist (CS0019); int, long and char convert
implicitly to float, float implicitly to double, double to float only explicitly.

`ToString()` prints the shortest digits that read back as the same binary32 value, in E notation
when the point would sit more than max(9, digits) places from the first digit, or below 1E-04
(.NET Core 3.0+'s FormatSingle with SinglePrecision 9; .NET Framework and Mono print 7
significant digits and switch at 1E+07). Standard formats round the exact binary value (as
for double); custom formats first take 7 significant digits (`SinglePrecisionCustomFormat`).
"""

from __future__ import annotations

import math
import re
import struct
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar

from . import decimals
from . import exceptions as exc
from .customformat import format_custom
from .numbers import format_number, parse_double
from .strings import general_text
from .types import CsChar, CsValue

MAX_VALUE = 3.4028234663852886e38
EPSILON = 1.401298464324817e-45
_STANDARD = re.compile(r"([A-Za-z])(\d{0,9})\Z")


_SMALLEST = 1.401298464324817e-45  # the least positive binary32 (a subnormal)


def to_f32(value: float) -> float:
    """The binary32 value nearest `value` (ties to even); beyond the range, an infinity."""
    try:
        return float(struct.unpack("<f", struct.pack("<f", value))[0])
    except OverflowError:
        return math.copysign(math.inf, value)


class CsSingle(CsValue):
    __slots__ = ("value",)
    CS_TYPE = "System.Single"
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset(
        {"ToString", "CompareTo", "Equals", "GetHashCode"}
    )

    def __init__(self, value: float) -> None:
        self.value = value  # already a binary32 value

    def value_key(self) -> int:
        """Total order for sorting and equality of boxed values: NaN first (as CompareTo), the
        two zeros equal."""
        if math.isnan(self.value):
            return -(2**32)
        bits = int.from_bytes(struct.pack("<f", self.value), "little")
        magnitude = bits & 0x7FFFFFFF
        return -magnitude if bits >> 31 else magnitude

    def __eq__(self, other: object) -> bool:  # Equals: NaN equals NaN, 0 equals -0
        return isinstance(other, CsSingle) and other.value_key() == self.value_key()

    def __hash__(self) -> int:
        return hash(self.value_key())

    def __lt__(self, other: CsSingle) -> bool:
        return self.value_key() < other.value_key()

    def __float__(self) -> float:
        return self.value

    def ToString(self, format: object = None, provider: object = None) -> str:
        if format is None or format == "":
            return shortest(self.value)
        if type(format) is not str:
            raise exc.invalid_cast(format, "System.String")
        return format_single(self.value, format)

    def CompareTo(self, other: object) -> int:
        if other is None:
            return 1
        if not isinstance(other, CsSingle):
            raise exc.ExpressionRuntimeError("ArgumentException", "Object must be of type Single.")
        x, y = self.value_key(), other.value_key()
        return (x > y) - (x < y)

    def Equals(self, other: object) -> bool:
        return self == other

    def GetHashCode(self) -> int:
        key = self.value_key()
        return key & 0x7FFFFFFF


ZERO = CsSingle(0.0)


def single(value: float) -> CsSingle:
    return CsSingle(to_f32(value))


# --- conversions ---------------------------------------------------------------------------------


def as_double(value: object) -> float:
    """An operand widened to double (the implicit float -> double conversion)."""
    if type(value) is CsSingle:
        return value.value
    if type(value) is float or type(value) is int:
        return float(value)
    if type(value) is CsChar:
        return float(ord(value.value))
    if value is None:
        raise exc.no_value()
    raise exc.invalid_cast(value, "System.Double")


def coerce(value: object) -> CsSingle:
    """An operand as a float: C#'s implicit conversions (integral types and char)."""
    if type(value) is CsSingle:
        return value
    if type(value) is int or type(value) is CsChar:
        return single(as_double(value))
    if value is None:
        raise exc.no_value()
    raise exc.invalid_cast(value, "System.Single")


def from_decimal(value: decimals.CsDecimal) -> CsSingle:
    """.NET's VarR4FromDec: through the double."""
    return single(decimals.to_double(value))


def to_decimal(value: CsSingle) -> decimals.CsDecimal:
    """.NET's VarDecFromR4: the float rounded to 7 significant digits (0.1f -> 0.1)."""
    number = value.value
    if math.isnan(number) or math.isinf(number) or abs(number) >= 7.9228162514264338e28:
        raise decimals.overflow()
    if number == 0 or abs(number) < 1e-28:
        return decimals.ZERO
    mantissa, _, exp = f"{number:.6e}".partition("e")  # 7 digits, half to even on the value
    digits = int(mantissa.replace(".", ""))
    scale = 6 - int(exp)
    while scale > 0 and digits % 10 == 0:  # trailing zeros dropped, as VarDecFromR4 does
        digits, scale = digits // 10, scale - 1
    return decimals.fit(digits, scale)


def cast(value: object, target: str) -> object:
    """Explicit conversions with a float side: `(float)x`, `(double)f`, `(decimal)f`."""
    if value is None:
        raise exc.no_value()
    if target == "System.Single":
        if type(value) is decimals.CsDecimal:
            return from_decimal(value)
        return single(as_double(value))
    if target == "System.Decimal":
        return to_decimal(coerce(value))
    return as_double(value)  # System.Double; integral targets take the double path


def to_single(value: object, provider: object = None) -> CsSingle:
    """Convert.ToSingle: numbers (a double or decimal rounded to binary32), strings (Parse),
    bools; null is 0."""
    if value is None:
        return ZERO
    if type(value) is bool:
        return CsSingle(1.0 if value else 0.0)
    if type(value) is str:
        return parse(value)
    if type(value) is CsChar:
        raise exc.ExpressionRuntimeError(
            "InvalidCastException", "Invalid cast from 'Char' to 'Single'."
        )
    result = cast(value, "System.Single")
    assert isinstance(result, CsSingle)
    return result


# --- operators -----------------------------------------------------------------------------------


def arith(op: str, a: object, b: object) -> object:
    """`a op b` with a float operand: a float, or a double when the other side is one."""
    if a is None or b is None:
        return None
    if type(a) is decimals.CsDecimal or type(b) is decimals.CsDecimal:
        raise exc.ExpressionRuntimeError(
            "InvalidOperationException",
            f"Operator '{op}' cannot be applied to operands of type '{exc.clr_name(a)}' and "
            f"'{exc.clr_name(b)}'",
        )
    wide = type(a) is float or type(b) is float
    x = as_double(a) if wide else coerce(a).value
    y = as_double(b) if wide else coerce(b).value
    if op == "/":
        result = _divide(x, y)
    elif op == "%":
        result = math.nan if y == 0 or math.isinf(x) else math.fmod(x, y)
    else:
        result = x + y if op == "+" else x - y if op == "-" else x * y
    return result if wide else single(result)


def _divide(x: float, y: float) -> float:
    if y == 0:
        if x == 0 or math.isnan(x):
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def negate(value: object) -> CsSingle | None:
    if value is None:
        return None
    return CsSingle(-coerce(value).value)


def _pair(a: object, b: object) -> tuple[float, float]:
    """Both sides as C# compares them: an integer converts to float first, a double widens
    the float."""
    if type(a) is float or type(b) is float:
        return as_double(a), as_double(b)
    return coerce(a).value, coerce(b).value


def equals(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is b
    x, y = _pair(a, b)
    return x == y


def not_equals(a: object, b: object) -> bool:
    return not equals(a, b)


def compare_op(op: str, a: object, b: object) -> bool:
    if a is None or b is None:
        return False
    x, y = _pair(a, b)
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


# --- text ----------------------------------------------------------------------------------------


def _shortest_digits(value: float) -> tuple[str, int]:
    """(digits, exponent of the first digit): the fewest that read back as `value`."""
    for precision in range(9):
        mantissa, _, exp = f"{value:.{precision}e}".partition("e")
        if to_f32(float(f"{mantissa}e{exp}")) == value:
            return mantissa.replace(".", "").rstrip("0") or "0", int(exp)
    mantissa, _, exp = f"{value:.8e}".partition("e")
    return mantissa.replace(".", "").rstrip("0"), int(exp)


def shortest(value: float) -> str:
    """float.ToString() of .NET Core 3.0+."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"  # the invariant culture's symbols
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    digits, exp = _shortest_digits(abs(value))
    return general_text(value < 0, digits, exp, 9)  # SinglePrecision: 9


def format_single(value: float, format: str) -> str:
    """`f.ToString(format)`: "G"/"R" shortest, other standard formats on the exact value,
    custom formats from 7 significant digits."""
    if not math.isfinite(value):
        return format_number(value, format)
    match = _STANDARD.match(format)
    if match is None:
        seven = Decimal(f"{value:.6e}")  # SinglePrecisionCustomFormat; -0 keeps its sign
        return format_custom(seven, format, floating=True)
    letter, digits = match.group(1), match.group(2)
    if letter in "GgRr" and not digits:
        text = shortest(value)
        return text.replace("E", "e") if letter == "g" else text
    if letter in "Rr":
        return shortest(value)
    return format_number(value, format)


def parse(text: object) -> CsSingle:
    """float.Parse: the double's syntax (NumberStyles.Float | AllowThousands), the number
    rounded once to binary32 (out of range: an infinity, as .NET Core 3.0+)."""
    number = parse_double(text)
    if not math.isfinite(number) or number == 0:
        return CsSingle(number)
    assert isinstance(text, str)
    return CsSingle(nearest_f32(number, text))


def nearest_f32(number: float, text: str) -> float:
    """Round the exact decimal value, not the double, to binary32 (a double may sit on a
    binary32 tie that the decimal value is not on)."""
    candidate = to_f32(number)
    body = re.sub(r"[\s,+]", "", text)
    if len(body) > 400 or math.isinf(candidate):
        return candidate
    try:
        exact = Fraction(body)
    except (ValueError, ZeroDivisionError):
        return candidate
    options = {candidate, _next_f32(candidate, -1), _next_f32(candidate, 1)}
    return min(options, key=lambda c: (abs(Fraction(c) - exact), _odd(c)))


def _next_f32(value: float, direction: int) -> float:
    if value == 0:  # the neighbours of zero are the smallest subnormals, either side
        return math.copysign(_SMALLEST, direction)
    bits = int.from_bytes(struct.pack("<f", value), "little")
    step = direction if value >= 0 else -direction
    neighbour = struct.unpack("<f", (bits + step).to_bytes(4, "little"))[0]
    return float(neighbour) if math.isfinite(neighbour) else value


def _odd(value: float) -> int:
    return int.from_bytes(struct.pack("<f", value), "little") & 1


def try_parse(text: object) -> tuple[bool, CsSingle]:
    try:
        return True, parse(text)
    except exc.ExpressionRuntimeError:
        return False, ZERO
