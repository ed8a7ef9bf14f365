"""The argument checks `Array`'s statics and the generic collections share, with .NET 8's
exception messages (`SR.ArgumentOutOfRange_*`, `SR.Argument_InvalidOffLen`)."""

from __future__ import annotations

from . import exceptions as exc

MUST_BE_LESS = (
    "Index was out of range. Must be non-negative and less than the size of the collection."
)
MUST_BE_LESS_OR_EQUAL = (
    "Index was out of range. Must be non-negative and less than or equal to the size of the "
    "collection."
)
LIST_INSERT = "Index must be within the bounds of the List."
COUNT = (
    "Count must be positive and count must refer to a location within the string/array/collection."
)
NON_NEGATIVE = "Non-negative number required."
BIGGER_THAN_COLLECTION = "Must be less than or equal to the size of the collection."
SMALL_CAPACITY = "capacity was less than the current size."
INVALID_OFF_LEN = (
    "Offset and length were out of bounds for the array or count is greater than the number of "
    "elements from index to the end of the source collection."
)


def out_of_range(param: str, message: str) -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError(
        "ArgumentOutOfRangeException", f"{message} (Parameter '{param}')"
    )


def invalid_off_len() -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError("ArgumentException", INVALID_OFF_LEN)


def int_arg(value: object) -> int:
    """An `int` parameter's value (a mistyped one is an InvalidCastException at run time)."""
    if type(value) is not int:
        raise exc.invalid_cast(value, "System.Int32")
    return value


def span(
    size: int, index: object, count: object, names: tuple[str, str] = ("index", "count")
) -> range:
    """The `(index, count)` range of a collection of `size`: a negative one is out of range, one
    that runs past the end an ArgumentException."""
    start, length = int_arg(index), int_arg(count)
    if start < 0 or length < 0:
        raise out_of_range(names[0] if start < 0 else names[1], NON_NEGATIVE)
    if size - start < length:
        raise invalid_off_len()
    return range(start, start + length)


def backward(size: int, start: int, count: int, *, empty_starts: tuple[int, ...]) -> range:
    """The indexes a backward search from `start` over `count` elements covers (`LastIndexOf`,
    `FindLastIndex`), checked as .NET checks them; on an empty collection `start` may be one of
    `empty_starts`."""
    if size == 0:
        if start not in empty_starts:
            raise out_of_range("startIndex", MUST_BE_LESS)
    elif not 0 <= start < size:
        raise out_of_range("startIndex", MUST_BE_LESS)
    if count < 0 or start - count + 1 < 0:
        raise out_of_range("count", COUNT)
    return range(start, start - count, -1)
