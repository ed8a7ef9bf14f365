"""Anonymous types (`new { a, b.C, D = 1 }`): one read-only class per member list.

Members are properties over a tuple, in declaration order (which is also the order
`JsonConvert.SerializeObject` writes them in). Equality is by value, as C# generates it, and
`ToString()` prints `{ a = 1, C = x }`.
"""

from __future__ import annotations

import threading
from typing import ClassVar

from .collections import value_equals
from .strings import to_string
from .types import CsObject

_CLASSES: dict[tuple[str, ...], type[AnonymousObject]] = {}
_LOCK = threading.Lock()


class AnonymousObject(CsObject):
    __slots__ = ("_values",)
    CS_TYPE = "<>f__AnonymousType"
    FIELDS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *values: object) -> None:
        self._values = values

    def ToString(self) -> str:
        if not self.FIELDS:
            return "{ }"
        body = ", ".join(
            f"{name} = {to_string(value)}"
            for name, value in zip(self.FIELDS, self._values, strict=True)
        )
        return "{ " + body + " }"

    def Equals(self, other: object) -> bool:
        if type(other) is not type(self):
            return False
        assert isinstance(other, AnonymousObject)
        return all(value_equals(a, b) for a, b in zip(self._values, other._values, strict=True))

    def GetHashCode(self) -> int:  # equal objects, equal codes (the values' own are not kept)
        return hash(tuple(to_string(value) for value in self._values)) & 0x7FFFFFFF

    def equality_key(self) -> tuple[object, ...]:
        return self._values

    def members(self) -> list[tuple[str, object]]:
        """(name, value) in declaration order (the JSON serializer writes them so)."""
        return list(zip(self.FIELDS, self._values, strict=True))


def check_member_name(name: str) -> str | None:
    """Why `name` cannot be an anonymous-type member here (None: it can)."""
    if name.startswith("_") or hasattr(AnonymousObject, name):
        return f"anonymous type member name '{name}'"
    return None


def _getter(index: int) -> property:
    def get(self: AnonymousObject) -> object:
        return self._values[index]

    return property(get)


def anon_class(names: tuple[str, ...]) -> type[AnonymousObject]:
    """The class of anonymous objects with these members. A member's static type is the
    creation's (`SType.args`, one per member, as `members` resolves a type argument), so
    `new { a = 7L }.a * int.MaxValue` is a long product."""
    from .members import TYPE_ARGUMENTS  # noqa: PLC0415 - members imports the runtime types

    with _LOCK:
        cls = _CLASSES.get(names)
        if cls is None:
            namespace: dict[str, object] = {
                "__slots__": (),
                "FIELDS": names,
                "CS_MEMBERS": frozenset(names) | {"ToString", "Equals", "GetHashCode"},
                "CS_RESULT_TYPES": dict(zip(names, TYPE_ARGUMENTS, strict=False)),
            }
            namespace.update({name: _getter(i) for i, name in enumerate(names)})
            cls = type("AnonymousType", (AnonymousObject,), namespace)
            _CLASSES[names] = cls
        return cls
