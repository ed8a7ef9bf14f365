"""`TimeSpan.ParseExact` / `TryParseExact` in the invariant culture (.NET 8's `TimeSpanParse`).

"c" ("t", "T") reads the constant form `[-][d.]h:mm[:ss[.fffffff]]` as .NET's `StringParser`
does; "g" and "G" read the invariant culture's localized forms `[-][d:]h:mm[:ss[.FFFFFFF]]` and
`[-]d:hh:mm:ss.fffffff`; a custom format is matched specifier by specifier (`hh`, `\\:`, `'...'`,
`%h`), with no sign, since the `TimeSpanStyles` that would assume one cannot be named.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import exceptions as exc
from .arrays import CsArray
from .datetime import (
    TICKS_PER_DAY,
    TICKS_PER_HOUR,
    TICKS_PER_MINUTE,
    TICKS_PER_SECOND,
    TimeSpan,
)

_MAX_DAYS = 10_675_199
_INT64_MAX = 2**63 - 1


class _Failed(Exception):
    """Parsing failed; `overflow` tells OverflowException from FormatException."""

    def __init__(self, overflow: bool = False) -> None:
        super().__init__()
        self.overflow = overflow


def _ticks(parts: list[int], fraction: str) -> int:
    """TryTimeToTicks of [days, hours, minutes, seconds]: each part in range, the fraction
    seven digits at most."""
    days, hours, minutes, seconds = parts
    if days > _MAX_DAYS or hours > 23 or minutes > 59 or seconds > 59 or len(fraction) > 7:
        raise _Failed(overflow=True)
    total = (
        days * TICKS_PER_DAY
        + hours * TICKS_PER_HOUR
        + minutes * TICKS_PER_MINUTE
        + seconds * TICKS_PER_SECOND
        + int(fraction.ljust(7, "0") or 0)
    )
    if total > _INT64_MAX:
        raise _Failed(overflow=True)
    return total


# --- "c": .NET's StringParser ------------------------------------------------------------------


class _Constant:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def blanks(self) -> None:
        while self.peek() in (" ", "\t") and self.peek():
            self.pos += 1

    def number(self, maximum: int) -> int:
        start = self.pos
        while self.peek() and self.peek() in "0123456789":
            self.pos += 1
        if start == self.pos:
            raise _Failed()
        value = int(self.text[start : self.pos])
        if value > maximum:
            raise _Failed(overflow=True)
        return value

    def time(self) -> int:
        ticks = self.number(23) * TICKS_PER_HOUR
        if self.peek() != ":":
            raise _Failed()
        self.pos += 1
        ticks += self.number(59) * TICKS_PER_MINUTE
        if self.peek() != ":":
            return ticks
        self.pos += 1
        if self.peek() != ".":
            ticks += self.number(59) * TICKS_PER_SECOND
        if self.peek() == ".":
            self.pos += 1
            scale = TICKS_PER_SECOND
            while scale > 1 and self.peek() and self.peek() in "0123456789":
                scale //= 10
                ticks += int(self.peek()) * scale
                self.pos += 1
        return ticks

    def parse(self) -> int:
        self.blanks()
        negative = self.peek() == "-"
        self.pos += negative
        rest = self.text[self.pos :]
        if rest.lstrip("0123456789")[:1] == ":":
            ticks = self.time()
        else:
            ticks = self.number(_MAX_DAYS) * TICKS_PER_DAY
            if self.peek() == ".":
                self.pos += 1
                ticks += self.time()
        if ticks > _INT64_MAX:
            raise _Failed(overflow=True)
        self.blanks()
        if self.pos < len(self.text):
            raise _Failed()
        return -ticks if negative else ticks


# --- "g" / "G": the invariant culture's localized forms ----------------------------------------

_GENERAL = re.compile(r"(-)?(\d+)(?::(\d+))?(?::(\d+))?(?::(\d+))?(?:\.(\d+))?", re.ASCII)


def _general(text: str, full: bool) -> int:
    match = _GENERAL.fullmatch(text.strip())
    if match is None:
        raise _Failed()
    numbers = [int(g) for g in match.groups()[1:5] if g is not None]
    fraction = match[6]
    if full and (len(numbers) != 4 or fraction is None):
        raise _Failed()
    if fraction is not None and len(numbers) < 3:
        raise _Failed()
    if len(numbers) == 1:
        parts = [numbers[0], 0, 0, 0]
    elif len(numbers) == 4:
        parts = numbers
    elif len(numbers) == 3 and fraction is None and numbers[0] > 23:
        parts = [*numbers, 0]  # "24:02:03" overflows as h:m:s, so it is d:h:m
    else:  # h:m or h:m:s
        parts = [0, *numbers, 0][:4]
    ticks = _ticks(parts, _fraction(fraction or ""))
    return -ticks if match[1] else ticks


def _fraction(digits: str) -> str:
    """NormalizeAndValidateFraction: more than seven digits overflow unless the fraction starts
    with a zero, when it rounds (away from zero) to seven (.NET Core 3.0+)."""
    if len(digits) <= 7 or not digits.startswith("0"):
        return digits
    scale = 10 ** (len(digits) - 7)
    return f"{(int(digits) + scale // 2) // scale:07}"


# --- custom formats ----------------------------------------------------------------------------


def _run(pattern: str, i: int) -> int:
    n = 1
    while i + n < len(pattern) and pattern[i + n] == pattern[i]:
        n += 1
    return n


def _quoted(pattern: str, i: int) -> tuple[str, int]:
    """A quoted literal (`\\` escapes inside) and the index after its closing quote."""
    quote, out, i = pattern[i], [], i + 1
    while i < len(pattern) and pattern[i] != quote:
        if pattern[i] == "\\":
            i += 1
            if i >= len(pattern):
                raise _Failed()
        out.append(pattern[i])
        i += 1
    if i >= len(pattern):
        raise _Failed()  # no closing quote
    return "".join(out), i + 1


class _Custom:
    def __init__(self, text: str, pattern: str) -> None:
        self.text, self.pattern, self.pos = text, pattern, 0
        self.fields: dict[str, str] = {}

    def digits(self, least: int, most: int) -> str:
        start = self.pos
        while self.pos - start < most and self.pos < len(self.text):
            if self.text[self.pos] not in "0123456789":
                break
            self.pos += 1
        if self.pos - start < least:
            raise _Failed()
        return self.text[start : self.pos]

    def field(self, name: str, value: str) -> None:
        if name in self.fields:
            raise _Failed()
        self.fields[name] = value

    def literal(self, text: str) -> None:
        if not self.text.startswith(text, self.pos):
            raise _Failed()
        self.pos += len(text)

    def specifier(self, c: str, n: int) -> None:
        if c in "hms":
            if n > 2:
                raise _Failed()
            self.field(c, self.digits(n, 2))
        elif c in "fF":
            if n > 7:
                raise _Failed()
            self.field("f", self.digits(n if c == "f" else 0, n))
        elif c == "d":
            if n > 8:
                raise _Failed()
            self.field("d", self.digits(n, 8 if n < 2 else n))
        else:
            raise _Failed()

    def parse(self) -> int:
        pattern, i = self.pattern, 0
        while i < len(pattern):
            c = pattern[i]
            if c in "'\"":
                text, i = _quoted(pattern, i)
                self.literal(text)
                continue
            if c in "%\\":
                if i + 1 >= len(pattern) or (c == "%" and pattern[i + 1] == "%"):
                    raise _Failed()
                if c == "\\":
                    self.literal(pattern[i + 1])
                    i += 2
                    continue
                i += 1  # `%h`: the '%' only lets a format of one specifier be custom
                continue
            n = _run(pattern, i)
            self.specifier(c, n)
            i += n
        if self.pos < len(self.text):
            raise _Failed()
        f = self.fields
        return _ticks([int(f.get(k) or 0) for k in "dhms"], f.get("f", ""))


# --- the statics -------------------------------------------------------------------------------


def _one(text: str, pattern: str) -> int:
    if pattern in ("c", "t", "T"):
        return _Constant(text).parse()
    if pattern in ("g", "G"):
        return _general(text, full=pattern == "G")
    if len(pattern) < 2:
        raise _Failed()
    return _Custom(text, pattern).parse()


def _parse(text: object, formats: object, styles: object) -> TimeSpan:
    if styles != 0 or type(styles) is not int:
        raise exc.invalid_cast(styles, "System.Globalization.TimeSpanStyles")
    if text is None:
        raise exc.argument_null("input")
    several = isinstance(formats, CsArray)
    if formats is None:
        raise exc.argument_null("format")
    patterns = list(formats) if isinstance(formats, CsArray) else [formats]
    if type(text) is not str:
        raise exc.invalid_cast(text, "System.String")
    overflow = False
    for pattern in patterns:
        if type(pattern) is not str or not pattern:
            break
        try:
            return TimeSpan(_one(text, pattern))
        except _Failed as failed:
            overflow = failed.overflow and not several
    if overflow:
        raise exc.ExpressionRuntimeError(
            "OverflowException",
            f"The TimeSpan string '{text}' could not be parsed because at least one of the "
            "numeric components is out of range or contains too many digits.",
        )
    raise exc.format_error(f"String '{text}' was not recognized as a valid TimeSpan.")


def parse_exact(
    text: object, formats: object, provider: object = None, styles: object = 0
) -> TimeSpan:
    """`TimeSpan.ParseExact(s, format or formats, provider[, styles])`."""
    return _parse(text, formats, styles)


def try_parse_exact(
    text: object, formats: object, provider: object = None, styles: object = 0
) -> tuple[bool, TimeSpan]:
    """`TimeSpan.TryParseExact(s, format or formats, provider[, styles], out r)`."""
    if styles != 0 or type(styles) is not int:
        raise exc.invalid_cast(styles, "System.Globalization.TimeSpanStyles")
    try:
        return True, _parse(text, formats, styles)
    except exc.ExpressionRuntimeError:
        return False, TimeSpan(0)


PARSERS: dict[str, Callable[..., object]] = {
    "ParseExact": parse_exact,
    "TryParseExact": try_parse_exact,
}
