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
    CS_INDEX_SETTER = "set_item"

    def __init__(self, items: Iterable[object]) -> None:
        self._items = list(items)

    @property
    def Length(self) -> int:
        return len(self._items)

    def get_item(self, index: object) -> object:
        if type(index) is not int:
            raise exc.invalid_cast(index, "System.Int32")
        if not 0 <= index < len(self._items):
            raise exc.index_out_of_range()
        return self._items[index]

    def set_item(self, index: object, value: object) -> None:
        """`a[i] = v` (C# arrays are mutable; enumeration does not check for changes)."""
        self.get_item(index)  # the same checks
        assert type(index) is int
        self._items[index] = value
        if type(self) is not CsArray:
            self._after_write()

    def overwrite(self, values: list[object]) -> None:
        """Replace every element at once (`Random.NextBytes`): the same length, one refresh."""
        assert len(values) == len(self._items)
        self._items[:] = values
        if type(self) is not CsArray:
            self._after_write()

    def _after_write(self) -> None:
        """Subclasses that cache a packed form of their items (`CsBytes`) refresh it here;
        one that does not know how refuses rather than go stale."""
        raise exc.ExpressionRuntimeError(
            "NotSupportedException",
            f"not supported yet: changing the elements of a {self.CS_TYPE} made by the runtime",
        )

    def __iter__(self) -> Iterator[object]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def ToString(self) -> str:
        return "System.String[]" if all(type(i) is str for i in self._items) else "System.Object[]"


def is_enumerable(value: object) -> bool:
    """Can LINQ enumerate it? Strings (as chars) and CsObjects that define `__iter__`."""
    return type(value) is str or (isinstance(value, CsObject) and hasattr(type(value), "__iter__"))


def non_negative_int(value: object, param: str) -> int:
    """An `int` argument that counts or indexes: InvalidCast for another type,
    ArgumentOutOfRange when negative."""
    if type(value) is not int:
        raise exc.invalid_cast(value, "System.Int32")
    if value < 0:
        raise exc.argument_out_of_range(param)
    return value
