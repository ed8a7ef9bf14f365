"""`System.Collections.Generic`: List<T> and what the other collections share (Dictionary<K, V>
and StringComparer are in `dictionary`, HashSet<T>/Queue<T>/Stack<T> in `sets`).

Each keeps the `CsTypeRef`s of its type arguments (for `default(T)` and for `ToString()`, which
prints `System.Collections.Generic.List`1[System.String]`). Enumeration checks a version number,
so changing a collection inside its own `foreach` throws InvalidOperationException, as .NET does.
Dictionary and HashSet enumerate like .NET's: in insertion order, except that a removed entry's
slot is reused by the next insertion (`hashed.Slots`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from . import exceptions as exc
from .argchecks import (
    BIGGER_THAN_COLLECTION,
    COUNT,
    LIST_INSERT,
    MUST_BE_LESS,
    MUST_BE_LESS_OR_EQUAL,
    NON_NEGATIVE,
    SMALL_CAPACITY,
    backward,
    int_arg,
    out_of_range,
    span,
)
from .arrays import CsArray, is_enumerable
from .arraystatics import copy
from .collections import iterate, value_equals
from .implicit import element_converter
from .keys import contains_by
from .readonly import CsReadOnlyCollection
from .sorting import binary_search, comparer_of, introsort
from .types import CsObject, CsTypeRef

_OBJECT = CsTypeRef("System.Object", ())

_MODIFIED = "Collection was modified; enumeration operation may not execute."


def _items(source: object, param: str = "collection") -> list[object]:
    if source is None:
        raise exc.argument_null(param)
    if type(source) is str or is_enumerable(source):
        return list(iterate(source))
    raise exc.invalid_cast(source, "System.Collections.IEnumerable")


def _int(value: object) -> int:
    if type(value) is not int:
        raise exc.invalid_cast(value, "System.Int32")
    return value


def collection_count(source: object) -> int | None:
    """The count of an `ICollection<T>` (arrays, List, HashSet, Dictionary, its key and value
    collections, ReadOnlyCollection), which .NET reads without enumerating; None otherwise."""
    if isinstance(source, CsArray) or getattr(type(source), "ICOLLECTION", False):
        return len(source)  # type: ignore[arg-type]
    return None


def clr_generic_name(name: str, args: tuple[CsTypeRef, ...]) -> str:
    return f"{name}`{len(args)}[{','.join(arg.name for arg in args)}]"


class _Versioned(CsObject):
    __slots__ = ("_args", "_version")
    _args: tuple[CsTypeRef, ...]
    _version: int

    def _iterate(self, items: Iterable[object]) -> Iterator[object]:
        version = self._version
        for item in items:
            yield item
            if self._version != version:
                raise exc.invalid_operation(_MODIFIED)

    def _touch(self) -> None:
        self._version += 1

    def _own(self, value: object, arg: int = 0) -> object:
        """`value` as type argument `arg` holds it (C#'s implicit numeric conversions)."""
        convert = element_converter(self._args[arg])
        return value if convert is None else convert(value)

    def _own_all(self, values: list[object]) -> list[object]:
        convert = element_converter(self._args[0])
        return values if convert is None else [convert(value) for value in values]

    @property
    def type_args(self) -> tuple[CsTypeRef, ...]:
        """The type arguments it was created with (`is List<int>` compares them)."""
        return self._args

    @property
    def element_ref(self) -> CsTypeRef | None:
        """T of a List<T>/HashSet<T>/Queue<T>/Stack<T> (not a dictionary's pair type)."""
        return self._args[0] if len(self._args) == 1 else None

    def ToString(self) -> str:
        return clr_generic_name(self.CS_TYPE, self._args)


class CsList(_Versioned):
    """`List<T>`. `Capacity` follows .NET's growth (4, then doubling; exact for a collection
    given whole), so `Capacity`, `EnsureCapacity` and `TrimExcess` report what .NET reports for
    lists an expression builds; a list LINQ's `ToList()` makes from a deferred query grows as if
    added to one by one (.NET sizes some of those exactly)."""

    __slots__ = ("_capacity", "_list")
    CS_TYPE = "System.Collections.Generic.List"
    CS_MEMBERS = frozenset(
        {
            "Count", "Capacity", "Add", "AddRange", "AsReadOnly", "BinarySearch", "Clear",
            "Contains", "ConvertAll", "CopyTo", "EnsureCapacity", "Exists", "Find", "FindAll",
            "FindIndex", "FindLast", "FindLastIndex", "ForEach", "GetRange", "IndexOf", "Insert",
            "InsertRange", "LastIndexOf", "Remove", "RemoveAll", "RemoveAt", "RemoveRange",
            "Reverse", "Slice", "Sort", "ToArray", "TrimExcess", "TrueForAll", "ToString",
        }
    )  # fmt: skip
    CS_INDEXER = "get_item"
    CS_INDEX_SETTER = "set_item"
    CS_INDEXER_ELEMENT = True
    ICOLLECTION = True

    def __init__(self, element: CsTypeRef, source: object = None) -> None:
        self._args = (element,)
        self._version = 0
        self._list: list[object] = []
        self._capacity = 0
        if type(source) is int:
            if source < 0:
                raise out_of_range("capacity", NON_NEGATIVE)
            self._capacity = source
        elif source is not None:
            values = self._own_all(_items(source))
            if collection_count(source) is None:
                self._append(values)
            else:
                self._list, self._capacity = values, len(values)

    @classmethod
    def grown(cls, element: CsTypeRef, values: Iterable[object]) -> CsList:
        """A list `values` were added to one by one (LINQ's `ToList` of a deferred query)."""
        made = cls(element)
        made._append(made._own_all(list(values)))
        return made

    @property
    def element_default(self) -> object:
        return self._args[0].default

    def __iter__(self) -> Iterator[object]:
        return self._iterate(self._list)

    def __len__(self) -> int:
        return len(self._list)

    # --- capacity (.NET's `_items.Length`) ---------------------------------------------------

    def _grow(self, needed: int) -> None:
        if needed > self._capacity:
            self._capacity = max(4 if self._capacity == 0 else 2 * self._capacity, needed)

    def _grow_each(self, count: int) -> None:
        """The capacity after `count` single additions: doubling as it fills."""
        size = len(self._list)
        while size + count > self._capacity:
            self._grow(max(self._capacity + 1, size + 1))

    def _append(self, values: list[object]) -> None:
        """Add one by one (an enumerable that is no collection)."""
        self._grow_each(len(values))
        self._list.extend(values)

    @property
    def Capacity(self) -> int:
        return self._capacity

    @Capacity.setter
    def Capacity(self, value: object) -> None:
        if int_arg(value) < len(self._list):
            raise out_of_range("value", SMALL_CAPACITY)
        self._capacity = int_arg(value)

    def EnsureCapacity(self, capacity: object) -> int:
        """.NET 6: grow to at least `capacity` (doubling: a new version); the capacity."""
        wanted = int_arg(capacity)
        if wanted < 0:
            raise out_of_range("capacity", NON_NEGATIVE)
        if wanted > self._capacity:
            self._grow(wanted)
            self._touch()
        return self._capacity

    def TrimExcess(self) -> None:
        if len(self._list) < int(self._capacity * 0.9):
            self._capacity = len(self._list)

    # --- elements ------------------------------------------------------------------------------

    def _index(self, index: object, allow_end: bool = False) -> int:
        i = _int(index)
        if not 0 <= i < len(self._list) + allow_end:
            message = LIST_INSERT if allow_end else MUST_BE_LESS
            raise out_of_range("index", message)
        return i

    def get_item(self, index: object) -> object:
        return self._list[self._index(index)]

    def set_item(self, index: object, value: object) -> None:
        self._list[self._index(index)] = self._own(value)
        self._touch()

    @property
    def Count(self) -> int:
        return len(self._list)

    def Add(self, item: object) -> None:
        self._append([self._own(item)])
        self._touch()

    def AddRange(self, collection: object) -> None:
        self.InsertRange(len(self._list), collection)

    def Insert(self, index: object, item: object) -> None:
        i = self._index(index, allow_end=True)
        self._grow(len(self._list) + 1)
        self._list.insert(i, self._own(item))
        self._touch()

    def InsertRange(self, index: object, collection: object) -> None:
        """A new version even when there is nothing to insert, as in .NET."""
        values = self._own_all(_items(collection))
        i = self._index(index, allow_end=True)
        if collection_count(collection) is None:  # inserted one by one
            self._grow_each(len(values))
        elif values:
            self._grow(len(self._list) + len(values))
        self._list[i:i] = values
        self._touch()

    def GetRange(self, index: object, count: object) -> CsList:
        indexes = span(len(self._list), index, count)
        return CsList(self._args[0], CsArray(self._list[indexes.start : indexes.stop]))

    def Slice(self, start: object, length: object) -> CsList:
        """.NET 8: `GetRange` under the name ranges use."""
        return self.GetRange(start, length)

    def ToArray(self) -> CsArray:
        return CsArray(self._list)

    def AsReadOnly(self) -> CsReadOnlyCollection:
        return CsReadOnlyCollection(self, self._args[0].name)

    def ConvertAll(self, converter: object) -> CsList:
        """A list of the converted elements; its T is System.Object (the converter's result
        type is the compiler's, not known here)."""
        convert = exc.delegate(converter, "converter", "System.Converter")
        return CsList(_OBJECT, CsArray([convert(x) for x in list(self._list)]))

    def CopyTo(self, *args: object) -> None:
        """`CopyTo(array[, arrayIndex])`, `CopyTo(index, array, arrayIndex, count)`."""
        if len(args) == 4:
            start, array, to, count = args
            indexes = span(len(self._list), start, count)
            copy(CsArray(self._list), indexes.start, array, to, len(indexes))
        elif args and len(args) <= 2:
            to = args[1] if len(args) == 2 else 0
            copy(CsArray(self._list), 0, args[0], to, len(self._list))
        else:
            raise exc.invalid_cast(None, "System.Array")

    # --- searching -----------------------------------------------------------------------------

    def IndexOf(self, item: object, index: object = None, count: object = None) -> int:
        size = len(self._list)
        start = 0 if index is None else int_arg(index)
        if start > size:
            raise out_of_range("index", MUST_BE_LESS_OR_EQUAL)
        if start < 0:
            raise out_of_range("startIndex", MUST_BE_LESS_OR_EQUAL)
        length = size - start if count is None else int_arg(count)
        if length < 0 or start > size - length:
            raise out_of_range("count", COUNT)
        item = self._own(item)
        found = (i for i in range(start, start + length) if value_equals(self._list[i], item))
        return next(found, -1)

    def LastIndexOf(self, item: object, index: object = None, count: object = None) -> int:
        size = len(self._list)
        if index is None:
            if size == 0:
                return -1
            start, length = size - 1, size
        else:
            start = int_arg(index)
            if count is None:
                if start >= size:
                    raise out_of_range("index", MUST_BE_LESS)
                length = start + 1
            else:
                length = int_arg(count)
        if size and start < 0:
            raise out_of_range("index", NON_NEGATIVE)
        if size and length < 0:
            raise out_of_range("count", NON_NEGATIVE)
        if size == 0:
            return -1
        if start >= size:
            raise out_of_range("index", BIGGER_THAN_COLLECTION)
        if length > start + 1:
            raise out_of_range("count", BIGGER_THAN_COLLECTION)
        item = self._own(item)
        indexes = range(start, start - length, -1)
        return next((i for i in indexes if value_equals(self._list[i], item)), -1)

    def Contains(self, item: object, comparer: object = None) -> bool:
        """`Contains(item)`; with a comparer, LINQ's `Contains(item, comparer)`."""
        if comparer is not None:
            return contains_by(self._list, item, comparer)
        return self.IndexOf(item) >= 0

    def BinarySearch(self, *args: object) -> int:
        """`BinarySearch(item[, comparer])`, `(index, count, item, comparer)`."""
        if len(args) == 4:
            indexes = span(len(self._list), args[0], args[1])
            item, comparer = args[2], args[3]
        elif 1 <= len(args) <= 2:
            indexes = range(len(self._list))
            item, comparer = args[0], args[1] if len(args) == 2 else None
        else:
            raise exc.invalid_cast(None, "System.Collections.Generic.IComparer")
        start, length = indexes.start, len(indexes)
        return binary_search(self._list, start, length, self._own(item), comparer_of(comparer))

    def Find(self, match: object) -> object:
        test = _predicate(match)
        return next((x for x in list(self._list) if test(x)), self.element_default)

    def FindLast(self, match: object) -> object:
        test = _predicate(match)
        return next((x for x in reversed(list(self._list)) if test(x)), self.element_default)

    def FindAll(self, match: object) -> CsList:
        test = _predicate(match)
        return CsList.grown(self._args[0], [x for x in list(self._list) if test(x)])

    def FindIndex(self, *args: object) -> int:
        """`FindIndex(match)`, `(startIndex, match)`, `(startIndex, count, match)`."""
        if not 1 <= len(args) <= 3:
            raise exc.invalid_cast(None, "System.Predicate")
        size = len(self._list)
        start = int_arg(args[0]) if len(args) > 1 else 0
        if not 0 <= start <= size:
            raise out_of_range("startIndex", MUST_BE_LESS_OR_EQUAL)
        count = int_arg(args[1]) if len(args) > 2 else size - start
        if count < 0 or start > size - count:
            raise out_of_range("count", COUNT)
        test = _predicate(args[-1])
        values = list(self._list)
        return next((i for i in range(start, start + count) if test(values[i])), -1)

    def FindLastIndex(self, *args: object) -> int:
        """`FindLastIndex(match)`, `(startIndex, match)`, `(startIndex, count, match)`."""
        if not 1 <= len(args) <= 3:
            raise exc.invalid_cast(None, "System.Predicate")
        test = _predicate(args[-1])
        size = len(self._list)
        start = int_arg(args[0]) if len(args) > 1 else size - 1
        count = int_arg(args[1]) if len(args) > 2 else (start + 1 if len(args) > 1 else size)
        indexes = backward(size, start, count, empty_starts=(-1,))
        values = list(self._list)
        return next((i for i in indexes if test(values[i])), -1)

    def Exists(self, match: object) -> bool:
        return self.FindIndex(match) >= 0

    def TrueForAll(self, match: object) -> bool:
        test = _predicate(match)
        return all(test(x) for x in list(self._list))

    def ForEach(self, action: object) -> None:
        if not callable(action):
            raise exc.argument_null("action")
        for item in self._iterate(list(self._list)):
            action(item)

    # --- removing ------------------------------------------------------------------------------

    def Remove(self, item: object) -> bool:
        i = self.IndexOf(item)
        if i < 0:
            return False
        del self._list[i]
        self._touch()
        return True

    def RemoveAt(self, index: object) -> None:
        del self._list[self._index(index)]
        self._touch()

    def RemoveRange(self, index: object, count: object) -> None:
        indexes = span(len(self._list), index, count)
        if indexes:
            del self._list[indexes.start : indexes.stop]
            self._touch()

    def RemoveAll(self, match: object) -> int:
        test = _predicate(match)
        kept = [x for x in list(self._list) if not test(x)]
        removed = len(self._list) - len(kept)
        if removed:
            self._list = kept
            self._touch()
        return removed

    def Clear(self) -> None:
        self._list.clear()
        self._touch()

    # --- ordering ------------------------------------------------------------------------------

    def Sort(self, *args: object) -> None:
        """`Sort()`, `Sort(Comparison<T>)`, `Sort(IComparer<T>)`, `Sort(index, count,
        comparer)`: .NET's introspective sort (`sorting`), not a stable one."""
        if len(args) == 3:
            indexes = span(len(self._list), args[0], args[1])
            comparer = args[2]
        elif len(args) <= 1:
            indexes = range(len(self._list))
            comparer = args[0] if args else None  # null: the default order
        else:
            raise exc.invalid_cast(None, "System.Collections.Generic.IComparer")
        part = self._list[indexes.start : indexes.stop]
        introsort(part, comparer_of(comparer))
        self._list[indexes.start : indexes.stop] = part
        self._touch()

    def Reverse(self, index: object = None, count: object = None) -> None:
        if index is None:
            self._list.reverse()
        else:
            indexes = span(len(self._list), index, count)
            self._list[indexes.start : indexes.stop] = self._list[indexes.start : indexes.stop][
                ::-1
            ]
        self._touch()


def _predicate(match: object) -> Callable[[object], bool]:
    check = exc.delegate(match, "match", "System.Predicate")

    def test(item: object) -> bool:
        result = check(item)
        if type(result) is not bool:
            raise exc.invalid_cast(result, "System.Boolean")
        return result

    return test
