"""`HashSet<T>`, `Queue<T>` and `Stack<T>` (see `generic` for the shared conventions)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import ClassVar

from . import exceptions as exc
from .arrays import CsArray
from .collections import value_equals
from .dictionary import StringComparer
from .generic import CsList, _items, _predicate, _Versioned
from .hashed import Slots
from .keys import hash_key
from .types import CsTypeRef


class CsHashSet(_Versioned):
    """Set operations compare with THIS set's comparer (an OrdinalIgnoreCase set intersected
    with ["a"] keeps "A"), and change the entry table in .NET's order, which decides where later
    additions enumerate."""

    __slots__ = ("_ignore_case", "_slots")
    CS_TYPE = "System.Collections.Generic.HashSet"
    CS_MEMBERS = frozenset(
        {
            "Count", "Add", "Remove", "Contains", "Clear", "UnionWith", "IntersectWith",
            "ExceptWith", "SymmetricExceptWith", "IsSubsetOf", "IsSupersetOf", "Overlaps",
            "SetEquals", "RemoveWhere", "ToString",
        }
    )  # fmt: skip

    def __init__(self, element: CsTypeRef, *args: object) -> None:
        self._args = (element,)
        self._version = 0
        ignore_case = any(isinstance(a, StringComparer) and a.ignore_case for a in args)
        self._ignore_case = ignore_case
        self._slots = Slots(ignore_case)
        for arg in args:
            if not isinstance(arg, StringComparer) and type(arg) is not int:
                for item in self._own_all(_items(arg)):
                    self._slots.put(item, None, replace=False)

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
        added = self._slots.put(self._own(item), None, replace=False)
        if added:
            self._touch()
        return added

    def Remove(self, item: object) -> bool:
        removed = self._slots.remove(self._own(item))
        if removed:
            self._touch()
        return removed

    def RemoveWhere(self, match: object) -> int:
        test = _predicate(match)
        doomed = [k for k, _ in self._slots.items() if test(k)]
        for item in doomed:
            self._slots.remove(item)
        self._touch()
        return len(doomed)

    def Contains(self, item: object) -> bool:
        return self._has(item)

    def Clear(self) -> None:
        self._slots.clear()
        self._touch()

    def UnionWith(self, other: object) -> None:
        for item in _items(other, "other"):
            self._slots.put(item, None, replace=False)
        self._touch()

    def _like(self, other: object) -> CsHashSet:
        """`other`'s elements as a set with this set's comparer."""
        them = CsHashSet(self._args[0])
        them._ignore_case = self._ignore_case
        them._slots = Slots(self._ignore_case)
        for item in _items(other, "other"):
            them._slots.put(item, None, replace=False)
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
        self._touch()

    def ExceptWith(self, other: object) -> None:
        for item in _items(other, "other"):
            self._slots.remove(item)
        self._touch()

    def SymmetricExceptWith(self, other: object) -> None:
        items = _items(other, "other")
        if other is self:
            self.Clear()
        elif self._same_comparer(other):  # remove or add each element, in turn
            for item in items:
                if not self._slots.remove(item):
                    self._slots.put(item, None, replace=False)
        else:  # add the new elements first, then remove the common ones in table order
            added: set[object] = set()
            common: set[object] = set()
            for item in items:
                key = hash_key(item, self._ignore_case)
                if self._slots.put(item, None, replace=False):
                    added.add(key)
                elif key not in added:
                    common.add(key)
            for item in [k for k, _ in self._slots.items()]:
                if hash_key(item, self._ignore_case) in common:
                    self._slots.remove(item)
        self._touch()

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


class _Sequence(_Versioned):
    __slots__ = ("_deque",)
    EMPTY: ClassVar[str] = ""
    CS_OUT_METHODS: ClassVar[dict[str, int]] = {"TryPeek": 1}

    def __init__(self, element: CsTypeRef, source: object = None) -> None:
        self._args = (element,)
        self._version = 0
        items = [] if source is None or type(source) is int else self._own_all(_items(source))
        self._deque: deque[object] = deque(items)

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

    def Contains(self, item: object) -> bool:
        item = self._own(item)
        return any(value_equals(x, item) for x in self._deque)

    def Clear(self) -> None:
        self._deque.clear()
        self._touch()

    def ToArray(self) -> CsArray:
        return CsArray(iter(self))  # type: ignore[call-overload]


class CsQueue(_Sequence):
    __slots__ = ()
    CS_TYPE = "System.Collections.Generic.Queue"
    CS_MEMBERS = frozenset(
        {"Count", "Enqueue", "Dequeue", "TryDequeue", "Peek", "TryPeek", "Contains", "Clear",
         "ToArray", "ToString"}
    )  # fmt: skip
    CS_OUT_METHODS: ClassVar[dict[str, int]] = {"TryPeek": 1, "TryDequeue": 1}
    EMPTY = "Queue empty."

    def __iter__(self) -> Iterator[object]:
        return self._iterate(self._deque)

    def _front(self) -> object:
        return self._deque[0]

    def Enqueue(self, item: object) -> None:
        self._deque.append(self._own(item))
        self._touch()

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
         "ToString"}
    )  # fmt: skip
    CS_OUT_METHODS: ClassVar[dict[str, int]] = {"TryPeek": 1, "TryPop": 1}
    EMPTY = "Stack empty."

    def __iter__(self) -> Iterator[object]:
        return self._iterate(reversed(self._deque))

    def _front(self) -> object:
        return self._deque[-1]

    def Push(self, item: object) -> None:
        self._deque.append(self._own(item))
        self._touch()

    def Pop(self) -> object:
        value = self.Peek()
        self._deque.pop()
        self._touch()
        return value

    def TryPop(self) -> tuple[bool, object]:
        if not self._deque:
            return False, self._args[0].default
        return True, self.Pop()
