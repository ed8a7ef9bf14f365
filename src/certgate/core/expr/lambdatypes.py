"""The parameter types of a lambda passed to a method, as C# infers them from the delegate type
the method's parameter declares (`Func<TSource, int, bool>`, `Comparison<T>`, `MatchEvaluator`).

They matter where the static type changes what the code means: `(int)c` converts a `char` but
unboxes an `object` (an InvalidCastException), so `Array.Find(chars, c => (int)c == 97)` needs
`c` known as a char. A typer answers for one call: given the argument's position, the lambda's
parameter count and the static types of the arguments before it, the parameter types, or `()`
where certgate does not know them (then the values are judged at run time).

Back the other way, a lambda's result type types the call: `Select(s => s.Length * 1.5)` is an
`IEnumerable<double>`, `Max(x => x.Price)` the price's type (`refined`).
"""

from __future__ import annotations

from collections.abc import Callable

from .collections import ReadOnlyDictionary
from .datetime import DateTime, DateTimeOffset, TimeSpan
from .dictionary import CsDictionary
from .generic import CsList
from .linq import LAMBDA_OVER_ELEMENTS
from .linq_more import Grouping
from .regexp import Match, Regex
from .sets import CsHashSet
from .static import (
    BOOL,
    DECIMAL,
    DOUBLE,
    INT,
    NULL,
    SINGLE,
    STRING,
    UNKNOWN,
    SType,
    class_stype,
    non_nullable,
    pair_of,
    sequence_of,
)

# (argument index, lambda parameter count, static types of the arguments before it)
LambdaTyper = Callable[[int, int, tuple[SType, ...]], tuple[SType, ...]]

_MATCH = class_stype(Match)
# LINQ operators whose two-parameter lambda also receives the element's index
_INDEXED = frozenset({"Select", "Where", "SelectMany", "TakeWhile", "SkipWhile"})
# `List<T>` and `HashSet<T>` methods taking a `Predicate<T>`, `Action<T>` or `Converter<T, U>`
_OVER_ELEMENTS = frozenset(
    {
        "Find", "FindAll", "FindIndex", "FindLast", "FindLastIndex", "Exists", "TrueForAll",
        "RemoveAll", "ConvertAll", "ForEach", "RemoveWhere",
    }
)  # fmt: skip
_ARRAY_STATICS = _OVER_ELEMENTS | {"Sort"}


def instance(receiver: SType, name: str) -> LambdaTyper | None:
    """The typer of `receiver.name(...)`, or None when none of its lambdas is typed."""
    element = receiver.element
    if receiver.py is Regex and name == "Replace":
        return _evaluator
    if element is None or element is UNKNOWN:
        return None
    if receiver.py in (CsList, CsHashSet) and (name in _OVER_ELEMENTS or name == "Sort"):
        return _over(element)
    if name in LAMBDA_OVER_ELEMENTS:
        return _linq(element, name)
    if name == "Aggregate":
        return _aggregate(element)
    if name == "Zip":
        return lambda index, count, before: (
            (element, before[0].element or UNKNOWN) if count == 2 and before else ()
        )
    return None


def static(type_name: str, name: str) -> LambdaTyper | None:
    """The typer of `Type.name(...)`."""
    if type_name == "System.Text.RegularExpressions.Regex" and name == "Replace":
        return _evaluator
    if type_name == "System.Array" and name in _ARRAY_STATICS:
        return _over_first_argument
    return None


def _evaluator(index: int, count: int, before: tuple[SType, ...]) -> tuple[SType, ...]:
    return (_MATCH,) if count == 1 else ()


def _over(element: SType) -> LambdaTyper:
    """`Predicate<T>`/`Action<T>`/`Converter<T, U>` over the elements, `Comparison<T>` for Sort."""
    return lambda index, count, before: (element,) * count if count <= 2 else ()


def _over_first_argument(index: int, count: int, before: tuple[SType, ...]) -> tuple[SType, ...]:
    """`Array.Find(array, x => ...)`, `Array.Sort(array, (x, y) => ...)`."""
    element = before[0].element if before else None
    if element is None or element is UNKNOWN or index == 0 or count > 2:
        return ()
    return (element,) * count


