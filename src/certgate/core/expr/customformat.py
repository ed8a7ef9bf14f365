"""Custom numeric format strings (`ToString("#,##0.00")`), as .NET 8's NumberToStringFormat
writes them, in the invariant culture.

A port of its two passes over the section: the first counts placeholders, finds the decimal
point, the scaling and grouping commas, `%`/`‰` and the exponent, and rounds the digits
(half up, on 15 significant digits for a double, 7 for a float, all for integers and decimals);
the second walks the section again and writes. Following the source, not a reading of the
documentation, is what gets the corners right: a scaling comma before a literal (`"#,##0,K"`),
a section without integer placeholders (`".00"` keeps the integer digits), engineering notation
(`"##0.0E+0"` puts 1 to 3 digits before the point), a second `E+0` as text, a negative double
rounded to zero in one section (`-0.00`, as .NET Core 3.0+ writes it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

_NO_DIGIT = 0x7FFFFFFF
_GROUP = 3  # the invariant culture's NumberGroupSizes


def format_custom(value: float | int | Decimal, pattern: str, floating: bool | None = None) -> str:
    """`value.ToString(pattern)`; `floating` (a double or float: -0 keeps its sign) defaults to
    whether `value` is a Python float. A float passes its 7 significant digits as a Decimal."""
    if floating is None:
        floating = isinstance(value, float)
    if isinstance(value, float):
        negative = math.copysign(1.0, value) < 0
    elif isinstance(value, Decimal):
        negative = value.is_signed()
    else:
        negative = value < 0
    digits, scale = _digits_of(value)
    pattern = pattern.split("\0", 1)[0]  # .NET reads the format up to a NUL
    return _Formatter(pattern, _Number(digits, scale, negative, floating)).run()


def _digits_of(value: float | int | Decimal) -> tuple[str, int]:
    """(significant digits without trailing zeros, scale) with value = 0.d1d2... * 10**scale;
    a double gives 15 significant digits first (DoublePrecisionCustomFormat)."""
    if value == 0:
        return "", 0
    if isinstance(value, Decimal):
        _, coefficient, power = value.as_tuple()
        digits = "".join(map(str, coefficient))
        return digits.rstrip("0"), len(digits) + int(power)
    if isinstance(value, int):
        digits = str(abs(value))
        return digits.rstrip("0"), len(digits)
    mantissa, _, exp = f"{abs(value):.14e}".partition("e")
    return mantissa.replace(".", "").rstrip("0"), int(exp) + 1


@dataclass(slots=True)
class _Number:
    """NumberBuffer: `digits` (no trailing zeros; "" for zero), `scale` where the point goes."""

    digits: str
    scale: int
    negative: bool
    floating: bool

    def round(self, pos: int) -> None:
        """RoundNumber: keep `pos` digits, half up (custom formats round their digits so)."""
        digits = self.digits
        i = min(max(pos, 0), len(digits))
        if i == pos and i < len(digits) and digits[i] >= "5":
            while i > 0 and digits[i - 1] == "9":
                i -= 1
            if i > 0:
                digits = digits[: i - 1] + chr(ord(digits[i - 1]) + 1)
            else:
                self.scale += 1
                digits, i = "1", 1
        else:
            while i > 0 and digits[i - 1] == "0":
                i -= 1
        self.digits = digits[:i]
        if not self.digits:
            self.zero()

    def zero(self) -> None:
        """The integer types have no -0, and decimal writes -0 as 0; a double keeps its sign."""
        if not self.floating:
            self.negative = False
        self.scale = 0


def _find_section(pattern: str, section: int) -> int:
    """Where section `section` (0 positive, 1 negative, 2 zero) starts; 0 when it is missing
    or empty."""
    if section == 0:
        return 0
    src = 0
    while src < len(pattern):
        ch = pattern[src]
        src += 1
        if ch in "'\"":
            src = _after_quote(pattern, src, ch)
        elif ch == "\\":
            src += 1 if src < len(pattern) else 0
        elif ch == ";":
            section -= 1
            if section == 0:
                return src if src < len(pattern) and pattern[src] != ";" else 0
    return 0


def _after_quote(pattern: str, src: int, quote: str) -> int:
    end = pattern.find(quote, src)
    return len(pattern) if end < 0 else end + 1


class _Formatter:
    def __init__(self, pattern: str, number: _Number) -> None:
        self.p = pattern
        self.n = number
        self.digit_count = 0
        self.decimal_pos = -1
        self.first_digit = _NO_DIGIT
        self.last_digit = 0
        self.scientific = False
        self.thousand_seps = False
        self.section = _find_section(
            pattern, 2 if not number.digits else 1 if number.negative else 0
        )

    def run(self) -> str:
        while True:
            self.scan()
            if not self.n.digits:
                self.n.zero()
                break
            pos = (
                self.digit_count
                if self.scientific
                else self.n.scale + self.digit_count - self.decimal_pos
            )
            self.n.round(pos)
            if self.n.digits:
                break
            zero_section = _find_section(self.p, 2)  # rounded to zero: the zero section
            if zero_section == self.section:
                break
            self.section = zero_section
        return self.write()

    def scan(self) -> None:
        """The first pass: placeholders, point, commas, scaling; applies the scaling."""
        p, src = self.p, self.section
        self.digit_count, self.decimal_pos = 0, -1
        self.first_digit, self.last_digit = _NO_DIGIT, 0
        self.scientific = self.thousand_seps = False
        thousand_pos, thousand_count, scale_adjust = -1, 0, 0
        while src < len(p) and p[src] != ";":
            ch = p[src]
            src += 1
            if ch == "#":
                self.digit_count += 1
            elif ch == "0":
                if self.first_digit == _NO_DIGIT:
                    self.first_digit = self.digit_count
                self.digit_count += 1
                self.last_digit = self.digit_count
            elif ch == ".":
                if self.decimal_pos < 0:
                    self.decimal_pos = self.digit_count
            elif ch == ",":
                if self.digit_count > 0 and self.decimal_pos < 0:
                    if thousand_pos >= 0:
                        if thousand_pos == self.digit_count:
                            thousand_count += 1
                            continue
                        self.thousand_seps = True
                    thousand_pos, thousand_count = self.digit_count, 1
            elif ch == "%":
                scale_adjust += 2
            elif ch == "\u2030":
                scale_adjust += 3
            elif ch in "'\"":
                src = _after_quote(p, src, ch)
            elif ch == "\\":
                src += 1 if src < len(p) else 0
            elif ch in "Ee" and _exponent_follows(p, src):
                src += 1
                while src < len(p) and p[src] == "0":
                    src += 1
                self.scientific = True
        if self.decimal_pos < 0:
            self.decimal_pos = self.digit_count
        if thousand_pos >= 0:
            if thousand_pos == self.decimal_pos:
                scale_adjust -= thousand_count * 3  # commas right before the point scale
            else:
                self.thousand_seps = True
        if self.n.digits:
            self.n.scale += scale_adjust

    def write(self) -> str:  # noqa: PLR0915 - a case per format character, as in .NET
        """The second pass: the section again, writing digits, separators and text."""
        n, p, src = self.n, self.p, self.section
        decimal_pos = self.decimal_pos
        first = decimal_pos - self.first_digit if self.first_digit < decimal_pos else 0
        last = decimal_pos - self.last_digit if self.last_digit > decimal_pos else 0
        if self.scientific:
            dig_pos, adjust = decimal_pos, 0
        else:
            dig_pos, adjust = max(n.scale, decimal_pos), n.scale - decimal_pos
        separators = self.separators(dig_pos, adjust, first) if self.thousand_seps else []
        out: list[str] = []
        if n.negative and self.section == 0 and n.scale != 0:
            out.append("-")
        cur, decimal_written, scientific = 0, False, self.scientific

        def digit(text: str) -> None:
            out.append(text)
            if separators and dig_pos > 1 and dig_pos == separators[-1] + 1:
                out.append(",")
                separators.pop()

        while src < len(p) and p[src] != ";":
            ch = p[src]
            src += 1
            if adjust > 0 and ch in "#0.":  # more integer digits than placeholders: all here
                while adjust > 0:
                    digit(n.digits[cur] if cur < len(n.digits) else "0")
                    cur += cur < len(n.digits)
                    dig_pos -= 1
                    adjust -= 1
            if ch in "#0":
                if adjust < 0:  # fewer digits than placeholders
                    adjust += 1
                    text = "0" if dig_pos <= first else ""
                elif cur < len(n.digits):
                    text = n.digits[cur]
                    cur += 1
                else:
                    text = "0" if dig_pos > last else ""
                if text:
                    digit(text)
                dig_pos -= 1
            elif ch == ".":
                if (
                    dig_pos == 0
                    and not decimal_written
                    and (last < 0 or (decimal_pos < self.digit_count and cur < len(n.digits)))
                ):
                    out.append(".")
                    decimal_written = True
            elif ch in "%\u2030":
                out.append(ch)
            elif ch in "'\"":
                close = p.find(ch, src)
                text_end = len(p) if close < 0 else close
                out.append(p[src:text_end])
                src = text_end + (close >= 0)
            elif ch == "\\":
                if src < len(p):
                    out.append(p[src])
                    src += 1
            elif ch in "Ee":
                if scientific and _exponent_follows(p, src):
                    src = self.exponent(out, ch, src)
                    scientific = False  # a second `E+0` is text
                else:
                    src = _exponent_text(out, ch, p, src, scientific)
            elif ch != ",":
                out.append(ch)
        if n.negative and self.section == 0 and n.scale == 0 and out:
            out.insert(0, "-")
        return "".join(out)

    def separators(self, dig_pos: int, adjust: int, first: int) -> list[int]:
        """Digit positions (from the point) after which a group separator goes, last first."""
        total = dig_pos + min(adjust, 0)
        count = max(first, total)
        found, position = [], _GROUP
        while count > position:
            found.append(position)
            position += _GROUP
        return found

    def exponent(self, out: list[str], ch: str, src: int) -> int:
        """`E+0`, `E-00`, `E0` at `src`: the exponent, zero-padded to the zeros (at most 10)."""
        p = self.p
        positive = p[src] == "+"
        src += p[src] in "+-"
        width = 0
        while src < len(p) and p[src] == "0":
            width += 1
            src += 1
        exponent = self.n.scale - self.decimal_pos if self.n.digits else 0
        sign = "-" if exponent < 0 else "+" if positive else ""
        out.append(f"{ch}{sign}{abs(exponent):0{min(width, 10)}d}")
        return src


def _exponent_text(out: list[str], ch: str, p: str, src: int, scientific: bool) -> int:
    """An `E` that writes no exponent is text; once the exponent is written, a later `E`, its
    sign and its zeros are text too."""
    out.append(ch)
    if not scientific and src < len(p):
        if p[src] in "+-":
            out.append(p[src])
            src += 1
        while src < len(p) and p[src] == "0":
            out.append("0")
            src += 1
    return src


def _exponent_follows(p: str, src: int) -> bool:
    """An `E` followed by `0`, `+0` or `-0` is an exponent; otherwise it is text."""
    return p[src : src + 1] == "0" or (
        p[src : src + 1] in ("+", "-") and p[src + 1 : src + 2] == "0"
    )
