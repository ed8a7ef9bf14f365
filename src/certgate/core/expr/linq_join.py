"""System.Linq.Enumerable, part 3: `Join`, `GroupJoin`, `ToLookup` (an `ILookup`), `TakeLast`,
`SkipLast` and `AsEnumerable`.

`Join`/`GroupJoin` are deferred like .NET's: the inner sequence is read into a lookup when the
first outer element is, and not at all for an empty outer one; inner elements with a null key
never match. A join's result can be the product of its inputs, so each element ticks the time
budget (`budget`), as `SelectMany`'s do. Keys compare with default equality or a StringComparer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any, ClassVar

from . import exceptions as exc
from .budget import tick
from .collections import LinqSeq, element_type, iterate
from .keys import hash_key, ignores_case
from .linq_count import SizedSeq, cheap_count
from .linq_more import Func, Grouping, _func
from .strings import to_string
from .types import CsObject

_MISSING: Any = object()
_EMPTY = SizedSeq(tuple, lambda: 0, partition=True)  # a Lookup's for a key it does not have


class Lookup(CsObject):
    """`ILookup<TKey, TElement>` (`ToLookup`): groups in the order their keys first appeared;
    `lookup[key]` is the key's group, or an empty sequence; null is a key like any other."""

    __slots__ = ("_groups", "_ignore_case")
    CS_TYPE = "System.Linq.Lookup"
    CS_MEMBERS = frozenset({"Count", "Contains", "ToString"})
    CS_INDEXER = "get_item"
    CS_ELEMENT: ClassVar[type] = Grouping

    def __init__(self, ignore_case: bool = False) -> None:
        self._ignore_case = ignore_case
        self._groups: dict[object, Grouping] = {}

    def add(self, key: object, element: object) -> None:
        slot = hash_key(key, self._ignore_case)
        group = self._groups.get(slot)
        if group is None:
            group = self._groups[slot] = Grouping(key, [])
        group.append(element)

    def group(self, key: object) -> Grouping | None:
        return self._groups.get(hash_key(key, self._ignore_case))

    def __iter__(self) -> Iterator[object]:
        return iter(list(self._groups.values()))

    def __len__(self) -> int:
        return len(self._groups)

    def cheap_size(self) -> int:
        return len(self._groups)

    @property
    def Count(self) -> int:
        return len(self._groups)

    def get_item(self, key: object) -> object:
        found = self.group(key)
        return _EMPTY if found is None else found

    def Contains(self, key: object) -> bool:
        return self.group(key) is not None

    def ToString(self) -> str:
        return "System.Linq.Lookup`2"


def to_lookup(source: object, key_selector: object, *more: object) -> Lookup:
    """`ToLookup(keySelector[, elementSelector][, comparer])`: read at once, not deferred."""
    items, key_fn = iterate(source), _func(key_selector, "keySelector")
    element = _func(more[0], "elementSelector") if more and callable(more[0]) else None
    comparer = more[-1] if more and not callable(more[-1]) else None
    lookup = Lookup(ignores_case(comparer))
    for item in items:
        lookup.add(key_fn(item), item if element is None else element(item))
    return lookup


def _join_lookup(inner: Iterable[object], key_fn: Func, ignore_case: bool) -> Lookup:
    """`Lookup.CreateForJoin`: the inner elements by key, null keys left out."""
    lookup = Lookup(ignore_case)
    for item in inner:
        key = key_fn(item)
        if key is not None:
            lookup.add(key, item)
    return lookup


def _join_args(
    outer: object, inner: object, outer_key: object, inner_key: object, result: object
) -> tuple[Iterable[object], Iterable[object], Func, Func, Func]:
    if inner is None:
        raise exc.argument_null("inner")
    return (
        iterate(outer),
        iterate(inner),
        _func(outer_key, "outerKeySelector"),
        _func(inner_key, "innerKeySelector"),
        _func(result, "resultSelector"),
    )


def join(
    outer: object,
    inner: object,
    outer_key: object,
    inner_key: object,
    result: object,
    comparer: object = None,
) -> LinqSeq:
    """`Join`: `result(o, i)` for every pair whose keys are equal, in outer order."""
    a, b, outer_fn, inner_fn, combine = _join_args(outer, inner, outer_key, inner_key, result)

    def run() -> Iterator[object]:
        elements = iter(a)
        head = next(elements, _MISSING)
        if head is _MISSING:
            return
        lookup = _join_lookup(b, inner_fn, ignores_case(comparer))
        if not len(lookup):
            return
        for item in chain((head,), elements):
            group = lookup.group(outer_fn(item))
            for match in () if group is None else list(group):
                tick()
                yield combine(item, match)

    return LinqSeq(run)


def group_join(
    outer: object,
    inner: object,
    outer_key: object,
    inner_key: object,
    result: object,
    comparer: object = None,
) -> LinqSeq:
    """`GroupJoin`: `result(o, matches)` for every outer element, `matches` possibly empty."""
    a, b, outer_fn, inner_fn, combine = _join_args(outer, inner, outer_key, inner_key, result)

    def run() -> Iterator[object]:
        elements = iter(a)
        head = next(elements, _MISSING)
        if head is _MISSING:
            return
        lookup = _join_lookup(b, inner_fn, ignores_case(comparer))
        for item in chain((head,), elements):
            tick()
            yield combine(item, lookup.get_item(outer_fn(item)))

    return LinqSeq(run)


def _count(value: object) -> int:
    if type(value) is not int:
        raise exc.invalid_cast(value, "System.Int32")
    return value


def take_last(source: object, count: object) -> LinqSeq:
    items, n = iterate(source), _count(count)
    if n <= 0:
        return LinqSeq(tuple, element_type(source))
    return LinqSeq(lambda: deque(items, maxlen=n), element_type(source))


def skip_last(source: object, count: object) -> LinqSeq:
    from .linq import skip  # noqa: PLC0415 - linq registers this module's operators

    items, n = iterate(source), _count(count)
    if n <= 0:
        return skip(source, 0)

    def run() -> Iterator[object]:
        window: deque[object] = deque()
        for item in items:
            window.append(item)
            if len(window) > n:
                yield window.popleft()

    return LinqSeq(run, element_type(source))


class Enumerated(LinqSeq):
    """`AsEnumerable()` of a collection: the same elements, but LINQ's operators rather than
    the collection's own members of those names (`list.AsEnumerable().Reverse()` is LINQ's
    deferred `Reverse`, not `List.Reverse()`). It prints as the collection does, which .NET
    returns unchanged."""

    __slots__ = ("_inner",)

    def __init__(self, inner: object) -> None:
        items = iterate(inner)
        super().__init__(lambda: items, element_type(inner))
        self._inner = inner

    def collection_contains(self, item: object) -> bool:
        """`Enumerable.Contains` on an `ICollection<T>` is the collection's own (a HashSet's
        comparer): what it is for the collection itself."""
        from .linq import contains  # noqa: PLC0415 - linq registers this module's operators

        return contains(self._inner, item)

    def cheap_size(self) -> int | None:
        return cheap_count(self._inner)

    def ToString(self) -> str:
        return to_string(self._inner)


def as_enumerable(source: object) -> object:
    """`AsEnumerable()`: null stays null (.NET does not check), a query stays itself."""
    if source is None or isinstance(source, LinqSeq):
        return source
    return Enumerated(source)
