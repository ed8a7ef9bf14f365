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
from functools import cmp_to_key

from . import exceptions as exc
from .arrays import CsArray, is_enumerable
from .collections import iterate, value_equals
from .implicit import element_converter
from .keys import sort_key
from .types import CsObject, CsTypeRef

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
    __slots__ = ("_list",)
    CS_TYPE = "System.Collections.Generic.List"
    CS_MEMBERS = frozenset(
        {
            "Count", "Add", "AddRange", "Insert", "Remove", "RemoveAt", "RemoveAll", "Clear",
            "Contains", "IndexOf", "LastIndexOf", "Find", "FindAll", "FindIndex", "FindLast",
            "Exists", "TrueForAll", "ForEach", "Sort", "Reverse", "ToArray", "GetRange",
            "RemoveRange", "InsertRange", "ToString",
        }
    )  # fmt: skip
    CS_INDEXER = "get_item"
    CS_INDEX_SETTER = "set_item"
    CS_INDEXER_ELEMENT = True

    def __init__(self, element: CsTypeRef, source: object = None) -> None:
        self._args = (element,)
        self._version = 0
        if source is not None and type(source) is int:
            if source < 0:
                raise exc.argument_out_of_range("capacity")
            source = None
        self._list: list[object] = [] if source is None else self._own_all(_items(source))

    @property
    def element_default(self) -> object:
        return self._args[0].default

    def __iter__(self) -> Iterator[object]:
        return self._iterate(self._list)

    def __len__(self) -> int:
        return len(self._list)

    def _index(self, index: object, allow_end: bool = False) -> int:
        i = _int(index)
        if not 0 <= i < len(self._list) + allow_end:
            raise exc.argument_out_of_range("index")
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
        self._list.append(self._own(item))
        self._touch()

    def AddRange(self, collection: object) -> None:
        self._list.extend(self._own_all(_items(collection)))
        self._touch()

    def Insert(self, index: object, item: object) -> None:
        self._list.insert(self._index(index, allow_end=True), self._own(item))
        self._touch()

    def InsertRange(self, index: object, collection: object) -> None:
        i = self._index(index, allow_end=True)
        self._list[i:i] = self._own_all(_items(collection))
        self._touch()

    def IndexOf(self, item: object) -> int:
        item = self._own(item)
        return next((i for i, x in enumerate(self._list) if value_equals(x, item)), -1)

    def LastIndexOf(self, item: object) -> int:
        item = self._own(item)
        found = [i for i, x in enumerate(self._list) if value_equals(x, item)]
        return found[-1] if found else -1

    def Contains(self, item: object) -> bool:
        return self.IndexOf(item) >= 0

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
        i, n = _int(index), _int(count)
        self._check_range(i, n)
        del self._list[i : i + n]
        self._touch()

    def GetRange(self, index: object, count: object) -> CsList:
        i, n = _int(index), _int(count)
        self._check_range(i, n)
        return CsList(self._args[0], CsArray(self._list[i : i + n]))

    def _check_range(self, i: int, n: int) -> None:
        """(index, count) of GetRange/RemoveRange: negative is out of range, too long is an
        ArgumentException."""
        if i < 0 or n < 0:
            raise exc.argument_out_of_range("index" if i < 0 else "count")
        if i + n > len(self._list):
            raise exc.ExpressionRuntimeError(
                "ArgumentException",
                "Offset and length were out of bounds for the array or count is greater than "
                "the number of elements from index to the end of the source collection.",
            )

    def RemoveAll(self, match: object) -> int:
        test = _predicate(match)
        kept = [x for x in self._list if not test(x)]
        removed = len(self._list) - len(kept)
        self._list = kept
        self._touch()
        return removed

    def Clear(self) -> None:
        self._list.clear()
        self._touch()

    def Find(self, match: object) -> object:
        test = _predicate(match)
        return next((x for x in self._list if test(x)), self.element_default)

    def FindLast(self, match: object) -> object:
        test = _predicate(match)
        return next((x for x in reversed(self._list) if test(x)), self.element_default)

    def FindAll(self, match: object) -> CsList:
        test = _predicate(match)
        return CsList(self._args[0], CsArray([x for x in self._list if test(x)]))

    def FindIndex(self, match: object) -> int:
        test = _predicate(match)
        return next((i for i, x in enumerate(self._list) if test(x)), -1)

    def Exists(self, match: object) -> bool:
        return self.FindIndex(match) >= 0

    def TrueForAll(self, match: object) -> bool:
        test = _predicate(match)
        return all(test(x) for x in self._list)

    def ForEach(self, action: object) -> None:
        if not callable(action):
            raise exc.argument_null("action")
        for item in self._iterate(list(self._list)):
            action(item)

    def Sort(self, comparison: object = None) -> None:
        if comparison is None:
            self._list.sort(key=sort_key)
        elif callable(comparison):
            self._list.sort(key=cmp_to_key(lambda a, b: _int(comparison(a, b))))
        else:
            raise exc.unsupported_member("Sort", self.CS_TYPE)
        self._touch()

    def Reverse(self) -> None:
        self._list.reverse()
        self._touch()

    def ToArray(self) -> CsArray:
        return CsArray(self._list)


def _predicate(match: object) -> Callable[[object], bool]:
    if match is None:
        raise exc.argument_null("match")
    if not callable(match):
        raise exc.invalid_cast(match, "System.Predicate")

    def test(item: object) -> bool:
        result = match(item)
        if type(result) is not bool:
            raise exc.invalid_cast(result, "System.Boolean")
        return result

    return test
