"""`System.DateTime`, `System.TimeSpan` and `System.DateTimeOffset` (.NET 8 semantics).

Values are ticks (100 ns since 0001-01-01), exactly as .NET stores them, so `Ticks`, arithmetic
and the fraction digits of formats are exact; `datetime` is used only for the calendar. The
machine's local time zone is UTC (certgate keeps its clock in UTC, as Azure's hosts do): `Now`
and `UtcNow` read the same instant, with `Kind` Local and Utc. Formatting and parsing live in
`datefmt`.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from typing import ClassVar

from . import exceptions as exc
from .strings import CsEnum
from .types import CsValue

TICKS_PER_MS = 10_000
TICKS_PER_SECOND = 10_000_000
TICKS_PER_MINUTE = 600_000_000
TICKS_PER_HOUR = 36_000_000_000
TICKS_PER_DAY = 864_000_000_000
MAX_TICKS = 3_155_378_975_999_999_999  # 9999-12-31T23:59:59.9999999
UNIX_EPOCH_TICKS = 621_355_968_000_000_000
FILE_TIME_TICKS = 504_911_232_000_000_000  # 1601-01-01, where Windows file times start
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


class DateTimeKind(CsEnum):
    __slots__ = ()
    CS_TYPE = "System.DateTimeKind"


class DayOfWeek(CsEnum):
    __slots__ = ()
    CS_TYPE = "System.DayOfWeek"


KINDS = {name: DateTimeKind(name, i) for i, name in enumerate(("Unspecified", "Utc", "Local"))}
UNSPECIFIED, UTC, LOCAL = KINDS["Unspecified"], KINDS["Utc"], KINDS["Local"]
DAYS_OF_WEEK = {
    name: DayOfWeek(name, i)
    for i, name in enumerate(
        ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
    )
}
_WEEKDAYS = tuple(DAYS_OF_WEEK.values())


def trunc_div(a: int, b: int) -> int:
    """C# integer division (toward zero)."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def trunc_rem(a: int, b: int) -> int:
    return a - b * trunc_div(a, b)


def _int(value: object, param: str) -> int:
    if type(value) is not int:
        raise exc.invalid_cast(value, "System.Int32")
    return value


def _number(value: object) -> float:
    if type(value) is int or type(value) is float:
        return float(value)
    if value is None:
        raise exc.no_value()
    raise exc.invalid_cast(value, "System.Double")


def now_ticks() -> int:
    return UNIX_EPOCH_TICKS + time.time_ns() // 100


def _out_of_range(param: str, message: str | None = None) -> exc.ExpressionRuntimeError:
    if message is None:
        return exc.argument_out_of_range(param)
    return exc.ExpressionRuntimeError(
        "ArgumentOutOfRangeException", f"{message} (Parameter '{param}')"
    )


def _unrepresentable(param: str = "value") -> exc.ExpressionRuntimeError:
    return _out_of_range(
        param, "The added or subtracted value results in an un-representable DateTime."
    )


def days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (dt.date(year, month + 1, 1) - dt.date(year, month, 1)).days


def is_leap_year(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def date_ticks(year: int, month: int, day: int) -> int:
    """Ticks at midnight of a date; ArgumentOutOfRangeException for an invalid date."""
    if not 1 <= year <= 9999 or not 1 <= month <= 12:
        raise _out_of_range(
            "year", "Year, Month, and Day parameters describe an un-representable DateTime."
        )
    if not 1 <= day <= days_in_month(year, month):
        raise _out_of_range(
            "day", "Year, Month, and Day parameters describe an un-representable DateTime."
        )
    return (dt.date(year, month, day).toordinal() - 1) * TICKS_PER_DAY


def time_ticks(hour: int, minute: int, second: int, millisecond: int = 0) -> int:
    if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60):
        raise _out_of_range(
            "second", "Hour, Minute, and Second parameters describe an un-representable DateTime."
        )
    if not 0 <= millisecond < 1000:
        raise _out_of_range("millisecond")
    return (
        hour * TICKS_PER_HOUR
        + minute * TICKS_PER_MINUTE
        + second * TICKS_PER_SECOND
        + millisecond * TICKS_PER_MS
    )


