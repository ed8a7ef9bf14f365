"""C# arrays (`string[]` header values, `new[] {...}`, `Split` results) and the enumerable test.

Separate from `collections` because `strings` needs arrays and `collections` needs `strings`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from . import exceptions as exc
from .types import CsObject


class CsArray(CsObject):
    """A C# array (`string[]` for header values, `new[] {...}`, `Split` results). Expressions
    make one-dimensional arrays only: `GetLength(1)` is out of range, `GetValue(i, j)` refused
    as for any such array. `element_name` is the element type's CLR name where the creation
    knew it (`new int[3]` is an `System.Int32[]`), else None: only `ToString` and default(T)
    use it, elements are not converted or checked (see `arraystatics`)."""

    __slots__ = ("_items", "element_name")
    CS_TYPE = "System.Array"
    CS_MEMBERS = frozenset(
        {
            "Length", "LongLength", "Rank", "IsFixedSize", "IsReadOnly", "IsSynchronized",
            "Clone", "CopyTo", "GetLength", "GetLongLength", "GetLowerBound", "GetUpperBound",
            "GetValue", "SetValue", "Initialize", "ToString",
        }
    )  # fmt: skip
    CS_LONG = frozenset({"LongLength", "GetLongLength"})
    CS_INDEXER = "get_item"
    CS_INDEX_SETTER = "set_item"

    def __init__(self, items: Iterable[object], element_name: str | None = None) -> None:
        self._items = list(items)
        self.element_name = element_name

    @property
    def Length(self) -> int:
        return len(self._items)

    @property
    def LongLength(self) -> int:
        return len(self._items)

    @property
    def Rank(self) -> int:
        return 1  # expressions make one-dimensional arrays only

    @property
    def IsFixedSize(self) -> bool:
        return True

    @property
    def IsReadOnly(self) -> bool:
        return False

    @property
    def IsSynchronized(self) -> bool:
        return False

    def Clone(self) -> object:
        """A shallow copy (of the same class: a `byte[]` stays one); `object` to C#."""
        clone = type(self)(list(self._items))
        clone.element_name = self.element_name
        return clone

    def CopyTo(self, array: object, index: object) -> None:
        """Copy every element into `array` from `index` on (`Array.Copy`'s checks)."""
        if array is None:
            raise exc.argument_null("array")
        if not isinstance(array, CsArray):
            raise exc.invalid_cast(array, "System.Array")
        start = _index(index)
        if start < 0:
            raise exc.argument_out_of_range("destinationIndex")
        if start + len(self._items) > len(array):
            raise exc.ExpressionRuntimeError(
                "ArgumentException",
                "Destination array was not long enough. Check the destination index, length, "
                "and the array's lower bounds. (Parameter 'destinationArray')",
            )
        for offset, item in enumerate(list(self._items)):
            array.set_item(start + offset, item)

    def _dimension(self, dimension: object) -> None:
        if _index(dimension) != 0:
            raise exc.index_out_of_range()

    def GetLength(self, dimension: object) -> int:
        self._dimension(dimension)
        return len(self._items)

    def GetLongLength(self, dimension: object) -> int:
        return self.GetLength(dimension)

    def GetLowerBound(self, dimension: object) -> int:
        self._dimension(dimension)
        return 0

    def GetUpperBound(self, dimension: object) -> int:
        self._dimension(dimension)
        return len(self._items) - 1

    def _position(self, indices: tuple[object, ...]) -> int:
        """The one index of `GetValue(i)`/`SetValue(v, i)` (int or long, or a one-element
        `int[]`); more than one is an ArgumentException, as for any one-dimensional array."""
        if len(indices) == 1 and isinstance(indices[0], CsArray):
            indices = tuple(indices[0])
        if len(indices) != 1:
            message = _RANK_MESSAGES.get(
                len(indices), "Indices length does not match the array rank."
            )
            raise exc.ExpressionRuntimeError("ArgumentException", message)
        position = _index(indices[0])
        if not 0 <= position < len(self._items):
            raise exc.index_out_of_range()
        return position

    def GetValue(self, *indices: object) -> object:
        return self._items[self._position(indices)]

    def SetValue(self, value: object, *indices: object) -> None:
        """`SetValue(value, index)`: the value is stored as given (arrays do not know their
        element type at run time, so no conversion or ArrayTypeMismatch check happens)."""
        self.set_item(self._position(indices), value)

    def Initialize(self) -> None:
        """Runs value types' parameterless constructors: none of the element types has one."""

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
        """`System.Int32[]` by the element type; an array made without one (LINQ's `ToArray`,
        `Split`) is a string[] when it holds only strings, else an object[]."""
        if self.element_name is not None:
            return self.element_name + "[]"
        return "System.String[]" if all(type(i) is str for i in self._items) else "System.Object[]"


_RANK_MESSAGES = {
    2: "Array was not a two-dimensional array.",
    3: "Array was not a three-dimensional array.",
}


_CLR_NAME = re.compile(r"[A-Za-z_][\w.]*(?:\[\])*\Z")


def clr_element_name(name: str, nullable: bool = False) -> str | None:
    """The CLR name arrays of `name` print (`System.Nullable`1[System.Int32]` for `int?`), or
    None for a name that is not one (generic and anonymous types print otherwise)."""
    if not _CLR_NAME.match(name):
        return None
    return f"System.Nullable`1[{name}]" if nullable else name


def of_element(array: CsArray, element_name: str) -> CsArray:
    """`array` tagged with its element type (`new T[n]`, `new[] {...}` know it statically)."""
    array.element_name = element_name
    return array


def _index(value: object) -> int:
    """An `int` (or `long`) index or dimension argument."""
    if type(value) is not int:
        raise exc.invalid_cast(value, "System.Int32")
    return value


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
