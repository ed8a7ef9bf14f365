"""Invariant-culture formatting and parsing of DateTime, DateTimeOffset and TimeSpan.

Standard formats expand to the invariant culture's patterns; custom patterns are interpreted
specifier by specifier as .NET's `DateTimeFormat.FormatCustomized` does (quoted literals, `\\`
escapes, `%x` single specifiers, `F` trimming that also drops a preceding '.'). The local zone is
UTC (see `datetime`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from . import exceptions as exc
from .arrays import CsArray
from .datetime import (
    LOCAL,
    TICKS_PER_DAY,
    TICKS_PER_HOUR,
    TICKS_PER_MINUTE,
    TICKS_PER_SECOND,
    UNSPECIFIED,
    UTC,
    DateTime,
    DateTimeKind,
    DateTimeOffset,
    TimeSpan,
    date_ticks,
    now_ticks,
    trunc_div,
)

DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_STANDARD = {
    "d": "MM/dd/yyyy",
    "D": "dddd, dd MMMM yyyy",
    "f": "dddd, dd MMMM yyyy HH:mm",
    "F": "dddd, dd MMMM yyyy HH:mm:ss",
    "g": "MM/dd/yyyy HH:mm",
    "G": "MM/dd/yyyy HH:mm:ss",
    "m": "MMMM dd",
    "M": "MMMM dd",
    "o": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
    "O": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
    "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
    "t": "HH:mm",
    "T": "HH:mm:ss",
    "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
    "U": "dddd, dd MMMM yyyy HH:mm:ss",
    "y": "yyyy MMMM",
    "Y": "yyyy MMMM",
}


def _bad_format() -> exc.ExpressionRuntimeError:
    return exc.format_error("Input string was not in a correct format.")


def _format_arg(format: object) -> str | None:
    if format is None or format == "":
        return None
    if type(format) is not str:
        raise exc.invalid_cast(format, "System.String")
    return format


def _repeat(pattern: str, i: int) -> int:
    n = 1
    while i + n < len(pattern) and pattern[i + n] == pattern[i]:
        n += 1
    return n


def _offset_text(minutes: int, tokens: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    if tokens == 1:
        return f"{sign}{hours}"
    if tokens == 2:
        return f"{sign}{hours:02}"
    return f"{sign}{hours:02}:{mins:02}"


def _quoted(pattern: str, i: int) -> tuple[str, int]:
    """Literal text of a quoted run starting at pattern[i] (a quote); returns (text, next i)."""
    quote = pattern[i]
    out: list[str] = []
    i += 1
    while i < len(pattern):
        c = pattern[i]
        if c == quote:
            return "".join(out), i + 1
        if c == "\\" and i + 1 < len(pattern):
            out.append(pattern[i + 1])
            i += 2
            continue
        out.append(c)
        i += 1
    raise exc.format_error(f"Cannot find a matching quote character for the character '{quote}'.")


def format_custom(ticks: int, pattern: str, kind: DateTimeKind | None, offset: int | None) -> str:  # noqa: PLR0915
    """`pattern` applied to clock `ticks`; `offset` (minutes) for a DateTimeOffset."""
    date = dt.date.fromordinal(ticks // TICKS_PER_DAY + 1)
    day_ticks = ticks % TICKS_PER_DAY
    hour = day_ticks // TICKS_PER_HOUR
    minute = day_ticks % TICKS_PER_HOUR // TICKS_PER_MINUTE
    second = day_ticks % TICKS_PER_MINUTE // TICKS_PER_SECOND
    fraction = day_ticks % TICKS_PER_SECOND
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        n = _repeat(pattern, i)
        if c == "y":
            year = date.year
            out.append(f"{year % 100:0{n}}" if n <= 2 else f"{year:0{n}}")
        elif c == "M":
            if n <= 2:
                out.append(f"{date.month:0{n}}")
            else:
                name = MONTH_NAMES[date.month - 1]
                out.append(name[:3] if n == 3 else name)
        elif c == "d":
            if n <= 2:
                out.append(f"{date.day:0{n}}")
            else:
                name = DAY_NAMES[(date.weekday() + 1) % 7]
                out.append(name[:3] if n == 3 else name)
        elif c in "hH":
            value = hour if c == "H" else (hour % 12 or 12)
            out.append(f"{value:0{min(n, 2)}}")
        elif c == "m":
            out.append(f"{minute:0{min(n, 2)}}")
        elif c == "s":
            out.append(f"{second:0{min(n, 2)}}")
        elif c in "fF":
            if n > 7:
                raise _bad_format()
            digits = f"{fraction:07}"[:n]
            if c == "F":
                digits = digits.rstrip("0")
                if not digits and out and out[-1].endswith("."):
                    out[-1] = out[-1][:-1]
            out.append(digits)
        elif c == "t":
            marker = "AM" if hour < 12 else "PM"
            out.append(marker[:1] if n == 1 else marker)
        elif c == "g":
            out.append("A.D.")
        elif c == "K":
            n = 1
            if offset is not None:
                out.append(_offset_text(offset, 3))
            elif kind is UTC:
                out.append("Z")
            elif kind is LOCAL:
                out.append(_offset_text(0, 3))
        elif c == "z":
            out.append(_offset_text(offset or 0, min(n, 3)))
        elif c == ":":
            out.append(":")
            n = 1
        elif c == "/":
            out.append("/")
            n = 1
        elif c in "'\"":
            text, i = _quoted(pattern, i)
            out.append(text)
            continue
        elif c == "%":
            if i + 1 < len(pattern) and pattern[i + 1] != "%":
                out.append(format_custom(ticks, pattern[i + 1], kind, offset))
                i += 2
                continue
            raise _bad_format()
        elif c == "\\":
            if i + 1 >= len(pattern):
                raise _bad_format()
            out.append(pattern[i + 1])
            i += 2
            continue
        else:
            out.append(c)
            n = 1
        i += n
    return "".join(out)


def format_datetime(
    ticks: int, kind: DateTimeKind | None, offset: int | None, format: object
) -> str:
    """DateTime (`offset` None) or DateTimeOffset ToString(format)."""
    pattern = _format_arg(format)
    if pattern is None:
        pattern = "G" if offset is None else "MM/dd/yyyy HH:mm:ss zzz"
        if offset is not None:
            return format_custom(ticks, pattern, kind, offset)
    if len(pattern) == 1:
        if pattern not in _STANDARD:
            raise _bad_format()
        if offset is not None:
            if pattern in "rRuU":  # these convert a DateTimeOffset to UTC first
                if pattern == "U":
                    raise _bad_format()
                return format_custom(
                    ticks - offset * TICKS_PER_MINUTE, _STANDARD[pattern], UTC, None
                )
            if pattern in "oO":
                return format_custom(ticks, _STANDARD[pattern].replace("K", "zzz"), kind, offset)
        return format_custom(ticks, _STANDARD[pattern], kind, offset)
    return format_custom(ticks, pattern, kind, offset)


# --- TimeSpan ------------------------------------------------------------------------------------


def format_timespan(ticks: int, format: object) -> str:
    pattern = _format_arg(format)
    sign = "-" if ticks < 0 else ""
    magnitude = abs(ticks)
    days = magnitude // TICKS_PER_DAY
    rest = magnitude % TICKS_PER_DAY
    hours = rest // TICKS_PER_HOUR
    minutes = rest % TICKS_PER_HOUR // TICKS_PER_MINUTE
    seconds = rest % TICKS_PER_MINUTE // TICKS_PER_SECOND
    fraction = rest % TICKS_PER_SECOND
    if pattern in (None, "c", "t", "T"):
        text = f"{sign}{f'{days}.' if days else ''}{hours:02}:{minutes:02}:{seconds:02}"
        return text + (f".{fraction:07}" if fraction else "")
    if pattern == "g":
        text = f"{sign}{f'{days}:' if days else ''}{hours}:{minutes:02}:{seconds:02}"
        return text + (f".{fraction:07}".rstrip("0") if fraction else "")
    if pattern == "G":
        return f"{sign}{days}:{hours:02}:{minutes:02}:{seconds:02}.{fraction:07}"
    if len(pattern) == 1:
        raise _bad_format()
    return _timespan_custom(pattern, days, hours, minutes, seconds, fraction)


def _timespan_custom(
    pattern: str, days: int, hours: int, minutes: int, seconds: int, fraction: int
) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        n = _repeat(pattern, i)
        if c == "d":
            if n > 8:
                raise _bad_format()
            out.append(f"{days:0{n}}")
        elif c in "hms":
            if n > 2:
                raise _bad_format()
            value = {"h": hours, "m": minutes, "s": seconds}[c]
            out.append(f"{value:0{n}}")
        elif c in "fF":
            if n > 7:
                raise _bad_format()
            digits = f"{fraction:07}"[:n]
            out.append(digits.rstrip("0") if c == "F" else digits)
        elif c in "'\"":
            text, i = _quoted(pattern, i)
            out.append(text)
            continue
        elif c == "\\":
            if i + 1 >= len(pattern):
                raise _bad_format()
            out.append(pattern[i + 1])
            i += 2
            continue
        elif c == "%":
            if i + 1 < len(pattern) and pattern[i + 1] != "%":
                out.append(
                    _timespan_custom(pattern[i + 1], days, hours, minutes, seconds, fraction)
                )
                i += 2
                continue
            raise _bad_format()
        else:
            raise _bad_format()
        i += n
    return "".join(out)


_TIMESPAN_RE = re.compile(
    r"\s*(?P<sign>-)?(?:(?P<days>\d+)(?:\.|:(?=\d+:\d+:\d+)))?(?P<h>\d+):(?P<m>\d+)"
    r"(?::(?P<s>\d+)(?:\.(?P<f>\d+))?)?\s*\Z"  # `d.hh:mm[:ss]`, also `d:hh:mm:ss`
)
_TIMESPAN_DAYS_RE = re.compile(r"\s*(?P<sign>-)?(?P<days>\d+)\s*\Z")


def parse_timespan(text: object) -> TimeSpan:
    if text is None:
        raise exc.argument_null("input")
    if type(text) is not str:
        raise exc.invalid_cast(text, "System.String")
    match = _TIMESPAN_DAYS_RE.match(text)
    if match is not None:
        days = int(match["days"])
        if days > 10_675_199:
            raise _timespan_overflow()
        ticks = days * TICKS_PER_DAY
        return TimeSpan(-ticks if match["sign"] else ticks)
    match = _TIMESPAN_RE.match(text)
    if match is None or not text.isascii():
        raise exc.format_error(f"String '{text}' was not recognized as a valid TimeSpan.")
    days = int(match["days"] or 0)
    hours, minutes, seconds = int(match["h"]), int(match["m"]), int(match["s"] or 0)
    digits = match["f"] or ""
    if hours > 23 and match["s"] and not match["f"] and not match["days"]:
        # "25:00:00" overflows as hh:mm:ss, so .NET reads it as d:hh:mm
        days, hours, minutes, seconds = hours, minutes, seconds, 0
    if hours > 23 or minutes > 59 or seconds > 59 or len(digits) > 7 or days > 10_675_199:
        raise _timespan_overflow()
    fraction = int(digits.ljust(7, "0")) if digits else 0
    ticks = (
        days * TICKS_PER_DAY
        + hours * TICKS_PER_HOUR
        + minutes * TICKS_PER_MINUTE
        + seconds * TICKS_PER_SECOND
        + fraction
    )
    return TimeSpan(-ticks if match["sign"] else ticks)


def _timespan_overflow() -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError(
        "OverflowException",
        "The TimeSpan string could not be parsed because at least one of the numeric components "
        "is out of range or contains too many digits.",
    )


# --- DateTime parsing ----------------------------------------------------------------------------

_MONTH_ABBR = {name[:3].lower(): i for i, name in enumerate(MONTH_NAMES, start=1)}
_MONTH_FULL = {name.lower(): i for i, name in enumerate(MONTH_NAMES, start=1)}
_DAY_WORDS = {name.lower() for name in DAY_NAMES} | {name[:3].lower() for name in DAY_NAMES}
_TIME = (
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<F>\d+))?)?"
    r"(?:\s*(?P<ampm>[AaPp][Mm]))?"
    r"|(?P<Hh>\d{1,2})\s*(?P<ampm2>[AaPp][Mm])"  # `10 PM`: the hour alone
)
_ZONE = r"(?P<zone>Z|z|GMT|[+-]\d{1,2}(?::?\d{2})?)"  # not "UTC": .NET refuses it
_MON = (  # a month's name or abbreviation, in any case
    r"(?P<mon>(?i:january|february|march|april|may|june|july|august|september|october"
    r"|november|december|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec))"
)
_YEAR = r"(?:(?P<y>\d{4})|(?P<yy>\d{1,2}))"
# The date shapes DateTime.Parse reads in the invariant culture (month before day when both
# are numbers); each may follow a day name and precede a time and a zone.
_DATES = (
    r"(?P<y>\d{4})[-/.](?P<mo>\d{1,2})[-/.](?P<d>\d{1,2})",  # 2024-03-05, 2024.3.5
    rf"(?P<mo>\d{{1,2}})[-/.](?P<d>\d{{1,2}})[-/.]{_YEAR}",  # 3/5/2024, 3-5-24
    rf"(?P<d>\d{{1,2}})(?P<sep>[-\s/])\s*{_MON}(?P=sep)\s*{_YEAR}",  # 5 Mar 2024, 05-Mar-24
    rf"{_MON}\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}})",  # March 5, 2024
    rf"(?P<y>\d{{4}})(?P<sep>[-\s/])\s*{_MON}(?P=sep)\s*(?P<d>\d{{1,2}})",  # 2024-Mar-05
    r"(?P<mo>\d{1,2})/(?P<d>\d{1,2})",  # 3/5: this year
    rf"{_YEAR}\s+{_MON}",  # 24 March: a year and a month (the invariant "yyyy MMMM")
    rf"{_MON}\s+(?P<d>\d{{1,2}})",  # Mar 5: this year
)
_DAY_NAME = r"(?:(?P<dow>[A-Za-z]+),?\s+)?"
_BETWEEN = r"(?:\s*T\s*|\s*,?\s+)"  # date and time: `T` (blanks allowed), blanks or `, `
_END = r"\s*\x00*\Z"  # trailing NULs are allowed
_FORMS = [
    *(
        re.compile(rf"{_DAY_NAME}(?:{date})(?:{_BETWEEN}(?:{_TIME}))?\s*{_ZONE}?{_END}")
        for date in _DATES
    ),
    re.compile(rf"(?P<y>\d{{4}})-(?P<mo>\d{{1,2}}){_END}"),  # 2024-03: the first of the month
    re.compile(rf"{_MON}\s+(?P<y>\d{{4}}){_END}"),  # Mar 2024
    re.compile(rf"(?:{_TIME})\s*{_ZONE}?{_END}"),  # a time alone: today
]


def _this_year() -> int:
    return dt.date.fromordinal(now_ticks() // TICKS_PER_DAY + 1).year


def _not_datetime(text: str) -> exc.ExpressionRuntimeError:
    return exc.format_error(f"String '{text}' was not recognized as a valid DateTime.")


def parse_moment(text: object) -> tuple[int, int | None]:
    """(clock ticks, offset minutes or None) of a date/time string in the invariant culture."""
    if text is None:
        raise exc.argument_null("s")
    if type(text) is not str:
        raise exc.invalid_cast(text, "System.String")
    body = text.strip()
    for form in _FORMS:
        match = form.match(body)
        if match is not None:
            return _moment(match.groupdict(), text)
    raise _not_datetime(text)


def _fraction_ticks(digits: str) -> int:
    """.NET's ParseFraction: each digit added in double arithmetic, then ticks rounded half to
    even (any number of digits: `.123456789` is 1234568 ticks)."""
    fraction, scale = 0.0, 0.1
    for digit in digits:
        fraction += int(digit) * scale
        scale *= 0.1
    return round(fraction * TICKS_PER_SECOND)


def _two_digit_year(parts: dict[str, str | None]) -> None:
    if parts.get("yy") is not None:
        short = int(parts["yy"] or 0)
        parts["y"] = str(2000 + short if short < 50 else 1900 + short)  # invariant 2049 window


def _moment(parts: dict[str, str | None], text: str) -> tuple[int, int | None]:
    dow = (parts.get("dow") or "").lower()
    if dow not in _DAY_WORDS | {""}:
        raise _not_datetime(text)
    _two_digit_year(parts)
    if parts.get("y") or parts.get("mo") or parts.get("mon"):
        year = int(parts.get("y") or 0) or _this_year()
        name = (parts.get("mon") or "").lower()
        if name:
            month = _MONTH_ABBR.get(name) or _MONTH_FULL.get(name)
            if month is None:
                raise _not_datetime(text)
        else:
            month = int(parts["mo"] or 1)
        day = int(parts.get("d") or 1)
        try:
            ticks = date_ticks(year, month, day)
        except exc.ExpressionRuntimeError:
            raise _not_datetime(text) from None
        weekday = DAY_NAMES[(ticks // TICKS_PER_DAY + 1) % 7].lower()  # 0001-01-01 a Monday
        if dow and not weekday.startswith(dow):  # a named day must be the date's
            raise _not_datetime(text)
    else:
        now = now_ticks()
        ticks = now - now % TICKS_PER_DAY
    if parts.get("Hh") is not None:
        parts["H"], parts["ampm"] = parts["Hh"], parts["ampm2"]
    if parts.get("H") is not None:
        hour, minute = int(parts["H"] or 0), int(parts.get("M") or 0)
        second = int(parts.get("S") or 0)
        ampm = (parts.get("ampm") or "").upper()
        hour = _clock_hour(hour, ampm, parts, text)
        if hour > 23 or minute > 59 or second > 59:
            raise _not_datetime(text)
        ticks += hour * TICKS_PER_HOUR + minute * TICKS_PER_MINUTE + second * TICKS_PER_SECOND
        ticks += _fraction_ticks(parts.get("F") or "")
    zone = parts.get("zone")
    if zone is None:
        return ticks, None
    if zone.upper() in ("Z", "GMT", "UTC"):
        return ticks, 0
    sign = -1 if zone[0] == "-" else 1
    hours, _, minutes = zone[1:].partition(":")
    if not minutes and len(hours) > 2:  # `+0530`
        hours, minutes = hours[:-2], hours[-2:]
    if int(hours) > 14 or int(minutes or 0) > 59:  # .NET's range of offsets
        raise _not_datetime(text)
    return ticks, sign * (int(hours) * 60 + int(minutes or 0))


def _clock_hour(hour: int, ampm: str, parts: dict[str, str | None], text: str) -> int:
    """The hour of a 12-hour clock (ParseExact's `h`: 12 is midnight unless PM), of `H` with a
    designator (ParseExact: they must agree), or of DateTime.Parse (`13:00 PM` is 13:00)."""
    pm = ampm.startswith("P")  # `PM`, or `P` for the format's `t`
    if parts.get("h") is not None:
        if hour > 12:
            raise _not_datetime(text)
        return hour % 12 + (12 if pm else 0)
    if not ampm:
        return hour
    if parts.get("H24"):
        if pm != (hour >= 12):
            raise _not_datetime(text)
        return hour
    if hour > 12:
        if not pm:
            raise _not_datetime(text)
        return hour
    return hour % 12 + (12 if pm else 0)


def parse_datetime(text: object) -> DateTime:
    """DateTime.Parse: a zone designator makes a Local time (converted to local = UTC)."""
    ticks, offset = parse_moment(text)
    if offset is None:
        return DateTime(ticks, UNSPECIFIED)
    return DateTime(_checked(ticks - offset * TICKS_PER_MINUTE, text), LOCAL)


def convert_to_datetime(value: object, provider: object = None) -> DateTime:
    """`Convert.ToDateTime(value[, provider])`: null is DateTime.MinValue, a string parses as
    `DateTime.Parse` does (invariant culture), a DateTime is itself; other types cannot."""
    if value is None:
        return DateTime(0, UNSPECIFIED)
    if isinstance(value, DateTime):
        return value
    if type(value) is str:
        return parse_datetime(value)
    raise exc.invalid_cast(value, "System.DateTime")


def parse_datetimeoffset(text: object) -> DateTimeOffset:
    ticks, offset = parse_moment(text)
    return DateTimeOffset(ticks, offset or 0)


def _checked(ticks: int, text: object) -> int:
    if not 0 <= ticks <= 3_155_378_975_999_999_999:
        raise _not_datetime(str(text))
    return ticks


def try_parser(parse: Callable[[object], object], default: object) -> Callable[..., object]:
    """`TryParse(s, out v)`: v is `default` (the type's default value) when parsing fails."""

    def try_parse(text: object) -> tuple[bool, object]:
        try:
            return True, parse(text)
        except exc.ExpressionRuntimeError:
            return False, default

    return try_parse


# --- ParseExact (custom patterns) ----------------------------------------------------------------

_EXACT_TOKENS = {
    "yyyy": r"(?P<y>\d{4})",
    "yy": r"(?P<yy>\d{2})",
    "MMMM": r"(?P<mon>[A-Za-z]+)",
    "MMM": r"(?P<mon>[A-Za-z]{3})",
    "MM": r"(?P<mo>\d{2})",
    "M": r"(?P<mo>\d{1,2})",
    "dddd": r"(?P<dow>[A-Za-z]+)",
    "ddd": r"(?P<dow>[A-Za-z]{3})",
    "dd": r"(?P<d>\d{2})",
    "d": r"(?P<d>\d{1,2})",
    "HH": r"(?P<H>\d{2})",
    "H": r"(?P<H>\d{1,2})",
    "hh": r"(?P<h>\d{2})",
    "h": r"(?P<h>\d{1,2})",
    "mm": r"(?P<M>\d{2})",
    "m": r"(?P<M>\d{1,2})",
    "ss": r"(?P<S>\d{2})",
    "s": r"(?P<S>\d{1,2})",
    "tt": r"(?P<ampm>[AaPp][Mm])",
    "t": r"(?P<ampm>[AaPp])",
    "zzz": r"(?P<zone>[+-]\d{1,2}:?\d{2})",  # the colon is optional
    "zz": r"(?P<zone>[+-]\d{1,2})",
    "z": r"(?P<zone>[+-]\d{1,2})",
    "K": r"(?P<zone>Z|[+-]\d{1,2}:?\d{2})?",
}


def _exact_regex(pattern: str) -> re.Pattern[str]:
    if len(pattern) == 1:
        if pattern not in _STANDARD:
            raise _bad_format()
        pattern = _STANDARD[pattern]
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        n = _repeat(pattern, i)
        if c == "." and pattern[i + 1 : i + 2] == "F":  # `.FFF`: the point goes with them
            n = _repeat(pattern, i + 1)
            if n > 7:
                raise _bad_format()
            out.append(rf"(?:\.(?P<F>\d{{0,{n}}}))?")
            i += 1 + n
            continue
        if c in "fF":
            if n > 7:
                raise _bad_format()
            out.append(rf"(?P<F>\d{{{n}}})" if c == "f" else rf"(?P<F>\d{{0,{n}}})")
        elif c in "'\"":
            text, i = _quoted(pattern, i)
            out.append(re.escape(text))
            continue
        elif c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        elif c in "yMdHhmstzK":
            token = next((t for t in _EXACT_TOKENS if pattern.startswith(t, i) and t[0] == c), None)
            if token is None:
                raise _bad_format()
            out.append(_EXACT_TOKENS[token])
            n = len(token)
        else:
            out.append(re.escape(c))
            n = 1
        i += n
    try:
        return re.compile("".join(out) + r"\Z")
    except re.error:  # a field given twice
        raise _bad_format() from None


def parse_exact_moment(text: object, format: object) -> tuple[int, int | None]:
    if text is None:
        raise exc.argument_null("input")
    if format is None:
        raise exc.argument_null("format")
    if type(text) is not str or type(format) is not str:
        raise exc.invalid_cast(text if type(text) is not str else format, "System.String")
    match = _exact_regex(format).match(text)
    if match is None:
        raise _not_datetime(text)
    parts: dict[str, str | None] = dict(match.groupdict())
    _two_digit_year(parts)
    if parts.get("h") is not None:
        parts["H"] = parts["h"]
    elif parts.get("H") is not None:
        parts["H24"] = "1"  # the format's `H`: a designator must agree with it
    dated = any(parts.get(k) for k in ("y", "mo", "mon", "d"))
    if dated:  # a missing year is this year's, a missing month or day the first
        parts["y"] = parts.get("y") or str(_this_year())
        if not parts.get("mon"):
            parts["mo"] = parts.get("mo") or "1"
        parts["d"] = parts.get("d") or "1"
    # else a time alone: today's date, as .NET's ParseExact takes it
    if parts.get("H") is None and (parts.get("M") or parts.get("S")):
        parts["H"] = "0"
    return _moment(parts, text)


def parse_exact_datetimeoffset(
    text: object, format: object, provider: object = None
) -> DateTimeOffset:
    ticks, offset = parse_exact_moment(text, format)
    return DateTimeOffset(ticks, offset or 0)


def try_parse_exact_datetimeoffset(
    text: object, formats: object, provider: object, styles: object
) -> tuple[bool, DateTimeOffset]:
    """`DateTimeOffset.TryParseExact(s, format or formats, provider, 0, out r)`: the styles can
    only be the literal 0 (DateTimeStyles.None), as an expression cannot name DateTimeStyles."""
    if styles != 0 or type(styles) is not int:
        raise exc.invalid_cast(styles, "System.Globalization.DateTimeStyles")
    patterns = list(formats) if isinstance(formats, CsArray) else [formats]
    for pattern in patterns if text is not None else ():
        if pattern is None or pattern == "":  # a bad format ends the search
            break
        try:
            return True, parse_exact_datetimeoffset(text, pattern, provider)
        except exc.ExpressionRuntimeError:
            continue
    return False, DateTimeOffset(0, 0)


def utc_ticks_of(value: DateTime) -> int:
    return value.Ticks


__all__ = ["format_datetime", "format_timespan", "parse_datetime", "parse_timespan", "trunc_div"]
