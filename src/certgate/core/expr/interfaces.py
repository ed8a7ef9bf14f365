"""The generic collection interfaces APIM allows (`IEnumerable<T>`, `ICollection<T>`, `IList<T>`,
`IReadOnlyCollection<T>`, `ISet<T>`, `IEnumerator<T>`, `IDictionary<K, V>`,
`IReadOnlyDictionary<K, V>`): a value typed as one has that interface's members, and only those.

For the compiler each interface is a class whose members give the table `static_table` hands out
for the interface type: a member the interface lacks is refused (`IEnumerable<int>.Count`
without parentheses, `IDictionary<K, V>.GetValueOrDefault`), as csc refuses it. At run time the
same functions run with the collection itself as `self`: they reach the member the runtime class
implements, explicitly or not (an array's `ICollection<T>.Count`, its `IsReadOnly`, which is true
through the interface; a dictionary's `Add(KeyValuePair)`; a JObject's `Keys`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import ClassVar, cast

from . import exceptions as exc
from .arrays import CsArray
from .collections import MISSING, KeyValuePair, iterate, value_equals
from .generic import _Versioned
from .members import ELEMENT, KEY, VALUE
from .runtime import call, call_out, get, index
from .static import BOOL, SType
from .types import CsObject

_NS = "System.Collections.Generic."
_ELEMENTS = (ELEMENT,)


def _fixed_size() -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError("NotSupportedException", "Collection was of a fixed size.")


def _receiver(value: object) -> object:
    if value is None:
        raise exc.null_reference()
    return value


def _pairs(value: object) -> bool:
    """A dictionary: its ICollection<KeyValuePair<K, V>> members take a pair."""
    return callable(getattr(value, "ContainsKey", None))


class Enumerator(CsObject):
    """What `GetEnumerator()` returns: `IEnumerator<T>` over a snapshot of the sequence."""

    __slots__ = ("_current", "_items", "_next")
    CS_TYPE = _NS + "IEnumerator"
    CS_MEMBERS = frozenset({"Current", "MoveNext", "Reset", "Dispose"})

    def __init__(self, source: object) -> None:
        self._items = list(iterate(source))
        self._next = 0
        self._current: object = None

    @property
    def Current(self) -> object:
        return self._current

    def MoveNext(self) -> bool:
        if self._next >= len(self._items):
            self._current = None
            return False
        self._current = self._items[self._next]
        self._next += 1
        return True

    def Reset(self) -> None:
        self._next, self._current = 0, None

    def Dispose(self) -> None:
        return None


class IEnumerable(CsObject):
    CS_TYPE = _NS + "IEnumerable"
    CS_MEMBERS = frozenset({"GetEnumerator", "Equals", "GetHashCode", "ToString"})
    CS_RESULT_TYPES: ClassVar[dict[str, SType]] = {
        "GetEnumerator": SType(_NS + "IEnumerator", None, element=ELEMENT)
    }

    def __iter__(self) -> Iterator[object]:  # a sequence: LINQ's members are its members
        return iter(iterate(self))

    def GetEnumerator(self) -> Enumerator:
        return Enumerator(_receiver(self))

    def Equals(self, other: object) -> bool:
        return cast(bool, call(_receiver(self), "Equals", other))

    def GetHashCode(self) -> int:
        return cast(int, call(_receiver(self), "GetHashCode"))

    def ToString(self) -> str:
        return cast(str, call(_receiver(self), "ToString"))


class IReadOnlyCollection(IEnumerable):
    CS_TYPE = _NS + "IReadOnlyCollection"
    CS_MEMBERS = IEnumerable.CS_MEMBERS | {"Count"}

    @property
    def Count(self) -> int:
        value = _receiver(self)
        return len(value) if isinstance(value, CsArray) else cast(int, get(value, "Count"))


class ICollection(IReadOnlyCollection):
    CS_TYPE = _NS + "ICollection"
    CS_MEMBERS = IReadOnlyCollection.CS_MEMBERS | {
        "IsReadOnly", "Add", "Clear", "Contains", "CopyTo", "Remove"
    }  # fmt: skip
    # the element each takes (members.parameter_types): `IList<string>.Add(1)` is refused
    CS_PARAMS: ClassVar[dict[str, tuple[SType | None, ...]]] = dict.fromkeys(
        ("Add", "Contains", "Remove"), _ELEMENTS
    )

    @property
    def IsReadOnly(self) -> bool:
        value = _receiver(self)
        if isinstance(value, CsArray):  # true through the interface (Array.IsReadOnly: false)
            return True
        try:
            return cast(bool, get(value, "IsReadOnly"))
        except exc.ExpressionRuntimeError:  # List, HashSet, Dictionary: writable
            return False

    def Add(self, item: object, value: object = MISSING) -> None:
        """ICollection<T>.Add(item); IDictionary<K, V>.Add(key, value) and Add(pair)."""
        target = _receiver(self)
        if isinstance(target, CsArray):
            raise _fixed_size()
        if value is not MISSING:
            call(target, "Add", item, value)
        elif isinstance(item, KeyValuePair) and _pairs(target):
            call(target, "Add", item.Key, item.Value)
        else:
            call(target, "Add", item)

    def Clear(self) -> None:
        target = _receiver(self)
        if isinstance(target, CsArray):
            raise _fixed_size()
        call(target, "Clear")

    def Contains(self, item: object) -> bool:
        target = _receiver(self)
        if isinstance(target, CsArray):
            return any(value_equals(x, item) for x in iterate(target))
        if isinstance(item, KeyValuePair) and _pairs(target):
            found, value = call_out_value(target, item.Key)
            return found and value_equals(value, item.Value)
        return cast(bool, call(target, "Contains", item))

    def CopyTo(self, array: object, index: object) -> None:
        call(_receiver(self), "CopyTo", array, index)

    def Remove(self, item: object) -> bool:
        target = _receiver(self)
        if isinstance(target, CsArray):
            raise _fixed_size()
        if isinstance(item, KeyValuePair) and _pairs(target):
            if not ICollection.Contains(cast(ICollection, target), item):
                return False
            return cast(bool, call(target, "Remove", item.Key))
        return cast(bool, call(target, "Remove", item))


def call_out_value(target: object, key: object) -> tuple[bool, object]:
    """`dictionary.TryGetValue(key, out value)`."""
    found, value = call_out(target, "TryGetValue", 1, key)
    return bool(found), value


class IList(ICollection):
    CS_TYPE = _NS + "IList"
    CS_MEMBERS = ICollection.CS_MEMBERS | {"IndexOf", "Insert", "RemoveAt"}
    CS_PARAMS: ClassVar[dict[str, tuple[SType | None, ...]]] = ICollection.CS_PARAMS | {
        "IndexOf": _ELEMENTS,
        "Insert": (None, ELEMENT),
    }
    CS_INDEXER = "get_item"
    CS_INDEXER_ELEMENT = True
    CS_INDEX_SETTER = "set_item"

    def get_item(self, position: object) -> object:
        return index(_receiver(self), position)

    def set_item(self, position: object, value: object) -> None:
        from .langrt import set_index  # noqa: PLC0415 - langrt imports the runtime

        set_index(_receiver(self), position, value)

    def IndexOf(self, item: object) -> int:
        target = _receiver(self)
        if isinstance(target, CsArray):
            found = (i for i, x in enumerate(iterate(target)) if value_equals(x, item))
            return next(found, -1)
        return cast(int, call(target, "IndexOf", item))

    def Insert(self, position: object, item: object) -> None:
        target = _receiver(self)
        if isinstance(target, CsArray):
            raise _fixed_size()
        call(target, "Insert", position, item)

    def RemoveAt(self, position: object) -> None:
        target = _receiver(self)
        if isinstance(target, CsArray):
            raise _fixed_size()
        call(target, "RemoveAt", position)


def _forward(name: str, result: type | None) -> Callable[[object, object], object]:
    """An ISet<T> method: HashSet<T>'s, which takes the other sequence."""

    def method(self: object, other: object) -> object:
        return call(_receiver(self), name, other)

    method.__name__ = method.__qualname__ = name
    method.__annotations__ = {"other": object, "return": result}
    return method


