"""Argument counts against .NET's overloads (csc's CS1501/CS1729), checked when a policy loads.

`netoverloads.OVERLOADS` gives, per allowed type and member, the argument counts its public
overloads take (from Mono's class libraries). A call is refused only when no overload takes its
count, the name is no extension method (LINQ, Json.NET's and LINQ to XML's extensions add
overloads under the same names), and certgate's own implementation would not take it either
(it may know a .NET 8 overload Mono's libraries lack).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import cache

from .netoverloads import OVERLOADS

_EXTENSION_TYPES = (
    "System.Linq.Enumerable",
    "Newtonsoft.Json.Linq.Extensions",
    "System.Xml.Linq.Extensions",
)
_EXTENSIONS = frozenset(
    member.removeprefix("static ")
    for type_name, member in OVERLOADS
    if type_name in _EXTENSION_TYPES
)


def net_type(name: str) -> str:
    """The reflection name of a static type's name (`List<System.Int32>` -> ``List`1``)."""
    if "<" not in name:
        return name
    base, _, args = name.partition("<")
    depth, count = 0, 1
    for ch in args[:-1]:
        depth += ch == "<"
        depth -= ch == ">"
        count += ch == "," and depth == 0
    return f"{base}`{count}"


def refuses(
    type_name: str, member: str, count: int, implementation: object, *, bound: bool
) -> bool:
    """True when no .NET overload of `type_name.member` (a `static ` prefix for statics,
    `.ctor`) takes `count` arguments and certgate's `implementation` does not either."""
    ranges = OVERLOADS.get((net_type(type_name), member))
    if ranges is None or member in _EXTENSIONS:  # `x.Max()` may be LINQ's; `Math.Max` not
        return False
    if any(low <= count and (high < 0 or count <= high) for low, high in ranges):
        return False
    if not callable(implementation):
        return True
    low, high = _python_range(implementation, bound)
    return not low <= count <= high


@cache
def _python_range(function: Callable[..., object], bound: bool) -> tuple[int, int]:
    """(fewest, most) positional arguments a Python callable takes."""
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return (0, 1 << 30)  # cannot tell: accept any count
    if bound and parameters:
        parameters = parameters[1:]  # the receiver
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return (0, 1 << 30)  # a dispatcher over several overloads: any count may be one
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return sum(p.default is p.empty for p in positional), len(positional)