def _linq(element: SType, name: str) -> LambdaTyper:
    """A key, element or result selector or a predicate over the elements (and their index)."""

    def typer(index: int, count: int, before: tuple[SType, ...]) -> tuple[SType, ...]:
        if count == 1:  # each single-parameter lambda of these operators takes the element
            return (element,)
        if count == 2 and index == 0 and name in _INDEXED:
            return (element, INT)
        if count == 2 and index == 1 and name == "SelectMany" and before:
            collection = before[0].element  # the first lambda's result: a sequence
            return (element, (collection.element if collection else None) or UNKNOWN)
        return ()

    return typer


def _aggregate(element: SType) -> LambdaTyper:
    """`Aggregate((acc, x) => ...)` (both the element) or `Aggregate(seed, (acc, x) => ...)`
    (the accumulator has the seed's type)."""

    def typer(index: int, count: int, before: tuple[SType, ...]) -> tuple[SType, ...]:
        if count == 2 and index == 0:
            return (element, element)
        if count == 2 and index == 1 and before and before[0] is not NULL:
            return (before[0], element)
        return ()

    return typer


def _divide(argument: SType, receiver: SType) -> SType:
    return DOUBLE if argument.py is TimeSpan else receiver  # `t / ts` is a double


def _subtract(argument: SType, receiver: SType) -> SType:
    """`a.Subtract(b)`: a TimeSpan between two moments, a moment less a TimeSpan."""
    return receiver if argument.py is TimeSpan else class_stype(TimeSpan)


# overloads whose result type the argument's static type picks
_BY_ARGUMENT: dict[tuple[type | None, str], Callable[[SType, SType], SType]] = {
    (TimeSpan, "Divide"): _divide,
    (DateTime, "Subtract"): _subtract,
    (DateTimeOffset, "Subtract"): _subtract,
}


def lambda_result(body: SType, parameters: int = 1) -> SType:
    """The static type a lambda argument gets in `last_arg_types`: a marker holding the type of
    its body (unknown for a block body), and an argument per parameter."""
    return SType("<lambda>", None, element=body, args=(UNKNOWN,) * parameters)


# the methods whose lambda is a Func<T, bool> / Predicate<T>: its body must be a bool
PREDICATES = frozenset(
    {
        "Where", "Any", "All", "First", "FirstOrDefault", "Last", "LastOrDefault", "Single",
        "SingleOrDefault", "Count", "LongCount", "SkipWhile", "TakeWhile", "RemoveAll",
        "Exists", "Find", "FindAll", "FindIndex", "FindLast", "FindLastIndex", "TrueForAll",
    }
)  # fmt: skip


def non_bool_predicate(name: str, arg_types: tuple[SType, ...]) -> SType | None:
    """The result type of a predicate lambda that is known and not bool (`Where(x => 1)`: csc
    refuses it, CS0029), or None."""
    if name not in PREDICATES:
        return None
    for body in _bodies(arg_types):
        if body is not None and body.py is not bool:
            return body
    return None


def _bodies(arg_types: tuple[SType, ...]) -> list[SType | None]:
    """The result types of the call's lambdas (None: not known)."""
    return [
        t.element if t.element is not None and t.element.known else None
        for t in arg_types
        if t.name == "<lambda>"
    ]


# the delegates with two parameters that a method group may stand for, by (method, argument
# index); every other delegate argument takes one (`Select(int.Parse)`, `Where(char.IsDigit)`)
_PAIR_DELEGATES = frozenset(
    {("Sort", 0), ("Sort", 1), ("Zip", 1), ("SelectMany", 1), ("Join", 3), ("GroupJoin", 3)}
)


def group_arity(method: str, index: int, count: int) -> int:
    """How many parameters the delegate a method group argument converts to takes."""
    if method == "Aggregate":  # (func), (seed, func), (seed, func, resultSelector)
        return 2 if index == min(count - 1, 1) else 1
    return 2 if (method, index) in _PAIR_DELEGATES else 1


# System.Object's members, which every value has, whatever its type
_OBJECT_RESULTS = {"ToString": STRING, "Equals": BOOL, "GetHashCode": INT}


