"""`System.Tuple`: `Tuple.Create(...)` with 1 to 8 items, `Item1` … `Item7`, `Rest`, structural
`Equals` and `ToString()` ("(1, a)").

One class per arity (`Tuple<T1, T2>` is `System.Tuple`2`), so that `Tuple.Create(1, 2).Item3` is
refused at load. The items' type arguments are not kept: two tuples are equal when their items
are, where .NET also wants the same type arguments (`Tuple.Create((object)1).Equals(
Tuple.Create(1))` is false there). The compiler knows the items' static types (the type
arguments, or those of `Tuple.Create`'s arguments), so `(int)t.Item1` of a `double` item converts.

`new Tuple<int, string>(1, "a")` and `Tuple<int, string>` as a declared type (`generic_tuple`,
one of the compiler's generic types): the constructor checks its arguments against the type
arguments when it runs (csc refuses a mismatch when the policy is saved) and widens an integer
given for a `double` item, so that `Item1 / 4` divides as C# does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from . import exceptions as exc
from .collections import value_equals
from .static import UNKNOWN, SType
from .strings import to_string
from .typenames import IMPLEMENTED, StaticMember, TypeInfo, register
from .types import CsObject, CsTypeRef


def _members(arity: int) -> frozenset[str]:
    items = {f"Item{i}" for i in range(1, min(arity, 7) + 1)}
    return frozenset(items | {"Equals", "ToString"} | ({"Rest"} if arity == 8 else set()))


class CsTuple(CsObject):
    """A `Tuple<...>`; the subclass fixes the arity (and the members). Each subclass names
    `Equals` itself: `collections.value_equals` (nested tuples, `List.Contains`) looks for it in
    the class's own namespace."""

    __slots__ = ("_items",)
    CS_TYPE = "System.Tuple"
    ARITY: ClassVar[int] = 0

    def __init__(self, *items: object) -> None:
        self._items = items  # for 8 items the last one is `Rest`, a Tuple1

    @property
    def Item1(self) -> object:
        return self._items[0]

    @property
    def Item2(self) -> object:
        return self._items[1]

    @property
    def Item3(self) -> object:
        return self._items[2]

    @property
    def Item4(self) -> object:
        return self._items[3]

    @property
    def Item5(self) -> object:
        return self._items[4]

    @property
    def Item6(self) -> object:
        return self._items[5]

    @property
    def Item7(self) -> object:
        return self._items[6]

    @property
    def Rest(self) -> Tuple1:
        rest = self._items[7]
        assert isinstance(rest, Tuple1)
        return rest

    def flat(self) -> tuple[object, ...]:
        """The items, with those of `Rest` in its place (how ToString shows them)."""
        if len(self._items) == 8:
            return self._items[:7] + self.Rest.flat()
        return self._items

    def equality_key(self) -> tuple[object, ...]:
        """Dictionary keys, HashSet, Distinct: tuples hash by their items (`keys.hash_key`)."""
        return self._items

    def Equals(self, other: object) -> bool:
        if not isinstance(other, CsTuple) or type(other) is not type(self):
            return False
        return all(value_equals(a, b) for a, b in zip(self._items, other._items, strict=True))

    def ToString(self) -> str:
        return "(" + ", ".join(to_string(item) for item in self.flat()) + ")"


class Tuple1(CsTuple):
    __slots__ = ()
    CS_TYPE = "System.Tuple`1"
    CS_MEMBERS = _members(1)
    ARITY = 1
    Equals = CsTuple.Equals


class Tuple2(CsTuple):
    __slots__ = ()
    CS_TYPE = "System.Tuple`2"
    CS_MEMBERS = _members(2)
    ARITY = 2
    Equals = CsTuple.Equals


class Tuple3(CsTuple):
    __slots__ = ()
    CS_TYPE = "System.Tuple`3"
    CS_MEMBERS = _members(3)
    ARITY = 3
    Equals = CsTuple.Equals


class Tuple4(CsTuple):
    __slots__ = ()
    CS_TYPE = "System.Tuple`4"
    CS_MEMBERS = _members(4)
    ARITY = 4
    Equals = CsTuple.Equals


class Tuple5(CsTuple):
    __slots__ = ()
    CS_TYPE = "System.Tuple`5"
    CS_MEMBERS = _members(5)
    ARITY = 5
    Equals = CsTuple.Equals