class ISet(ICollection):
    CS_TYPE = _NS + "ISet"
    CS_MEMBERS = ICollection.CS_MEMBERS | {
        "ExceptWith", "IntersectWith", "IsProperSubsetOf", "IsProperSupersetOf", "IsSubsetOf",
        "IsSupersetOf", "Overlaps", "SetEquals", "SymmetricExceptWith", "UnionWith",
    }  # fmt: skip
    CS_RESULT_TYPES: ClassVar[dict[str, SType]] = IEnumerable.CS_RESULT_TYPES | {"Add": BOOL}

    def Add(self, item: object, value: object = MISSING) -> bool:  # type: ignore[override]
        return cast(bool, call(_receiver(self), "Add", item))

    ExceptWith = _forward("ExceptWith", None)
    IntersectWith = _forward("IntersectWith", None)
    SymmetricExceptWith = _forward("SymmetricExceptWith", None)
    UnionWith = _forward("UnionWith", None)
    IsProperSubsetOf = _forward("IsProperSubsetOf", bool)
    IsProperSupersetOf = _forward("IsProperSupersetOf", bool)
    IsSubsetOf = _forward("IsSubsetOf", bool)
    IsSupersetOf = _forward("IsSupersetOf", bool)
    Overlaps = _forward("Overlaps", bool)
    SetEquals = _forward("SetEquals", bool)


