"""`System.Array`'s static members (`arrayreg` registers them): copying, searching, sorting
(`sorting`), `Fill`/`Clear`, `ConvertAll`, `ForEach`, `AsReadOnly`, `Empty<T>()`.

Arrays do not check their element type at run time, so `Copy` between arrays of different
element types copies where .NET throws ArrayTypeMismatchException. Where T's default matters
(`Find` finding nothing, `Clear`), it comes from the array's element type (`element_name`), else
from the argument's static type (`arg_types`): 0 for an `int[]`, null when neither is known.
Writes go through the array's own indexer setter, as `a[i] = v` does.
"""

from __future__ import annotations

from collections.abc import Callable

from . import exceptions as exc
from .argchecks import (
    COUNT,
    MUST_BE_LESS_OR_EQUAL,
    backward,
    int_arg,
    invalid_off_len,
    out_of_range,
    span,
)
from .arrays import CsArray, clr_element_name, non_negative_int
from .collections import value_equals
from .readonly import CsReadOnlyCollection
from .sorting import binary_search as search_sorted
from .sorting import comparer_of, introsort
from .typenames import IMPLEMENTED
from .types import CsTypeRef

_NOT_LONG_ENOUGH = (
    "{} array was not long enough. Check the {} index, length, and the array's lower bounds. "
    "(Parameter '{}Array')"
)


def _array(value: object, param: str) -> CsArray:
    return exc.typed_argument(value, param, CsArray, "System.Array")


def _predicate(value: object) -> Callable[[object], object]:
    return exc.delegate(value, "match", "System.Predicate")


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


def _element_name(array: CsArray, arg_types: tuple[str, ...]) -> str:
    """T of the `T[]` first argument: the array's own (an `int?[]` is statically an `int[]`),
    else its static type's ("System.Object": unknown)."""
    if array.element_name is not None:
        return array.element_name
    name = arg_types[0] if arg_types else ""
    return name[:-2] if name.endswith("[]") else "System.Object"


def _element_default(array: CsArray, arg_types: tuple[str, ...]) -> object:
    info = IMPLEMENTED.get(_element_name(array, arg_types))
    return None if info is None or info.ref is None else info.ref.default


def find(array: object, match: object, *, arg_types: tuple[str, ...] = ()) -> object:
    """The first match, or default(T)."""
    items, test = _array(array, "array"), _predicate(match)
    return next((item for item in items if _test(test, item)), _element_default(items, arg_types))


def find_last(array: object, match: object, *, arg_types: tuple[str, ...] = ()) -> object:
    """The last match, or default(T)."""
    items, test = _array(array, "array"), _predicate(match)
    values = list(items)
    found = (item for item in reversed(values) if _test(test, item))
    return next(found, _element_default(items, arg_types))


def find_all(array: object, match: object) -> CsArray:
    items, test = _array(array, "array"), _predicate(match)
    return CsArray([item for item in list(items) if _test(test, item)], items.element_name)


def convert_all(array: object, converter: object) -> CsArray:
    items = _array(array, "array")
    convert = exc.delegate(converter, "converter", "System.Converter")
    return CsArray([convert(item) for item in list(items)])


def for_each(array: object, action: object) -> None:
    items = _array(array, "array")
    act = exc.delegate(action, "action", "System.Action")
    for item in list(items):
        act(item)


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


def find_last_index(array: object, *args: object) -> int:
    """`FindLastIndex(array, match)`, `(array, startIndex, match)`, `(array, startIndex, count,
    match)`: the index of the last match searching back from startIndex, or -1."""
    items = _array(array, "array")
    if not 1 <= len(args) <= 3:
        raise exc.invalid_cast(args[0] if args else None, "System.Predicate")
    test = _predicate(args[-1])
    length = len(items)
    start = int_arg(args[0]) if len(args) > 1 else length - 1
    count = int_arg(args[1]) if len(args) > 2 else (start + 1 if len(args) > 1 else length)
    indexes = backward(length, start, count, empty_starts=(-1,))
    values = list(items)
    return next((i for i in indexes if _test(test, values[i])), -1)


def last_index_of(array: object, value: object, *args: object) -> int:
    """`LastIndexOf(array, value[, startIndex[, count]])`: the last equal element's index at or
    before startIndex, or -1."""
    items = _array(array, "array")
    length = len(items)
    start = int_arg(args[0]) if args else length - 1
    if len(args) > 1:
        count = int_arg(args[1])
    else:
        count = length if not args else (0 if length == 0 else start + 1)
    if length == 0 and count != 0:  # an empty array takes startIndex -1 or 0, count 0
        backward(0, start, 0, empty_starts=(-1, 0))
        raise out_of_range("count", COUNT)
    values = list(items)
    indexes = backward(length, start, count, empty_starts=(-1, 0))
    return next((i for i in indexes if value_equals(values[i], value)), -1)


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


