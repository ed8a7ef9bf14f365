"""Member tables: the only way from a runtime value to one of its members.

A `MemberTable` lists, for one Python class, the C# properties (getter functions), methods
(functions taking the receiver first), indexer, and the static types of their results. Tables of
the primitive mappings are written out here; a `CsObject` subclass gets its table built once from
`CS_MEMBERS` (+ LINQ when it is enumerable) and its type hints. A class without a table (any other
Python object) exposes nothing.
"""

from __future__ import annotations

import inspect
import math
import operator
import threading
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import auth, linq, numbers, scalars, strings, strings_more, symmetric, xlinq
from . import exceptions as exc
from .arrays import CsArray
from .collections import KeyValuePair, LinqSeq, ReadOnlyDictionary
from .dictionary import CsDictionary, KeyCollection, ValueCollection
from .generic import CsList
from .linq_join import Lookup
from .linq_more import Grouping
from .sets import CsHashSet, CsQueue, CsStack
from .static import (
    BOOL,
    CHAR,
    INT,
    LONG,
    STRING,
    UNKNOWN,
    SType,
    array_of,
    class_stype,
    from_annotation,
    sequence_of,
)
from .tuples import TUPLES
from .types import CsChar, CsObject
from .variables import VariableDictionary

Getter = Callable[[Any], object]
Method = Callable[..., object]
ELEMENT = SType("<element>", None)  # marker: the result is the receiver's element type
SEQUENCE = SType("<sequence>", None)  # marker: an IEnumerable of the receiver's element type
ARRAY = SType("<array>", None)  # marker: an array of the receiver's element type
LIST = SType("<list>", None)  # marker: a List of the receiver's element type
# markers for one of the receiver's type arguments: K or V of a Dictionary<K, V> or a
# KeyValuePair<K, V> (also as the element of a result type: `Keys` is a KeyCollection of K),
# a tuple's items
_ARGS = tuple(SType(f"<arg{i}>", None) for i in range(8))
TYPE_ARGUMENTS = _ARGS  # markers: the receiver's first, second ... type argument
KEY, VALUE = _ARGS[0], _ARGS[1]
_JOINED = SType("<joined>", None)  # V, but a string for a string[] V (Headers, Query)


@dataclass(slots=True)
class MemberTable:
    cs_type: str
    props: dict[str, Getter] = field(default_factory=dict)
    methods: dict[str, Method] = field(default_factory=dict)
    types: dict[str, SType] = field(default_factory=dict)  # result type per member name
    indexer: Method | None = None
    out_methods: dict[str, int] = field(default_factory=dict)
    generic: frozenset[str] = frozenset()
    # C#-assignable members: properties with a setter (`prop.fset`), and `this[...] = v`
    setters: dict[str, Callable[[Any, object], None]] = field(default_factory=dict)
    index_setter: Method | None = None
    # a method named like an overload without out parameters, for calls with out arguments
    # (`Dictionary.Remove(key, out value)`): class attribute `CS_OUT_OVERLOADS`
    out_overloads: dict[str, Method] = field(default_factory=dict)
    # static types of the out arguments, where known (markers allowed): `_GENERIC_OUTS`
    out_types: dict[str, tuple[SType, ...]] = field(default_factory=dict)

    def result_type(self, name: str, receiver: SType) -> SType:
        return _resolve(self.types.get(name, UNKNOWN), receiver)

    def out_result_types(self, name: str, receiver: SType) -> tuple[SType, ...]:
        return tuple(_resolve(t, receiver) for t in self.out_types.get(name, ()))


