"""How csc binds Json.NET's LINQ extension methods (`Newtonsoft.Json.Linq.Extensions`) on a token
or a sequence of tokens: which receivers and type arguments each takes. A sequence of tokens
(`SelectTokens(p)`, `Properties()`, a `List<JToken>`) runs them as a `JEnumerable` does.

Each `*_error` function returns csc's message, or None when the call binds.
"""

from __future__ import annotations

import inspect

from .collections import KeyValuePair
from .jobject import JObject
from .jtoken import JEnumerable, JToken
from .linq import LINQ_METHODS
from .members import JSON_TOKENS
from .static import SType, class_stype, cs_name
from .syntax import Arg, Lambda

_JOBJECT = "Newtonsoft.Json.Linq.JObject"
# the extensions a sequence of tokens runs as a JEnumerable (Ancestors/Descendants: see below)
EXTENSIONS = frozenset(
    {"Values", "Value", "Children", "Properties", "AsJEnumerable"}
    | {"Ancestors", "AncestorsAndSelf", "Descendants", "DescendantsAndSelf"}
)
# generic in LINQ to XML too: C# 7 keeps the candidate whose constraint fails (CS0121)
_AMBIGUOUS = frozenset({"Ancestors", "Descendants"})
# `Value<T, U>`, `Children<T, U>`, and on a sequence `Children<T>` / `AsJEnumerable<T>`: T is
# the receiver's element type (`this IEnumerable<T> source where T : JToken`)
_NON_GENERIC = frozenset({"Cast", "OfType"})  # LINQ's methods on a non-generic IEnumerable
_ELEMENT_TYPE_ARGUMENT = frozenset({"Value", "Children", "AsJEnumerable"})


def is_sequence(receiver: SType) -> bool:
    """A sequence of tokens that is not a token itself (a token has its own methods)."""
    if receiver.name in JSON_TOKENS:
        return False
    element = receiver.element
    return receiver.py is JEnumerable or (element is not None and element.name in JSON_TOKENS)


def enumerates_pairs(stype: SType) -> bool:
    """What `foreach` walks as KeyValuePairs when it is a JObject: a JObject static type (its
    own GetEnumerator) or an interface of KeyValuePairs (`IDictionary<string, JToken>`)."""
    return stype.py is JObject or _pairs_interface(stype)


def _pairs_interface(stype: SType) -> bool:
    element = stype.element
    return stype.py is None and element is not None and element.py is KeyValuePair


def linq_pairs(receiver: SType, name: str, source: SType | None) -> bool:
    """Does LINQ's `name` on the receiver enumerate a JObject's KeyValuePairs? It does for an
    interface of pairs, or a TSource given as one (OfType takes the non-generic IEnumerable,
    which gives its properties; Cast<T> too, unless the source is an IEnumerable<T>)."""
    if name == "Cast":  # `Cast<T>()` of an IEnumerable<T> enumerates that
        return source is not None and source.py is KeyValuePair
    if name not in LINQ_METHODS or name in _NON_GENERIC:
        return False
    if source is not None:  # TSource given (the receiver is typed by it: see translate)
        return source.py is KeyValuePair
    return _pairs_interface(receiver)


def linq_error(receiver: SType, name: str, args: tuple[Arg, ...]) -> str | None:
    """csc's CS0411 for LINQ on a JObject without type arguments: it is an IEnumerable<JToken>
    and an IEnumerable<KeyValuePair<string, JToken>>, so TSource cannot be inferred from it,
    nor from a lambda; another argument may tell it (`o.Concat(tokens)`)."""
    if receiver.py is not JObject or name not in LINQ_METHODS:
        return None
    if any(not isinstance(arg.value, Lambda) for arg in args):
        return None
    if name in _NON_GENERIC or inspect.isfunction(inspect.getattr_static(JObject, name, None)):
        return None  # its own method (a property such as `Count` is not invoked)
    return (
        f"The type arguments for method 'Enumerable.{name}<TSource>' cannot be inferred from "
        "the usage. Try specifying the type arguments explicitly"
    )