class IEnumeratorOf(CsObject):
    CS_TYPE = _NS + "IEnumerator"
    CS_MEMBERS = frozenset({"Current", "MoveNext", "Reset", "Dispose", "Equals", "ToString"})
    CS_RESULT_TYPES: ClassVar[dict[str, SType]] = {"Current": ELEMENT}

    @property
    def Current(self) -> object:
        return get(_receiver(self), "Current")

    def MoveNext(self) -> bool:
        return cast(bool, call(_receiver(self), "MoveNext"))

    def Reset(self) -> None:
        call(_receiver(self), "Reset")

    def Dispose(self) -> None:
        call(_receiver(self), "Dispose")

    def Equals(self, other: object) -> bool:
        return cast(bool, call(_receiver(self), "Equals", other))

    def ToString(self) -> str:
        return cast(str, call(_receiver(self), "ToString"))


def _keys_or_values(target: object, name: str) -> object:
    """A dictionary's Keys / Values; a JObject's (explicit in Json.NET) as a read-only array."""
    try:
        return get(target, name)
    except exc.ExpressionRuntimeError:
        pairs = getattr(target, "pairs", None)  # a JObject's KeyValuePair<string, JToken>
        if pairs is None:
            raise
        items = list(cast("Iterator[KeyValuePair]", pairs()))
        return CsArray([p.Key if name == "Keys" else p.Value for p in items])