def binary_search(array: object, *args: object) -> int:
    """`BinarySearch(array, value[, comparer])`, `(array, index, length, value[, comparer])`."""
    items = _array(array, "array")
    if len(args) >= 3:
        indexes = span(len(items), args[0], args[1], ("index", "length"))
        start, count = indexes.start, len(indexes)
        value, comparer = args[2], args[3] if len(args) > 3 else None
    elif args:
        start, count = 0, len(items)
        value, comparer = args[0], args[1] if len(args) > 1 else None
    else:
        raise exc.argument_null("value")
    return search_sorted(list(items), start, count, value, comparer_of(comparer))


def sort(array: object, *args: object) -> None:
    """Every `Sort` overload: `(array[, comparer | comparison])`, `(array, index, length[,
    comparer])`, `(keys, items[, comparer])`, `(keys, items, index, length[, comparer])`."""
    first = args[0] if args else None
    items = first if isinstance(first, CsArray) else None
    keys = _array(array, "array" if items is None else "keys")
    # a second array, or null where only `items` can be (`Sort(keys, null, index, length)`)
    with_items = items is not None or (first is None and len(args) in (3, 4, 5))
    rest = args[1:] if with_items else args
    if len(rest) >= 2:
        indexes = span(len(keys), rest[0], rest[1], ("index", "length"))
        start, count = indexes.start, len(indexes)
        comparer = rest[2] if len(rest) > 2 else None
        if items is not None and start + count > len(items):
            raise invalid_off_len()
    else:
        start, count = 0, len(keys)
        comparer = rest[0] if rest else None
        if items is not None and len(items) < len(keys):
            raise invalid_off_len()
    part = list(keys)[start : start + count]
    moved = None if items is None else list(items)[start : start + count]
    introsort(part, comparer_of(comparer), moved)
    _write(keys, start, part)
    if items is not None and moved is not None:
        _write(items, start, moved)


def _write(array: CsArray, start: int, values: list[object]) -> None:
    for offset, value in enumerate(values):
        array.set_item(start + offset, value)


def fill(array: object, value: object, *args: object) -> None:
    """`Fill(array, value[, startIndex, count])`."""
    items = _array(array, "array")
    start, count = 0, len(items)
    if args:
        if len(args) != 2:
            raise exc.invalid_cast(None, "System.Int32")
        start, count = int_arg(args[0]), int_arg(args[1])
        if not 0 <= start <= len(items):
            raise out_of_range("startIndex", MUST_BE_LESS_OR_EQUAL)
        if count < 0 or start > len(items) - count:
            raise out_of_range("count", COUNT)
    _write(items, start, [value] * count)


def clear(array: object, *args: object, arg_types: tuple[str, ...] = ()) -> None:
    """`Clear(array)` (.NET 6) and `Clear(array, index, length)`: default(T) into the range;
    .NET reports any bad range as IndexOutOfRangeException."""
    items = _array(array, "array")
    start, count = 0, len(items)
    if args:
        if len(args) != 2:
            raise exc.invalid_cast(None, "System.Int32")
        start, count = int_arg(args[0]), int_arg(args[1])
        if start < 0 or count < 0 or start + count > len(items):
            raise exc.index_out_of_range()
    _write(items, start, [_element_default(items, arg_types)] * count)


def constrained_copy(
    source: object,
    source_index: object,
    destination: object,
    destination_index: object,
    length: object,
) -> None:
    """`Copy` that changes nothing unless it can copy everything (arrays of one element type:
    certgate cannot tell element types apart, see the module docstring)."""
    copy(source, source_index, destination, destination_index, length)


def as_read_only(array: object, *, arg_types: tuple[str, ...] = ()) -> CsReadOnlyCollection:
    items = _array(array, "array")
    return CsReadOnlyCollection(items, _element_name(items, arg_types))


_EMPTY: dict[str, CsArray] = {}


def empty(*, type_args: tuple[CsTypeRef, ...]) -> CsArray:
    """`Array.Empty<T>()`: one shared empty array per T, as .NET caches it."""
    element = _type_arg_name(type_args[0]) if type_args else None
    name = element or (type_args[0].name if type_args else "")
    array = _EMPTY.get(name)
    if array is None:
        array = _EMPTY.setdefault(name, CsArray((), element))
    return array


def _type_arg_name(ref: CsTypeRef) -> str | None:
    """The CLR name of a type argument (None: not a plain name); an `int?` is the value type's
    reference made nullable (`gentypes`)."""
    own = IMPLEMENTED.get(ref.name)
    value_type = own is not None and own.ref is not None and own.ref.is_value_type
    return clr_element_name(ref.name, value_type and not ref.is_value_type)


__all__ = [
    "as_read_only",
    "binary_search",
    "clear",
    "constrained_copy",
    "convert_all",
    "copy",
    "empty",
    "exists",
    "fill",
    "find",
    "find_all",
    "find_index",
    "find_last",
    "find_last_index",
    "for_each",
    "index_of",
    "last_index_of",
    "reverse",
    "sort",
    "true_for_all",
]
