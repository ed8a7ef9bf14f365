"""Newtonsoft.Json.Linq, part 4: `JRaw` (JSON text kept as written) and `JConstructor`
(Json.NET's `new Date(1, 2)` extension of JSON, which `JToken.Parse` also reads).

`JRaw.Create(JsonReader)` takes a reader, a type outside APIM's allow-list; it stays
unregistered (not supported yet).
"""

from __future__ import annotations

from . import exceptions as exc
from .jcontainer import JContainer
from .jtoken import JToken, JValue, json_error, to_token
from .strings import to_string


class JRaw(JValue):
    """A JValue of type Raw: written out verbatim (`new JRaw("[1, 2]")` inside a JObject)."""

    __slots__ = ()
    CS_TYPE = "Newtonsoft.Json.Linq.JRaw"

    def __init__(self, raw: object = None) -> None:
        if isinstance(raw, JRaw):  # the copy constructor
            raw = raw.raw
        super().__init__(None if raw is None else to_string(raw), "Raw")

    def DeepClone(self) -> JRaw:
        return JRaw(self.raw)


class JConstructor(JContainer):
    """`new Name(arg, ...)`: a named list of tokens, indexed by position like a JArray."""

    __slots__ = ("_name",)
    CS_TYPE = "Newtonsoft.Json.Linq.JConstructor"
    CS_MEMBERS = JContainer.CS_MEMBERS | {"Name"}
    CS_INDEXER = "get_item"
    CS_INDEX_SETTER = "set_item"
    KIND_NAME = "Constructor"
    KEY_EXPECTED = "Argument position index"

    def __init__(self, *args: object) -> None:
        super().__init__()
        self._name: str | None = None
        if not args:  # `new JConstructor()`
            return
        name, *content = args
        if isinstance(name, JConstructor):  # the copy constructor
            self._name = name._name
            self.copy_from(name)
            return
        if name is None:
            raise json_error("Value cannot be null. (Parameter 'name')", "ArgumentNullException")
        if type(name) is not str:
            raise exc.invalid_cast(name, "System.String")
        if not name:
            raise json_error(
                "Constructor name cannot be empty. (Parameter 'name')", "ArgumentException"
            )
        self._name = name
        for item in content:
            self.Add(item)

    @property
    def Name(self) -> str | None:
        return self._name

    @Name.setter
    def Name(self, value: object) -> None:
        self._name = None if value is None else to_string(value)

    def get_item(self, key: object) -> JToken | None:
        return self._items[self._position(key)]

    def set_item(self, key: object, value: object) -> None:
        index = self._position(key)
        self.replace_child(self._items[index], to_token(value))

    def DeepClone(self) -> JConstructor:
        return JConstructor(self)

    def merge_item(self, content: object) -> None:
        if isinstance(content, JConstructor):
            if content._name is not None:
                self._name = content._name
            self.merge_items(content)
