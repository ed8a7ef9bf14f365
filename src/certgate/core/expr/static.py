"""The compiler's static type notion (deliberately small; a full C# type checker is later work).

An `SType` says what the translator knows about an expression's value at load time: its runtime
Python class (so member names can be checked and operators specialised) or `None` when only the
run time can tell (then the runtime helpers check dynamically). Types come from literals, from
operators, from the member tables and from the type hints of `CsObject` classes.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

from .arrays import CsArray
from .collections import KeyValuePair, LinqSeq, ReadOnlyDictionary
from .decimals import CsDecimal
from .singles import CsSingle
from .types import CsChar, CsObject, CsTypeRef, CsValue


@dataclass(frozen=True, slots=True)
class SType:
    name: str  # .NET name for messages
    py: type | None  # runtime class; None when not known statically
    nullable: bool = False  # may be null although `py` is a value type (result of `?.`)
    element: SType | None = None  # element type of an enumerable, when known
    args: tuple[SType, ...] = ()  # type arguments, where members need them (Dictionary<K, V>)
    # C#'s `object` itself (a local so declared, `context.Variables[...]`), not merely a type
    # certgate does not know: it converts to nothing else implicitly
    is_object: bool = False

    @property
    def known(self) -> bool:
        return self.py is not None

    def as_nullable(self) -> SType:
        return SType(self.name, self.py, True, self.element, self.args)

    def is_(self, *classes: type) -> bool:
        return self.py in classes

    @property
    def numeric(self) -> bool:
        return self.py in (int, float) and self.name in NUMERIC_NAMES


UNKNOWN = SType("System.Object", None)
OBJECT = SType("System.Object", None, is_object=True)
CHAR = SType("System.Char", CsChar)
STRING = SType("System.String", str, element=CHAR)  # an IEnumerable<char>: `s.Select(c => ...)`
BOOL = SType("System.Boolean", bool)
INT = SType("System.Int32", int)
LONG = SType("System.Int64", int)
# the other integral types are Python ints too; their names keep `byte b = Convert.ToByte(s)`
# valid and tell the operators that `uint + int` is a long
SBYTE, BYTE = SType("System.SByte", int), SType("System.Byte", int)
SHORT, USHORT = SType("System.Int16", int), SType("System.UInt16", int)
UINT, ULONG = SType("System.UInt32", int), SType("System.UInt64", int)
DOUBLE = SType("System.Double", float)
DECIMAL = SType("System.Decimal", CsDecimal)  # a CsValue, not `numeric`: own operators
SINGLE = SType("System.Single", CsSingle)  # likewise
NULL = SType("<null>", type(None))
VOID = SType("System.Void", type(None))
NUMERIC_NAMES = frozenset(
    {"System.Int32", "System.Int64", "System.Double"}
    # the other integral types are Python ints too; arithmetic on them gives int or long
    | {"System.SByte", "System.Byte", "System.Int16", "System.UInt16", "System.UInt32"}
    | {"System.UInt64"}
)

REFS: dict[str, CsTypeRef] = {
    "System.String": CsTypeRef("System.String", (str,)),
    "System.Boolean": CsTypeRef("System.Boolean", (bool,), False, is_value_type=True),
    "System.Int32": CsTypeRef("System.Int32", (int,), 0, is_value_type=True),
    "System.Int64": CsTypeRef("System.Int64", (int,), 0, is_value_type=True),
    "System.Double": CsTypeRef("System.Double", (float,), 0.0, is_value_type=True),
    "System.Char": CsTypeRef("System.Char", (CsChar,), CsChar("\0"), is_value_type=True),
    "System.Object": CsTypeRef("System.Object", ()),
}
STYPES = {s.name: s for s in (STRING, BOOL, INT, LONG, DOUBLE, CHAR, DECIMAL, SINGLE, UNKNOWN)}


def is_value_type(stype: SType) -> bool:
    """A .NET value type: a number, bool, char, or a struct (DateTime, Guid, decimal, ...)."""
    py = stype.py
    return py in (int, float, bool, CsChar) or (isinstance(py, type) and issubclass(py, CsValue))


def non_nullable(stype: SType) -> SType:
    """`T` of a `T?` (the shared instance for the primitives, which the compiler tests by
    identity)."""
    return STYPES.get(stype.name) or SType(stype.name, stype.py, False, stype.element, stype.args)


def class_stype(cls: type) -> SType:
    """Static type of values of a runtime class."""
    for stype in (STRING, BOOL, INT, DOUBLE, CHAR, DECIMAL, SINGLE):
        if cls is stype.py:
            return stype
    if isinstance(cls, type) and issubclass(cls, ReadOnlyDictionary):
        return SType(cls.CS_TYPE, cls, element=class_stype(KeyValuePair))
    if isinstance(cls, type) and issubclass(cls, CsArray):
        if cls.CS_TYPE == "System.Byte[]":  # binary.CsBytes: what GetBytes, ComputeHash give
            return SType(cls.CS_TYPE, cls, element=BYTE)
        return SType("System.Array", cls, element=UNKNOWN)
    if isinstance(cls, type) and issubclass(cls, CsObject):
        element = getattr(cls, "CS_ELEMENT", None)  # enumerables: the class of their elements
        if element is None:
            return SType(cls.CS_TYPE, cls)
        if isinstance(element, SType):  # with type arguments (JObject: KeyValuePair<K, V>)
            return SType(cls.CS_TYPE, cls, element=element)
        inner = SType(element.CS_TYPE, element) if element is cls else class_stype(element)
        return SType(cls.CS_TYPE, cls, element=inner)
    return UNKNOWN


def from_annotation(annotation: Any) -> SType:
    """Static type for a Python type hint (`str`, `X509Certificate2 | None`, ...)."""
    if annotation is None:  # no hint at all
        return UNKNOWN
    if annotation is type(None):
        return VOID
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            return UNKNOWN
        stype = from_annotation(args[0])  # `DateTime | None` is a DateTime? (Jwt.ExpirationTime)
        return stype.as_nullable() if is_value_type(stype) else stype
    if isinstance(annotation, type):
        return class_stype(annotation)
    return UNKNOWN


def sequence_of(element: SType) -> SType:
    """`IEnumerable<T>`, what LINQ and the Json.NET and XML axes give."""
    return SType("IEnumerable", LinqSeq, element=element)


def pair_of(types: tuple[SType, ...]) -> SType:
    """`KeyValuePair<K, V>`, what a dictionary enumerates."""
    return SType(KeyValuePair.CS_TYPE, KeyValuePair, args=types)


def read_only_dictionary(key: SType, value: SType) -> SType:
    """`IReadOnlyDictionary<K, V>` (Headers, Query, MatchedParameters, Certificates)."""
    return SType(
        ReadOnlyDictionary.CS_TYPE,
        ReadOnlyDictionary,
        element=pair_of((key, value)),
        args=(key, value),
    )


def array_of(element: SType) -> SType:
    return SType(f"{element.name}[]", CsArray, element=element)


# `IReadOnlyDictionary<string, string[]>`: the Headers of requests and responses, `Url.Query`
HEADERS = read_only_dictionary(STRING, array_of(STRING))


def cs_name(stype: SType) -> str:
    """C#-keyword spelling of a type for csc's messages."""
    return {
        "System.Object": "object",
        "System.String": "string",
        "System.Boolean": "bool",
        "System.Int32": "int",
        "System.Int64": "long",
        "System.Double": "double",
        "System.Char": "char",
        "System.Decimal": "decimal",
        "System.Single": "float",
        "System.Byte": "byte",
        "System.SByte": "sbyte",
        "System.Int16": "short",
        "System.UInt16": "ushort",
        "System.UInt32": "uint",
        "System.UInt64": "ulong",
    }.get(stype.name, stype.name)
