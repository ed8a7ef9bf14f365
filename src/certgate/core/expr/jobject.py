"""Newtonsoft.Json.Linq, part 2b: `JObject` (properties in insertion order, an index by name,
`foreach` yields `KeyValuePair<string, JToken>`) and `JArray`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from . import exceptions as exc
from .collections import MISSING, KeyValuePair, LinqSeq
from .jcontainer import JContainer, JProperty, is_multi_content, is_null_token
from .jtoken import TOKENS, JToken, json_error, to_token
from .static import STRING, class_stype, pair_of, sequence_of
from .strings import StringComparison, fold, to_string
from .types import CsObject


def _children_of(other: object) -> list[JToken]:
    """Json.NET's copy constructors add the other's children (each copied, having a parent);
    the compiler picks them when the argument is statically of the same type."""
    if other is None:
        raise exc.argument_null("other")
    assert isinstance(other, JContainer)
    return list(other.walk())


class JObject(JContainer):
    __slots__ = ("_index",)
    CS_TYPE = "Newtonsoft.Json.Linq.JObject"
    CS_MEMBERS = JContainer.CS_MEMBERS | {
        "Properties", "Property", "PropertyValues", "GetValue", "TryGetValue", "ContainsKey",
        "Remove",
    }  # fmt: skip
    CS_OUT_METHODS: ClassVar[dict[str, int]] = {"TryGetValue": 1}
    KIND_NAME = "Object"

    def __init__(self, *content: object) -> None:
        super().__init__()
        self._index: dict[str, JProperty] = {}
        for item in content:
            self.Add(item)

    @classmethod
    def copy_of(cls, other: object) -> JObject:
        """`new JObject(other)` with a JObject statically (see `_children_of`)."""
        return cls(*_children_of(other))

    # Enumerated as an IEnumerable<JToken> (LINQ, a JToken-typed `foreach`) it gives its
    # properties, as JContainer does; as itself (`foreach (var kv in o)`, an IDictionary) it
    # gives KeyValuePair<string, JToken>: see `pairs`.

    def pairs(self) -> Iterator[KeyValuePair]:
        return (KeyValuePair(p.Name, p.property_value()) for p in self.walk_properties())

    def walk_properties(self) -> Iterator[JProperty]:
        for item in self.walk():
            assert isinstance(item, JProperty)
            yield item

    def properties(self) -> list[JProperty]:
        return [p for p in self._items if isinstance(p, JProperty)]

    def _name(self, key: object) -> str:
        if type(key) is not str:
            raise json_error(
                "Accessed JObject values with invalid key value: "
                f"{to_string(key) if type(key) is not str else key}. Object property name "
                "expected.",
                "ArgumentException",
            )
        return key

    def get_item(self, key: object) -> JToken | None:
        prop = self._index.get(self._name(key))
        return None if prop is None else prop.property_value()

    def set_item(self, key: object, value: object) -> None:
        name = self._name(key)
        prop = self._index.get(name)
        if prop is not None:  # the property's value changes, not the object's properties:
            prop._set_value(value)  # an enumeration of them goes on (masking every field)
        else:
            self.Add(JProperty(name, value))

    def insert_at(self, index: int, item: object) -> None:
        if not isinstance(item, JProperty):
            kind = item.CS_TYPE if isinstance(item, CsObject) else exc.clr_name(item)
            raise json_error(f"Can not add {kind} to {self.CS_TYPE}.", "ArgumentException")
        if item.Name in self._index:
            raise json_error(
                f"Can not add property {item.Name} to {self.CS_TYPE}. Property with the same "
                "name already exists on object.",
                "ArgumentException",
            )
        super().insert_at(index, item)
        adopted = self._items[index]
        assert isinstance(adopted, JProperty)
        self._index[adopted.Name] = adopted

    def Add(self, content: object, value: object = MISSING) -> None:
        if value is not MISSING:  # Add(string propertyName, JToken value)
            self.insert_at(len(self._items), JProperty(self._name(content), value))
            return
        super().Add(content)

    def remove_child(self, child: JToken) -> None:
        super().remove_child(child)
        if isinstance(child, JProperty):
            self._index.pop(child.Name, None)

    def replace_child(self, old: JToken, new: JToken) -> None:
        if not isinstance(new, JProperty):  # JObject.ValidateToken
            raise json_error(f"Can not add {new.CS_TYPE} to {self.CS_TYPE}.", "ArgumentException")
        existing = self._index.get(new.Name)
        if existing is not None and existing is not old:
            raise json_error(
                f"Can not add property {new.Name} to {self.CS_TYPE}. Property with the same "
                "name already exists on object.",
                "ArgumentException",
            )
        super().replace_child(old, new)
        self._index = {p.Name: p for p in self.properties()}

    def RemoveAll(self) -> None:
        super().RemoveAll()
        self._index.clear()

    def Remove(self, *args: object) -> object:
        if not args:
            return super().Remove()
        prop = self._index.get(self._name(args[0]))
        if prop is None:
            return False
        self.remove_child(prop)
        return True

    def Properties(self) -> object:
        return LinqSeq(self.walk_properties)

    def Property(self, name: object, comparison: object = None) -> JProperty | None:
        return self.find(name, comparison)

    def PropertyValues(self) -> object:
        return LinqSeq(lambda: (p.property_value() for p in self.walk_properties()))

    def find(self, name: object, comparison: object = None) -> JProperty | None:
        if name is None:
            return None
        key = self._name(name)
        prop = self._index.get(key)
        folding = isinstance(comparison, StringComparison) and comparison.name.endswith("Case")
        if prop is None and folding:  # ...IgnoreCase
            prop = next((p for p in self.properties() if fold(p.Name) == fold(key)), None)
        return prop

    def GetValue(self, name: object, comparison: object = None) -> JToken | None:
        prop = self.find(name, comparison)
        return None if prop is None else prop.property_value()

    def TryGetValue(self, name: object, comparison: object = None) -> tuple[bool, object]:
        """`TryGetValue(name, out value)`, `(name, comparison, out value)`."""
        prop = self.find(name, comparison)
        return (False, None) if prop is None else (True, prop.property_value())

    def ContainsKey(self, name: object) -> bool:
        return self._index.get(self._name(name)) is not None

    def merge_item(self, content: object) -> None:
        if not isinstance(content, JObject):
            return
        for prop in content.walk_properties():
            mine = self._index.get(prop.Name)
            value = prop.property_value()
            if mine is None:
                self.Add(prop.Name, value)
                continue
            current = mine.property_value()
            if isinstance(current, JContainer) and current.KIND_NAME == value.KIND_NAME:
                current.Merge(value)
            elif not is_null_token(value):
                mine._set_value(value)

    def copy_from(self, other: JContainer) -> None:
        self._index = {}
        super().copy_from(other)
        self._index = {p.Name: p for p in self.properties()}


class JArray(JContainer):
    __slots__ = ()
    CS_TYPE = "Newtonsoft.Json.Linq.JArray"
    CS_MEMBERS = JContainer.CS_MEMBERS | {
        "Insert", "RemoveAt", "Remove", "IndexOf", "Contains", "Clear",
    }  # fmt: skip
    KIND_NAME = "Array"

    def __init__(self, *content: object) -> None:
        super().__init__()
        for item in content:
            self.Add(item)

    @classmethod
    def copy_of(cls, other: object) -> JArray:
        """`new JArray(other)` with a JArray statically (see `_children_of`)."""
        return cls(*_children_of(other))

    def get_item(self, key: object) -> JToken | None:
        return self._items[self._position(key)]

    def _check_item(self, item: object) -> None:
        if isinstance(item, JProperty):  # JContainer.ValidateToken
            raise json_error(f"Can not add {item.CS_TYPE} to {self.CS_TYPE}.", "ArgumentException")

    def insert_at(self, index: int, item: object) -> None:
        self._check_item(item)
        super().insert_at(index, item)

    def replace_child(self, old: JToken, new: JToken) -> None:
        self._check_item(new)
        super().replace_child(old, new)

    def set_item(self, key: object, value: object) -> None:
        index = self._position(key)
        self.replace_child(self._items[index], to_token(value))

    def Insert(self, index: object, item: object) -> None:
        self.insert_at(self._position(index, allow_end=True), item)

    def RemoveAt(self, index: object) -> None:
        self.remove_child(self._items[self._position(index)])

    def IndexOf(self, item: object) -> int:
        return next((i for i, t in enumerate(self._items) if t is item), -1)

    def Contains(self, item: object) -> bool:
        return self.IndexOf(item) >= 0

    def Remove(self, *args: object) -> object:
        if not args:
            return super().Remove()
        index = self.IndexOf(args[0])
        if index < 0:
            return False
        self.remove_child(self._items[index])
        return True

    def Clear(self) -> None:
        self.RemoveAll()

    def merge_item(self, content: object) -> None:
        if isinstance(content, JArray) or is_multi_content(content):
            self.merge_items(content)


JObject.CS_ELEMENT = pair_of((STRING, class_stype(JToken)))  # type: ignore[attr-defined]
JObject.CS_RESULT_TYPES = JContainer.CS_RESULT_TYPES | {
    "Properties": sequence_of(class_stype(JProperty)),
    "PropertyValues": TOKENS,
}


def pairs_of(source: object) -> object:
    """What `foreach` over a value typed JObject enumerates (its public GetEnumerator)."""
    return LinqSeq(source.pairs) if isinstance(source, JObject) else source