class IReadOnlyDictionary(IReadOnlyCollection):
    CS_TYPE = _NS + "IReadOnlyDictionary"
    CS_MEMBERS = IReadOnlyCollection.CS_MEMBERS | {
        "Keys", "Values", "ContainsKey", "TryGetValue", "GetValueOrDefault"
    }  # fmt: skip
    CS_OUT_METHODS: ClassVar[dict[str, int]] = {"TryGetValue": 1}
    CS_OUT_TYPES: ClassVar[dict[str, tuple[SType, ...]]] = {"TryGetValue": (VALUE,)}
    CS_PARAMS: ClassVar[dict[str, tuple[SType | None, ...]]] = {
        "ContainsKey": (KEY,),
        "TryGetValue": (KEY,),
        "GetValueOrDefault": (KEY, VALUE),
    }
    CS_RESULT_TYPES: ClassVar[dict[str, SType]] = IEnumerable.CS_RESULT_TYPES | {
        "this[]": VALUE,
        "Keys": SType(_NS + "IEnumerable", None, element=KEY),
        "Values": SType(_NS + "IEnumerable", None, element=VALUE),
        "GetValueOrDefault": VALUE,
    }
    CS_INDEXER = "get_item"

    def get_item(self, key: object) -> object:
        return index(_receiver(self), key)

    @property
    def Keys(self) -> object:
        return _keys_or_values(_receiver(self), "Keys")

    @property
    def Values(self) -> object:
        return _keys_or_values(_receiver(self), "Values")

    def ContainsKey(self, key: object) -> bool:
        return cast(bool, call(_receiver(self), "ContainsKey", key))

    def TryGetValue(self, key: object) -> tuple[bool, object]:
        return call_out_value(_receiver(self), key)

    def GetValueOrDefault(self, key: object, default: object = MISSING) -> object:
        """.NET's CollectionExtensions.GetValueOrDefault (an IReadOnlyDictionary's only)."""
        target = _receiver(self)
        found, value = call_out_value(target, key)
        if found or default is not MISSING:
            return value if found else default
        args = target.type_args if isinstance(target, _Versioned) else ()
        return args[1].default if len(args) == 2 else None  # default(V)


class IDictionary(ICollection):
    CS_TYPE = _NS + "IDictionary"
    CS_MEMBERS = ICollection.CS_MEMBERS | {"Keys", "Values", "ContainsKey", "TryGetValue"}
    CS_OUT_METHODS: ClassVar[dict[str, int]] = {"TryGetValue": 1}
    CS_OUT_TYPES = IReadOnlyDictionary.CS_OUT_TYPES
    CS_PARAMS: ClassVar[dict[str, tuple[SType | None, ...]]] = {
        "ContainsKey": (KEY,),
        "TryGetValue": (KEY,),
    }  # Add and Remove take a key (and value) or a pair: not checked here
    CS_RESULT_TYPES: ClassVar[dict[str, SType]] = IEnumerable.CS_RESULT_TYPES | {
        "this[]": VALUE,
        "Keys": SType(_NS + "ICollection", None, element=KEY),
        "Values": SType(_NS + "ICollection", None, element=VALUE),
    }
    CS_INDEXER = "get_item"
    CS_INDEX_SETTER = "set_item"

    get_item = IReadOnlyDictionary.get_item
    Keys = IReadOnlyDictionary.Keys
    Values = IReadOnlyDictionary.Values
    ContainsKey = IReadOnlyDictionary.ContainsKey
    TryGetValue = IReadOnlyDictionary.TryGetValue
    set_item = IList.set_item


INTERFACES: dict[str, type[CsObject]] = {
    cls.CS_TYPE: cls
    for cls in (
        IEnumerable, IReadOnlyCollection, ICollection, IList, ISet, IEnumeratorOf,
        IReadOnlyDictionary, IDictionary,
    )
}  # fmt: skip


def interface_class(type_name: str) -> type[CsObject] | None:
    """The class of a generic interface type (`System.Collections.Generic.IList<...>`)."""
    return INTERFACES.get(type_name.split("<", 1)[0])


def implementation(
    cs_type: str, name: str, arguments: int | None = None
) -> Callable[..., object] | None:
    """The interface's own implementation of member `name`: its getter (`arguments` None),
    or its method when it takes that many arguments (else LINQ's `Count(predicate)` or
    `Contains(value, comparer)`, which the value's class runs); None for a type that is no
    interface."""
    cls = INTERFACES.get(cs_type)
    if cls is None or name.startswith("_"):
        return None
    for klass in cls.__mro__[:-2]:  # not CsObject's, nor object's
        member = vars(klass).get(name)
        if isinstance(member, property) and arguments is None:
            return member.fget
        if inspect.isfunction(member) and arguments is not None:
            try:
                inspect.signature(member).bind(None, *range(arguments))
            except TypeError:
                return None
            return cast("Callable[..., object]", member)
        if member is not None:
            return None
    return None


__all__ = ["INTERFACES", "Enumerator", "implementation", "interface_class"]
