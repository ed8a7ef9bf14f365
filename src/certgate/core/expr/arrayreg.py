"""Registers `System.Array`'s static members beyond the first ones `bcl` registers (searching
backwards, sorting, `Fill`/`Clear`, `ConvertAll`, `ForEach`, `AsReadOnly`), with their result
types: `FindAll` gives the array's own type, `Find`/`FindLast` its element type.

`Resize` (a `ref` argument) and `CreateInstance` (a `System.Type`) stay "not supported yet".
"""

from __future__ import annotations

from collections.abc import Callable

from . import arraystatics as a
from . import bcl  # noqa: F401  (registers System.Array, whose statics are extended here)
from .readonly import CsReadOnlyCollection
from .static import BOOL, INT, UNKNOWN, SType, array_of, class_stype
from .typenames import IMPLEMENTED, StaticMember, TypeInfo, register


def _array_arg(args: tuple[SType, ...]) -> SType:
    first = args[0] if args else UNKNOWN
    return first if first.name.endswith("[]") else array_of(UNKNOWN)


def _element(args: tuple[SType, ...]) -> SType:
    return _array_arg(args).element or UNKNOWN


def _read_only(args: tuple[SType, ...]) -> SType:
    stype = class_stype(CsReadOnlyCollection)
    return SType(stype.name, stype.py, element=_element(args))


def _converted(args: tuple[SType, ...]) -> SType:
    """`Array.ConvertAll(array, x => ...)`: an array of what the lambda returns (its marker from
    `lambdatypes.lambda_result`)."""
    converter = args[1] if len(args) == 2 else UNKNOWN
    return array_of(
        converter.element if converter.name == "<lambda>" and converter.element else UNKNOWN
    )


def _typed(fn: Callable[..., object], typer: Callable[[tuple[SType, ...]], SType]) -> StaticMember:
    return StaticMember(fn, UNKNOWN, typer=typer, arg_types=True)


def _plain(fn: Callable[..., object], result: SType) -> StaticMember:
    return StaticMember(fn, result)


_MORE = {
    "AsReadOnly": _typed(a.as_read_only, _read_only),
    "BinarySearch": _plain(a.binary_search, INT),
    "Clear": StaticMember(a.clear, UNKNOWN, arg_types=True),
    "ConstrainedCopy": _plain(a.constrained_copy, UNKNOWN),
    "ConvertAll": StaticMember(a.convert_all, UNKNOWN, typer=_converted),
    "Exists": _plain(a.exists, BOOL),
    "Fill": _plain(a.fill, UNKNOWN),
    "Find": _typed(a.find, _element),
    "FindAll": StaticMember(a.find_all, UNKNOWN, typer=_array_arg),
    "FindLast": _typed(a.find_last, _element),
    "FindLastIndex": _plain(a.find_last_index, INT),
    "ForEach": _plain(a.for_each, UNKNOWN),
    "LastIndexOf": _plain(a.last_index_of, INT),
    "Sort": _plain(a.sort, UNKNOWN),
}

_INFO = IMPLEMENTED["System.Array"]
register(TypeInfo(_INFO.full_name, _INFO.stype, _INFO.ref, {**_INFO.statics, **_MORE}, _INFO.ctor))
