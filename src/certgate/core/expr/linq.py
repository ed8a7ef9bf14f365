"""System.Linq.Enumerable over runtime enumerables (arrays, dictionaries, strings, LinqSeq).

Each operator is `fn(source, *args)`; lambdas arrive as Python callables compiled from C#.
A predicate must return a C# bool: anything else is an InvalidCastException, never "truthy".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

from . import exceptions as exc
from .arrays import CsArray
from .collections import LinqSeq, iterate, value_equals

Func = Callable[..., object]
_MISSING: Any = object()


def _test(predicate: Func, item: object) -> bool:
    result = predicate(item)
    if result is True:
        return True
    if result is False:
        return False
    raise exc.invalid_cast(result, "System.Boolean")


def _func(value: object, param: str) -> Func:
    if value is None:
        raise exc.argument_null(param)
    if not callable(value):
        raise exc.invalid_cast(value, "System.Func")
    return value


def any_(source: object, predicate: object = _MISSING) -> bool:
    items = iterate(source)
    if predicate is _MISSING:
        return next(iter(items), _MISSING) is not _MISSING
    test = _func(predicate, "predicate")
    for item in items:  # a plain loop: this is the hot path of the uploaded-certificate check
        result = test(item)
        if result is True:
            return True
        if result is not False:
            raise exc.invalid_cast(result, "System.Boolean")
    return False


def all_(source: object, predicate: object) -> bool:
    test = _func(predicate, "predicate")
    return all(_test(test, item) for item in iterate(source))


def count(source: object, predicate: object = _MISSING) -> int:
    items = iterate(source)
    if predicate is _MISSING:
        return sum(1 for _ in items)
    test = _func(predicate, "predicate")
    return sum(1 for item in items if _test(test, item))


def where(source: object, predicate: object) -> LinqSeq:
    items, test = iterate(source), _func(predicate, "predicate")
    return LinqSeq(lambda: (item for item in items if _test(test, item)))


def select(source: object, selector: object) -> LinqSeq:
    items, fn = iterate(source), _func(selector, "selector")
    return LinqSeq(lambda: (fn(item) for item in items))


def _pick(source: object, predicate: object, last: bool, default: object) -> object:
    items = iterate(source)
    if predicate is not _MISSING:
        test = _func(predicate, "predicate")
        items = (item for item in items if _test(test, item))
    found = _MISSING
    for item in items:
        found = item
        if not last:
            break
    if found is not _MISSING:
        return found
    if default is _MISSING:
        message = "Sequence contains no elements"
        if predicate is not _MISSING:
            message = "Sequence contains no matching element"
        raise exc.invalid_operation(message)
    return default


def first(source: object, predicate: object = _MISSING) -> object:
    return _pick(source, predicate, False, _MISSING)


def first_or_default(source: object, predicate: object = _MISSING) -> object:
    # default(T) for reference types; value-type sequences would give 0/false (not tracked yet)
    return _pick(source, predicate, False, None)


def last(source: object, predicate: object = _MISSING) -> object:
    return _pick(source, predicate, True, _MISSING)


def last_or_default(source: object, predicate: object = _MISSING) -> object:
    return _pick(source, predicate, True, None)


def contains(source: object, value: object) -> bool:
    return any(value_equals(item, value) for item in iterate(source))


def to_array(source: object) -> CsArray:
    return CsArray(iterate(source))


def _count_arg(value: object) -> int:
    if type(value) is not int:
        raise exc.invalid_cast(value, "System.Int32")
    return max(0, value)


def skip(source: object, n: object) -> LinqSeq:
    items, k = iterate(source), _count_arg(n)
    return LinqSeq(lambda: islice(items, k, None))


def take(source: object, n: object) -> LinqSeq:
    items, k = iterate(source), _count_arg(n)
    return LinqSeq(lambda: islice(items, k))


def distinct(source: object) -> LinqSeq:
    items = iterate(source)

    def run() -> Iterable[object]:
        seen: list[object] = []
        for item in items:
            if not any(value_equals(item, other) for other in seen):
                seen.append(item)
                yield item

    return LinqSeq(run)


LINQ_METHODS: dict[str, Func] = {
    "Any": any_,
    "All": all_,
    "Count": count,
    "Where": where,
    "Select": select,
    "First": first,
    "FirstOrDefault": first_or_default,
    "Last": last,
    "LastOrDefault": last_or_default,
    "Contains": contains,
    "ToArray": to_array,
    "ToList": to_array,  # List<T> members beyond enumeration are not supported yet
    "Skip": skip,
    "Take": take,
    "Distinct": distinct,
}
# LINQ methods whose lambda parameter is the source's element type
LAMBDA_OVER_ELEMENTS = frozenset(
    {"Any", "All", "Count", "Where", "Select", "First", "FirstOrDefault", "Last", "LastOrDefault"}
)
