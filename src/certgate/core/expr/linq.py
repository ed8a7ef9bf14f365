"""System.Linq.Enumerable over runtime enumerables (arrays, dictionaries, strings, LinqSeq).

Each operator is `fn(source, *args)`; lambdas arrive as Python callables compiled from C#.
A predicate must return a C# bool: anything else is an InvalidCastException, never "truthy".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

from . import exceptions as exc
from . import linq_by, linq_join, linq_more, linq_sets
from .arrays import CsArray
from .collections import (
    LinqSeq,
    ReadOnlyDictionary,
    element_default,
    element_type,
    iterate,
    value_equals,
)
from .keys import contains_by
from .linq_count import SizedSeq, is_partition, sized, try_get_non_enumerated_count
from .linq_more import _func

Func = Callable[..., object]
_MISSING: Any = object()


def _test(predicate: Func, item: object) -> bool:
    result = predicate(item)
    if result is True:
        return True
    if result is False:
        return False
    raise exc.invalid_cast(result, "System.Boolean")


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


def any_value_equals(
    source: object, member: str, value_of: Callable[[], object], predicate: object
) -> bool:
    """`source.Any(c => c.Value.<member> == <value>)` with a value that does not depend on `c`:
    one set lookup in a snapshot dictionary of immutable objects (the uploaded certificates),
    else the plain loop. The value is computed only if there is an element, as C# would."""
    if type(source) is ReadOnlyDictionary:
        index = source.value_index(member)
        if index is not None:
            if not index:
                return False
            value = value_of()
            if type(value) is str:
                return value in index
    return any_(source, predicate)


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
    if linq_more.arity(test) == 2:  # Where((x, i) => ...)

        def indexed() -> Iterable[object]:
            for i, item in enumerate(items):
                result = test(item, i)
                if type(result) is not bool:
                    raise exc.invalid_cast(result, "System.Boolean")
                if result:
                    yield item

        return LinqSeq(indexed, element_type(source))
    return LinqSeq(lambda: (item for item in items if _test(test, item)), element_type(source))


def select(source: object, selector: object) -> LinqSeq:
    items, fn = iterate(source), _func(selector, "selector")
    if linq_more.arity(fn) == 2:  # Select((x, i) => ...)
        return LinqSeq(lambda: (fn(item, i) for i, item in enumerate(items)))
    if is_partition(source):  # over a list or a partition .NET knows the count
        return sized(source, lambda: (fn(item) for item in items), lambda n: n, partition=True)
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
    # default(T): typed collections know it (List<int> gives 0); others give null
    return _pick(source, predicate, False, element_default(source))


def last(source: object, predicate: object = _MISSING) -> object:
    return _pick(source, predicate, True, _MISSING)


def last_or_default(source: object, predicate: object = _MISSING) -> object:
    return _pick(source, predicate, True, element_default(source))


def contains(source: object, value: object, comparer: object = None) -> bool:
    # Enumerable.Contains defers to ICollection<T>.Contains: `d.Keys.Contains(k)` is ContainsKey,
    # with the dictionary's comparer; a comparer argument (a StringComparer) is used instead
    if comparer is not None:
        return contains_by(iterate(source), value, comparer)
    own = getattr(source, "collection_contains", None)
    if own is not None:
        return bool(own(value))
    if type(value) in (str, int, float, bool):  # `tokens.Contains("y")`: a JToken argument
        from .jtoken import JValue  # noqa: PLC0415 - import cycle

        token = JValue(value)
        return any(
            token.Equals(item) if isinstance(item, JValue) else value_equals(item, value)
            for item in iterate(source)
        )
    return any(value_equals(item, value) for item in iterate(source))


def to_array(source: object) -> CsArray:
    return CsArray(iterate(source))


def _count_arg(value: object) -> int:
    if type(value) is not int:
        raise exc.invalid_cast(value, "System.Int32")
    return max(0, value)


def skip(source: object, n: object) -> LinqSeq:
    items, k = iterate(source), _count_arg(n)
    run, element = (lambda: islice(items, k, None)), element_type(source)
    if is_partition(source):
        return sized(source, run, lambda size: max(0, size - k), element, partition=True)
    return LinqSeq(run, element)


