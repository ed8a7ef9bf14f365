"""System.Linq.Enumerable beyond filtering, part 2: element operators (`Single`, `ElementAt`),
set operators with default equality (`keys.hash_key`), concatenation, `Cast`/`OfType`, and
`ToList`/`ToHashSet`/`ToDictionary`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from typing import Any

from . import exceptions as exc
from .arrays import CsArray
from .collections import (
    UNKNOWN_ELEMENT,
    LinqSeq,
    element_default,
    element_type,
    iterate,
    value_equals,
)
from .dictionary import CsDictionary, StringComparer
from .generic import CsList
from .keys import hash_key, ignores_case
from .linq_count import SizedSeq, cheap_count, provider_count, sized
from .linq_more import Func, _bool, _func, _second, arity
from .sets import CsHashSet
from .types import CsTypeRef

_MISSING: Any = object()
_OBJECT = UNKNOWN_ELEMENT


# --- element operators ----------------------------------------------------------------------------


def single(source: object, predicate: object = _MISSING, default: object = _MISSING) -> object:
    items = iterate(source)
    if predicate is not _MISSING:
        test = _func(predicate, "predicate")
        items = [item for item in items if _bool(test(item))]
    found = list(islice(iter(items), 2))
    matching = predicate is not _MISSING
    if len(found) > 1:
        what = "more than one matching element" if matching else "more than one element"
        raise exc.invalid_operation(f"Sequence contains {what}")
    if not found:
        if default is _MISSING:
            what = "no matching element" if matching else "no elements"
            raise exc.invalid_operation(f"Sequence contains {what}")
        return default
    return found[0]


def single_or_default(source: object, predicate: object = _MISSING) -> object:
    return single(source, predicate, element_default(source))


def element_at(source: object, index: object, default: object = _MISSING) -> object:
    if type(index) is not int:
        raise exc.invalid_cast(index, "System.Int32")
    items = list(iterate(source))
    if 0 <= index < len(items):
        return items[index]
    if default is _MISSING:
        raise exc.argument_out_of_range("index")
    return default


def element_at_or_default(source: object, index: object) -> object:
    return element_at(source, index, element_default(source))


def default_if_empty(source: object, default: object = _MISSING) -> LinqSeq:
    items = iterate(source)
    if default is _MISSING:
        default = element_default(source)

    def run() -> Iterable[object]:
        found = list(items)
        return found if found else [default]

    if cheap_count(source) is None:
        return LinqSeq(run, element_type(source))
    return sized(source, run, lambda n: n or 1, element_type(source))


def sequence_equal(first: object, second: object, comparer: object = None) -> bool:
    a, b = list(iterate(first)), list(_second(second))
    if len(a) != len(b):
        return False
    if comparer is not None:  # a StringComparer
        ignore_case = ignores_case(comparer)
        return all(
            hash_key(x, ignore_case) == hash_key(y, ignore_case) for x, y in zip(a, b, strict=True)
        )
    return all(value_equals(x, y) for x, y in zip(a, b, strict=True))


# --- set operations and concatenation -------------------------------------------------------------


def _unique(items: Iterable[object], comparer: object = None) -> Iterator[object]:
    ignore_case = ignores_case(comparer)
    seen: set[object] = set()
    for item in items:
        key = hash_key(item, ignore_case)
        if key not in seen:
            seen.add(key)
            yield item


def distinct(source: object, comparer: object = None) -> LinqSeq:
    items = iterate(source)
    return LinqSeq(lambda: _unique(items, comparer), element_type(source))


def union(first: object, second: object, comparer: object = None) -> LinqSeq:
    a, b = iterate(first), _second(second)
    return LinqSeq(lambda: _unique(chain(a, b), comparer), element_type(first))  # lazy


def intersect(first: object, second: object, comparer: object = None) -> LinqSeq:
    a, b = iterate(first), _second(second)
    ignore_case = ignores_case(comparer)

    def run() -> Iterator[object]:
        keep = {hash_key(item, ignore_case) for item in b}
        return (x for x in _unique(a, comparer) if hash_key(x, ignore_case) in keep)

    return LinqSeq(run, element_type(first))


def except_(first: object, second: object, comparer: object = None) -> LinqSeq:
    a, b = iterate(first), _second(second)
    ignore_case = ignores_case(comparer)

    def run() -> Iterator[object]:
        drop = {hash_key(item, ignore_case) for item in b}
        return (x for x in _unique(a, comparer) if hash_key(x, ignore_case) not in drop)

    return LinqSeq(run, element_type(first))


def concat(first: object, second: object) -> LinqSeq:
    a, b = iterate(first), _second(second)
    run, element = (lambda: chain(a, b)), element_type(first)  # lazy, as .NET's
    if cheap_count(first) is None or cheap_count(second) is None:
        return LinqSeq(run, element)

    def size() -> int | None:
        counts = (cheap_count(first), cheap_count(second))
        return None if None in counts else sum(counts)  # type: ignore[arg-type]

    return SizedSeq(run, size, element)


def _added(source: object, run: Callable[[], Iterable[object]]) -> LinqSeq:
    """`Append`/`Prepend`'s result: one longer than its source, when that knows its count."""
    if provider_count(source) is None:
        return LinqSeq(run, element_type(source))

    def size() -> int | None:
        count = provider_count(source)
        return None if count is None else count + 1

    return SizedSeq(run, size, element_type(source))


