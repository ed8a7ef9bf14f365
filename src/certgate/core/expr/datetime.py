"""`System.DateTime` as expressions see it (the part certificates need; the expression-language
work extends it with statics, arithmetic and custom formats).

Values are UTC (`DateTimeKind.Utc`): certgate keeps its clock in UTC, as Azure's hosts do.
"""

from __future__ import annotations

import datetime as dt

from certgate.errors import ExpressionRuntimeError

from .types import CsValue

_EPOCH = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class DateTime(CsValue):
    __slots__ = ("_value",)
    CS_TYPE = "DateTime"
    CS_MEMBERS = frozenset(
        {"Year", "Month", "Day", "Hour", "Minute", "Second", "Millisecond", "Ticks", "ToString"}
    )

    def __init__(self, value: dt.datetime) -> None:
        self._value = value.astimezone(dt.UTC)

    def value_key(self) -> int:
        return self.Ticks

    @property
    def Year(self) -> int:
        return self._value.year

    @property
    def Month(self) -> int:
        return self._value.month

    @property
    def Day(self) -> int:
        return self._value.day

    @property
    def Hour(self) -> int:
        return self._value.hour

    @property
    def Minute(self) -> int:
        return self._value.minute

    @property
    def Second(self) -> int:
        return self._value.second

    @property
    def Millisecond(self) -> int:
        return self._value.microsecond // 1000

    @property
    def Ticks(self) -> int:
        delta = self._value - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 10_000_000 + delta.microseconds * 10

    def ToString(self, format: object = None) -> str:
        v = self._value
        if format is None or format == "G":  # invariant culture general date
            return f"{v.month:02}/{v.day:02}/{v.year:04} {v.hour:02}:{v.minute:02}:{v.second:02}"
        if format in ("o", "O"):
            return v.strftime("%Y-%m-%dT%H:%M:%S.") + f"{v.microsecond * 10:07}Z"
        if format == "s":
            return v.strftime("%Y-%m-%dT%H:%M:%S")
        if format == "u":
            return v.strftime("%Y-%m-%d %H:%M:%SZ")
        if format in ("R", "r"):
            day, month = _DAYS[v.weekday()], _MONTHS[v.month - 1]
            return f"{day}, {v.day:02} {month} {v.year:04} {v.strftime('%H:%M:%S')} GMT"
        raise ExpressionRuntimeError(
            "NotSupportedException", f"not supported yet: DateTime format '{format}'"
        )

    def to_python(self) -> dt.datetime:
        return self._value