def take(source: object, n: object) -> LinqSeq:
    items, k = iterate(source), _count_arg(n)
    if k == 0:  # .NET returns Enumerable.Empty
        return SizedSeq(tuple, lambda: 0, element_type(source), partition=True)
    run, element = (lambda: islice(items, k)), element_type(source)
    if is_partition(source):
        return sized(source, run, lambda size: min(size, k), element, partition=True)
    return LinqSeq(run, element)


def distinct(source: object) -> LinqSeq:
    items = iterate(source)

    def run() -> Iterable[object]:
        seen: list[object] = []
        for item in items:
            if not any(value_equals(item, other) for other in seen):
                seen.append(item)
                yield item

    return LinqSeq(run, element_type(source))


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
    "Skip": skip,
    "Take": take,
    "Distinct": distinct,
}
_MORE_METHODS: dict[str, Func] = {
    "OrderBy": linq_more.order_by,
    "OrderByDescending": linq_more.order_by_descending,
    "ThenBy": linq_more.then_by,
    "ThenByDescending": linq_more.then_by_descending,
    "Reverse": linq_more.reverse,
    "GroupBy": linq_more.group_by,
    "SelectMany": linq_more.select_many,
    "Zip": linq_more.zip_,
    "Sum": linq_more.sum_,
    "Max": linq_more.max_,
    "Min": linq_more.min_,
    "Average": linq_more.average,
    "Aggregate": linq_more.aggregate,
    "LongCount": linq_more.long_count,
    "Single": linq_sets.single,
    "SingleOrDefault": linq_sets.single_or_default,
    "ElementAt": linq_sets.element_at,
    "ElementAtOrDefault": linq_sets.element_at_or_default,
    "DefaultIfEmpty": linq_sets.default_if_empty,
    "SequenceEqual": linq_sets.sequence_equal,
    "Distinct": linq_sets.distinct,
    "Union": linq_sets.union,
    "Intersect": linq_sets.intersect,
    "Except": linq_sets.except_,
    "Concat": linq_sets.concat,
    "Append": linq_sets.append,
    "Prepend": linq_sets.prepend,
    "TakeWhile": linq_sets.take_while,
    "SkipWhile": linq_sets.skip_while,
    "Cast": linq_sets.cast,
    "OfType": linq_sets.of_type,
    "ToList": linq_sets.to_list,
    "ToHashSet": linq_sets.to_hash_set,
    "ToDictionary": linq_sets.to_dictionary,
    "TakeLast": linq_join.take_last,
    "SkipLast": linq_join.skip_last,
    "AsEnumerable": linq_join.as_enumerable,
    "ToLookup": linq_join.to_lookup,
    "Join": linq_join.join,
    "GroupJoin": linq_join.group_join,
    # .NET 6 and 7
    "Chunk": linq_by.chunk,
    "MaxBy": linq_by.max_by,
    "MinBy": linq_by.min_by,
    "DistinctBy": linq_by.distinct_by,
    "ExceptBy": linq_by.except_by,
    "IntersectBy": linq_by.intersect_by,
    "UnionBy": linq_by.union_by,
    "Order": linq_by.order,
    "OrderDescending": linq_by.order_descending,
    "TryGetNonEnumeratedCount": try_get_non_enumerated_count,
}
#: LINQ methods with `out` parameters: name -> their count
LINQ_OUT_METHODS = {"TryGetNonEnumeratedCount": 1}
_MORE_LAMBDA_OVER_ELEMENTS = frozenset(
    {
        "OrderBy", "OrderByDescending", "ThenBy", "ThenByDescending", "GroupBy", "SelectMany",
        "Sum", "Max", "Min", "Average", "LongCount", "Single", "SingleOrDefault", "TakeWhile",
        "SkipWhile", "ToDictionary", "ToLookup", "MaxBy", "MinBy", "DistinctBy", "ExceptBy",
        "IntersectBy", "UnionBy",
    }
)  # fmt: skip
#: generic forms whose type argument matters at run time (passed as the last argument)
TYPED_GENERICS = frozenset({"Cast", "OfType"})
LINQ_METHODS.update(_MORE_METHODS)  # ordering, grouping, aggregates, sets, ToList ...
# LINQ methods whose lambda parameter is the source's element type
LAMBDA_OVER_ELEMENTS = (
    frozenset(
        {
            "Any",
            "All",
            "Count",
            "Where",
            "Select",
            "First",
            "FirstOrDefault",
            "Last",
            "LastOrDefault",
        }
    )
    | _MORE_LAMBDA_OVER_ELEMENTS
)