def array_default(name: str, receiver: SType, arg_types: tuple[SType, ...]) -> bool:
    """`Headers.GetValueOrDefault(name, new string[0])`: with a string[] default C# calls the
    generic `GetValueOrDefault<TKey, TValue>`, which gives the values, not the string APIM's
    `(name, string)` joins them into (public policies read `Jwt.Claims` roles so)."""
    return (
        name == "GetValueOrDefault"
        and receiver.py is ReadOnlyDictionary
        and len(arg_types) == 2
        and arg_types[1].name == "System.String[]"
        and receiver.args[1:] == (arg_types[1],)
    )


# LINQ methods whose last argument selects each result, by their argument count
_RESULT_SELECTORS = {"Zip": 2, "SelectMany": 2, "Join": 4, "GroupJoin": 4}


def refined(name: str, result: SType, receiver: SType, arg_types: tuple[SType, ...]) -> SType:
    """The result type of `receiver.name(args)` that a lambda's result type gives (or, for an
    overload, an argument's type); else `result`."""
    if array_default(name, receiver, arg_types):
        return arg_types[1]
    if result is UNKNOWN and name in _OBJECT_RESULTS:  # `context.Variables["n"].ToString()`
        return _OBJECT_RESULTS[name]
    by_argument = _BY_ARGUMENT.get((receiver.py, name))
    if by_argument is not None and len(arg_types) == 1 and arg_types[0].known:
        return by_argument(arg_types[0], receiver)
    bodies = _bodies(arg_types)
    element = receiver.element or UNKNOWN
    if name == "Aggregate" and result is UNKNOWN:
        return _aggregated(element, arg_types, bodies)
    if name in ("Max", "Min", "Sum") and result is UNKNOWN and len(arg_types) <= 1:
        if not arg_types:  # the elements' own type (Sum of int is int)
            return element
        return bodies[0] or result if bodies else result
    if name == "Average" and len(arg_types) <= 1:
        return _average(element if not arg_types else bodies[0] if bodies else None)
    selected = _RESULT_SELECTORS.get(name) == len(arg_types) and bodies and bodies[-1]
    if selected:  # `Zip(b, (x, y) => x)`, `Join(...)`, `SelectMany(f, (x, y) => y)`
        return sequence_of(selected)
    if len(bodies) != len(arg_types) or None in bodies:
        return result  # an argument that is not a lambda, or a lambda of unknown result
    known = tuple(b for b in bodies if b is not None)
    if name == "Select":
        return sequence_of(known[0])
    if name == "SelectMany" and len(known) == 1:
        return sequence_of(known[0].element or UNKNOWN)
    if name == "ConvertAll" and receiver.py is CsList:
        return SType(CsList.CS_TYPE, CsList, element=known[0])
    if name == "GroupBy" and len(known) == 2 and len(arg_types[1].args) == 2:
        return sequence_of(known[1])  # (key, group) => result
    if name in ("GroupBy", "ToDictionary") and 1 <= len(known) <= 2:
        args = (known[0], known[1] if len(known) == 2 else element)
        if name == "ToDictionary":
            return SType(CsDictionary.CS_TYPE, CsDictionary, element=pair_of(args), args=args)
        group = class_stype(Grouping)
        grouping = SType(group.name, group.py, element=args[1], args=args)
        return sequence_of(grouping)
    return result


def _average(source: SType | None) -> SType:
    """`Average` of ints, longs or doubles is a double, of decimals a decimal, of floats a
    float; of `T?` values a `T?` result."""
    if source is None or not source.known:
        return UNKNOWN
    value = non_nullable(source)
    average = value if value in (DECIMAL, SINGLE) else DOUBLE if value.numeric else UNKNOWN
    return average.as_nullable() if source.nullable and average is not UNKNOWN else average


def _aggregated(element: SType, arg_types: tuple[SType, ...], bodies: list[SType | None]) -> SType:
    """`Aggregate(func)` is the element type, `Aggregate(seed, func)` the seed's (TAccumulate),
    `Aggregate(seed, func, resultSelector)` what the selector returns."""
    if len(arg_types) == 1:
        return element
    if len(arg_types) == 2 and arg_types[0] is not NULL and arg_types[0].name != "<lambda>":
        return arg_types[0]
    if len(arg_types) == 3 and len(bodies) == 2 and bodies[1] is not None:
        return bodies[1]
    return UNKNOWN