class Tuple6(CsTuple):
    __slots__ = ()
    CS_TYPE = "System.Tuple`6"
    CS_MEMBERS = _members(6)
    ARITY = 6
    Equals = CsTuple.Equals


class Tuple7(CsTuple):
    __slots__ = ()
    CS_TYPE = "System.Tuple`7"
    CS_MEMBERS = _members(7)
    ARITY = 7
    Equals = CsTuple.Equals


class Tuple8(CsTuple):
    __slots__ = ()
    CS_TYPE = "System.Tuple`8"
    CS_MEMBERS = _members(8)
    ARITY = 8
    Equals = CsTuple.Equals


_BY_ARITY: dict[int, type[CsTuple]] = {
    cls.ARITY: cls for cls in (Tuple1, Tuple2, Tuple3, Tuple4, Tuple5, Tuple6, Tuple7, Tuple8)
}
TUPLES = _BY_ARITY


def create(*items: object) -> CsTuple:
    """`Tuple.Create(item1, ...)`; the eighth item becomes `Rest = Tuple.Create(item8)`."""
    cls = _BY_ARITY.get(len(items))
    if cls is None:  # C# has no such overload; csc would refuse the policy
        raise exc.ExpressionRuntimeError(
            "ArgumentException", f"No overload for method 'Create' takes {len(items)} arguments"
        )
    if len(items) == 8:
        return cls(*items[:7], Tuple1(items[7]))
    return cls(*items)


def _create_type(args: tuple[SType, ...]) -> SType:
    """`Tuple.Create(a, b)` is a `Tuple<A, B>` of the arguments' static types."""
    cls = _BY_ARITY.get(len(args))
    if cls is None:
        return UNKNOWN
    if len(args) == 8:  # the eighth item is `Rest`'s only one
        args = (*args[:7], SType(Tuple1.CS_TYPE, Tuple1, args=args[7:]))
    return SType(cls.CS_TYPE, cls, args=args)


def generic_tuple(display: str, args: tuple[TypeInfo, ...]) -> TypeInfo:
    """`Tuple<T1, ...>` with 1 to 8 type arguments (the eighth, `TRest`, must be a tuple)."""
    cls = _BY_ARITY[len(args)]
    refs = tuple(arg.ref or CsTypeRef("System.Object", ()) for arg in args)
    ctor = _constructor(display, cls, refs)
    stype = SType(display, cls, args=tuple(arg.stype for arg in args))
    return TypeInfo(display, stype, _TupleRef(display, (cls,), refs=refs), ctor=ctor)


@dataclass(frozen=True, slots=True)
class _TupleRef(CsTypeRef):
    """`is`/`as`/casts to `Tuple<...>`: a tuple keeps no type arguments, so its items are tested
    (`Tuple<object>` and `Tuple<string>` holding a string both match, unlike .NET)."""

    refs: tuple[CsTypeRef, ...] = ()

    def accepts(self, value: object) -> bool:
        if value is None or not isinstance(value, self.classes):
            return value is None
        assert isinstance(value, CsTuple)
        return all(ref.accepts(item) for ref, item in zip(self.refs, value._items, strict=True))


def _constructor(
    display: str, cls: type[CsTuple], refs: tuple[CsTypeRef, ...]
) -> Callable[..., CsTuple]:
    def construct(*values: object) -> CsTuple:
        if len(values) != len(refs):
            raise exc.ExpressionRuntimeError(
                "ArgumentException",
                f"'{display}' does not contain a constructor that takes {len(values)} arguments",
            )
        items = tuple(_item(ref, value) for ref, value in zip(refs, values, strict=True))
        if len(items) == 8 and not isinstance(items[7], CsTuple):
            raise exc.ExpressionRuntimeError(
                "ArgumentException", "The last element of an eight element tuple must be a Tuple."
            )
        return cls(*items)

    return construct


def _item(ref: CsTypeRef, value: object) -> object:
    if ref.name == "System.Double" and type(value) is int:
        return float(value)  # int -> double, C#'s implicit conversion
    if not ref.accepts(value):
        raise exc.invalid_cast(value, ref.name)
    return value


_INFO = TypeInfo(
    "System.Tuple", UNKNOWN, None, {"Create": StaticMember(create, UNKNOWN, typer=_create_type)}
)
if _INFO.full_name not in IMPLEMENTED:
    register(_INFO)
