"""System.Linq.Enumerable beyond filtering, part 1: ordering, grouping, projection and aggregates
(element and set operators and materialisation are in `linq_sets`; `linq` registers them all).

Ordering is stable and uses .NET's default comparer (`keys.compare`: culture-aware strings);
sums of integers throw OverflowException beyond Int64; set operations use default equality
(`keys.hash_key`). Deferred operators return a `LinqSeq` that re-runs its source.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from . import decimals, singles
from . import exceptions as exc
from .budget import tick
from .collections import LinqSeq, element_type, iterate
from .keys import compare, hash_key
from .linq_count import cheap_count, sized
from .types import CsObject, CsTypeRef

Func = Callable[..., object]
_MISSING: Any = object()
_OBJECT = CsTypeRef("System.Object", ())
_NO_ELEMENTS = "Sequence contains no elements"


def _func(value: object, param: str) -> Func:
    return exc.delegate(value, param, "System.Func")


def _bool(value: object) -> bool:
    if type(value) is not bool:
        raise exc.invalid_cast(value, "System.Boolean")
    return value


def arity(fn: Func) -> int:
    """Number of C# parameters of a compiled lambda (defaults are captured values)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return 1
    return int(code.co_argcount) - len(getattr(fn, "__defaults__", None) or ())


def _second(value: object) -> Iterable[object]:
    if value is None:
        raise exc.argument_null("second")
    return iterate(value)


# --- ordering -------------------------------------------------------------------------------------


class OrderedSeq(LinqSeq):
    """`OrderBy(...)` result; `ThenBy` adds a key and sorts again from the source. A key may
    come with an `IComparer` (`StringComparer.Ordinal`), whose `Compare` then orders it."""

    __slots__ = ("_items", "_keys")
    CS_TYPE = "System.Linq.IOrderedEnumerable"
    partition = True  # .NET's OrderedEnumerable: Skip/Take over it know their count

    def __init__(
        self,
        items: Iterable[object],
        keys: list[tuple[Func, bool, Func | None]],
        element: CsTypeRef | None = None,
    ) -> None:
        self._items = items
        self._keys = keys
        super().__init__(self._sorted, element)

    def _sorted(self) -> Iterable[object]:
        def cmp(a: tuple[object, ...], b: tuple[object, ...]) -> int:
            for (ka, kb), (_, descending, by) in zip(
                zip(a[1:], b[1:], strict=True), self._keys, strict=True
            ):
                result = compare(ka, kb) if by is None else _sign(by(ka, kb))
                if result:
                    return -result if descending else result
            return 0

        rows = [(item, *(fn(item) for fn, _, _ in self._keys)) for item in self._items]
        rows.sort(key=functools.cmp_to_key(cmp))
        return [row[0] for row in rows]

    def cheap_size(self) -> int | None:
        """It knows its count when its source does (`TryGetNonEnumeratedCount`)."""
        return cheap_count(self._items)

    def then(self, selector: object, descending: bool, comparer: object = None) -> OrderedSeq:
        key = (_func(selector, "keySelector"), descending, _comparer(comparer))
        return OrderedSeq(self._items, [*self._keys, key], self.element_ref)


def _comparer(comparer: object) -> Func | None:
    """The `Compare` of an IComparer argument (null: the default order)."""
    if comparer is None:
        return None
    if not isinstance(comparer, CsObject) or "Compare" not in comparer.CS_MEMBERS:
        raise exc.invalid_cast(comparer, "System.Collections.Generic.IComparer")
    compare_method: Func = comparer.Compare  # type: ignore[attr-defined]
    return compare_method


def _sign(result: object) -> int:
    if type(result) is not int:
        raise exc.invalid_cast(result, "System.Int32")
    return (result > 0) - (result < 0)


def order_by(source: object, selector: object, comparer: object = None) -> OrderedSeq:
    keys = [(_func(selector, "keySelector"), False, _comparer(comparer))]
    return OrderedSeq(iterate(source), keys, element_type(source))


