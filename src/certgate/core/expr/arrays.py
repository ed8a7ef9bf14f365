"""C# arrays (`string[]` header values, `new[] {...}`, `Split` results) and the enumerable test.

Separate from `collections` because `strings` needs arrays and `collections` needs `strings`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from . import exceptions as exc
from .types import CsObject


class CsArray(CsObject):
    """A C# array (`string[]` for header values, `new[] {...}`, `Split` results)."""

    __slots__ = ("_items",)
    CS_TYPE = "System.Array"
    CS_MEMBERS = frozenset({"Length", "ToString"})
    CS_INDEXER = "get_item"

    def __init__(self, items: Iterable[object]) -> None:
        self._items = tuple(items)

    @property
    def Length(self) -> int:
        return len(self._items)

    def get_item(self, index: object) -> object:
        if type(index) is not int:
            raise exc.invalid_cast(index, "System.Int32")
        if not 0 <= index < len(self._items):
            raise exc.index_out_of_range()
        return self._items[index]

    def __iter__(self) -> Iterator[object]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def ToString(self) -> str:
        return "System.String[]" if all(type(i) is str for i in self._items) else "System.Object[]"


def is_enumerable(value: object) -> bool:
    """Can LINQ enumerate it? Strings (as chars) and CsObjects that define `__iter__`."""
    return type(value) is str or (isinstance(value, CsObject) and hasattr(type(value), "__iter__"))
