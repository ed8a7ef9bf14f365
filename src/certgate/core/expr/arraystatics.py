"""`System.Array`'s static members: `Copy`, `Exists`, `TrueForAll`, `Find`, `FindIndex`,
`IndexOf`, `Reverse`, `Empty<T>()`.

Arrays do not carry an element type at run time, so `Copy` between arrays of different element
types copies where .NET throws ArrayTypeMismatchException, and `Find` returns null where .NET
returns a value type's default (0 for an `int[]`). Writes go through the array's own indexer
setter, as `a[i] = v` does.
"""

from __future__ import annotations

from collections.abc import Callable

from . import exceptions as exc
from .arrays import CsArray, non_negative_int
from .collections import value_equals
from .types import CsTypeRef

_NOT_LONG_ENOUGH = (
    "{} array was not long enough. Check the {} index, length, and the array's lower bounds. "
    "(Parameter '{}Array')"
)


def _array(value: object, param: str) -> CsArray:
    if value is None:
        raise exc.argument_null(param)
    if not isinstance(value, CsArray):
        raise exc.invalid_cast(value, "System.Array")
    return value


def _predicate(value: object) -> Callable[[object], object]:
    if value is None:
        raise exc.argument_null("match")
    if not callable(value):
        raise exc.invalid_cast(value, "System.Predicate")
    return value


def _test(match: Callable[[object], object], item: object) -> bool:
    result = match(item)
    if type(result) is not bool:
        raise exc.invalid_cast(result, "System.Boolean")
    return result


def copy(source: object, *args: object) -> None:
    """`Copy(source, destination, length)` / `Copy(source, sourceIndex, destination,
    destinationIndex, length)`; overlapping ranges of one array copy as if through a buffer."""
    if len(args) == 2:
        src, dst = _array(source, "sourceArray"), _array(args[0], "destinationArray")
        start, to, length = 0, 0, non_negative_int(args[1], "length")
    elif len(args) == 4:
        src, dst = _array(source, "sourceArray"), _array(args[1], "destinationArray")
        start = non_negative_int(args[0], "sourceIndex")
        to = non_negative_int(args[2], "destinationIndex")
        length = non_negative_int(args[3], "length")
    else:
        raise exc.invalid_cast(args[0] if args else None, "System.Array")
    if start + length > len(src):
        raise exc.ExpressionRuntimeError(
            "ArgumentException", _NOT_LONG_ENOUGH.format("Source", "source", "source")
        )
    if to + length > len(dst):
        raise exc.ExpressionRuntimeError(
            "ArgumentException",
            _NOT_LONG_ENOUGH.format("Destination", "destination", "destination"),
        )
    items = list(src)[start : start + length]
    for offset, item in enumerate(items):
        dst.set_item(to + offset, item)


def exists(array: object, match: object) -> bool:
    items, test = _array(array, "array"), _predicate(match)
    return any(_test(test, item) for item in items)


def true_for_all(array: object, match: object) -> bool:
    items, test = _array(array, "array"), _predicate(match)
    return all(_test(test, item) for item in items)


def find(array: object, match: object) -> object:
    """The first match, or null (the element type's default is not known at run time)."""
    items, test = _array(array, "array"), _predicate(match)
    return next((item for item in items if _test(test, item)), None)


def _range(items: CsArray, start: object, count: object) -> range:
    """The indexes a `(startIndex[, count])` overload covers, checked as .NET checks them."""
    first = 0 if start is None else non_negative_int(start, "startIndex")
    if first > len(items):
        raise exc.argument_out_of_range("startIndex")
    if count is None:
        return range(first, len(items))
    length = non_negative_int(count, "count")
    if first + length > len(items):
        raise exc.argument_out_of_range("count")
    return range(first, first + length)


def find_index(array: object, *args: object) -> int:
    """`FindIndex(array, match)`, `(array, startIndex, match)`, `(array, startIndex, count,
    match)`: the index of the first match in the range, or -1."""
    items = _array(array, "array")
    if not 1 <= len(args) <= 3:
        raise exc.invalid_cast(args[0] if args else None, "System.Predicate")
    start = args[0] if len(args) > 1 else None
    count = args[1] if len(args) > 2 else None
    indexes = _range(items, start, count)
    test = _predicate(args[-1])
    values = list(items)
    return next((i for i in indexes if _test(test, values[i])), -1)


def index_of(array: object, value: object, start: object = None, count: object = None) -> int:
    """`IndexOf(array, value[, startIndex[, count]])`: the first equal element's index, or -1."""
    items = _array(array, "array")
    values = list(items)
    return next((i for i in _range(items, start, count) if value_equals(values[i], value)), -1)


def reverse(array: object, index: object = None, length: object = None) -> None:
    items = _array(array, "array")
    start = 0 if index is None else non_negative_int(index, "index")
    count = len(items) - start if length is None else non_negative_int(length, "length")
    if start + count > len(items):
        raise exc.ExpressionRuntimeError(
            "ArgumentException",
            "Offset and length were out of bounds for the array or count is greater than the "
            "number of elements from index to the end of the source collection.",
        )
    values = list(items)[start : start + count]
    for offset, item in enumerate(reversed(values)):
        items.set_item(start + offset, item)


_EMPTY: dict[str, CsArray] = {}


def empty(*, type_args: tuple[CsTypeRef, ...]) -> CsArray:
    """`Array.Empty<T>()`: one shared empty array per T, as .NET caches it."""
    name = type_args[0].name if type_args else ""
    array = _EMPTY.get(name)
    if array is None:
        array = _EMPTY.setdefault(name, CsArray(()))
    return array


__all__ = [
    "copy",
    "empty",
    "exists",
    "find",
    "find_index",
    "index_of",
    "reverse",
    "true_for_all",
]
