"""`System.Nullable`'s statics `Compare<T>(T?, T?)` and `Equals<T>(T?, T?)` (`bcl` registers
them); `GetUnderlyingType` takes a `System.Type`, outside the allow-list.

A null sorts before any value and equals only null. Two values compare as .NET's
`Comparer<T>.Default` / `EqualityComparer<T>.Default` do, through T's own `CompareTo(T)` /
`Equals(T)`: the difference for byte, sbyte, short, ushort and char, NaN first (and equal to
NaN) for double. Every integral type is a Python int, so T comes from the type argument or, when
C# infers it, from the arguments' static types (`arg_types`); an integer argument becomes the
decimal or float T is, as C#'s implicit conversion makes it.
"""

from __future__ import annotations

from . import keys, ops, runtime, scalars
from .collections import value_equals
from .decimals import CsDecimal
from .members import table_for
from .singles import CsSingle
from .static import BOOL, INT, SType
from .typenames import IMPLEMENTED, OverloadRefused, StaticMember, TypeInfo
from .types import CsTypeRef

_NOT_A_TYPE = frozenset({"<null>", "System.Object"})


def _element(type_args: tuple[CsTypeRef, ...], arg_types: tuple[str, ...]) -> SType | None:
    """The static type of T: the type argument, else the first argument's that is known."""
    names = [type_args[0].name] if type_args else [n for n in arg_types if n not in _NOT_A_TYPE]
    info = IMPLEMENTED.get(names[0]) if names else None
    return None if info is None else info.stype


def _as(element: SType | None, value: object) -> object:
    """An argument as T: `Nullable.Compare<decimal>(d, 2)` compares with 2m."""
    if (
        element is not None
        and element.py in (CsDecimal, CsSingle)
        and type(value) is not element.py
    ):
        return ops.convert(value, element.name)
    return value


def compare(
    n1: object,
    n2: object,
    *,
    type_args: tuple[CsTypeRef, ...] = (),
    arg_types: tuple[str, ...] = (),
) -> object:
    """`Nullable.Compare(n1, n2)`."""
    if n1 is None or n2 is None:
        return (n1 is not None) - (n2 is not None)
    element = _element(type_args, arg_types)
    n1, n2 = _as(element, n1), _as(element, n2)
    typed = None if element is None else scalars.comparison("CompareTo", element, element, None)
    if typed is not None:
        return typed(n1, n2)
    table = table_for(type(n1))
    if table is not None and "CompareTo" in table.methods:  # char's is the difference
        return runtime.call(n1, "CompareTo", n2)
    return keys.compare(n1, n2)  # DateTime, enums: not allow-listed, -1/0/1 by value


def equals(
    n1: object,
    n2: object,
    *,
    type_args: tuple[CsTypeRef, ...] = (),
    arg_types: tuple[str, ...] = (),
) -> object:
    """`Nullable.Equals(n1, n2)`."""
    if n1 is None or n2 is None:
        return n1 is n2
    element = _element(type_args, arg_types)
    n1, n2 = _as(element, n1), _as(element, n2)
    typed = None if element is None else scalars.comparison("Equals", element, element, None)
    return value_equals(n1, n2) if typed is None else typed(n1, n2)


def _static(fn: object, result: SType, name: str) -> StaticMember:
    def inferred(args: tuple[SType, ...]) -> SType:
        """C# infers T of `T?` only from an argument that is a `T?` (csc: CS0411); `Equals`
        also has object's `Equals(object, object)`."""
        if name == "Compare" and all(a.known for a in args) and not any(a.nullable for a in args):
            raise OverloadRefused(
                "The type arguments for method 'Nullable.Compare<T>(T?, T?)' cannot be inferred "
                "from the usage. Try specifying the type arguments explicitly"
            )
        return result

    return StaticMember(
        fn, result, generic=True, arg_types=True, of_type_arg=lambda _: result, typer=inferred
    )


NULLABLE = TypeInfo(
    "System.Nullable",
    SType("System.Nullable", None),
    None,
    {"Compare": _static(compare, INT, "Compare"), "Equals": _static(equals, BOOL, "Equals")},
)
