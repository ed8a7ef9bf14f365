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

from .langrt import RANGES
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


OVERLOADS = _parse() | {
    # APIM's own (spec §2.10): `Body.As<T>(preserveContent: true)`
    ("IMessageBody", "As"): ((0, 1, "B"),),
    ("IMessageBody", "AsFormUrlEncodedContent"): ((0, 1, "B"),),
}


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

_LINQ = frozenset(m.removeprefix("static ") for t, m in OVERLOADS if t == "System.Linq.Enumerable")


def _string_only(type_name: str, member: str) -> bool:
    """Whether a string's `member` can only be its own: of the extension methods, only LINQ's
    take a string (an IEnumerable<char>), not LINQ to XML's `Remove`."""
    return type_name == "System.String" and member not in _LINQ


# extension methods whose generic parameter the receiver fixes: LINQ's `Contains<char>(char[,
# comparer])` on a string, where C# infers TSource from the receiver (`"a".Contains(1)` is
# refused: an int is no char)
_BOUND_EXTENSIONS: dict[tuple[str, str], tuple[Overload, ...]] = {
    ("System.String", "Contains"): ((1, 1, "C"), (2, 2, "CX")),
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


def static_only(type_name: str, member: str) -> bool:
    """Whether `member` of `type_name` is a static method only (`string.IsNullOrEmpty`), so that
    calling it on an instance is csc's CS0176 (extension methods apart)."""
    net = net_type(type_name)
    return (
        (net, "static " + member) in OVERLOADS
        and (net, member) not in OVERLOADS
        and member not in _EXTENSIONS
    )


def mismatch(type_name: str, member: str, args: list[str | None]) -> bool:
    """True when every .NET overload that takes as many arguments has a parameter that cannot
    take its argument. `args` gives each argument's kind as `netoverloads` spells parameters
    (S, B, C, R, H, A, E, a number's kind from `number_kind`, "obj" for an `object`, "lambda"
    for a lambda or method group, "null" for the literal) or None where certgate does not
    judge it (an unknown type: an implicit conversion may exist)."""
    overloads = OVERLOADS.get((net_type(type_name), member))
    bound = _BOUND_EXTENSIONS.get((type_name, member))
    if overloads is None or all(a is None for a in args):
        return False
    if member in _EXTENSIONS and bound is None and not _string_only(type_name, member):
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


# what a parameter of each kind takes, of the argument kinds certgate judges (numbers apart)
_TAKES = {
    "S": {"S", "H", "null"},  # a char[] converts to a ReadOnlySpan<char> (an S too)
    "B": {"B"},
    "C": {"C"},
    "R": {"R", "null"},
    "H": {"H", "null"},
    "A": {"A", "R", "H", "null"},  # string[] is an object[] (array covariance)
    "E": {"0", "E"},  # an enum, or the constant 0 (no other number)
    "V": set(),  # DateTime, TimeSpan, Guid, ...: none of these converts to a struct
    "Q": {"null", "lambda"},  # Uri, CultureInfo, a delegate (MatchEvaluator), ...
    "O": {"S", "B", "C", "0", "R", "H", "A", "E", "obj", "null"},  # and every number
    # IEnumerable<char>, a generic type (Func<T, bool>), JToken, ...: and every number
    "X": {"S", "B", "C", "0", "R", "H", "A", "E", "obj", "lambda", "null"},
}

# C#'s implicit numeric conversions (spec §10.2.3): the kinds each number (and char) widens to
_WIDENS = {
    "G": "GTILFDM",
    "Y": "YTWIULKFDM",
    "T": "TILFDM",
    "W": "WIULKFDM",
    "I": "ILFDM",
    "U": "ULKFDM",
    "L": "LFDM",
    "K": "KFDM",
    "C": "WIULKFDM",
    "F": "FD",
    "D": "D",
    "M": "M",
}
_NUMBERS = frozenset(_WIDENS) - {"C"}
# the integral kinds a constant of type int (or long) converts to when its value fits
_INTEGRAL_NAMES = ("SByte", "Byte", "Int16", "UInt16", "Int32", "UInt32", "Int64", "UInt64")
_RANGES = {
    kind: RANGES[f"System.{name}"] for kind, name in zip("GYTWIULK", _INTEGRAL_NAMES, strict=True)
}
_SIGNED_FIRST = {"G": "YWUK", "T": "WUK", "I": "UK", "L": "K"}  # better than these (§12.6.4.7)


def number_kind(kind: str, constant: int | None) -> str:
    """An argument kind for a number of `kind` (`I`, `L`, ...): with the value of an integer
    constant after `=` (`I=5`), which may convert to narrower types; "0" for the int 0."""
    if constant is None:
        return kind
    return "0" if kind == "I" and constant == 0 else f"{kind}={constant}"


def _number(arg: str) -> tuple[str, int | None]:
    """(kind, constant value or None) of a number argument kind."""
    if arg == "0":
        return "I", 0
    kind, _, value = arg.partition("=")
    return kind, int(value) if value else None


def _takes_arg(kind: str, arg: str) -> bool:
    if arg in _TAKES.get(kind, ()):
        return True
    source, constant = _number(arg) if arg[0] in _NUMBERS or arg == "0" else (arg, None)
    if source not in _WIDENS:
        return False
    if kind in ("O", "X") or kind in _WIDENS[source]:
        return True
    if kind == "E":
        return constant == 0
    if constant is not None and source in ("I", "L") and kind in _RANGES:
        low, high = _RANGES[kind]
        return low <= constant <= high and (source == "I" or kind == "K")
    return False


def _kind(kinds: str, i: int) -> str:
    """The kind of parameter `i` (the last one's for the rest of a `params` array)."""
    return kinds[min(i, len(kinds) - 1)] if kinds else "X"


def _accepts(kinds: str, args: list[str | None]) -> bool:
    for i, arg in enumerate(args):
        if arg is None:
            continue
        kind = _kind(kinds, i)
        if kind.islower():  # the elements of a `params` array (or the array itself)
            whole = i == len(kinds) - 1 and arg in ("null", "A", "R", "H")
            if not _takes_arg(kind.upper(), arg) and not whole:
                return False
        elif i >= len(kinds) or not _takes_arg(kind, arg):
            return False
    return True


def ambiguous(type_name: str, member: str, args: list[str | None]) -> tuple[str, str] | None:
    """csc's CS0121: the parameter lists of two overloads neither of which is better for these
    arguments (`Math.Floor(1)`: an int converts as well to a double as to a decimal). Judged
    only where every argument is known and the overloads differ only in numbers, strings, bools
    or chars, without `params`; None otherwise."""
    ranked = _ranked(type_name, member, args)
    if ranked is None or len(ranked) < 2:
        return None
    net = net_type(type_name)
    first, second = (
        ", ".join(_type_name(net, member, i, kind) for i, kind in enumerate(kinds))
        for kinds in ranked[:2]
    )
    return first, second


def _type_name(net: str, member: str, index: int, kind: str) -> str:
    """A parameter's type as csc's messages spell it."""
    if kind == "E":
        return min(_ENUMS.get((net, member, index), {"System.Enum"}))
    return _NAMES.get(kind, "object")


def chosen(type_name: str, member: str, args: list[str | None]) -> str | None:
    """The parameter kinds of the overload C# calls for these arguments, where `ambiguous`
    can tell (None otherwise): the caller converts a char or float argument to the number the
    overload takes."""
    ranked = _ranked(type_name, member, args)
    return ranked[0] if ranked is not None and len(ranked) == 1 else None


def _ranked(type_name: str, member: str, args: list[str | None]) -> list[str] | None:
    """The applicable overloads no other is better than (one: C# calls it), or None where
    certgate cannot rank them."""
    overloads = OVERLOADS.get((net_type(type_name), member))
    if not overloads or (member in _EXTENSIONS and not _string_only(type_name, member)):
        return None
    # (kinds once: `string` and `ReadOnlySpan<char>` are both an S, and C# prefers `string`)
    fitting = list(
        dict.fromkeys(o[2] for o in overloads if _takes(o, len(args)) and _accepts(o[2], args))
    )
    if not fitting or any(len(k) != len(args) or not k.isupper() for k in fitting):
        return None
    if len(fitting) == 1:
        return fitting
    if None in args:
        return None
    for place in zip(*fitting, strict=True):
        if len(set(place)) > 1 and any(c not in _WIDENS and c not in "SBRH" for c in place):
            return None
    return [k for k in fitting if not any(_better(o, k, args) for o in fitting if o != k)]


def _better(first: str, second: str, args: list[str | None]) -> bool:
    """Whether parameter list `first` is better than `second` for `args` (§12.6.4.3)."""
    verdicts = [_better_kind(a, b, arg) for a, b, arg in zip(first, second, args, strict=True)]
    return 1 in verdicts and -1 not in verdicts


def _better_kind(first: str, second: str, arg: str | None) -> int:
    """1 when converting `arg` to `first` is the better conversion, -1 when to `second`."""
    if first == second or arg is None:
        return 0
    source = _number(arg)[0] if arg[0] in _NUMBERS or arg == "0" else arg
    if source in (first, second):
        return 1 if source == first else -1
    widens_up = second in _WIDENS.get(first, "") and first not in _WIDENS.get(second, "")
    widens_down = first in _WIDENS.get(second, "") and second not in _WIDENS.get(first, "")
    if widens_up or second in _SIGNED_FIRST.get(first, ""):
        return 1
    if widens_down or first in _SIGNED_FIRST.get(second, ""):
        return -1
    return 0


_NAMES = {
    "S": "string", "B": "bool", "C": "char", "R": "string[]", "H": "char[]", "G": "sbyte",
    "Y": "byte", "T": "short", "W": "ushort", "I": "int", "U": "uint", "L": "long",
    "K": "ulong", "F": "float", "D": "double", "M": "decimal",
}  # fmt: skip


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
