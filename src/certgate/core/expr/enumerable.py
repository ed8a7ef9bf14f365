"""`System.Linq.Enumerable`'s static generators: `Range`, `Repeat`, `Empty<T>()`.

They are lazy, as in .NET (`Enumerable.Range(0, int.MaxValue).Take(3)` is cheap), and know their
count (`linq_count`). Their length is not bounded by any input, so every element ticks the time
budget (`budget`): a `Range(0, int.MaxValue).Count()` fails with the budget error instead of
holding the worker.
"""

from __future__ import annotations

from collections.abc import Iterator

from . import exceptions as exc
from .budget import tick
from .collections import LinqSeq
from .linq_count import SizedSeq
from .types import CsTypeRef

_INT_MAX = 2**31 - 1


def _int(value: object, param: str) -> int:
    if type(value) is not int:
        raise exc.invalid_cast(value, "System.Int32")
    if not -(2**31) <= value <= _INT_MAX:
        raise exc.argument_out_of_range(param)
    return value


def range_(start: object, count: object) -> LinqSeq:
    first, n = _int(start, "start"), _int(count, "count")
    if n < 0 or first + n - 1 > _INT_MAX:
        raise exc.argument_out_of_range("count")

    def run() -> Iterator[object]:
        for value in range(first, first + n):
            tick()
            yield value

    return SizedSeq(run, lambda: n, partition=True)


def repeat(element: object, count: object) -> LinqSeq:
    n = _int(count, "count")
    if n < 0:
        raise exc.argument_out_of_range("count")

    def run() -> Iterator[object]:
        for _ in range(n):
            tick()
            yield element

    return SizedSeq(run, lambda: n, partition=True)


def empty(*, type_args: tuple[CsTypeRef, ...]) -> LinqSeq:
    return SizedSeq(tuple, lambda: 0, partition=True)


__all__ = ["empty", "range_", "repeat"]