def _element(receiver: SType) -> SType | None:
    """The token type the receiver enumerates (a token and `Children()` enumerate JTokens)."""
    if receiver.name in JSON_TOKENS or (receiver.py is JEnumerable and receiver.element is None):
        return class_stype(JToken)
    return receiver.element


def _derives(element: SType, base: SType) -> bool:
    return (
        isinstance(element.py, type)
        and isinstance(base.py, type)
        and issubclass(element.py, base.py)
    )


def sequence_error(receiver: SType, name: str, qualified: bool = False) -> str | None:
    """csc's error for the extension `name` on a sequence of tokens (`qualified`: called as
    `Newtonsoft.Json.Linq.Extensions.name(source)`, which nothing else can mean)."""
    element = _element(receiver)
    if name in _AMBIGUOUS and not qualified:
        return (
            "The call is ambiguous between the following methods or properties: "
            f"'Newtonsoft.Json.Linq.Extensions.{name}<T>(IEnumerable<T>)' and "
            f"'System.Xml.Linq.Extensions.{name}<T>(IEnumerable<T>)'"
        )
    if name == "Properties" and (element is None or element.name != _JOBJECT):
        return _receiver_error(receiver, "Properties(IEnumerable<JObject>)", "JObject")
    descendants = name in ("Descendants", "DescendantsAndSelf")
    if descendants and element is not None and element.py is not None:
        from .jcontainer import JContainer  # noqa: PLC0415 - import cycle

        if not _derives(element, class_stype(JContainer)):  # `where T : JContainer`
            return (
                f"The type '{cs_name(element)}' cannot be used as type parameter 'T' in the "
                f"generic type or method 'Extensions.{name}<T>(IEnumerable<T>)'. "
                f"There is no implicit reference conversion from '{cs_name(element)}' to "
                "'JContainer'"
            )
    return None


def binds_type_arguments(receiver: SType, name: str, count: int) -> bool:
    """Is `receiver.name<T, ...>()` the extension whose first type argument is the element type?"""
    if name not in _ELEMENT_TYPE_ARGUMENT:
        return False
    if count == 2:
        return name != "AsJEnumerable"
    return count == 1 and name != "Value" and is_sequence(receiver)


def type_argument_error(receiver: SType, name: str, wanted: SType, arguments: int) -> str | None:
    """csc's error for `receiver.name<wanted, ...>(arguments)`, where `wanted` is the T of
    `this IEnumerable<T> source where T : JToken`."""
    if name == "Value" and arguments:
        return f"No overload for method 'Value' takes {arguments} arguments"
    if wanted.name not in JSON_TOKENS:
        return (
            f"The type '{cs_name(wanted)}' cannot be used as type parameter 'T' in the generic "
            f"type or method 'Extensions.{name}<T>(IEnumerable<T>)'. There is no implicit "
            f"reference conversion from '{cs_name(wanted)}' to 'JToken'"
        )
    element = _element(receiver)
    if element is None or not isinstance(element.py, type):  # not known: not refused
        return None
    if not _derives(element, wanted):
        return _receiver_error(receiver, f"{name}<T>(IEnumerable<T>)", cs_name(wanted))
    return None


def _receiver_error(receiver: SType, method: str, element: str) -> str:
    name = method.split("<", maxsplit=1)[0].split("(", maxsplit=1)[0]
    return (
        f"'{cs_name(receiver)}' does not contain a definition for '{name}' and the best "
        f"extension method overload 'Extensions.{method}' requires a receiver of type "
        f"'IEnumerable<{element}>'"
    )


__all__ = [
    "EXTENSIONS",
    "binds_type_arguments",
    "enumerates_pairs",
    "is_sequence",
    "linq_error",
    "linq_pairs",
    "sequence_error",
    "type_argument_error",
]