class _Calendar:
    """Calendar fields of a tick count (shared by DateTime and DateTimeOffset)."""

    __slots__ = ()

    def _clock(self) -> int:
        raise NotImplementedError

    def _date(self) -> dt.date:
        return dt.date.fromordinal(self._clock() // TICKS_PER_DAY + 1)

    @property
    def Year(self) -> int:
        return self._date().year

    @property
    def Month(self) -> int:
        return self._date().month

    @property
    def Day(self) -> int:
        return self._date().day

    @property
    def Hour(self) -> int:
        return self._clock() % TICKS_PER_DAY // TICKS_PER_HOUR

    @property
    def Minute(self) -> int:
        return self._clock() % TICKS_PER_HOUR // TICKS_PER_MINUTE

    @property
    def Second(self) -> int:
        return self._clock() % TICKS_PER_MINUTE // TICKS_PER_SECOND

    @property
    def Millisecond(self) -> int:
        return self._clock() % TICKS_PER_SECOND // TICKS_PER_MS

    @property
    def DayOfWeek(self) -> DayOfWeek:
        return _WEEKDAYS[(self._clock() // TICKS_PER_DAY + 1) % 7]

    @property
    def DayOfYear(self) -> int:
        return self._date().timetuple().tm_yday

    @property
    def TimeOfDay(self) -> TimeSpan:
        return TimeSpan(self._clock() % TICKS_PER_DAY)


class DateTime(_Calendar, CsValue):
    """A `System.DateTime`: ticks plus a `DateTimeKind`."""

    __slots__ = ("_kind", "_ticks")
    CS_TYPE = "System.DateTime"
    CS_LONG = frozenset({"Ticks"})
    # APIM's allow-list (spec §3.3); `ToUniversalTime`, `Kind`, `CompareTo` ... are not on it.
    CS_MEMBERS = frozenset(
        {
            "Add",
            "AddDays",
            "AddHours",
            "AddMilliseconds",
            "AddMinutes",
            "AddMonths",
            "AddSeconds",
            "AddTicks",
            "AddYears",
            "Date",
            "Day",
            "DayOfWeek",
            "DayOfYear",
            "Hour",
            "IsDaylightSavingTime",
            "Millisecond",
            "Minute",
            "Month",
            "Second",
            "Subtract",
            "Ticks",
            "TimeOfDay",
            "ToString",
            "Year",
        }
    )

    def __init__(self, value: dt.datetime | int, kind: DateTimeKind | None = None) -> None:
        """From an aware `datetime` (converted to UTC, Kind Utc) or from ticks."""
        if isinstance(value, dt.datetime):
            delta = value.astimezone(dt.UTC).replace(tzinfo=None) - dt.datetime(1, 1, 1)
            ticks = (delta.days * 86_400 + delta.seconds) * TICKS_PER_SECOND
            value = ticks + delta.microseconds * 10
            kind = kind or UTC
        if not 0 <= value <= MAX_TICKS:
            raise _out_of_range(
                "ticks",
                "Ticks must be between DateTime.MinValue.Ticks and DateTime.MaxValue.Ticks.",
            )
        self._ticks = value
        self._kind: DateTimeKind = kind or UNSPECIFIED

    def _clock(self) -> int:
        return self._ticks

    def value_key(self) -> int:
        return self._ticks

    @property
    def Ticks(self) -> int:
        return self._ticks

    @property
    def Kind(self) -> DateTimeKind:
        return self._kind

    @property
    def Date(self) -> DateTime:
        return DateTime(self._ticks - self._ticks % TICKS_PER_DAY, self._kind)

    # --- arithmetic ------------------------------------------------------------------------------

    def AddTicks(self, value: object) -> DateTime:
        ticks = self._ticks + _int(value, "value")
        if not 0 <= ticks <= MAX_TICKS:
            raise _unrepresentable()
        return DateTime(ticks, self._kind)

    def _add_units(self, value: object, max_units: int, ticks_per_unit: int) -> DateTime:
        """.NET 7+ `AddUnits`: whole units exactly, the fraction truncated to ticks."""
        number = _number(value)
        if math.isnan(number) or abs(number) > max_units:
            raise _out_of_range("value", "Value to add was out of range.")
        whole = int(number)
        return self.AddTicks(whole * ticks_per_unit + int((number - whole) * ticks_per_unit))

    def AddDays(self, value: object) -> DateTime:
        return self._add_units(value, 10_000_000, TICKS_PER_DAY)

    def AddHours(self, value: object) -> DateTime:
        return self._add_units(value, 240_000_000, TICKS_PER_HOUR)

    def AddMinutes(self, value: object) -> DateTime:
        return self._add_units(value, 14_400_000_000, TICKS_PER_MINUTE)

    def AddSeconds(self, value: object) -> DateTime:
        return self._add_units(value, 864_000_000_000, TICKS_PER_SECOND)

    def AddMilliseconds(self, value: object) -> DateTime:
        return self._add_units(value, 864_000_000_000_000, TICKS_PER_MS)

    def AddMonths(self, months: object) -> DateTime:
        count = _int(months, "months")
        if not -120_000 <= count <= 120_000:
            raise _out_of_range("months", "Months value must be between +/-120000.")
        date = self._date()
        index = date.year * 12 + date.month - 1 + count
        year, month = divmod(index, 12)
        month += 1
        if not 1 <= year <= 9999:
            raise _out_of_range(
                "months", "The added or subtracted value results in an un-representable DateTime."
            )
        day = min(date.day, days_in_month(year, month))
        return DateTime(date_ticks(year, month, day) + self._ticks % TICKS_PER_DAY, self._kind)

    def AddYears(self, value: object) -> DateTime:
        years = _int(value, "years")
        if not -10_000 <= years <= 10_000:
            raise _out_of_range("years", "Years value must be between +/-10000.")
        return self.AddMonths(years * 12)

    def Add(self, value: object) -> DateTime:
        return self.AddTicks(_timespan(value).Ticks)

    def Subtract(self, value: object) -> object:
        if isinstance(value, DateTime):
            return TimeSpan(self._ticks - value._ticks)
        return self.AddTicks(-_timespan(value).Ticks)

    @classmethod
    def operator_result(cls, op: str, other: type) -> type | None:
        if other is TimeSpan and op in ("+", "-"):
            return DateTime
        if other is DateTime and op == "-":
            return TimeSpan
        return None

    def cs_binary(self, op: str, other: object) -> object:
        if op == "+":
            return self.Add(other)
        return self.Subtract(other)

    # --- conversions -----------------------------------------------------------------------------

    def IsDaylightSavingTime(self) -> bool:
        return False  # the local zone is UTC

    def ToUniversalTime(self) -> DateTime:
        return DateTime(self._ticks, UTC)  # local == UTC here

    def ToLocalTime(self) -> DateTime:
        return DateTime(self._ticks, LOCAL)

    def ToString(self, format: object = None, provider: object = None) -> str:
        from .datefmt import format_datetime  # noqa: PLC0415 (datefmt imports this module)

        return format_datetime(self._ticks, self._kind, None, format)

    def to_python(self) -> dt.datetime:
        micros = self._ticks // 10
        return dt.datetime(1, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=micros)


def _timespan(value: object) -> TimeSpan:
    if isinstance(value, TimeSpan):
        return value
    if value is None:
        raise exc.no_value()
    raise exc.invalid_cast(value, "System.TimeSpan")


def _overflow_timespan() -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError(
        "OverflowException", "TimeSpan overflowed because the duration is too long."
    )


class TimeSpan(CsValue):
    __slots__ = ("_ticks",)
    CS_TYPE = "System.TimeSpan"
    CS_LONG = frozenset({"Ticks"})
    CS_MEMBERS = frozenset(
        {
            "Add",
            "CompareTo",
            "Days",
            "Divide",
            "Duration",
            "Equals",
            "Hours",
            "Milliseconds",
            "Minutes",
            "Multiply",
            "Negate",
            "Seconds",
            "Subtract",
            "Ticks",
            "ToString",
            "TotalDays",
            "TotalHours",
            "TotalMilliseconds",
            "TotalMinutes",
            "TotalSeconds",
        }
    )

    def __init__(self, ticks: int) -> None:
        if not _INT64_MIN <= ticks <= _INT64_MAX:
            raise _overflow_timespan()
        self._ticks = ticks

    def value_key(self) -> int:
        return self._ticks

    @property
    def Ticks(self) -> int:
        return self._ticks

    @property
    def Days(self) -> int:
        return trunc_div(self._ticks, TICKS_PER_DAY)

    @property
    def Hours(self) -> int:
        return trunc_rem(trunc_div(self._ticks, TICKS_PER_HOUR), 24)

    @property
    def Minutes(self) -> int:
        return trunc_rem(trunc_div(self._ticks, TICKS_PER_MINUTE), 60)

    @property
    def Seconds(self) -> int:
        return trunc_rem(trunc_div(self._ticks, TICKS_PER_SECOND), 60)

    @property
    def Milliseconds(self) -> int:
        return trunc_rem(trunc_div(self._ticks, TICKS_PER_MS), 1000)

    @property
    def TotalDays(self) -> float:
        return self._ticks / TICKS_PER_DAY

    @property
    def TotalHours(self) -> float:
        return self._ticks / TICKS_PER_HOUR

    @property
    def TotalMinutes(self) -> float:
        return self._ticks / TICKS_PER_MINUTE

    @property
    def TotalSeconds(self) -> float:
        return self._ticks / TICKS_PER_SECOND

    @property
    def TotalMilliseconds(self) -> float:
        return self._ticks / TICKS_PER_MS

    def Add(self, other: object) -> TimeSpan:
        return TimeSpan(self._ticks + _timespan(other)._ticks)

    def Subtract(self, other: object) -> TimeSpan:
        return TimeSpan(self._ticks - _timespan(other)._ticks)

    def Negate(self) -> TimeSpan:
        if self._ticks == _INT64_MIN:
            raise exc.ExpressionRuntimeError(
                "OverflowException",
                "Negating the minimum value of a twos complement number is invalid.",
            )
        return TimeSpan(-self._ticks)

    def Duration(self) -> TimeSpan:
        if self._ticks == _INT64_MIN:
            raise exc.ExpressionRuntimeError(
                "OverflowException",
                "The duration cannot be returned for TimeSpan.MinValue because the absolute "
                "value of TimeSpan.MinValue exceeds the value of TimeSpan.MaxValue.",
            )
        return TimeSpan(abs(self._ticks))

    def CompareTo(self, other: object) -> int:
        if other is None:
            return 1
        ticks = _timespan(other)._ticks
        return (self._ticks > ticks) - (self._ticks < ticks)

    def Equals(self, other: object) -> bool:
        return isinstance(other, TimeSpan) and other._ticks == self._ticks

    @classmethod
    def operator_result(cls, op: str, other: type) -> type | None:
        if other is TimeSpan and op in ("+", "-"):
            return TimeSpan
        if other is TimeSpan and op == "/":
            return float
        if other in (int, float) and op in ("*", "/"):
            return TimeSpan
        return None

    def cs_binary(self, op: str, other: object) -> object:
        if op == "+":
            return self.Add(other)
        if op == "-":
            return self.Subtract(other)
        if op == "*":
            return self.Multiply(other)
        return self.Divide(other)

    def Multiply(self, factor: object) -> TimeSpan:
        """`t * factor`: rounded to the nearest tick (ties to even), as .NET Core 2.0+."""
        return from_double_ticks(_round_even(self._ticks * _not_nan(factor, "factor")))

    def Divide(self, divisor: object) -> object:
        """`t / divisor` (a TimeSpan, rounded to the nearest tick) or `t / ts` (a double)."""
        if isinstance(divisor, TimeSpan):
            if divisor._ticks:
                return self._ticks / divisor._ticks
            return math.nan if not self._ticks else math.copysign(math.inf, self._ticks)
        quotient = _divide(float(self._ticks), _not_nan(divisor, "divisor"))
        return from_double_ticks(_round_even(quotient))

    def ToString(self, format: object = None, provider: object = None) -> str:
        from .datefmt import format_timespan  # noqa: PLC0415 (datefmt imports this module)

        return format_timespan(self._ticks, format)


def _not_nan(value: object, param: str) -> float:
    number = _number(value)
    if math.isnan(number):
        raise exc.ExpressionRuntimeError(
            "ArgumentException",
            f"TimeSpan does not accept floating point Not-a-Number values. (Parameter '{param}')",
        )
    return number


def _round_even(value: float) -> float:
    """Math.Round(double): to the nearest integer, ties to even; NaN and infinities stay."""
    return float(round(value)) if math.isfinite(value) else value


def _divide(a: float, b: float) -> float:
    """IEEE division: x/0 is an infinity (NaN for 0/0), where Python raises."""
    if b:
        return a / b
    return math.nan if a == 0 else math.copysign(math.inf, a) * math.copysign(1.0, b)


def compare_timespans(a: object, b: object) -> int:
    """`TimeSpan.Compare(t1, t2)`."""
    x, y = _timespan(a)._ticks, _timespan(b)._ticks
    return (x > y) - (x < y)


def timespans_equal(a: object, b: object) -> bool:
    """`TimeSpan.Equals(t1, t2)`."""
    return _timespan(a)._ticks == _timespan(b)._ticks


def from_double_ticks(ticks: float) -> TimeSpan:
    """.NET's `IntervalFromDoubleTicks`: truncates (no rounding to whole milliseconds since
    .NET Core 3)."""
    limit = float(_INT64_MAX)  # 2**63 as a double: C# compares in doubles
    if math.isnan(ticks) or ticks > limit or ticks < -limit:
        raise _overflow_timespan()
    if ticks == limit:
        return TimeSpan(_INT64_MAX)
    return TimeSpan(int(ticks))


def timespan_from(scale: int) -> object:
    def factory(value: object) -> TimeSpan:
        number = _number(value)
        if math.isnan(number):
            raise exc.ExpressionRuntimeError(
                "ArgumentException", "TimeSpan does not accept floating point Not-a-Number values."
            )
        return from_double_ticks(number * scale)

    return factory


def new_timespan(*args: object) -> TimeSpan:
    """`new TimeSpan(ticks)`, `(h, m, s)`, `(d, h, m, s)`, `(d, h, m, s, ms)`."""
    values = [_int(a, "value") for a in args]
    if len(values) <= 1:  # `new TimeSpan()` is TimeSpan.Zero
        return TimeSpan(values[0] if values else 0)
    if len(values) == 3:
        values = [0, *values]
    if len(values) not in (4, 5):
        raise exc.ExpressionRuntimeError(
            "ArgumentException", "No overload of TimeSpan's constructor takes these arguments."
        )
    days, hours, minutes, seconds = values[:4]
    millis = values[4] if len(values) == 5 else 0
    total = (
        (days * 3600 * 24 + hours * 3600 + minutes * 60 + seconds) * 1000 + millis
    ) * TICKS_PER_MS
    if not _INT64_MIN <= total <= _INT64_MAX:
        raise exc.ExpressionRuntimeError(
            "ArgumentOutOfRangeException", "TimeSpan overflowed because the duration is too long."
        )
    return TimeSpan(total)


def new_datetime(*args: object) -> DateTime:
    """`new DateTime(ticks[, kind])`, `(y, M, d)`, `(y, M, d, h, m, s[, ms][, kind])`."""
    kind = UNSPECIFIED
    if args and isinstance(args[-1], DateTimeKind):
        kind = args[-1]
        args = args[:-1]
    values = [_int(a, "value") for a in args]
    if len(values) <= 1:  # `new DateTime()` is DateTime.MinValue
        return DateTime(values[0] if values else 0, kind)
    if len(values) not in (3, 6, 7):
        raise exc.ExpressionRuntimeError(
            "ArgumentException", "No overload of DateTime's constructor takes these arguments."
        )
    ticks = date_ticks(*values[:3])
    if len(values) > 3:
        ticks += time_ticks(*values[3:])
    return DateTime(ticks, kind)


_DateTime = DateTime  # the class, where DateTimeOffset.DateTime (a property) shadows it


class DateTimeOffset(_Calendar, CsValue):
    """A `System.DateTimeOffset`: local clock ticks and an offset (whole minutes)."""

    __slots__ = ("_clock_ticks", "_offset")
    CS_TYPE = "System.DateTimeOffset"
    CS_LONG = frozenset(
        {"Ticks", "UtcTicks", "ToUnixTimeSeconds", "ToUnixTimeMilliseconds", "ToFileTime"}
    )
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset(
        {
            "Add",
            "AddDays",
            "AddHours",
            "AddMilliseconds",
            "AddMinutes",
            "AddMonths",
            "AddSeconds",
            "AddTicks",
            "AddYears",
            "CompareTo",
            "Date",
            "DateTime",
            "Day",
            "DayOfWeek",
            "DayOfYear",
            "Equals",
            "EqualsExact",
            "Hour",
            "LocalDateTime",
            "Millisecond",
            "Minute",
            "Month",
            "Offset",
            "Second",
            "Subtract",
            "Ticks",
            "TimeOfDay",
            "ToFileTime",
            "ToLocalTime",
            "ToOffset",
            "ToString",
            "ToUniversalTime",
            "ToUnixTimeMilliseconds",
            "ToUnixTimeSeconds",
            "UtcDateTime",
            "UtcTicks",
            "Year",
        }
    )

    def __init__(self, clock_ticks: int, offset_minutes: int = 0) -> None:
        if not -840 <= offset_minutes <= 840:
            raise _out_of_range("offset", "Offset must be within plus or minus 14 hours.")
        utc = clock_ticks - offset_minutes * TICKS_PER_MINUTE
        if not 0 <= utc <= MAX_TICKS or not 0 <= clock_ticks <= MAX_TICKS:
            raise _out_of_range(
                "offset",
                "The UTC time represented when the offset is applied must be between year 0 "
                "and 10,000.",
            )
        self._clock_ticks = clock_ticks
        self._offset = offset_minutes

    def _clock(self) -> int:
        return self._clock_ticks

    def value_key(self) -> int:
        return self.UtcTicks

    @property
    def Ticks(self) -> int:
        return self._clock_ticks

    @property
    def UtcTicks(self) -> int:
        return self._clock_ticks - self._offset * TICKS_PER_MINUTE

    @property
    def Offset(self) -> TimeSpan:
        return TimeSpan(self._offset * TICKS_PER_MINUTE)

    @property
    def offset_minutes(self) -> int:
        return self._offset

    @property
    def DateTime(self) -> _DateTime:
        return DateTime(self._clock_ticks, UNSPECIFIED)

    @property
    def UtcDateTime(self) -> _DateTime:
        return DateTime(self.UtcTicks, UTC)

    @property
    def LocalDateTime(self) -> _DateTime:
        return DateTime(self.UtcTicks, LOCAL)

    @property
    def Date(self) -> _DateTime:
        return DateTime(self._clock_ticks - self._clock_ticks % TICKS_PER_DAY, UNSPECIFIED)

    def _with(self, moved: _DateTime) -> DateTimeOffset:
        return DateTimeOffset(moved.Ticks, self._offset)

    def AddTicks(self, value: object) -> DateTimeOffset:
        return self._with(self.DateTime.AddTicks(value))

    def AddDays(self, value: object) -> DateTimeOffset:
        return self._with(self.DateTime.AddDays(value))

    def AddHours(self, value: object) -> DateTimeOffset:
        return self._with(self.DateTime.AddHours(value))

    def AddMinutes(self, value: object) -> DateTimeOffset:
        return self._with(self.DateTime.AddMinutes(value))

    def AddSeconds(self, value: object) -> DateTimeOffset:
        return self._with(self.DateTime.AddSeconds(value))

    def AddMilliseconds(self, value: object) -> DateTimeOffset:
        return self._with(self.DateTime.AddMilliseconds(value))

    def AddMonths(self, value: object) -> DateTimeOffset:
        return self._with(self.DateTime.AddMonths(value))

    def AddYears(self, value: object) -> DateTimeOffset:
        return self._with(self.DateTime.AddYears(value))

    def Add(self, value: object) -> DateTimeOffset:
        return self._with(self.DateTime.Add(value))

    def Subtract(self, value: object) -> object:
        if isinstance(value, DateTime):  # C#'s implicit conversion to DateTimeOffset
            value = new_datetimeoffset(value)
        if isinstance(value, DateTimeOffset):
            return TimeSpan(self.UtcTicks - value.UtcTicks)
        return self._with(self.DateTime.AddTicks(-_timespan(value).Ticks))

    @classmethod
    def operator_result(cls, op: str, other: type) -> type | None:
        if other is TimeSpan and op in ("+", "-"):
            return DateTimeOffset
        if other is DateTimeOffset and op == "-":
            return TimeSpan
        return None

    def cs_binary(self, op: str, other: object) -> object:
        return self.Add(other) if op == "+" else self.Subtract(other)

    def CompareTo(self, other: object) -> int:
        if not isinstance(other, DateTimeOffset):
            raise exc.ExpressionRuntimeError(
                "ArgumentException", "Object must be of type DateTimeOffset."
            )
        a, b = self.UtcTicks, other.UtcTicks
        return (a > b) - (a < b)

    def Equals(self, other: object) -> bool:
        return isinstance(other, DateTimeOffset) and other.UtcTicks == self.UtcTicks

    def EqualsExact(self, other: object) -> bool:
        """The same instant and the same offset."""
        theirs = _datetimeoffset(other)
        return theirs.UtcTicks == self.UtcTicks and theirs._offset == self._offset

    def ToFileTime(self) -> int:
        """100 ns intervals since 1601-01-01 UTC (a Windows file time)."""
        ticks = self.UtcTicks - FILE_TIME_TICKS
        if ticks < 0:
            raise exc.ExpressionRuntimeError(
                "ArgumentOutOfRangeException", "Not a valid Win32 FileTime."
            )
        return ticks

    def ToOffset(self, offset: object) -> DateTimeOffset:
        ticks = _timespan(offset).Ticks
        if ticks % TICKS_PER_MINUTE:
            raise exc.ExpressionRuntimeError(
                "ArgumentException",
                "Offset must be specified in whole minutes. (Parameter 'offset')",
            )
        minutes = ticks // TICKS_PER_MINUTE
        return DateTimeOffset(self.UtcTicks + ticks, minutes)

    def ToUniversalTime(self) -> DateTimeOffset:
        return DateTimeOffset(self.UtcTicks, 0)

    def ToLocalTime(self) -> DateTimeOffset:
        return DateTimeOffset(self.UtcTicks, 0)

    def ToUnixTimeSeconds(self) -> int:
        return (self.UtcTicks - UNIX_EPOCH_TICKS) // TICKS_PER_SECOND

    def ToUnixTimeMilliseconds(self) -> int:
        return (self.UtcTicks - UNIX_EPOCH_TICKS) // TICKS_PER_MS

    def ToString(self, format: object = None, provider: object = None) -> str:
        from .datefmt import format_datetime  # noqa: PLC0415 (datefmt imports this module)

        return format_datetime(self._clock_ticks, None, self._offset, format)


def new_datetimeoffset(*args: object) -> DateTimeOffset:
    """`new DateTimeOffset(DateTime)`, `(DateTime, TimeSpan)`, `(ticks, TimeSpan)`,
    `(y, M, d, h, m, s, TimeSpan)`, `(y, M, d, h, m, s, ms, TimeSpan)`; `()` is MinValue."""
    if not args:
        return DateTimeOffset(0, 0)
    if len(args) in (1, 2) and isinstance(args[0], DateTime):
        moment = args[0]
        if len(args) == 1:
            return DateTimeOffset(moment.Ticks, 0)
        minutes = _offset_minutes(args[1])
        if moment.Kind is UTC and minutes != 0:
            raise exc.ExpressionRuntimeError(
                "ArgumentException",
                "The UTC Offset for Utc DateTime instances must be 0. (Parameter 'offset')",
            )
        return DateTimeOffset(moment.Ticks, minutes)
    if len(args) == 2:
        return DateTimeOffset(DateTime(_int(args[0], "ticks")).Ticks, _offset_minutes(args[1]))
    if len(args) in (7, 8):
        moment = new_datetime(*args[:-1])
        return DateTimeOffset(moment.Ticks, _offset_minutes(args[-1]))
    raise exc.ExpressionRuntimeError(
        "ArgumentException", "No overload of DateTimeOffset's constructor takes these arguments."
    )


def _offset_minutes(value: object) -> int:
    ticks = _timespan(value).Ticks
    if ticks % TICKS_PER_MINUTE:
        raise exc.ExpressionRuntimeError(
            "ArgumentException", "Offset must be specified in whole minutes. (Parameter 'offset')"
        )
    return ticks // TICKS_PER_MINUTE


def _datetimeoffset(value: object) -> DateTimeOffset:
    if isinstance(value, DateTimeOffset):
        return value
    if value is None:
        raise exc.no_value()
    raise exc.invalid_cast(value, "System.DateTimeOffset")


def compare_offsets(first: object, second: object) -> int:
    """`DateTimeOffset.Compare(a, b)`: by the instant, whatever the offsets."""
    a, b = _datetimeoffset(first).UtcTicks, _datetimeoffset(second).UtcTicks
    return (a > b) - (a < b)


def offsets_equal(first: object, second: object) -> bool:
    """`DateTimeOffset.Equals(a, b)`: the same instant, whatever the offsets."""
    return _datetimeoffset(first).UtcTicks == _datetimeoffset(second).UtcTicks


def from_file_time(value: object) -> DateTimeOffset:
    """`DateTimeOffset.FromFileTime(long)`: in the local zone, which is UTC here."""
    file_time = _int(value, "fileTime")
    if not 0 <= file_time <= MAX_TICKS - FILE_TIME_TICKS:
        raise _out_of_range("fileTime", "Not a valid Win32 FileTime.")
    return DateTimeOffset(file_time + FILE_TIME_TICKS, 0)


def from_unix_seconds(value: object) -> DateTimeOffset:
    seconds = _int(value, "seconds")
    if not -62_135_596_800 <= seconds <= 253_402_300_799:
        raise _out_of_range(
            "seconds", "Valid values are between -62135596800 and 253402300799, inclusive."
        )
    return DateTimeOffset(UNIX_EPOCH_TICKS + seconds * TICKS_PER_SECOND, 0)


def from_unix_milliseconds(value: object) -> DateTimeOffset:
    millis = _int(value, "milliseconds")
    if not -62_135_596_800_000 <= millis <= 253_402_300_799_999:
        raise _out_of_range(
            "milliseconds",
            "Valid values are between -62135596800000 and 253402300799999, inclusive.",
        )
    return DateTimeOffset(UNIX_EPOCH_TICKS + millis * TICKS_PER_MS, 0)


def utc_now() -> DateTime:
    return DateTime(now_ticks(), UTC)


def local_now() -> DateTime:
    return DateTime(now_ticks(), LOCAL)


def today() -> DateTime:
    ticks = now_ticks()
    return DateTime(ticks - ticks % TICKS_PER_DAY, LOCAL)


def offset_now() -> DateTimeOffset:
    return DateTimeOffset(now_ticks(), 0)


def static_days_in_month(year: object, month: object) -> int:
    y, m = _int(year, "year"), _int(month, "month")
    if not 1 <= m <= 12:
        raise _out_of_range("month", "Month must be between one and twelve.")
    if not 1 <= y <= 9999:
        raise _out_of_range("year", "Year must be between 1 and 9999.")
    return days_in_month(y, m)


def static_is_leap_year(year: object) -> bool:
    y = _int(year, "year")
    if not 1 <= y <= 9999:
        raise _out_of_range("year", "Year must be between 1 and 9999.")
    return is_leap_year(y)


MIN_VALUE = DateTime(0, UNSPECIFIED)
MAX_VALUE = DateTime(MAX_TICKS, UNSPECIFIED)
