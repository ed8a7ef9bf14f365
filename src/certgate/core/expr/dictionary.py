"""`Dictionary<TKey, TValue>` and `StringComparer` (see `generic` for the shared conventions):
keys compare with .NET's default equality or a StringComparer; enumeration follows `hashed`, the
capacity `hashcap`. `Keys`/`Values` are live views; as in .NET Core 3.0+, `Remove` and `Clear` do
not invalidate a running enumeration (adding does)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import ClassVar

from . import exceptions as exc
from .collections import KeyValuePair, value_equals
from .generic import _items, _Versioned, collection_count
from .hashcap import CountedSlots, capacity_arg
from .keys import compare
from .strings import compare_culture, compare_ordinal_static, fold, to_string
from .types import CsObject, CsTypeRef


class CsDictionary(_Versioned):
    __slots__ = ("_slots",)
    CS_TYPE = "System.Collections.Generic.Dictionary"
    CS_MEMBERS = frozenset(
        {
            "Count", "Keys", "Values", "Add", "TryAdd", "Remove", "ContainsKey", "ContainsValue",
            "TryGetValue", "GetValueOrDefault", "Clear", "EnsureCapacity", "TrimExcess",
            "ToString",
        }
    )  # fmt: skip
    CS_INDEXER = "get_item"
    CS_INDEX_SETTER = "set_item"
    CS_OUT_METHODS: ClassVar[dict[str, int]] = {"TryGetValue": 1, "Remove": 1}
    # `Remove(key, out value)`: the overload a call with an out argument means
    CS_OUT_OVERLOADS: ClassVar[dict[str, str]] = {"Remove": "remove_out"}
    ICOLLECTION = True

    def __init__(self, key: CsTypeRef, value: CsTypeRef, *args: object) -> None:
        self._args = (key, value)
        self._version = 0
        ignore_case = False
        source: object = None
        capacity = 0
        for arg in args:
            if isinstance(arg, StringComparer):
                ignore_case = arg.ignore_case
            elif type(arg) is int:
                capacity = capacity_arg(arg)
            else:
                source = arg
        if source is not None:  # an ICollection is added to a table of its size
            capacity = collection_count(source) or 0
        self._slots = CountedSlots(ignore_case, capacity)
        if source is not None:
            pairs = getattr(source, "pairs", None)  # a JObject is an IDictionary<string, JToken>
            for pair in pairs() if pairs is not None else _items(source, "dictionary"):
                if not isinstance(pair, KeyValuePair):
                    raise exc.invalid_cast(pair, "KeyValuePair")
                self.Add(pair.Key, pair.Value)

    def __iter__(self) -> Iterator[object]:
        return self._iterate(KeyValuePair(k, v) for k, v in self._slots.items())

    def __len__(self) -> int:
        return len(self._slots)

    def _check(self, key: object) -> object:
        """A key as the dictionary holds it (`d[1]` finds the key 1.0 of a double-keyed one)."""
        if key is None:
            raise exc.argument_null("key")
        return self._own(key)

    def get_item(self, key: object) -> object:
        found, value = self._slots.get(self._check(key))
        if not found:
            raise exc.key_not_found(to_string(key))
        return value

    def set_item(self, key: object, value: object) -> None:
        self._slots.put(self._check(key), self._own(value, 1), replace=True)
        self._touch()

    @property
    def Count(self) -> int:
        return len(self._slots)

    @property
    def Keys(self) -> KeyCollection:
        return KeyCollection(self)

    @property
    def Values(self) -> ValueCollection:
        return ValueCollection(self)

    def Add(self, key: object, value: object) -> None:
        if not self._slots.put(self._check(key), self._own(value, 1), replace=False):
            raise exc.ExpressionRuntimeError(
                "ArgumentException",
                f"An item with the same key has already been added. Key: {to_string(key)}",
            )
        self._touch()

    def TryAdd(self, key: object, value: object) -> bool:
        added = self._slots.put(self._check(key), self._own(value, 1), replace=False)
        if added:
            self._touch()
        return added

    def Remove(self, key: object) -> bool:
        # .NET Core 3.0+: Remove and Clear do not invalidate enumerators (no version change), so
        # `foreach (var k in d.Keys) d.Remove(k);` works; .NET Framework threw
        return self._slots.remove(self._check(key))

    def remove_out(self, key: object) -> tuple[bool, object]:
        """`Remove(key, out value)`: the removed value, or default(TValue)."""
        found, value = self._slots.get(self._check(key))
        if not found:
            return False, self._args[1].default
        self._slots.remove(self._check(key))
        return True, value

    def EnsureCapacity(self, capacity: object) -> int:
        wanted = capacity_arg(capacity)
        if self._slots.capacity < wanted:
            self._touch()
        return self._slots.ensure(wanted)

    def TrimExcess(self, capacity: object = None) -> None:
        """Shrink to the prime size of `capacity` (default: Count), closing the holes."""
        size = len(self._slots) if capacity is None else capacity_arg(capacity)
        if size < len(self._slots):
            raise exc.argument_out_of_range("capacity")
        if self._slots.trim(size):
            self._touch()

    def ContainsKey(self, key: object) -> bool:
        return self._slots.get(self._check(key))[0]

    def ContainsValue(self, value: object) -> bool:
        value = self._own(value, 1)
        return any(value_equals(v, value) for _, v in self._slots.items())

    def TryGetValue(self, key: object) -> tuple[bool, object]:
        found, value = self._slots.get(self._check(key))
        return (True, value) if found else (False, self._args[1].default)

    def GetValueOrDefault(self, key: object, default: object = None) -> object:
        found, value = self._slots.get(self._check(key))
        if found:
            return value
        return self._args[1].default if default is None else default

    def Clear(self) -> None:
        self._slots.clear()


class KeyCollection(CsObject):
    """`dictionary.Keys`: a live view (it sees later changes, `Count` included, and enumerating
    it while the dictionary changes throws), not a copy."""

    __slots__ = ("_owner",)
    CS_TYPE = "System.Collections.Generic.Dictionary.KeyCollection"
    CS_MEMBERS = frozenset({"Count", "ToString"})
    ICOLLECTION = True
    _NESTED = "KeyCollection"

    def __init__(self, owner: CsDictionary) -> None:
        self._owner = owner

    def _pick(self, key: object, value: object) -> object:
        return key

    def __iter__(self) -> Iterator[object]:
        owner = self._owner
        return owner._iterate(self._pick(k, v) for k, v in owner._slots.items())

    def __len__(self) -> int:
        return len(self._owner._slots)

    @property
    def Count(self) -> int:
        return len(self._owner._slots)

    @property
    def element_ref(self) -> CsTypeRef:
        return self._owner._args[0]

    def collection_contains(self, item: object) -> bool:
        """ICollection<TKey>.Contains (what LINQ's Contains calls): ContainsKey."""
        return self._owner.ContainsKey(item)

    def ToString(self) -> str:
        key, value = self._owner._args
        return f"System.Collections.Generic.Dictionary`2+{self._NESTED}[{key.name},{value.name}]"


class ValueCollection(KeyCollection):
    """`dictionary.Values`: a live view, like `Keys`."""

    __slots__ = ()
    CS_TYPE = "System.Collections.Generic.Dictionary.ValueCollection"
    _NESTED = "ValueCollection"

    def _pick(self, key: object, value: object) -> object:
        return value

    @property
    def element_ref(self) -> CsTypeRef:
        return self._owner._args[1]

    def collection_contains(self, item: object) -> bool:
        return self._owner.ContainsValue(item)


_ONE_ARGUMENT = object()  # `comparer.Equals(other)`, not `Equals(x, null)`


class StringComparer(CsObject):
    """`StringComparer.Ordinal`, `.OrdinalIgnoreCase`, ... (culture ones compare ordinally)."""

    __slots__ = ("ignore_case", "name")
    CS_TYPE = "System.StringComparer"
    CS_MEMBERS = frozenset({"Equals", "Compare", "ToString"})

    def __init__(self, name: str, ignore_case: bool) -> None:
        self.name = name
        self.ignore_case = ignore_case

    @property
    def ordinal(self) -> bool:
        return self.name.startswith("Ordinal")

    def Equals(self, a: object, b: object = _ONE_ARGUMENT) -> bool:
        if b is _ONE_ARGUMENT:
            # the comparers' own Equals: the same kind and case option (the current culture is
            # the invariant one, so CurrentCulture equals InvariantCulture)
            return (
                isinstance(a, StringComparer)
                and a.ordinal == self.ordinal
                and a.ignore_case == self.ignore_case
            )
        if type(a) is str and type(b) is str:
            return fold(a) == fold(b) if self.ignore_case else a == b
        return a is b

    def Compare(self, a: object, b: object) -> int:
        if type(a) is not str or type(b) is not str:
            return compare(a, b)
        if not self.ordinal:  # the invariant culture's collation, as string.Compare
            return compare_culture(a, b, self.ignore_case)
        if not self.ignore_case:  # String.CompareOrdinal: the first differing units' gap
            return compare_ordinal_static(a, b)
        a, b = fold(a), fold(b)
        return (a > b) - (a < b)

    def ToString(self) -> str:
        """The name of .NET's (internal) class."""
        if not self.ordinal:
            return "System.CultureAwareComparer"
        if self.ignore_case:
            return "System.OrdinalIgnoreCaseComparer"
        return "System.OrdinalCaseSensitiveComparer"


_NAMES = (
    "Ordinal",
    "OrdinalIgnoreCase",
    "InvariantCulture",
    "InvariantCultureIgnoreCase",
    "CurrentCulture",
    "CurrentCultureIgnoreCase",
)


class _Comparers(Mapping[str, StringComparer]):
    """`StringComparer.<name>` by name. The ordinal and invariant ones are singletons, as in
    .NET; each read of a CurrentCulture one makes a new comparer (.NET 8: `CurrentCulture =>
    new CultureAwareComparer(CultureInfo.CurrentCulture, ...)`), so two reads are not `==`."""

    def __init__(self) -> None:
        self._shared = {
            name: StringComparer(name, name.endswith("IgnoreCase"))
            for name in _NAMES
            if not name.startswith("CurrentCulture")
        }

    def __getitem__(self, name: str) -> StringComparer:
        shared = self._shared.get(name)
        if shared is not None:
            return shared
        if name not in _NAMES:
            raise KeyError(name)
        return StringComparer(name, name.endswith("IgnoreCase"))

    def __iter__(self) -> Iterator[str]:
        return iter(_NAMES)

    def __len__(self) -> int:
        return len(_NAMES)

    def reader(self, name: str) -> Callable[[], StringComparer]:
        """What reading `StringComparer.<name>` calls (a static read per evaluation)."""
        return lambda: self[name]


STRING_COMPARERS = _Comparers()
