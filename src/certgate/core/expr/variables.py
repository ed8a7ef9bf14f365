"""`context.Variables`: a read-only dictionary that knows the .NET type of its integral values.

Python holds every integral value as an int, so a plain cast cannot tell a boxed Int32 from a
boxed Int64. C# can: unboxing to another type throws InvalidCastException, and APIM's
`GetValueOrDefault<T>` throws when the stored value is not a T (spec §3.7). `set-variable`
records the static type of the expression that produced an integral value, and the unboxing
reads of a variable check it: `(T)context.Variables[k]`, `context.Variables[k] is T`,
`GetValueOrDefault<T>(k)`. A value of no recorded type is judged by its range only (beyond
Int32 it is an Int64), so nothing valid is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from . import exceptions as exc
from .collections import MISSING, ReadOnlyDictionary
from .static import OBJECT, SType
from .types import CsTypeRef

# the integral types a variable's type is recorded for (char is a CsChar, not an int)
INTEGRAL_TYPES = frozenset(
    {
        "System.SByte",
        "System.Byte",
        "System.Int16",
        "System.UInt16",
        "System.Int32",
        "System.UInt32",
        "System.Int64",
        "System.UInt64",
    }
)
_INT32 = range(-(2**31), 2**31)


class VariableDictionary(ReadOnlyDictionary):
    __slots__ = ("_types",)
    # `IReadOnlyDictionary<string, object>`: a value is an `object` to the compiler
    # (`string s = context.Variables["s"]` is csc's CS0266; `(string)` it is)
    CS_RESULT_TYPES: ClassVar[dict[str, SType]] = {"this[]": OBJECT, "GetValueOrDefault": OBJECT}

    def __init__(self, mapping: Mapping[str, object], types: Mapping[str, str]) -> None:
        super().__init__(mapping)
        self._types = types  # name -> CLR name of the value's integral type, where recorded

    def boxed_type(self, key: str, value: object) -> str | None:
        """The .NET type a boxed integral value has, where it can be told; else None."""
        if type(value) is not int:
            return None
        return self._types.get(key) or (None if value in _INT32 else "System.Int64")

    def unbox(self, key: object, target: CsTypeRef) -> object:
        """`context.Variables[key]` about to be cast to `target`: refuse another integral type."""
        value = self.get_item(key)
        self._check(key, value, target)
        return value

    def holds(self, key: object, target: CsTypeRef) -> bool:
        """`context.Variables[key] is target`."""
        value = self.get_item(key)
        boxed = self.boxed_type(self._key(key), value)
        if boxed is not None and target.classes:
            return boxed == target.name
        return value is not None and target.accepts(value)

    def GetValueOrDefault(
        self, key: object, default: object = MISSING, *, type_args: tuple[CsTypeRef, ...] = ()
    ) -> object:
        if type_args:
            pair = self._entries.get(self._key(key))
            if pair is not None:
                self._check(key, pair.Value, type_args[0])
        return super().GetValueOrDefault(key, default, type_args=type_args)

    def _check(self, key: object, value: object, target: CsTypeRef) -> None:
        boxed = self.boxed_type(self._key(key), value)
        if boxed is not None and target.classes and boxed != target.name:
            raise exc.ExpressionRuntimeError(
                "InvalidCastException",
                f"Unable to cast object of type '{boxed}' to type '{target.name}'.",
            )
