"""Arguments against .NET's overloads (csc's CS1501/CS1729/CS1503), checked when a policy loads.

`netoverloads.OVERLOADS` gives, per allowed type and member, the argument counts and parameter
kinds of its public overloads (from Mono's class libraries). A call is refused when no overload
takes its count and certgate's own implementation would not take it either (it may know a .NET
8 overload Mono's libraries lack), or when no overload of that count takes the string, bool,
char, number or null it is given (CS1503: `"abc".IndexOf(1)`, `Math.Round(1.5, "2")`); never
when the name is also an extension method (LINQ, Json.NET's and LINQ to XML's extensions add
overloads under the same names).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import cache

from .netoverloads import DATA, ENUMS

Overload = tuple[int, int, str]  # fewest and most arguments (-1: any), parameter kinds


def _parse() -> dict[tuple[str, str], tuple[Overload, ...]]:
    """`netoverloads.DATA` by (type, member): `static Name` for a static method, `.ctor`."""
    table: dict[tuple[str, str], tuple[Overload, ...]] = {}
    for line in DATA.split():
        type_name, member, overloads = line.split("|")
        key = "static " + member[1:] if member.startswith("=") else member
        parsed = (entry.split(":") for entry in overloads.split(","))
        table[(type_name, key)] = tuple((int(low), int(high), kinds) for low, high, kinds in parsed)
    return table


OVERLOADS = _parse()


def _parse_enums() -> dict[tuple[str, str, int], frozenset[str]]:
    """`netoverloads.ENUMS`: the enums an overload's parameter `index` takes, by (type, member
    as `OVERLOADS` keys it, index)."""
    table: dict[tuple[str, str, int], set[str]] = {}
    for line in ENUMS.split():
        type_name, member, index, enum = line.split("|")
        key = "static " + member[1:] if member.startswith("=") else member
        table.setdefault((type_name, key, int(index)), set()).add(enum)
    return {key: frozenset(names) for key, names in table.items()}


_ENUMS = _parse_enums()

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


# extension methods whose generic parameter the receiver fixes: LINQ's `Contains<char>(char[,
# comparer])` on a string, where C# infers TSource from the receiver (`"a".Contains(1)` is
# refused: an int is no char)
_BOUND_EXTENSIONS: dict[tuple[str, str], tuple[Overload, ...]] = {
    ("System.String", "Contains"): ((1, 1, "C"), (2, 2, "CO")),
}


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
    overloads = OVERLOADS.get((net_type(type_name), member))
    if overloads is None or member in _EXTENSIONS:  # `x.Max()` may be LINQ's; `Math.Max` not
        return False
    if any(_takes(overload, count) for overload in overloads):
        return False
    if not callable(implementation):
        return True
    low, high = _python_range(implementation, bound)
    return not low <= count <= high


def mismatch(type_name: str, member: str, args: list[str | None]) -> bool:
    """True when every .NET overload that takes as many arguments has a parameter that cannot
    take its argument. `args` gives each argument's kind as `netoverloads` spells parameters
    (S, B, C, N, R, H, A; "0" for the constant zero, "null" for the literal) or None where
    certgate does not judge it (objects, unknown types: an implicit conversion may exist)."""
    overloads = OVERLOADS.get((net_type(type_name), member))
    bound = _BOUND_EXTENSIONS.get((type_name, member))
    if overloads is None or all(a is None for a in args):
        return False
    if member in _EXTENSIONS and bound is None:
        return False
    fitting = [o for o in overloads + (bound or ()) if _takes(o, len(args))]
    return bool(fitting) and not any(_accepts(o[2], args) for o in fitting)


def zero_enums(type_name: str, member: str, args: list[str | None]) -> dict[int, str | None]:
    """Where the constant 0 (kind "0") can only be an enum (`"a".Equals("b", 0)`: every
    overload that takes the arguments has an enum parameter there), the enum's full name (None:
    several enums share the place). C# prefers a number parameter to an enum for a 0."""
    net = net_type(type_name)
    overloads = OVERLOADS.get((net, member), ())
    accepting = [o for o in overloads if _takes(o, len(args)) and _accepts(o[2], args)]
    enums: dict[int, str | None] = {}
    for i, arg in enumerate(args):
        if arg == "0" and accepting and all(_kind(o[2], i) == "E" for o in accepting):
            names = _ENUMS.get((net, member, i), frozenset())
            enums[i] = next(iter(names)) if len(names) == 1 else None
    return enums


def _takes(overload: tuple[int, int, str], count: int) -> bool:
    low, high, _ = overload
    return low <= count and (high < 0 or count <= high)


# what a parameter of each kind takes, of the argument kinds certgate judges
_TAKES = {
    "S": {"S", "H", "null"},  # a char[] converts to a ReadOnlySpan<char> (an S too)
    "B": {"B"},
    "C": {"C"},
    "N": {"N", "0", "C"},  # char widens to the numbers
    "R": {"R", "null"},
    "H": {"H", "null"},
    "A": {"A", "R", "H", "null"},  # string[] is an object[] (array covariance)
    "E": {"0"},  # an enum takes the constant 0, no other number
    "V": set(),  # DateTime, TimeSpan, Guid, ...: none of these converts to a struct
    "O": {"S", "B", "C", "N", "0", "R", "H", "A", "null"},
}


def _kind(kinds: str, i: int) -> str:
    """The kind of parameter `i` (the last one's for the rest of a `params` array)."""
    return kinds[min(i, len(kinds) - 1)] if kinds else "O"


def _accepts(kinds: str, args: list[str | None]) -> bool:
    for i, arg in enumerate(args):
        if arg is None:
            continue
        kind = _kind(kinds, i)
        if kind.islower():  # the elements of a `params` array (or the array itself)
            whole = i == len(kinds) - 1 and arg in ("null", "A", "R", "H")
            if arg not in _TAKES[kind.upper()] and not whole:
                return False
        elif i >= len(kinds) or arg not in _TAKES[kind]:
            return False
    return True


@cache
def _python_range(function: Callable[..., object], bound: bool) -> tuple[int, int]:
    """(fewest, most) positional arguments a Python callable takes."""
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return (0, 1 << 30)  # cannot tell: accept any count
    if bound and parameters:
        parameters = parameters[1:]  # the receiver
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    fewest = sum(p.default is p.empty for p in positional)
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return fewest, 1 << 30  # a dispatcher over several overloads: any more may be one
    return fewest, len(positional)