def order_by_descending(source: object, selector: object, comparer: object = None) -> OrderedSeq:
    keys = [(_func(selector, "keySelector"), True, _comparer(comparer))]
    return OrderedSeq(iterate(source), keys, element_type(source))


def then_by(source: object, selector: object, comparer: object = None) -> OrderedSeq:
    if not isinstance(source, OrderedSeq):
        raise exc.invalid_cast(source, "System.Linq.IOrderedEnumerable")
    return source.then(selector, False, comparer)


def then_by_descending(source: object, selector: object, comparer: object = None) -> OrderedSeq:
    if not isinstance(source, OrderedSeq):
        raise exc.invalid_cast(source, "System.Linq.IOrderedEnumerable")
    return source.then(selector, True, comparer)


def reverse(source: object) -> LinqSeq:
    items = iterate(source)
    run, element = (lambda: reversed(list(items))), element_type(source)
    if cheap_count(source) is None:
        return LinqSeq(run, element)
    return sized(source, run, lambda n: n, element)


# --- grouping and projection ----------------------------------------------------------------------


class Grouping(CsObject):
    __slots__ = ("Key", "_items")
    CS_TYPE = "System.Linq.IGrouping"
    CS_MEMBERS = frozenset({"Key", "ToString"})
    ICOLLECTION = ILIST = True  # .NET's Grouping is an IList<TElement>

    def __init__(self, key: object, items: list[object]) -> None:
        self.Key = key
        self._items = items

    def __iter__(self) -> Iterator[object]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def append(self, element: object) -> None:
        self._items.append(element)

    def cheap_size(self) -> int:
        return len(self._items)  # an IList<TElement>

    def ToString(self) -> str:
        return "System.Linq.Grouping`2"


def group_by(source: object, key_selector: object, *more: object) -> LinqSeq:
    """`GroupBy(key[, element][, result][, comparer])`: a comparer is the last argument and
    not a delegate; two selectors are element and result, one is the result when it takes
    two parameters (`(key, group) => ...`), else the element."""
    items, key_fn = iterate(source), _func(key_selector, "keySelector")
    ignore_case = False
    if more and not callable(more[-1]) and more[-1] is not None:  # a StringComparer
        ignore_case, more = bool(getattr(more[-1], "ignore_case", False)), more[:-1]
    selectors = [_func(m, "selector") for m in more]
    if len(selectors) == 1 and arity(selectors[0]) == 2:
        selectors = [None, selectors[0]]  # type: ignore[list-item]
    element = selectors[0] if selectors else None
    result = selectors[1] if len(selectors) > 1 else None

    def run() -> Iterable[object]:
        groups: dict[object, Grouping] = {}
        for item in items:
            key = key_fn(item)
            group = groups.get(hash_key(key, ignore_case))
            if group is None:
                group = groups[hash_key(key, ignore_case)] = Grouping(key, [])
            group.append(item if element is None else element(item))
        if result is None:
            return list(groups.values())
        return [result(g.Key, g) for g in groups.values()]

    return LinqSeq(run)


def select_many(source: object, selector: object, result_selector: object = None) -> LinqSeq:
    items, fn = iterate(source), _func(selector, "selector")
    combine = None if result_selector is None else _func(result_selector, "resultSelector")

    indexed = arity(fn) == 2  # SelectMany((x, i) => ...)

    def run() -> Iterator[object]:
        for index, item in enumerate(items):
            for inner in iterate(fn(item, index) if indexed else fn(item)):
                tick()  # a product of two collections: longer than either input
                yield inner if combine is None else combine(item, inner)

    return LinqSeq(run)


def zip_(first: object, second: object, selector: object = None) -> LinqSeq:
    a, b = iterate(first), _second(second)
    if selector is None or not callable(selector):  # Zip(second[, third]): value tuples
        raise exc.ExpressionRuntimeError(
            "NotSupportedException",
            "not supported yet: 'Zip' without a result selector (its elements are value tuples)",
        )
    fn = _func(selector, "resultSelector")
    return LinqSeq(lambda: (fn(x, y) for x, y in zip(a, b, strict=False)))