# the parameters of generic collections' methods that take an element, key or value
_SEQUENCE_PARAMS: dict[str, tuple[SType | None, ...]] = {
    "Add": (ELEMENT,),
    "Contains": (ELEMENT,),
    "Remove": (ELEMENT,),
}
_GENERIC_PARAMS: dict[type, dict[str, tuple[SType | None, ...]]] = {
    CsList: _SEQUENCE_PARAMS | {"Insert": (None, ELEMENT), "IndexOf": (ELEMENT,)},
    CsHashSet: _SEQUENCE_PARAMS,
    CsQueue: {"Enqueue": (ELEMENT,), "Contains": (ELEMENT,)},
    CsStack: {"Push": (ELEMENT,), "Contains": (ELEMENT,)},
    CsDictionary: {
        "Add": (KEY, VALUE),
        "TryAdd": (KEY, VALUE),
        "ContainsKey": (KEY,),
        "ContainsValue": (VALUE,),
    },
    # the context's dictionaries: APIM's `GetValueOrDefault(name, default)` takes a string
    # default for Headers and Query, .NET's extension a V for the others
    ReadOnlyDictionary: {
        "ContainsKey": (KEY,),
        "TryGetValue": (KEY,),
        "GetValueOrDefault": (KEY, _JOINED),
    },
    VariableDictionary: {  # `GetValueOrDefault<T>`'s default is a T: not checked here
        "ContainsKey": (STRING,),
        "TryGetValue": (STRING,),
        "GetValueOrDefault": (STRING,),
    },
}


def _checkable(stype: SType) -> bool:
    """A type whose implicit conversions the compiler knows all of (not object)."""
    return stype.known


def parameter_types(name: str, receiver: SType) -> tuple[SType | None, ...]:
    """The element, key or value types a generic collection's method takes (None: a
    parameter not checked here)."""
    cls = receiver.py if receiver.py is not None else _interface(receiver)
    by_class = None if cls is None else _GENERIC_PARAMS.get(cls, getattr(cls, "CS_PARAMS", None))
    markers = by_class.get(name, ()) if by_class is not None else ()
    resolved = [None if m is None else _resolve(m, receiver) for m in markers]
    return tuple(t if t is not None and _checkable(t) else None for t in resolved)


_TOKENS = ("JToken", "JObject", "JArray", "JValue", "JProperty", "JContainer", "JRaw")
JSON_TOKENS = frozenset(f"Newtonsoft.Json.Linq.{name}" for name in (*_TOKENS, "JConstructor"))


def collection_element(stype: SType) -> SType | None:
    """What `x[i] = v` stores into a List<T>, Dictionary<K, V>, T[], StringBuilder or JSON
    token, when checkable."""
    if stype.name == "System.Text.StringBuilder":  # (by name: stringbuilder imports us)
        return CHAR
    if stype.name in JSON_TOKENS:  # `this[object key]` takes a JToken
        from .jtoken import JToken  # noqa: PLC0415 (jtoken's runtime imports us)

        return class_stype(JToken)
    if stype.py is CsDictionary:
        value = _resolve(VALUE, stype)
    elif stype.py is CsList or (isinstance(stype.py, type) and issubclass(stype.py, CsArray)):
        value = stype.element or UNKNOWN
    else:
        return None
    return value if _checkable(value) else None


def index_key(stype: SType) -> SType | None:
    """What `x[key]` takes, when checkable: an int for a string or List<T> (a long for an
    array, which also takes one), K for a Dictionary<K, V>, a string for the context's
    dictionaries."""
    if stype.py in (str, CsList):
        return INT
    if isinstance(stype.py, type) and issubclass(stype.py, CsArray):
        return LONG
    if stype.py is CsDictionary:
        key = _resolve(KEY, stype)
        return key if _checkable(key) else None
    if isinstance(stype.py, type) and issubclass(stype.py, ReadOnlyDictionary):
        return STRING
    return None


def linq_result(name: str, receiver: SType) -> SType:
    """The result of LINQ's `name` on a receiver known only as an IEnumerable<T> (T may be
    unknown too: then only the results that do not depend on it are known)."""
    if receiver.element is None:
        return UNKNOWN
    return _resolve(_LINQ_TYPES.get(name, UNKNOWN), receiver)


def _resolve(result: SType, receiver: SType) -> SType:
    """A member's result type, with a marker replaced by what the receiver's type gives."""
    if result.element in _ARGS or result.element is ELEMENT:
        return SType(result.name, result.py, element=_resolve(result.element, receiver))
    if result.py is not None or not result.name.startswith("<"):
        return result
    element = receiver.element or UNKNOWN
    if result in _ARGS:
        index = _ARGS.index(result)
        return receiver.args[index] if index < len(receiver.args) else UNKNOWN
    if result is _JOINED:
        value = receiver.args[1] if len(receiver.args) == 2 else UNKNOWN
        return STRING if value.py is CsArray and value.element is STRING else value
    if result is ELEMENT:
        return element
    if result is ARRAY:
        return _ARRAY if element is UNKNOWN else array_of(element)
    if result is LIST:
        return SType(CsList.CS_TYPE, CsList, element=element)
    return sequence_of(element)  # SEQUENCE


