"""Equality, hashing and ordering of runtime values, as .NET's default comparers see them.

`hash_key` turns a value into a Python dict key that is equal exactly when .NET's
`EqualityComparer<T>.Default` (or a `StringComparer`) calls two values equal: `1` and `true` stay
apart, value types compare by value, other objects by reference. `compare` is
`Comparer<T>.Default`; strings compare culture-aware there (`List<string>.Sort()`, `OrderBy`),
as `string.Compare` does (`strings.compare_culture`: accents after letters, case last).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable

from . import exceptions as exc
from .strings import compare_culture, fold
from .types import CsChar, CsObject, CsValue


class _Identity:
    """Dict key for a reference type: identity equality (keeps the object alive)."""

    __slots__ = ("obj",)

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Identity) and other.obj is self.obj

    def __hash__(self) -> int:
        return id(self.obj)


def ignores_case(comparer: object) -> bool:
    """Whether an equality comparer argument (a StringComparer, or null) ignores case."""
    return bool(getattr(comparer, "ignore_case", False))


def contains_by(items: Iterable[object], value: object, comparer: object) -> bool:
    """LINQ's `Contains(value, comparer)` with a StringComparer (case folded when it ignores
    case)."""
    ignore_case = ignores_case(comparer)
    key = hash_key(value, ignore_case)
    return any(hash_key(item, ignore_case) == key for item in items)


def hash_key(value: object, ignore_case: bool = False) -> object:
    kind = type(value)
    if kind is str:
        return (str, fold(value) if ignore_case else value)  # type: ignore[arg-type]
    if kind in (int, float, bool, CsChar) or value is None:
        return (kind, value)
    if isinstance(value, CsValue):
        return (kind, value.value_key())
    key = getattr(value, "equality_key", None)  # anonymous types, KeyValuePair: by value
    if key is not None and isinstance(value, CsObject):
        return (kind, tuple(hash_key(part) for part in key()))
    return _Identity(value)


def compare_strings(a: str, b: str) -> int:
    """The invariant culture's order (what `string.Compare(a, b)` gives)."""
    return compare_culture(a, b)


def compare(a: object, b: object) -> int:
    """`Comparer<object>.Default.Compare(a, b)`; null sorts first."""
    if a is None or b is None:
        return 0 if a is b else (-1 if a is None else 1)
    ta, tb = type(a), type(b)
    if ta is str and tb is str:
        return compare_strings(a, b)  # type: ignore[arg-type]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and ta is not bool:
        nan_a, nan_b = math.isnan(a), math.isnan(b)
        if nan_a or nan_b:  # NaN sorts before every number (double.CompareTo)
            return nan_b - nan_a
        return (a > b) - (a < b)
    if ta is tb and isinstance(a, CsChar) and isinstance(b, CsChar):
        return (a.value > b.value) - (a.value < b.value)
    if ta is tb and isinstance(a, bool) and isinstance(b, bool):
        return int(a) - int(b)
    if ta is tb and isinstance(a, CsValue) and isinstance(b, CsValue):
        x, y = a.value_key(), b.value_key()
        return (x > y) - (x < y)
    if ta is tb and isinstance(a, CsObject) and "CompareTo" in a.CS_MEMBERS:  # IComparable
        result: int = a.CompareTo(b)  # type: ignore[attr-defined]  # (JValue)
        return (result > 0) - (result < 0)
    raise exc.ExpressionRuntimeError(
        "InvalidOperationException",
        "Failed to compare two elements in the array.",
    )


sort_key = functools.cmp_to_key(compare)