# --- aggregates -----------------------------------------------------------------------------------


def _values(source: object, selector: object) -> list[object]:
    items = iterate(source)
    if selector is _MISSING:
        return list(items)
    fn = _func(selector, "selector")
    return [fn(item) for item in items]


def sum_(source: object, selector: object = _MISSING) -> object:
    values = [v for v in _values(source, selector) if v is not None]
    if any(type(v) is decimals.CsDecimal for v in values):
        return decimals.sum_all(values)
    if any(type(v) is singles.CsSingle for v in values):  # summed in double, then a float
        return singles.single(sum(singles.as_double(v) for v in values))
    if any(type(v) is float for v in values):
        return float(sum(_as_float(v) for v in values))
    total = 0
    for value in values:
        if type(value) is not int:
            raise exc.invalid_cast(value, "System.Int32")
        total += value
    if not -(2**63) <= total < 2**63:
        raise exc.overflow()
    return total


def _as_float(value: object) -> float:
    if type(value) not in (int, float):
        raise exc.invalid_cast(value, "System.Double")
    return float(value)  # type: ignore[arg-type]


def _extreme(source: object, selector: object, sign: int) -> object:
    """Max/Min: nulls are skipped; an empty sequence throws (a value-type sequence in C#; for
    reference types C# would return null, which we cannot tell from an empty one)."""
    values = _values(source, selector)
    present = [v for v in values if v is not None]
    if not present:
        if values:
            return None
        raise exc.invalid_operation(_NO_ELEMENTS)
    best = present[0]
    for value in present[1:]:
        if compare(value, best) * sign > 0:
            best = value
    return best


def max_(source: object, selector: object = _MISSING) -> object:
    return _extreme(source, selector, 1)


def min_(source: object, selector: object = _MISSING) -> object:
    return _extreme(source, selector, -1)


def average(source: object, selector: object = _MISSING) -> object:
    values = [v for v in _values(source, selector) if v is not None]
    if not values:
        raise exc.invalid_operation(_NO_ELEMENTS)
    if any(type(v) is decimals.CsDecimal for v in values):
        return decimals.divide(decimals.sum_all(values), decimals.CsDecimal(len(values)))
    if any(type(v) is singles.CsSingle for v in values):
        return singles.single(sum(singles.as_double(v) for v in values) / len(values))
    if all(type(v) is int for v in values):  # summed in a checked long
        total = sum(values)  # type: ignore[arg-type]
        if not -(2**63) <= total < 2**63:
            raise exc.overflow()
        return total / len(values)
    return float(sum(_as_float(v) for v in values)) / len(values)


def _or_null(own: Callable[..., object]) -> Callable[..., object]:
    def aggregate_or_null(source: object, selector: object = _MISSING) -> object:
        values = _values(source, selector)
        if all(v is None for v in values):
            return None
        return own(LinqSeq(lambda: values))

    return aggregate_or_null


#: Max/Min/Average of `T?` values or of a reference type (C# knows it statically): null for a
#: sequence without a non-null value, where the value-type overloads throw
NULLABLE_AGGREGATES = {"Max": _or_null(max_), "Min": _or_null(min_), "Average": _or_null(average)}


def aggregate(source: object, *args: object) -> object:
    items = list(iterate(source))
    if len(args) == 1:
        fn = _func(args[0], "func")
        if not items:
            raise exc.invalid_operation(_NO_ELEMENTS)
        acc = items[0]
        for item in items[1:]:
            acc = fn(acc, item)
        return acc
    acc, fn = args[0], _func(args[1], "func")
    for item in items:
        acc = fn(acc, item)
    return _func(args[2], "resultSelector")(acc) if len(args) > 2 else acc


def long_count(source: object, predicate: object = _MISSING) -> int:
    items = iterate(source)
    if predicate is _MISSING:
        return sum(1 for _ in items)
    test = _func(predicate, "predicate")
    return sum(1 for item in items if _bool(test(item)))
