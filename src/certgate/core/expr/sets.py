"""`HashSet<T>`, `Queue<T>` and `Stack<T>` (see `generic` for the shared conventions).

A HashSet's capacity follows `hashcap`; a Queue's and a Stack's follow .NET's growth of their
arrays, which `EnsureCapacity` reports and `TrimExcess` shrinks (each a new version: a running
`foreach` then throws, as in .NET)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import ClassVar

from . import exceptions as exc
from .argchecks import MUST_BE_LESS_OR_EQUAL, NON_NEGATIVE, int_arg, invalid_off_len, out_of_range
from .arrays import CsArray
from .collections import value_equals
from .dictionary import StringComparer
from .generic import CsList, _items, _predicate, _Versioned, collection_count
from .hashcap import CountedSlots, capacity_arg, expand_prime
from .keys import contains_by, hash_key
from .types import CsTypeRef

_TOO_SMALL = (
    "Destination array is not long enough to copy all the items in the collection. Check array "
    "index and length."
)


def _target(array: object) -> CsArray:
    if array is None:
        raise exc.argument_null("array")
    if not isinstance(array, CsArray):
        raise exc.invalid_cast(array, "System.Array")
    return array


class CsHashSet(_Versioned):
    """Set operations compare with THIS set's comparer (an OrdinalIgnoreCase set intersected
    with ["a"] keeps "A"), and change the entry table in .NET's order, which decides where later
    additions enumerate. As in .NET 5+, only adding (and `TrimExcess`) invalidates a running
    enumeration: removing, `Clear` and the set operations that only remove do not."""

    __slots__ = ("_ignore_case", "_slots")
    CS_TYPE = "System.Collections.Generic.HashSet"
    CS_MEMBERS = frozenset(
        {
            "Count", "Add", "Remove", "Contains", "Clear", "UnionWith", "IntersectWith",
            "ExceptWith", "SymmetricExceptWith", "IsSubsetOf", "IsSupersetOf", "IsProperSubsetOf",
            "IsProperSupersetOf", "Overlaps", "SetEquals", "RemoveWhere", "TryGetValue", "CopyTo",
            "EnsureCapacity", "TrimExcess", "ToString",
        }
    )  # fmt: skip
    CS_OUT_METHODS: ClassVar[dict[str, int]] = {"TryGetValue": 1}
    ICOLLECTION = True

    def __init__(self, element: CsTypeRef, *args: object) -> None:
        self._args = (element,)
        self._version = 0
        ignore_case = any(isinstance(a, StringComparer) and a.ignore_case for a in args)
        self._ignore_case = ignore_case
        capacity = next((capacity_arg(a) for a in args if type(a) is int), 0)
        self._slots = CountedSlots(ignore_case, capacity)
        source = next(
            (a for a in args if not isinstance(a, StringComparer) and type(a) is not int), None
        )
        if source is not None:
            self._construct_from(source)

    def _construct_from(self, source: object) -> None:
        """`new HashSet<T>(collection)`: a set with this comparer is copied as it is (its
        freed slots too) unless it is much larger than its count; another collection is added
        to a table of its size, trimmed when duplicates left it over three times too large."""
        if isinstance(source, CsHashSet) and self._same_comparer(source):
            if not len(source):
                return
            if expand_prime(len(source) + 1) >= source._slots.capacity:
                self._slots = source._slots.clone()
                return
        items = self._own_all(_items(source))
        count = collection_count(source)
        self._slots = CountedSlots(self._ignore_case, count or 0)
        for item in items:
            self._put(item)
        if len(self._slots) and self._slots.capacity // len(self._slots) > 3:
            self._slots.trim(len(self._slots))

    def _put(self, item: object) -> bool:
        """Add (the value: the element as stored); only an addition is a new version."""
        added = self._slots.put(item, item, replace=False)
        if added:
            self._touch()
        return added

    def __iter__(self) -> Iterator[object]:
        return self._iterate(k for k, _ in self._slots.items())

    def __len__(self) -> int:
        return len(self._slots)

    def _has(self, item: object) -> bool:
        return self._slots.get(self._own(item))[0]

    @property
    def Count(self) -> int:
        return len(self._slots)

    def Add(self, item: object) -> bool:
        return self._put(self._own(item))

    def Remove(self, item: object) -> bool:
        return self._slots.remove(self._own(item))

    def RemoveWhere(self, match: object) -> int:
        test = _predicate(match)
        doomed = [k for k, _ in self._slots.items() if test(k)]
        for item in doomed:
            self._slots.remove(item)
        return len(doomed)

    def Contains(self, item: object, comparer: object = None) -> bool:
        if comparer is not None:  # LINQ's `Contains(item, comparer)`
            return contains_by((k for k, _ in self._slots.items()), item, comparer)
        return self._has(item)

    def collection_contains(self, item: object) -> bool:
        """ICollection<T>.Contains (LINQ's `Contains` calls it): with this set's comparer."""
        return self._has(item)

    def Clear(self) -> None:
        self._slots.clear()

    def UnionWith(self, other: object) -> None:
        for item in _items(other, "other"):
            self._put(item)

    def _like(self, other: object) -> CsHashSet:
        """`other`'s elements as a set with this set's comparer."""
        them = CsHashSet(self._args[0])
        them._ignore_case = self._ignore_case
        them._slots = CountedSlots(self._ignore_case)
        for item in _items(other, "other"):
            them._put(item)
        return them

    def _same_comparer(self, other: object) -> bool:
        return isinstance(other, CsHashSet) and other._ignore_case == self._ignore_case

    def IntersectWith(self, other: object) -> None:
        keep = self._like(other)
        if not len(self) or other is self:
            return
        if not len(keep) and isinstance(other, (CsArray, CsList, CsHashSet)):
            self.Clear()  # an empty ICollection<T>: .NET clears the table
            return
        for item in [k for k, _ in self._slots.items() if not keep._has(k)]:
            self._slots.remove(item)

    def ExceptWith(self, other: object) -> None:
        for item in _items(other, "other"):
            self._slots.remove(item)

    def SymmetricExceptWith(self, other: object) -> None:
        items = _items(other, "other")
        if other is self:
            self.Clear()
        elif self._same_comparer(other):  # remove or add each element, in turn
            for item in items:
                if not self._slots.remove(item):
                    self._put(item)
        else:  # add the new elements first, then remove the common ones in table order
            added: set[object] = set()
            common: set[object] = set()
            for item in items:
                key = hash_key(item, self._ignore_case)
                if self._put(item):
                    added.add(key)
                elif key not in added:
                    common.add(key)
            for item in [k for k, _ in self._slots.items()]:
                if hash_key(item, self._ignore_case) in common:
                    self._slots.remove(item)

    def IsSubsetOf(self, other: object) -> bool:
        them = self._like(other)
        return all(them._has(k) for k, _ in self._slots.items())

    def IsSupersetOf(self, other: object) -> bool:
        return all(self._has(item) for item in _items(other, "other"))

    def Overlaps(self, other: object) -> bool:
        return any(self._has(item) for item in _items(other, "other"))

    def SetEquals(self, other: object) -> bool:
        them = self._like(other)
        return len(them) == len(self) and all(them._has(k) for k, _ in self._slots.items())

    def IsProperSubsetOf(self, other: object) -> bool:
        """Every element is in `other`, which has one more (compared with this set's
        comparer)."""
        them = self._like(other)
        if other is self:
            return False
        return all(them._has(k) for k, _ in self._slots.items()) and len(them) > len(self)

    def IsProperSupersetOf(self, other: object) -> bool:
        them = self._like(other)
        if not len(self) or other is self:
            return False
        return all(self._has(k) for k, _ in them._slots.items()) and len(them) < len(self)

    def TryGetValue(self, equal_value: object) -> tuple[bool, object]:
        """The element the set holds that equals `equal_value` (its own spelling in an
        ignore-case set), or default(T)."""
        found, stored = self._slots.get(self._own(equal_value))
        return (True, stored) if found else (False, self._args[0].default)

    def CopyTo(self, array: object, index: object = 0, count: object = None) -> None:
        """`CopyTo(array[, arrayIndex[, count]])`: up to `count` elements (default: all)."""
        target = _target(array)
        start = int_arg(index)
        wanted = len(self) if count is None else int_arg(count)
        if start < 0 or wanted < 0:
            raise out_of_range("arrayIndex" if start < 0 else "count", NON_NEGATIVE)
        if start > len(target) or wanted > len(target) - start:
            raise exc.ExpressionRuntimeError("ArgumentException", _TOO_SMALL)
        for offset, (item, _) in enumerate(list(self._slots.items())[:wanted]):
            target.set_item(start + offset, item)

    def EnsureCapacity(self, capacity: object) -> int:
        return self._slots.ensure(capacity_arg(capacity))

    def TrimExcess(self) -> None:
        if self._slots.trim(len(self._slots)):
            self._touch()


class _Sequence(_Versioned):
    """What Queue<T> and Stack<T> share; `_capacity` is the length of .NET's array."""

    __slots__ = ("_capacity", "_deque")
    EMPTY: ClassVar[str] = ""
    CS_OUT_METHODS: ClassVar[dict[str, int]] = {"TryPeek": 1}

    def __init__(self, element: CsTypeRef, source: object = None) -> None:
        self._args = (element,)
        self._version = 0
        self._capacity = 0
        if type(source) is int:
            self._capacity = capacity_arg(source)
            source = None
        items = [] if source is None else self._own_all(_items(source))
        self._deque: deque[object] = deque(items)
        if items:  # EnumerableHelpers.ToArray: exact for a collection, else grown from 4
            self._capacity = len(items)
            if collection_count(source) is None:
                self._capacity = 4
                while self._capacity < len(items):
                    self._capacity *= 2

    def _grow(self, needed: int) -> None:
        raise NotImplementedError

    def _add(self, item: object) -> None:
        if len(self._deque) == self._capacity:
            self._grow(len(self._deque) + 1)
        self._deque.append(self._own(item))
        self._touch()

    def __len__(self) -> int:
        return len(self._deque)

    def _front(self) -> object:
        raise NotImplementedError

    @property
    def Count(self) -> int:
        return len(self._deque)

    def Peek(self) -> object:
        if not self._deque:
            raise exc.invalid_operation(self.EMPTY)
        return self._front()

    def TryPeek(self) -> tuple[bool, object]:
        if not self._deque:
            return False, self._args[0].default
        return True, self._front()

    def Contains(self, item: object, comparer: object = None) -> bool:
        if comparer is not None:  # LINQ's `Contains(item, comparer)`
            return contains_by(self._deque, item, comparer)
        item = self._own(item)
        return any(value_equals(x, item) for x in self._deque)

    def Clear(self) -> None:
        self._deque.clear()
        self._touch()

    def ToArray(self) -> CsArray:
        return CsArray(iter(self))  # type: ignore[call-overload]

    def CopyTo(self, array: object, index: object) -> None:
        """The elements in enumeration order (a Stack's top first) from `arrayIndex` on."""
        target, start = _target(array), int_arg(index)
        if not 0 <= start <= len(target):
            raise out_of_range("arrayIndex", MUST_BE_LESS_OR_EQUAL)
        if len(target) - start < len(self._deque):
            raise invalid_off_len()
        for offset, item in enumerate(list(iter(self))):  # type: ignore[call-overload]
            target.set_item(start + offset, item)

    def EnsureCapacity(self, capacity: object) -> int:
        """.NET 6: grow to at least `capacity`; the capacity."""
        wanted = capacity_arg(capacity)
        if self._capacity < wanted:
            self._grow(wanted)
            self._touch()
        return self._capacity

    def TrimExcess(self) -> None:
        """Shrink the array to the count when that saves over 10% of it."""
        if len(self._deque) < int(self._capacity * 0.9):
            self._capacity = len(self._deque)
            self._touch()


class CsQueue(_Sequence):
    __slots__ = ()
    CS_TYPE = "System.Collections.Generic.Queue"
    CS_MEMBERS = frozenset(
        {"Count", "Enqueue", "Dequeue", "TryDequeue", "Peek", "TryPeek", "Contains", "Clear",
         "ToArray", "CopyTo", "EnsureCapacity", "TrimExcess", "ToString"}
    )  # fmt: skip
    CS_OUT_METHODS: ClassVar[dict[str, int]] = {"TryPeek": 1, "TryDequeue": 1}
    EMPTY = "Queue empty."

    def __iter__(self) -> Iterator[object]:
        return self._iterate(self._deque)

    def _front(self) -> object:
        return self._deque[0]

    def _grow(self, needed: int) -> None:
        self._capacity = max(2 * self._capacity, self._capacity + 4, needed)

    def Enqueue(self, item: object) -> None:
        self._add(item)

    def Dequeue(self) -> object:
        value = self.Peek()
        self._deque.popleft()
        self._touch()
        return value

    def TryDequeue(self) -> tuple[bool, object]:
        if not self._deque:
            return False, self._args[0].default
        return True, self.Dequeue()


class CsStack(_Sequence):
    __slots__ = ()
    CS_TYPE = "System.Collections.Generic.Stack"
    CS_MEMBERS = frozenset(
        {"Count", "Push", "Pop", "TryPop", "Peek", "TryPeek", "Contains", "Clear", "ToArray",
         "CopyTo", "EnsureCapacity", "TrimExcess", "ToString"}
    )  # fmt: skip
    CS_OUT_METHODS: ClassVar[dict[str, int]] = {"TryPeek": 1, "TryPop": 1}
    EMPTY = "Stack empty."

    def __iter__(self) -> Iterator[object]:
        return self._iterate(reversed(self._deque))

    def _front(self) -> object:
        return self._deque[-1]

    def _grow(self, needed: int) -> None:
        self._capacity = max(4 if self._capacity == 0 else 2 * self._capacity, needed)

    def Push(self, item: object) -> None:
        self._add(item)

    def Pop(self) -> object:
        value = self.Peek()
        self._deque.pop()
        self._touch()
        return value

    def TryPop(self) -> tuple[bool, object]:
        if not self._deque:
            return False, self._args[0].default
        return True, self.Pop()
