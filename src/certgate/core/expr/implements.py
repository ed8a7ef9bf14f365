"""Which generic collection interfaces a runtime value implements, with which type arguments:
`x is IEnumerable<string>`, `x as IList<int>`, `(ICollection<T>)x` of an `object`.

A value's element type is known where the creation said it (a `List<T>`, a `Dictionary<K, V>`,
`new T[n]`); where it is not (`ToArray()` of a query), only the interface is tested. The
enumerable interface is covariant in a reference element (`List<string>` is an
`IEnumerable<object>`), and so is an array for `IList<T>` (array covariance); the others are
invariant.
"""

from __future__ import annotations

from .arrays import CsArray, is_enumerable
from .collections import UNKNOWN_ELEMENT, ReadOnlyDictionary
from .dictionary import CsDictionary
from .generic import CsList, _Versioned
from .sets import CsHashSet, CsQueue, CsStack
from .types import CsTypeRef

_SEQUENCE = frozenset({"IEnumerable", "ICollection", "IList", "IReadOnlyCollection"})
_DICTIONARY = frozenset(
    {"IEnumerable", "ICollection", "IDictionary", "IReadOnlyDictionary", "IReadOnlyCollection"}
)
_BY_CLASS: tuple[tuple[type, frozenset[str]], ...] = (
    (CsArray, _SEQUENCE),
    (CsList, _SEQUENCE),
    (CsHashSet, frozenset({"IEnumerable", "ICollection", "ISet", "IReadOnlyCollection"})),
    (CsQueue, frozenset({"IEnumerable", "IReadOnlyCollection"})),
    (CsStack, frozenset({"IEnumerable", "IReadOnlyCollection"})),
    (CsDictionary, _DICTIONARY),
    (ReadOnlyDictionary, frozenset({"IEnumerable", "IReadOnlyDictionary", "IReadOnlyCollection"})),
)
# Json.NET's (by name: the token modules import this package's runtime)
_CONTAINER = frozenset({"IEnumerable", "ICollection", "IList"})  # JContainer: IList<JToken>
_BY_NAME = {
    **dict.fromkeys(
        ("Newtonsoft.Json.Linq." + n for n in ("JArray", "JProperty", "JConstructor")), _CONTAINER
    ),
    "Newtonsoft.Json.Linq.JObject": _CONTAINER | {"IDictionary"},
    "System.Collections.Generic.IEnumerator": frozenset({"IEnumerator"}),  # GetEnumerator()'s
}
_JTOKEN = CsTypeRef("Newtonsoft.Json.Linq.JToken", ())
_STRING = CsTypeRef("System.String", (str,))


def implements(value: object, interface: str, args: tuple[CsTypeRef, ...]) -> bool:
    """Is `value` an `interface<args>` (`interface` the short name: "IList")?"""
    if type(value) is str:  # an IEnumerable<char> and nothing else
        return interface == "IEnumerable" and _named(args[0], "System.Char")
    names = _interfaces(value)
    if interface not in names:
        return False
    elements = _element_types(value, interface)
    if elements is None or len(elements) != len(args):
        return True  # not known: the interface alone decides
    variant = interface == "IEnumerable" or (interface == "IList" and isinstance(value, CsArray))
    return all(_fits(have, want, variant) for have, want in zip(elements, args, strict=True))


def _interfaces(value: object) -> frozenset[str]:
    for cls, names in _BY_CLASS:
        if isinstance(value, cls):
            return names
    by_name = _BY_NAME.get(getattr(value, "CS_TYPE", ""))
    if by_name is not None:
        return by_name
    return frozenset({"IEnumerable"}) if is_enumerable(value) else frozenset()


def _element_types(value: object, interface: str) -> tuple[CsTypeRef, ...] | None:
    """The type arguments the value has for `interface`, where known."""
    if isinstance(value, CsArray):
        name = value.element_name
        return None if name is None else (CsTypeRef(name, (), is_value_type=_value_name(name)),)
    if isinstance(value, CsDictionary) and interface in ("IEnumerable", "ICollection"):
        return None  # KeyValuePair<K, V>: tested as a pair below, not here
    if isinstance(value, _Versioned):  # (LINQ's ToList() of a query: not known)
        args = value.type_args
        return None if any(arg is UNKNOWN_ELEMENT for arg in args) else args
    name = getattr(value, "CS_TYPE", "")
    if name == "Newtonsoft.Json.Linq.JObject":  # also a collection of KeyValuePairs
        return {"IDictionary": (_STRING, _JTOKEN), "IList": (_JTOKEN,)}.get(interface)
    if name.startswith("Newtonsoft.Json.Linq.J"):  # a token enumerates tokens
        return (_JTOKEN,)
    return None


# the value types an array's element name may be (their arrays are not covariant)
_VALUE_NAMES = frozenset(
    f"System.{name}"
    for name in (
        *("Boolean", "Char", "SByte", "Byte", "Int16", "UInt16", "Int32", "UInt32", "Int64"),
        *("UInt64", "Single", "Double", "Decimal", "DateTime", "DateTimeOffset", "TimeSpan"),
        "Guid",
    )
)


def _value_name(name: str) -> bool:
    return name in _VALUE_NAMES


def _named(ref: CsTypeRef, name: str) -> bool:
    return ref.name == name


def _fits(have: CsTypeRef, want: CsTypeRef, variant: bool) -> bool:
    """An element type `have` where `want` is asked: the same, or for a covariant interface a
    reference type converting to it (to object; a JToken to JToken)."""
    if have.name == want.name:
        return True
    if not variant or have.is_value_type or want.is_value_type:
        return False
    return (
        want.name == "System.Object"
        or not want.classes
        or not have.classes
        or any(issubclass(a, b) for a in have.classes for b in want.classes)
    )


__all__ = ["implements"]