def _to_string_number(value: float, format: object = None, provider: object = None) -> str:
    """int/long/double ToString([format][, provider]): invariant culture (see `numbers`)."""
    return numbers.format_number(value, format)


def _compare_to(a: object, b: object) -> int:
    """CompareTo where the translator could not pick the overload (`scalars.comparison`): a
    boxed argument of another type is .NET's ArgumentException naming the receiver's type, taken
    as int or double (a long receiver says Int32 here). A double receiver accepts an int, which
    C# converts when the argument is statically a number; no double converts to an integer."""
    if b is None:
        return 1
    if type(b) is not type(a) and not (type(a) is float and type(b) is int):
        kind = "Double" if type(a) is float else "Int32"
        raise exc.ExpressionRuntimeError("ArgumentException", f"Object must be of type {kind}.")
    x, y = float(a), float(b)  # type: ignore[arg-type]
    if math.isnan(x) or math.isnan(y):  # NaN sorts first
        return (not math.isnan(x)) - (not math.isnan(y))
    return (x > y) - (x < y)


def _equals(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b


_NODES = sequence_of(UNKNOWN)
_ARRAY = SType("System.Array", CsArray, element=UNKNOWN)
_LINQ_TYPES: dict[str, SType] = {
    "Any": BOOL,
    "All": BOOL,
    "Contains": BOOL,
    "Count": INT,
    "Where": SEQUENCE,
    "Select": sequence_of(UNKNOWN),
    "Skip": SEQUENCE,
    "Take": SEQUENCE,
    "Distinct": SEQUENCE,
    "First": ELEMENT,
    "FirstOrDefault": ELEMENT,
    "Last": ELEMENT,
    "LastOrDefault": ELEMENT,
    "ToArray": ARRAY,
    # ordering, sets, grouping, aggregates (`linq_more`)
    **dict.fromkeys(
        (
            "OrderBy",
            "OrderByDescending",
            "ThenBy",
            "ThenByDescending",
            "Reverse",
            "Concat",
            "Union",
            "Intersect",
            "Except",
            "DefaultIfEmpty",
            "TakeWhile",
            "SkipWhile",
            "Append",
            "Prepend",
        ),
        SEQUENCE,
    ),
    **dict.fromkeys(("Single", "SingleOrDefault", "ElementAt", "ElementAtOrDefault"), ELEMENT),
    "SequenceEqual": BOOL,
    "LongCount": LONG,
    "ToList": LIST,
    "GroupBy": sequence_of(UNKNOWN),
    "SelectMany": sequence_of(UNKNOWN),
    "Zip": sequence_of(UNKNOWN),
    # `linq_join`, `linq_by` (.NET 6/7)
    **dict.fromkeys(
        (
            "TakeLast",
            "SkipLast",
            "AsEnumerable",
            "DistinctBy",
            "ExceptBy",
            "IntersectBy",
            "UnionBy",
            "Order",
            "OrderDescending",
        ),
        SEQUENCE,
    ),
    **dict.fromkeys(("MaxBy", "MinBy"), ELEMENT),
    **dict.fromkeys(("Join", "GroupJoin"), sequence_of(UNKNOWN)),
    "Chunk": sequence_of(SType("System.Array", CsArray, element=UNKNOWN)),
    "ToLookup": class_stype(Lookup),
    "TryGetNonEnumeratedCount": BOOL,
}

_STRING_TYPES = dict.fromkeys(strings.STRING_METHODS, STRING) | {
    "Length": INT,
    "CompareTo": INT,
    "StartsWith": BOOL,
    "EndsWith": BOOL,
    "Contains": BOOL,
    "Equals": BOOL,
    "IndexOf": INT,
    "Split": array_of(STRING),
    "ToCharArray": array_of(CHAR),
    "GetHashCode": INT,
}

_TABLES: dict[type, MemberTable] = {
    str: MemberTable(
        "System.String",
        props=dict(strings.STRING_PROPERTIES),
        methods=linq.LINQ_METHODS
        | strings.STRING_METHODS
        | strings_more.STRING_METHODS
        | auth.STRING_EXTENSIONS,
        types=_LINQ_TYPES | _STRING_TYPES | strings_more.STRING_TYPES | auth.STRING_EXTENSION_TYPES,
        indexer=strings.char_at,
        out_methods=dict(auth.STRING_OUT_METHODS) | linq.LINQ_OUT_METHODS,
        out_types=dict(auth.STRING_OUT_TYPES),
    ),
    bool: MemberTable(
        "System.Boolean",
        methods={
            "ToString": strings.to_string,
            "Equals": _equals,
            "CompareTo": scalars.bool_compare_to,
        },
        types={"ToString": STRING, "Equals": BOOL, "CompareTo": INT},
    ),
    int: MemberTable(
        "System.Int32",
        methods={"ToString": _to_string_number, "Equals": _equals, "CompareTo": _compare_to},
        types={"ToString": STRING, "Equals": BOOL, "CompareTo": INT},
    ),
    float: MemberTable(
        "System.Double",
        methods={"ToString": _to_string_number, "Equals": _equals, "CompareTo": _compare_to},
        types={"ToString": STRING, "Equals": BOOL, "CompareTo": INT},
    ),
    CsChar: MemberTable(
        "System.Char",
        methods={
            "ToString": strings.to_string,
            "Equals": _equals,
            "CompareTo": scalars.char_compare_to,
        },
        types={"ToString": STRING, "Equals": BOOL, "CompareTo": INT},
    ),
}
_BUILD_LOCK = threading.Lock()


_NS = "System.Collections.Generic."


def _reference_equals(value: object, other: object) -> bool:
    return value is other


def _identity_hash(value: object) -> int:
    return id(value) & 0x7FFFFFFF


def _enumerator(value: object) -> object:
    from .interfaces import Enumerator  # noqa: PLC0415 - interfaces imports this module

    return Enumerator(value)


def table_for(cls: type) -> MemberTable | None:
    """The member table of a runtime class (built once for CsObject subclasses)."""
    table = _TABLES.get(cls)
    if table is None and issubclass(cls, CsObject):
        with _BUILD_LOCK:
            table = _TABLES.get(cls) or _build(cls)
            _TABLES[cls] = table
    return table


def _build(cls: type[CsObject]) -> MemberTable:
    table = MemberTable(cls.CS_TYPE, out_methods=dict(cls.CS_OUT_METHODS))
    table.generic = frozenset(cls.CS_GENERIC_METHODS)
    for name, python_name in getattr(cls, "CS_OUT_OVERLOADS", {}).items():
        table.out_overloads[name] = getattr(cls, python_name)
    if hasattr(cls, "__iter__"):
        table.methods.update(linq.LINQ_METHODS)
        table.types.update(_LINQ_TYPES)
        table.out_methods = linq.LINQ_OUT_METHODS | table.out_methods
        table.methods.update(xlinq.EXTENSIONS)  # doc.Descendants("a").Elements("b")
        table.types.update(xlinq.EXTENSION_TYPES, InDocumentOrder=SEQUENCE)
    if issubclass(cls, CsArray):  # APIM's byte[] extensions (other arrays: InvalidCast at run time)
        table.methods.update(symmetric.ARRAY_EXTENSIONS)
        table.types.update(symmetric.ARRAY_EXTENSION_TYPES)
    if cls.CS_TYPE.startswith(_NS) or issubclass(cls, (LinqSeq, CsArray)):
        # System.Object's, which the collections APIM allows whole do not override: identity
        table.methods.update(Equals=_reference_equals, GetHashCode=_identity_hash)
        table.types.update(Equals=BOOL, GetHashCode=INT)
    if hasattr(cls, "__iter__"):  # IEnumerable<T>.GetEnumerator
        table.methods["GetEnumerator"] = _enumerator
        table.types["GetEnumerator"] = SType(_NS + "IEnumerator", None, element=ELEMENT)
    hints = _hints(cls)
    for name in sorted(cls.CS_MEMBERS | {"ToString"}):
        if name.startswith("_") or not name.isidentifier():
            raise TypeError(f"{cls.__name__}.CS_MEMBERS: '{name}' cannot be a C# member")
        attr = inspect.getattr_static(cls, name, None)
        if inspect.isfunction(attr):
            table.methods[name] = attr
            table.types[name] = _return_type(attr)
        elif isinstance(attr, property) and attr.fget is not None:
            table.props[name] = attr.fget
            table.types[name] = _return_type(attr.fget)
            if attr.fset is not None:
                table.setters[name] = attr.fset
        else:  # slot, plain class attribute or instance attribute
            table.props[name] = operator.attrgetter(name)
            table.types[name] = from_annotation(hints.get(name))
    for name in cls.CS_LONG:
        table.types[name] = LONG
    if cls.CS_INDEXER is not None:
        table.indexer = getattr(cls, cls.CS_INDEXER)
        table.types["this[]"] = ELEMENT if cls.CS_INDEXER_ELEMENT else _return_type(table.indexer)
    # result types a hint cannot say (`char[]`): class attribute `CS_RESULT_TYPES`
    table.types.update(getattr(cls, "CS_RESULT_TYPES", {}))
    table.types.update(_GENERIC_RESULTS.get(cls, {}))
    table.out_types.update(_GENERIC_OUTS.get(cls, getattr(cls, "CS_OUT_TYPES", {})))
    if cls.CS_INDEX_SETTER is not None:
        table.index_setter = getattr(cls, cls.CS_INDEX_SETTER)
    for name, prop in cls.CS_PROPERTIES.items():  # a property named like a method (`Value`)
        assert prop.fget is not None
        table.props[name] = prop.fget
        table.types[name] = _return_type(prop.fget)  # the method's is typed by its T
        if prop.fset is not None:
            table.setters[name] = prop.fset
    return table


# results of generic collections that their type arguments give
_SEQUENCE_RESULTS = dict.fromkeys(("Peek", "Pop", "Dequeue"), ELEMENT) | {"ToArray": ARRAY}
_GENERIC_RESULTS: dict[type, dict[str, SType]] = {
    CsDictionary: {
        "Keys": SType(KeyCollection.CS_TYPE, KeyCollection, element=KEY),
        "Values": SType(ValueCollection.CS_TYPE, ValueCollection, element=VALUE),
        "this[]": VALUE,
        "GetValueOrDefault": VALUE,
    },
    KeyValuePair: {"Key": KEY, "Value": VALUE},
    # APIM's GetValueOrDefault(name, default) joins a string[] value with ","
    ReadOnlyDictionary: {"this[]": VALUE, "GetValueOrDefault": _JOINED},
    Grouping: {"Key": KEY},
    CsList: {"ToArray": ARRAY, "GetRange": LIST, "FindAll": LIST}
    | dict.fromkeys(("Find", "FindLast"), ELEMENT),
    CsQueue: _SEQUENCE_RESULTS,
    CsStack: _SEQUENCE_RESULTS,
} | {  # Tuple<T1, ..., TRest>: Item1 ... Item7, Rest
    cls: {f"Item{i + 1}": _ARGS[i] for i in range(min(arity, 7))} | {"Rest": _ARGS[7]}
    for arity, cls in TUPLES.items()
}

_GENERIC_OUTS: dict[type, dict[str, tuple[SType, ...]]] = {
    ReadOnlyDictionary: {"TryGetValue": (VALUE,)},
    CsDictionary: {"TryGetValue": (VALUE,), "Remove": (VALUE,)},
    KeyValuePair: {"Deconstruct": (KEY, VALUE)},
    CsHashSet: {"TryGetValue": (ELEMENT,)},
    CsQueue: dict.fromkeys(("TryPeek", "TryDequeue"), (ELEMENT,)),
    CsStack: dict.fromkeys(("TryPeek", "TryPop"), (ELEMENT,)),
}


def _hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception:  # unresolvable forward references: no static types, checks at run time
        return {}


def _return_type(fn: Callable[..., object]) -> SType:
    try:
        return from_annotation(typing.get_type_hints(fn).get("return"))
    except Exception:
        return UNKNOWN


def static_table(stype: SType) -> MemberTable | None:
    """Member table for a statically known type (a generic collection interface's too), or
    None when unknown."""
    if stype.py is None:
        cls = _interface(stype)
        return None if cls is None else table_for(cls)
    return table_for(stype.py)


def _interface(stype: SType) -> type | None:
    from .interfaces import interface_class  # noqa: PLC0415 - interfaces imports the runtime

    return interface_class(stype.name)


__all__ = ["ELEMENT", "MemberTable", "class_stype", "linq_result", "static_table", "table_for"]
