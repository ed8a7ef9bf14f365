"""Collections seen by expressions: arrays, key/value pairs, read-only dictionaries, LINQ.

`ReadOnlyDictionary` copies its mapping at construction (a snapshot): lookups and enumeration
then need no locking and allocate nothing, which keeps the seed conditions fast. Build a new one
when the underlying data changes (e.g. after `set-variable`).

LINQ operators are deferred like .NET's (`Where`/`Select` return a `LinqSeq` that re-runs its
source on every enumeration), so a later predicate that would throw is never called when an
earlier element already decided `Any`/`First`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, ClassVar

from . import exceptions as exc
from . import utf16
from .arrays import CsArray, is_enumerable
from .strings import fold, to_string
from .types import CsChar, CsObject, CsTypeRef, CsValue

MISSING: Any = object()  # an argument not given


class KeyValuePair(CsObject):
    __slots__ = ("Key", "Value")
    CS_TYPE = "KeyValuePair"
    CS_MEMBERS = frozenset({"Key", "Value", "Equals", "Deconstruct", "ToString"})
    CS_OUT_METHODS: ClassVar[dict[str, int]] = {"Deconstruct": 2}

    def __init__(self, key: object, value: object) -> None:
        self.Key = key
        self.Value = value

    def Equals(self, other: object) -> bool:
        """A struct's `Equals`: the same type with equal fields."""
        return (
            isinstance(other, KeyValuePair)
            and value_equals(self.Key, other.Key)
            and value_equals(self.Value, other.Value)
        )

    def equality_key(self) -> tuple[object, ...]:
        """For hashing (`keys.hash_key`): a struct is equal by its fields."""
        return (self.Key, self.Value)

    def Deconstruct(self) -> tuple[None, object, object]:
        """`Deconstruct(out key, out value)`."""
        return None, self.Key, self.Value

    def ToString(self) -> str:
        return f"[{to_string(self.Key)}, {to_string(self.Value)}]"


class ReadOnlyDictionary(CsObject):
    """`IReadOnlyDictionary<string, TValue>` (Headers, Variables, Deployment.Certificates).

    `ignore_case`: keys compare OrdinalIgnoreCase (HTTP header names). `comma_join`: the
    non-generic `GetValueOrDefault` returns array values joined with "," (APIM's Headers/Query).
    """

    __slots__ = ("_comma_join", "_cs_type", "_entries", "_ignore_case", "_indexes")
    CS_TYPE = "IReadOnlyDictionary"
    CS_MEMBERS = frozenset(
        {"ContainsKey", "TryGetValue", "GetValueOrDefault", "Count", "Keys", "Values", "ToString"}
    )
    CS_INDEXER = "get_item"
    CS_OUT_METHODS: ClassVar[dict[str, int]] = {"TryGetValue": 1}
    CS_GENERIC_METHODS = frozenset({"GetValueOrDefault"})

    def __init__(
        self,
        mapping: Mapping[str, object],
        *,
        ignore_case: bool = False,
        cs_type: str = "IReadOnlyDictionary",
        comma_join: bool = False,
    ) -> None:
        self._ignore_case = ignore_case
        self._cs_type = cs_type
        self._comma_join = comma_join
        # key (folded when ignoring case) -> the pair enumeration yields; first spelling wins
        self._entries: dict[str, KeyValuePair] = {}
        for key, value in mapping.items():
            self._entries.setdefault(self._key(key), KeyValuePair(key, value))
        self._indexes: dict[str, frozenset[str] | None] = {}

    def value_index(self, member: str) -> frozenset[str] | None:
        """The set of `value.member` over all values, when every value is an immutable object
        (`CS_IMMUTABLE`) whose member is a string: `Any(c => c.Value.Thumbprint == t)` is then
        one set lookup. None when that does not hold. Built once per snapshot."""
        if member in self._indexes:
            return self._indexes[member]
        index: frozenset[str] | None = None
        texts: list[str] = []
        for pair in self._entries.values():
            value = pair.Value
            text = None
            if isinstance(value, CsObject) and value.CS_IMMUTABLE and member in value.CS_MEMBERS:
                text = getattr(value, member)
            if type(text) is not str:
                break
            texts.append(text)
        else:
            index = frozenset(texts)
        self._indexes[member] = index
        return index

    def _key(self, key: object) -> str:
        if key is None:
            raise exc.argument_null("key")
        if type(key) is not str:
            raise exc.invalid_cast(key, "System.String")
        return fold(key) if self._ignore_case else key

    def get_item(self, key: object) -> object:
        pair = self._entries.get(self._key(key))
        if pair is None:
            raise exc.key_not_found(key)
        return pair.Value

    def __iter__(self) -> Iterator[KeyValuePair]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def Count(self) -> int:
        return len(self._entries)

    @property
    def Keys(self) -> CsArray:
        return CsArray(pair.Key for pair in self._entries.values())

    @property
    def Values(self) -> CsArray:
        return CsArray(pair.Value for pair in self._entries.values())

    def ContainsKey(self, key: object) -> bool:
        return self._key(key) in self._entries

    def TryGetValue(self, key: object) -> tuple[bool, object]:
        pair = self._entries.get(self._key(key))
        return (False, None) if pair is None else (True, pair.Value)

    def GetValueOrDefault(
        self, key: object, default: object = MISSING, *, type_args: tuple[CsTypeRef, ...] = ()
    ) -> object:
        pair = self._entries.get(self._key(key))
        if type_args:
            target = type_args[0]
            if pair is None:
                return target.default if default is MISSING else default
            if not target.accepts(pair.Value):
                raise exc.invalid_cast(pair.Value, target.name)
            return pair.Value
        if pair is None:
            return None if default is MISSING else default
        # APIM's `(name, string)` joins the values; with an array default C# calls .NET's
        # generic `GetValueOrDefault<TKey, TValue>`, which gives the array itself
        if self._comma_join and isinstance(pair.Value, CsArray) and type(default) is not CsArray:
            return ",".join(to_string(item) for item in pair.Value)
        return pair.Value

    def ToString(self) -> str:
        return self._cs_type