def append(source: object, item: object) -> LinqSeq:
    items = iterate(source)
    return _added(source, lambda: chain(items, (item,)))


def prepend(source: object, item: object) -> LinqSeq:
    items = iterate(source)
    return _added(source, lambda: chain((item,), items))


def _indexed(fn: Func) -> Callable[[object, int], object]:
    """A predicate called with (element, index): `TakeWhile((x, i) => ...)` takes both."""
    if arity(fn) == 2:
        return fn
    return lambda item, _index: fn(item)


def take_while(source: object, predicate: object) -> LinqSeq:
    items, test = iterate(source), _indexed(_func(predicate, "predicate"))

    def run() -> Iterator[object]:
        for i, item in enumerate(items):
            if not _bool(test(item, i)):
                return
            yield item

    return LinqSeq(run, element_type(source))


def skip_while(source: object, predicate: object) -> LinqSeq:
    items, test = iterate(source), _indexed(_func(predicate, "predicate"))

    def run() -> Iterator[object]:
        skipping = True
        for i, item in enumerate(items):
            if skipping and _bool(test(item, i)):
                continue
            skipping = False
            yield item

    return LinqSeq(run, element_type(source))


def cast(source: object, target: object = _OBJECT) -> LinqSeq:
    from .langrt import cast_value  # noqa: PLC0415 - import cycle

    items = iterate(source)
    assert isinstance(target, CsTypeRef)
    element = target if target.classes else None
    return LinqSeq(lambda: (cast_value(item, target) for item in items), element)


def of_type(source: object, target: object = _OBJECT) -> LinqSeq:
    items = iterate(source)
    assert isinstance(target, CsTypeRef)
    element = target if target.classes else None
    return LinqSeq(
        lambda: (item for item in items if item is not None and target.accepts(item)), element
    )


# --- materialisation ------------------------------------------------------------------------------


def to_list(source: object) -> object:
    """A collection is copied whole (its capacity: its count); a deferred query's elements are
    added one by one (.NET sizes the list of some queries exactly, see `generic.CsList`)."""
    element = element_type(source) or _OBJECT
    if isinstance(source, LinqSeq) or type(source) is str:
        return CsList.grown(element, iterate(source))
    return CsList(element, source)


def to_hash_set(source: object, comparer: object = None) -> object:
    args = () if comparer is None else (comparer,)
    return CsHashSet(element_type(source) or _OBJECT, CsArray(iterate(source)), *args)


def to_dictionary(source: object, key_selector: object, *more: object) -> object:
    key_fn = _func(key_selector, "keySelector")
    comparer = next((m for m in more if isinstance(m, StringComparer)), None)
    functions: list[Func] = [m for m in more if callable(m)]
    element = functions[0] if functions else None
    result = CsDictionary(_OBJECT, _OBJECT, *(() if comparer is None else (comparer,)))
    for item in iterate(source):
        result.Add(key_fn(item), item if element is None else element(item))
    return result
