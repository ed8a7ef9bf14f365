"""`ReadOnlyCollection<T>`: what `Array.AsReadOnly` and `List<T>.AsReadOnly()` return.

A live, read-only view of its array or list (changes to the list show through, and enumerating it
while the list changes throws as the list's own enumeration does), not a copy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from . import exceptions as exc
from .arrays import CsArray
from .collections import value_equals
from .types import CsObject

_INDEX_MESSAGE = (
    "Index was out of range. Must be non-negative and less than the size of the collection. "
    "(Parameter 'index')"
)


class _Indexed(Protocol):
    """What a ReadOnlyCollection wraps: a CsArray or a CsList."""

    def __iter__(self) -> Iterator[object]: ...

    def __len__(self) -> int: ...

    def get_item(self, index: object) -> object: ...


class CsReadOnlyCollection(CsObject):
    __slots__ = ("_element", "_source")
    CS_TYPE = "System.Collections.ObjectModel.ReadOnlyCollection"
    CS_MEMBERS = frozenset({"Count", "Contains", "IndexOf", "CopyTo", "Equals", "ToString"})
    CS_INDEXER = "get_item"
    ICOLLECTION = ILIST = True

    def __init__(self, source: _Indexed, element: str) -> None:
        self._source = source
        self._element = element  # T's .NET name, for ToString

    def __iter__(self) -> Iterator[object]:
        return iter(self._source)

    def __len__(self) -> int:
        return len(self._source)

    @property
    def element_ref(self) -> object:
        return getattr(self._source, "element_ref", None)

    @property
    def Count(self) -> int:
        return len(self)

    def get_item(self, index: object) -> object:
        if type(index) is not int:
            raise exc.invalid_cast(index, "System.Int32")
        if not 0 <= index < len(self):
            raise exc.ExpressionRuntimeError("ArgumentOutOfRangeException", _INDEX_MESSAGE)
        return self._source.get_item(index)

    def Contains(self, value: object) -> bool:
        return self.IndexOf(value) >= 0

    def IndexOf(self, value: object) -> int:
        return next((i for i, x in enumerate(list(self)) if value_equals(x, value)), -1)

    def CopyTo(self, array: object, index: object) -> None:
        CsArray(list(self)).CopyTo(array, index)

    def Equals(self, other: object) -> bool:
        return other is self

    def ToString(self) -> str:
        return f"{self.CS_TYPE}`1[{self._element}]"
