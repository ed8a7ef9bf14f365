"""The contract between compiled expressions and the objects they may touch.

Compiled expressions never use Python attribute access on values. Every C# member access goes
through the runtime, which only resolves names a class lists in `CS_MEMBERS`. A Python object that
is not a `CsObject` and not one of the runtime's primitive mappings (str, bool, int, float, None,
and the runtime's own collection types) is unreachable from an expression.

Naming: C# members are implemented as Python attributes or methods spelled exactly like the C#
member (`Thumbprint`, `GetValueOrDefault`), so the allow-list and the implementation cannot drift.
Properties are plain attributes or `@property`; methods are methods.

Optional extras a class may declare:

* `CS_INDEXER`: name of the Python method implementing `this[...]` (called with the index values).
* `CS_OUT_METHODS`: method name -> number of trailing C# `out` parameters. The Python method takes
  only the in-arguments and returns a tuple `(result, out1, ...)`.
* `CS_GENERIC_METHODS`: methods that accept explicit type arguments (`M<int>(...)`); the runtime
  passes them as the keyword `type_args: tuple[CsTypeRef, ...]` (absent for the non-generic form).
* Properties must be pure: no side effects, and the same value throughout one evaluation. The
  compiler relies on it to read a property chain once per lambda instead of once per element.
* Type hints on attributes, properties and method returns give the compiler static types, so it
  can reject unknown members at load time (`Certificate: X509Certificate2 | None`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ...errors import ExpressionRuntimeError


class CsObject:
    """Base of Python classes that stand for a .NET type inside expressions."""

    __slots__ = ()

    #: .NET type name, as APIM's error messages spell it (e.g. "X509Certificate2").
    CS_TYPE: ClassVar[str] = "Object"
    #: C# member names expressions may use; each is a Python attribute or method of that name.
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset()
    #: Python method implementing the C# indexer, or None when `x[...]` is not allowed.
    CS_INDEXER: ClassVar[str | None] = None
    #: The indexer returns the element type (`List<T>`: T) rather than its annotated result.
    CS_INDEXER_ELEMENT: ClassVar[bool] = False
    #: Python method implementing `this[...] = value` (called with the index values, then the
    #: value), or None when the indexer is read-only. Property setters are `@property` setters.
    CS_INDEX_SETTER: ClassVar[str | None] = None
    #: C# properties that share their name with a C# method of the class (JProperty's `Value`
    #: property next to the `Value<T>()` extension method): name -> property object.
    CS_PROPERTIES: ClassVar[dict[str, property]] = {}
    #: Methods with C# `out` parameters: name -> count of trailing out parameters.
    CS_OUT_METHODS: ClassVar[dict[str, int]] = {}
    #: Methods callable with explicit type arguments (they receive `type_args=`).
    CS_GENERIC_METHODS: ClassVar[frozenset[str]] = frozenset()
    #: Members whose C# type is `long` (the values are plain ints; hints can only say `int`).
    CS_LONG: ClassVar[frozenset[str]] = frozenset()
    #: Instances never change once made (the certificate view): an index of their properties
    #: may be kept as long as they are (`ReadOnlyDictionary.value_index`).
    CS_IMMUTABLE: ClassVar[bool] = False
    #: Result types a hint cannot say (`IEnumerable<XElement>`, markers such as the element),
    #: by member name: `static.SType`s (`members._build` reads it where a class declares it).
    CS_RESULT_TYPES: ClassVar[dict[str, Any]]

    def ToString(self) -> str:
        return self.CS_TYPE


class CsValue(CsObject):
    """Base of .NET value types with value semantics (DateTime, TimeSpan, ...): `==`, `!=`, `<`,
    `<=`, `>`, `>=` compare `value_key()` (e.g. ticks) when both sides are the same type, as their
    C# operators do."""

    __slots__ = ()

    def value_key(self) -> int:
        raise NotImplementedError

    @classmethod
    def operator_result(cls, op: str, other: type) -> type | None:
        """Class of `self op other` for the arithmetic operators the C# type defines
        (DateTime - TimeSpan -> DateTime), or None when C# has no such operator."""
        return None

    def cs_binary(self, op: str, other: object) -> object:
        """`self op other` at run time (only called for operators `operator_result` allows)."""
        raise NotImplementedError


def nullable_value(value: object) -> object:
    """`Nullable<T>.Value`: the value, or InvalidOperationException for null."""
    if value is None:
        raise ExpressionRuntimeError(
            "InvalidOperationException", "Nullable object must have a value."
        )
    return value


@dataclass(frozen=True, slots=True)
class CsChar:
    """A C# `char`: one UTF-16 unit (half of a pair for astral text). Distinct from a 1-char `str`
    because C# treats them differently: `'a' + 1` is an int, `"a" + 1` is "a1"."""

    value: str

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class CsTypeRef:
    """A C# type written in an expression (`int` in `GetValueOrDefault<int>`, a cast target).

    `classes` are the runtime Python classes whose values are instances of the type (exact match
    for primitives: a bool is not an int in C#); `default` is C#'s `default(T)`.
    """

    name: str  # CLR name for messages: "System.Int32"
    classes: tuple[type, ...]  # empty: any value (System.Object)
    default: object = None
    is_value_type: bool = False

    def accepts(self, value: object) -> bool:
        if not self.classes:
            return True
        if value is None:
            return not self.is_value_type
        if self.is_value_type:
            if self.name == "System.Int32" and type(value) is int:  # beyond it: a boxed long
                return -(2**31) <= value < 2**31
            return type(value) in self.classes
        return isinstance(value, self.classes)
