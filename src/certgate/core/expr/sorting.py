"""`Array.Sort` / `List<T>.Sort` and `BinarySearch` exactly as .NET runs them.

.NET sorts with an introspective sort (`ArraySortHelper<T>`), which is not stable: elements that
compare equal may change places, and which ones do decides what a `Comparison` that only looks
at part of an element (`(a, b) => a.Length - b.Length`) leaves in what order. So this is a port
of that algorithm (insertion sort up to 16 elements, median-of-three quicksort partitions, heap
sort past the depth limit), with the items array of `Sort(keys, items)` moved alongside.

A comparer that throws is reported as .NET reports it: InvalidOperationException "Failed to
compare two elements in the array." (the budget stop and our own refusals pass through).
"""

from __future__ import annotations

from collections.abc import Callable

from . import exceptions as exc
from .csexc import is_uncatchable
from .keys import compare

Cmp = Callable[[object, object], int]
_THRESHOLD = 16  # Array.IntrosortSizeThreshold
_FAILED = "Failed to compare two elements in the array."


def _sign(result: object) -> int:
    if type(result) is not int:
        raise exc.invalid_cast(result, "System.Int32")
    return result


def comparer_of(comparer: object) -> Cmp:
    """The comparison an `IComparer` (a StringComparer; null: the default order) or a
    `Comparison<T>` lambda stands for."""
    if comparer is None:
        return compare
    if callable(comparer):
        return lambda a, b: _sign(comparer(a, b))
    method = getattr(comparer, "Compare", None)
    if method is None or "Compare" not in getattr(comparer, "CS_MEMBERS", ()):
        raise exc.invalid_cast(comparer, "System.Collections.Generic.IComparer")
    return lambda a, b: _sign(method(a, b))


def _guarded(run: Callable[[], None]) -> None:
    try:
        run()
    except exc.ExpressionRuntimeError as error:
        if is_uncatchable(error) or error.message == _FAILED:
            raise
        raise exc.invalid_operation(_FAILED) from error


def introsort(keys: list[object], cmp: Cmp, items: list[object] | None = None) -> None:
    """Sort `keys` in place (and `items` by the same moves) as `ArraySortHelper` does."""
    if len(keys) > 1:
        depth = 2 * len(keys).bit_length()  # 2 * (Log2(length) + 1)
        _guarded(lambda: _Sorter(keys, items, cmp).intro(0, len(keys) - 1, depth))


class _Sorter:
    __slots__ = ("cmp", "items", "keys")

    def __init__(self, keys: list[object], items: list[object] | None, cmp: Cmp) -> None:
        self.keys, self.items, self.cmp = keys, items, cmp

    def swap(self, i: int, j: int) -> None:
        keys = self.keys
        keys[i], keys[j] = keys[j], keys[i]
        if self.items is not None:
            self.items[i], self.items[j] = self.items[j], self.items[i]

    def swap_if_greater(self, i: int, j: int) -> None:
        if i != j and self.cmp(self.keys[i], self.keys[j]) > 0:
            self.swap(i, j)

    def intro(self, lo: int, hi: int, depth: int) -> None:
        while hi > lo:
            size = hi - lo + 1
            if size <= _THRESHOLD:
                if size == 2:
                    self.swap_if_greater(lo, hi)
                elif size == 3:
                    self.swap_if_greater(lo, hi - 1)
                    self.swap_if_greater(lo, hi)
                    self.swap_if_greater(hi - 1, hi)
                else:
                    self.insertion(lo, hi)
                return
            if depth == 0:
                self.heap(lo, hi)
                return
            depth -= 1
            p = self.partition(lo, hi)
            self.intro(p + 1, hi, depth)
            hi = p - 1

    def partition(self, lo: int, hi: int) -> int:
        keys, cmp = self.keys, self.cmp
        middle = lo + ((hi - lo) >> 1)
        self.swap_if_greater(lo, middle)
        self.swap_if_greater(lo, hi)
        self.swap_if_greater(middle, hi)
        pivot = keys[middle]
        self.swap(middle, hi - 1)
        left, right = lo, hi - 1
        while left < right:
            left += 1
            while cmp(keys[left], pivot) < 0:
                left += 1
            right -= 1
            while cmp(pivot, keys[right]) < 0:
                right -= 1
            if left >= right:
                break
            self.swap(left, right)
        if left != hi - 1:
            self.swap(left, hi - 1)
        return left

    def heap(self, lo: int, hi: int) -> None:
        n = hi - lo + 1
        for i in range(n >> 1, 0, -1):
            self.down_heap(i, n, lo)
        for i in range(n, 1, -1):
            self.swap(lo, lo + i - 1)
            self.down_heap(1, i - 1, lo)

    def down_heap(self, i: int, n: int, lo: int) -> None:
        keys, items, cmp = self.keys, self.items, self.cmp
        d = keys[lo + i - 1]
        di = None if items is None else items[lo + i - 1]
        while i <= n >> 1:
            child = 2 * i
            if child < n and cmp(keys[lo + child - 1], keys[lo + child]) < 0:
                child += 1
            if not cmp(d, keys[lo + child - 1]) < 0:
                break
            keys[lo + i - 1] = keys[lo + child - 1]
            if items is not None:
                items[lo + i - 1] = items[lo + child - 1]
            i = child
        keys[lo + i - 1] = d
        if items is not None:
            items[lo + i - 1] = di

    def insertion(self, lo: int, hi: int) -> None:
        keys, items, cmp = self.keys, self.items, self.cmp
        for i in range(lo, hi):
            j = i
            t = keys[i + 1]
            ti = None if items is None else items[i + 1]
            while j >= lo and cmp(t, keys[j]) < 0:
                keys[j + 1] = keys[j]
                if items is not None:
                    items[j + 1] = items[j]
                j -= 1
            keys[j + 1] = t
            if items is not None:
                items[j + 1] = ti


def binary_search(values: list[object], index: int, length: int, value: object, cmp: Cmp) -> int:
    """The index of `value` in the sorted range, else the bitwise complement of the index of
    the first larger element (.NET's `BinarySearch` contract, its probe order)."""
    found = [0]

    def run() -> None:
        lo, hi = index, index + length - 1
        while lo <= hi:
            i = lo + ((hi - lo) >> 1)
            order = cmp(values[i], value)
            if order == 0:
                found[0] = i
                return
            if order < 0:
                lo = i + 1
            else:
                hi = i - 1
        found[0] = ~lo

    _guarded(run)
    return found[0]
