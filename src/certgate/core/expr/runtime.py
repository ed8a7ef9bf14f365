"""Helpers the generated code calls: member access, calls, indexers, checked truth values.

Generated code reaches values only through these functions (bound under short names by
`compiler.HELPERS`). Each resolves members through `members.table_for`, so nothing outside a
class's allow-list is reachable. The fast paths are two dict lookups; errors take the slow path,
which also produces the .NET exception.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from . import exceptions as exc
from .arrays import CsArray
from .linq import LINQ_METHODS
from .members import table_for
from .types import CsTypeRef

# type -> {name: getter} / {name: method}; filled lazily from the member tables
_PROPS: dict[type, dict[str, Any]] = {}
_METHODS: dict[type, dict[str, Any]] = {}


def _load(cls: type) -> bool:
    table = table_for(cls)
    if table is None:
        return False
    _PROPS[cls] = table.props
    _METHODS[cls] = table.methods
    return True


def _type_name(obj: object) -> str:
    table = table_for(type(obj))
    return exc.clr_name(obj) if table is None else table.cs_type


def get(obj: object, name: str) -> object:
    """`obj.Name` for a property/field."""
    try:
        getter = _PROPS[type(obj)][name]
    except KeyError:
        if obj is None:
            raise exc.null_reference() from None
        if type(obj) not in _PROPS and _load(type(obj)):
            return get(obj, name)
        raise exc.unsupported_member(name, _type_name(obj)) from None
    return getter(obj)


def call(obj: object, name: str, *args: object, **named: object) -> object:
    """`obj.Name(args)`; `named` are C# named arguments (`preserveContent: true`)."""
    try:
        method = _METHODS[type(obj)][name]
    except KeyError:
        if obj is None:
            if name == "AsEnumerable" and not args and not named:
                return None  # the one that does not: `return source;`
            if name in LINQ_METHODS:  # extension methods check their `source` argument
                raise exc.argument_null("source") from None
            raise exc.null_reference() from None
        if type(obj) not in _METHODS and _load(type(obj)):
            return call(obj, name, *args, **named)
        raise exc.unsupported_member(name, _type_name(obj)) from None
    if named:
        check_named(method, name, (obj, *args), named)
    return method(obj, *args, **named)


def check_named(
    method: Callable[..., object], name: str, args: tuple[object, ...], named: dict[str, object]
) -> None:
    """A named argument our implementation does not take under that name is a limitation of
    ours (refused, uncatchable), never a silently different call."""
    try:
        inspect.signature(method).bind(*args, **named)
    except (TypeError, ValueError):
        raise exc.ExpressionRuntimeError(
            "NotSupportedException",
            f"not supported yet: named argument(s) {', '.join(named)} of '{name}'",
        ) from None


def call_generic(
    obj: object, name: str, type_args: tuple[CsTypeRef, ...], *args: object, **named: object
) -> object:
    """`obj.Name<T>(args)`; only methods declared generic accept type arguments."""
    if obj is None:
        if name == "Value" and not args:  # Json.NET's extension `Value<U>(this source)`
            raise exc.argument_null("value")
        raise exc.null_reference()
    table = table_for(type(obj))
    if table is None or name not in table.generic:
        raise exc.unsupported_member(name, _type_name(obj))
    method = table.methods[name]
    if named:
        check_named(method, name, (obj, *args), {**named, "type_args": type_args})
    return method(obj, *args, type_args=type_args, **named)


def call_out(obj: object, name: str, outs: int, *args: object) -> tuple[object, ...]:
    """`obj.Name(args, out a, ...)`; returns (result, out values...)."""
    if obj is None:
        if name in LINQ_METHODS:  # `TryGetNonEnumeratedCount` checks its `source` argument
            raise exc.argument_null("source")
        raise exc.null_reference()
    table = table_for(type(obj))
    if table is None or table.out_methods.get(name) != outs:
        raise exc.unsupported_member(name, _type_name(obj))
    result = table.out_overloads.get(name, table.methods[name])(obj, *args)
    if not isinstance(result, tuple) or len(result) != outs + 1:
        raise exc.invalid_operation(f"'{name}' did not return its out values")
    return result


def index(obj: object, *keys: object) -> object:
    """`obj[keys]`."""
    if obj is None:
        raise exc.null_reference()
    table = table_for(type(obj))
    if table is None or table.indexer is None:
        raise exc.ExpressionRuntimeError(
            "NotSupportedException",
            f"Cannot apply indexing with [] to an expression of type '{_type_name(obj)}'",
        )
    return table.indexer(obj, *keys)


def truth(value: object) -> bool:
    """A value used as a C# bool (condition, `!`, `&&`, `||`) when its type is not known."""
    if value is True or value is False:
        return value
    if value is None:
        raise exc.no_value()
    raise exc.invalid_cast(value, "System.Boolean")


def cast(value: object, target: CsTypeRef) -> object:
    """Reference conversion / unboxing `(T)value`: the value must already be a T, unless a
    user-defined conversion applies (`(int)xElement`, `(XName)"a"`)."""
    if value is not None and not target.accepts(value):
        explicit = getattr(type(value), "cs_explicit", None)
        if explicit is not None:
            return explicit(value, target)
        if type(value) is str and target.classes:
            implicit = getattr(target.classes[0], "cs_implicit", None)
            if implicit is not None:
                return implicit(value)
    return unbox(value, target)


def unbox(value: object, target: CsTypeRef) -> object:
    """`(T)value` of an `object` (`(string)context.Variables["v"]`): C# applies no user-defined
    conversion to one, so a JValue or an XElement is no string; a boxed int is an enum's."""
    if target.accepts(value):
        return value
    if value is None:
        raise exc.null_reference()
    if type(value) is int and target.classes:  # `(StringComparison)4`
        from_integer = getattr(target.classes[0], "cs_from_integer", None)
        if from_integer is not None:
            return from_integer(value)
    raise exc.invalid_cast(value, target.name)


def is_type(value: object, target: CsTypeRef) -> bool:
    return value is not None and target.accepts(value)


class _Deferred:
    """An exception raised while precomputing a hoisted value; re-raised at its first use."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


def precompute(thunk: Callable[[], object]) -> object:
    try:
        return thunk()
    except Exception as error:
        return _Deferred(error)


def hoisted(value: object) -> object:
    if type(value) is _Deferred:
        raise value.error
    return value


def array(*items: object) -> CsArray:
    return CsArray(items)