class LinqSeq(CsObject):
    """A deferred LINQ result; enumerating it re-runs the query. `element_ref` is the element
    type when the operator keeps its source's (`Where`, `Skip`, ...) and that one is known, for
    `FirstOrDefault()` and friends: default(char) is '\0', not null."""

    __slots__ = ("_source", "element_ref")
    CS_TYPE = "IEnumerable"
    CS_MEMBERS = frozenset({"ToString"})

    def __init__(
        self, source: Callable[[], Iterable[object]], element: CsTypeRef | None = None
    ) -> None:
        self._source = source
        self.element_ref = element

    def __iter__(self) -> Iterator[object]:
        return iter(self._source())

    def ToString(self) -> str:
        return "System.Linq.Enumerable+Iterator"

    @classmethod
    def of(cls, source: object) -> LinqSeq:
        """`source` as the `IEnumerable<T>` an extension method takes (null: the method's
        ArgumentNullException)."""
        items = iterate(source)
        return cls(lambda: items)


CHAR_REF = CsTypeRef("System.Char", (CsChar,), CsChar("\0"), is_value_type=True)
# the type argument of a collection LINQ made from elements of a type the run time does not
# know (`ToList()` of a query): an object to the collection, any T to `is List<T>`
UNKNOWN_ELEMENT = CsTypeRef("System.Object", ())


def element_type(source: object) -> CsTypeRef | None:
    """The element type of a runtime enumerable when it is known (a string's is char)."""
    if type(source) is str:
        return CHAR_REF
    ref = getattr(source, "element_ref", None)
    return ref if isinstance(ref, CsTypeRef) else None


def element_default(source: object) -> object:
    """default(T) for the elements of `source` (null when T is not known)."""
    ref = element_type(source)
    return None if ref is None else ref.default


def iterate(value: object) -> Iterable[object]:
    """Elements of an enumerable runtime value (a string yields a CsChar per UTF-16 unit)."""
    if type(value) is str:
        return tuple(CsChar(c) for c in utf16.units(value))
    if value is None:
        raise exc.argument_null("source")
    if not is_enumerable(value):
        raise exc.invalid_cast(value, "System.Collections.IEnumerable")
    return value  # type: ignore[return-value]


def value_equals(a: object, b: object) -> bool:
    """EqualityComparer<object>.Default: value equality for primitives, identity for objects."""
    if a is b:
        return True
    if a is None or b is None:
        return False
    ta, tb = type(a), type(b)
    if ta is bool or tb is bool:
        return ta is tb and a == b
    if ta in (str, int, float, CsChar) and tb in (str, int, float, CsChar):
        return ta is tb and a == b
    if isinstance(a, CsValue):  # DateTime, TimeSpan, Guid, ...: equal by value, same type
        return ta is tb and a.value_key() == b.value_key()  # type: ignore[attr-defined]
    if isinstance(a, CsObject):  # its class's Equals(object), or an inherited one
        equals = getattr(ta, "Equals", None)  # (CsObject itself defines none)
        return bool(equals(a, b)) if equals is not None else False
    return False
