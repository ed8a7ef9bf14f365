"""System.Linq.Enumerable, part 4: the operators .NET 6 and 7 added: `Chunk`, `MaxBy`, `MinBy`,
`DistinctBy`, `ExceptBy`, `IntersectBy`, `UnionBy`, `Order`, `OrderDescending` (and, in
`linq_count`, `TryGetNonEnumeratedCount`).

The `...By` set operators compare keys with default equality or a StringComparer and are deferred;
`MaxBy`/`MinBy` read the sequence at once. `MaxBy`/`MinBy` of an empty sequence return null, as
.NET does for a reference type; for a value type .NET throws, which only a sequence that knows
its element type (a `List<int>`, not an `int[]`) can tell here.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain, islice
from typing import Any

from . import exceptions as exc
from .arrays import CsArray
from .collections import LinqSeq, element_type, iterate
from .keys import compare, hash_key, ignores_case
from .linq_more import OrderedSeq, _comparer, _func, _second

_MISSING: Any = object()
_NO_ELEMENTS = "Sequence contains no elements"


def chunk(source: object, size: object) -> LinqSeq:
    """Arrays of `size` elements (the last one shorter)."""
    items = iterate(source)
    if type(size) is not int:
        raise exc.invalid_cast(size, "System.Int32")
    if size < 1:
        raise exc.argument_out_of_range("size")

    def run() -> Iterator[object]:
        elements = iter(items)
        while part := list(islice(elements, size)):
            yield CsArray(part)

    return LinqSeq(run)


def _extreme_by(source: object, key_selector: object, comparer: object, sign: int) -> object:
    """.NET's `MaxBy`/`MinBy`: the first element with the largest (smallest) key; null keys
    are skipped, and when every key is null the first element is the answer."""
    items, key_fn = iterate(source), _func(key_selector, "keySelector")
    order = _comparer(comparer) or compare
    elements = iter(items)
    best = next(elements, _MISSING)
    if best is _MISSING:
        element = element_type(source)
        if element is not None and element.is_value_type:
            raise exc.invalid_operation(_NO_ELEMENTS)
        return None
    key = key_fn(best)
    if key is None:
        first = best
        for best in elements:
            key = key_fn(best)
            if key is not None:
                break
        else:
            return first
    for item in elements:
        candidate = key_fn(item)
        if candidate is not None and sign * _sign(order(candidate, key)) > 0:
            best, key = item, candidate
    return best


def _sign(result: object) -> int:
    if type(result) is not int:
        raise exc.invalid_cast(result, "System.Int32")
    return result


def max_by(source: object, key_selector: object, comparer: object = None) -> object:
    return _extreme_by(source, key_selector, comparer, 1)


def min_by(source: object, key_selector: object, comparer: object = None) -> object:
    return _extreme_by(source, key_selector, comparer, -1)


def distinct_by(source: object, key_selector: object, comparer: object = None) -> LinqSeq:
    """The first element of each key."""
    items, key_fn = iterate(source), _func(key_selector, "keySelector")

    def run() -> Iterator[object]:
        seen: set[object] = set()
        for item in items:
            key = hash_key(key_fn(item), ignores_case(comparer))
            if key not in seen:
                seen.add(key)
                yield item

    return LinqSeq(run, element_type(source))


def except_by(
    first: object, second: object, key_selector: object, comparer: object = None
) -> LinqSeq:
    """The first element of each key of `first` that is not among the keys `second` lists."""
    items, keys = iterate(first), _second(second)
    key_fn = _func(key_selector, "keySelector")

    def run() -> Iterator[object]:
        seen = {hash_key(key, ignores_case(comparer)) for key in keys}
        for item in items:
            key = hash_key(key_fn(item), ignores_case(comparer))
            if key not in seen:
                seen.add(key)
                yield item

    return LinqSeq(run, element_type(first))


def intersect_by(
    first: object, second: object, key_selector: object, comparer: object = None
) -> LinqSeq:
    """The first element of each key of `first` that `second` lists."""
    items, keys = iterate(first), _second(second)
    key_fn = _func(key_selector, "keySelector")

    def run() -> Iterator[object]:
        wanted = {hash_key(key, ignores_case(comparer)) for key in keys}
        for item in items:
            key = hash_key(key_fn(item), ignores_case(comparer))
            if key in wanted:
                wanted.remove(key)
                yield item

    return LinqSeq(run, element_type(first))


def union_by(
    first: object, second: object, key_selector: object, comparer: object = None
) -> LinqSeq:
    """The first element of each key, from `first` then `second`."""
    a, b = iterate(first), _second(second)
    key_fn = _func(key_selector, "keySelector")

    def run() -> Iterator[object]:
        seen: set[object] = set()
        for item in chain(a, b):
            key = hash_key(key_fn(item), ignores_case(comparer))
            if key not in seen:
                seen.add(key)
                yield item

    return LinqSeq(run, element_type(first))


def _identity(item: object) -> object:
    return item


def order(source: object, comparer: object = None) -> OrderedSeq:
    """`Order()` (.NET 7): `OrderBy(x => x)`, so `ThenBy` may follow."""
    keys = [(_identity, False, _comparer(comparer))]
    return OrderedSeq(iterate(source), keys, element_type(source))


def order_descending(source: object, comparer: object = None) -> OrderedSeq:
    keys = [(_identity, True, _comparer(comparer))]
    return OrderedSeq(iterate(source), keys, element_type(source))
