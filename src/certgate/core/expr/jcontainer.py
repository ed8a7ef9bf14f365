"""Newtonsoft.Json.Linq, part 2: `JContainer`, `JObject`, `JArray`, `JProperty`.

As in Json.NET, adding a token that already has a parent adds a deep copy, a JObject keeps its
properties in insertion order (setting an existing name replaces the value in place), and
changing a container while a `foreach` walks it throws InvalidOperationException.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from . import exceptions as exc
from .collections import LinqSeq
from .jtoken import TOKENS, JToken, JValue, is_byte_array, json_error, to_token
from .strings import to_string
from .types import CsObject

_MODIFIED = "Collection was modified; enumeration operation may not execute."


class JContainer(JToken):
    __slots__ = ("_items", "_version")
    KEY_EXPECTED: ClassVar[str] = "Int32 array index"  # what `this[key]` wants (JArray)
    CS_TYPE = "Newtonsoft.Json.Linq.JContainer"
    CS_MEMBERS = JToken.CS_MEMBERS | {
        "Count", "Add", "AddFirst", "RemoveAll", "ReplaceAll", "Descendants",
        "DescendantsAndSelf", "Merge",
    }  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self._items: list[JToken] = []
        self._version = 0

    def child_tokens(self) -> list[JToken]:
        return list(self._items)

    def walk(self) -> Iterator[JToken]:
        version = self._version
        for item in list(self._items):
            yield item
            if self._version != version:
                raise exc.invalid_operation(_MODIFIED)

    def __iter__(self) -> Iterator[object]:
        return self.walk()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def HasValues(self) -> bool:
        return bool(self._items)

    @property
    def First(self) -> JToken | None:
        return self._items[0] if self._items else None

    @property
    def Last(self) -> JToken | None:
        return self._items[-1] if self._items else None

    @property
    def Count(self) -> int:
        return len(self._items)

    def _position(self, key: object, allow_end: bool = False) -> int:
        """An index into the items (JArray's and JConstructor's `this[object key]`)."""
        if type(key) is not int:
            shown = f'"{key}"' if type(key) is str else to_string(key)
            raise json_error(
                f"Accessed {self.CS_TYPE.rsplit('.', 1)[-1]} values with invalid key value: "
                f"{shown}. {self.KEY_EXPECTED} expected.",
                "ArgumentException",
            )
        if not 0 <= key < len(self._items) + allow_end:
            raise exc.ExpressionRuntimeError(
                "ArgumentOutOfRangeException",
                "Index was out of range. Must be non-negative and less than the size of the "
                "collection. (Parameter 'index')",
            )
        return key

    def adopt(self, value: object) -> JToken:
        """The token to store: a copy when it already has a parent (or is an ancestor)."""
        token = to_token(value)
        if token._parent is not None or token is self or token is self.Root:
            token = token.DeepClone()
        token._parent = self
        return token

    def changed(self) -> None:
        self._version += 1

    def contents(self, content: object) -> list[object]:
        """`Add(content)` accepts one value or an enumerable of values, flattened as Json.NET's
        AddInternal recurses (`new JArray(new object[] {1, new[] {2, 3}})` is [1,2,3]; not a
        token's children; a byte[] is one Bytes value)."""
        if is_multi_content(content):
            return [item for part in content for item in self.contents(part)]  # type: ignore[attr-defined]
        return [content]

    def Add(self, content: object) -> None:
        for item in self.contents(content):
            self.insert_at(len(self._items), item)

    def AddFirst(self, content: object) -> None:
        for offset, item in enumerate(self.contents(content)):
            self.insert_at(offset, item)

    def insert_at(self, index: int, item: object) -> None:
        self._items.insert(index, self.adopt(item))
        self.changed()

    def remove_child(self, child: JToken) -> None:
        self._items = [t for t in self._items if t is not child]
        child._parent = None
        self.changed()

    def replace_child(self, old: JToken, new: JToken) -> None:
        index = next(i for i, t in enumerate(self._items) if t is old)
        self._items[index] = self.adopt(new)
        old._parent = None
        self.changed()

    def insert_near(self, anchor: JToken, content: object, after: bool) -> None:
        index = next(i for i, t in enumerate(self._items) if t is anchor) + after
        for offset, item in enumerate(self.contents(content)):
            self.insert_at(index + offset, item)

    def RemoveAll(self) -> None:
        for item in self._items:
            item._parent = None
        self._items = []
        self.changed()

    def ReplaceAll(self, content: object) -> None:
        self.RemoveAll()
        self.Add(content)

    def Descendants(self) -> object:
        def run() -> Iterator[JToken]:
            for item in self._items:
                yield item
                if isinstance(item, JContainer):
                    yield from item.Descendants()  # type: ignore[misc]

        return LinqSeq(run)

    def DescendantsAndSelf(self) -> object:
        return LinqSeq(lambda: iter([self, *self.Descendants()]))  # type: ignore[misc]

    def Merge(self, content: object, settings: object = None) -> None:
        """Json.NET 13's Merge with the default JsonMergeSettings, the only ones an expression
        can pass (null: JsonMergeSettings is not allowed): arrays concatenated, objects merged
        property by property, null values ignored."""
        if settings is not None:
            raise exc.invalid_cast(settings, "Newtonsoft.Json.Linq.JsonMergeSettings")
        if content is None:
            return
        if not isinstance(content, JToken) and not is_multi_content(content):
            raise json_error(
                f"Could not determine JSON object type for type {exc.clr_name(content)}. "
                "(Parameter 'content')",
                "ArgumentException",
            )
        self.merge_item(content)

    def merge_item(self, content: object) -> None:
        """What `Merge` does with content of this container's kind (nothing by default)."""

    def merge_items(self, content: object) -> None:
        """MergeEnumerableContent with MergeArrayHandling.Concat: enumerated as it is added to,
        so merging a container into itself throws as Json.NET's enumerator does."""
        for item in content:  # type: ignore[attr-defined]
            self.Add(item if isinstance(item, JToken) else JValue(item))

    def DeepClone(self) -> JToken:
        copy = type(self).__new__(type(self))
        JContainer.__init__(copy)
        copy.copy_from(self)
        return copy

    def copy_from(self, other: JContainer) -> None:
        for item in other._items:
            clone = item.DeepClone()
            clone._parent = self
            self._items.append(clone)


class JProperty(JContainer):
    __slots__ = ("Name",)
    CS_TYPE = "Newtonsoft.Json.Linq.JProperty"
    CS_MEMBERS = JContainer.CS_MEMBERS | {"Name"}
    KIND_NAME = "Property"
    Name: str

    def __init__(self, name: object, *content: object) -> None:
        super().__init__()
        if name is None:
            raise exc.argument_null("name")
        self.Name = to_string(name)
        value: object = content[0] if len(content) == 1 else None
        if len(content) > 1 or is_multi_content(value):  # an array, a List, a LINQ result
            from .jobject import JArray  # noqa: PLC0415 - import cycle

            array = JArray()
            for item in content:
                array.Add(item)
            value = array
        self._items = [self.adopt(value)]

    def property_value(self) -> JToken:
        return self._items[0]

    def _get_value(self) -> JToken:
        return self._items[0]

    def _set_value(self, value: object) -> None:
        old = self._items[0]
        old._parent = None
        self._items = [self.adopt(JValue(None) if value is None else value)]
        self.changed()

    def Add(self, content: object) -> None:
        raise json_error(f"{self.CS_TYPE} cannot have multiple values.", "ArgumentException")

    def remove_child(self, child: JToken) -> None:
        raise json_error(f"Cannot add or remove items from {self.CS_TYPE}.", "JsonException")

    def insert_near(self, anchor: JToken, content: object, after: bool) -> None:
        """`value.AddAfterSelf(x)` of a property's value: it has one already (InsertItem)."""
        raise json_error(f"{self.CS_TYPE} cannot have multiple values.", "JsonException")

    def replace_child(self, old: JToken, new: JToken) -> None:
        if isinstance(new, JProperty):  # a property's value is never a property
            raise json_error(f"Can not add {new.CS_TYPE} to {self.CS_TYPE}.", "ArgumentException")
        super().replace_child(old, new)

    def RemoveAll(self) -> None:  # Json.NET: JProperty.ClearItems throws; the value stays
        raise json_error(f"Cannot add or remove items from {self.CS_TYPE}.", "JsonException")

    def DeepClone(self) -> JToken:
        return JProperty(self.Name, self._items[0].DeepClone())

    def get_item(self, key: object) -> JToken | None:
        raise self.no_children()

    def merge_item(self, content: object) -> None:
        value = content.property_value() if isinstance(content, JProperty) else None
        if value is not None and value.KIND_NAME != "Null":
            self._set_value(value)


def is_multi_content(content: object) -> bool:
    """IsMultiContent: an enumerable that is not a string, a token or a byte array."""
    return (
        isinstance(content, CsObject)
        and not isinstance(content, JToken)
        and hasattr(type(content), "__iter__")
        and not is_byte_array(content)
    )


def is_null_token(token: JToken) -> bool:
    """Json.NET's IsNull in merging: a Null token or a JValue holding null (Undefined)."""
    return isinstance(token, JValue) and token.raw is None


JProperty.CS_PROPERTIES = {"Value": property(JProperty._get_value, JProperty._set_value)}


JToken.CS_ELEMENT = JToken  # type: ignore[attr-defined]
JContainer.CS_RESULT_TYPES = JToken.CS_RESULT_TYPES | dict.fromkeys(
    ("Descendants", "DescendantsAndSelf"), TOKENS
)
