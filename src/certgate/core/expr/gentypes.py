"""Type names the language work adds: generic types (`List<string>`, `Dictionary<string, int>`,
`IEnumerable<JToken>`, `int?` as `Nullable<int>`), APIM's own interfaces (`IResponse`, `Jwt`,
...), `System.Exception`, `StringComparer` and the integral types beyond int/long.

APIM interface values are recognised by their `CS_TYPE` (the classes live in `core`, which this
package must not import); when exactly one loaded class has that name, it also gives the static
type, so members are checked at load.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from . import exceptions as exc
from .arrays import CsArray
from .collections import UNKNOWN_ELEMENT, KeyValuePair
from .csexc import CsException
from .dictionary import STRING_COMPARERS, CsDictionary, StringComparer
from .generic import CsList, _Versioned
from .implements import implements
from .langrt import RANGES
from .sets import CsHashSet, CsQueue, CsStack
from .static import BOOL, SType, class_stype, pair_of
from .strings_more import comparer_from_comparison
from .tuples import generic_tuple
from .typenames import IMPLEMENTED, StaticMember, TypeInfo, _parse_int, register
from .types import CsObject, CsTypeRef

APIM_TYPES = frozenset(
    {
        "IResponse", "IRequest", "IMessageBody", "IUrl", "IApi", "IOperation", "IProduct",
        "ISubscription", "IUser", "IGroup", "IUserIdentity", "IDeployment", "ILastError",
        "IPrivateEndpointConnection", "IProxyRequestContext", "Jwt", "BasicAuthCredentials",
        "Authorization",
    }
)  # fmt: skip
_GENERIC_NS = "System.Collections.Generic."


@dataclass(frozen=True, slots=True)
class TestRef(CsTypeRef):
    """A type whose instances are recognised by a predicate (interfaces, APIM types)."""

    test: Callable[[object], bool] = field(default=lambda value: False)

    def accepts(self, value: object) -> bool:
        return value is None or self.test(value)


@dataclass(frozen=True, slots=True)
class InterfaceRef(TestRef):
    """A generic collection interface; `concrete` is the class Json.NET creates for one
    (`ToObject<IList<int>>()` gives a List<int>; an IDictionary, a Dictionary)."""

    concrete: CsTypeRef | None = None


@dataclass(frozen=True, slots=True)
class GenericRef(CsTypeRef):
    """A constructed generic or array type; `args` are its type arguments (element type)."""

    args: tuple[CsTypeRef, ...] = ()

    def accepts(self, value: object) -> bool:
        if not CsTypeRef.accepts(self, value):
            return False
        if isinstance(value, _Versioned):  # a collection knows its type arguments
            known = all(arg is not UNKNOWN_ELEMENT for arg in value.type_args)
            return not known or _names(value.type_args) == _names(self.args)
        return True


def _names(refs: tuple[CsTypeRef, ...]) -> tuple[tuple[str, bool], ...]:
    return tuple((ref.name, ref.is_value_type) for ref in refs)  # int? is Int32, not a value


def array_ref(element: TypeInfo) -> GenericRef:
    name = f"{element.full_name}[]"
    return GenericRef(name, (CsArray,), args=(_object_ref(element),))


def _object_ref(info: TypeInfo) -> CsTypeRef:
    return info.ref if info.ref is not None else CsTypeRef("System.Object", ())


def _apim_class(name: str) -> type | None:
    found: list[type] = []
    stack: list[type] = [CsObject]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if getattr(cls, "CS_TYPE", None) == name:
            found.append(cls)
    if len(found) > 1:  # a stand-in of the same name (tests): certgate's own is the type
        found = [cls for cls in found if cls.__module__.startswith("certgate.")]
    return found[0] if len(found) == 1 else None


def apim_type(name: str) -> TypeInfo | None:
    """`IResponse`, `Jwt`, ...: APIM's interfaces (spec §2), or None."""
    if name not in APIM_TYPES:
        return None
    cls = _apim_class(name)
    stype = SType(name, None) if cls is None else class_stype(cls)

    def test(value: object) -> bool:
        return isinstance(value, CsObject) and name == value.CS_TYPE

    return TypeInfo(name, stype, TestRef(name, (), test=test))


# --- generic types ----------------------------------------------------------------------------


def _display(name: str, args: tuple[TypeInfo, ...]) -> str:
    return f"{name}<{', '.join(a.full_name for a in args)}>"


def _concrete(cls: type, arity: int) -> Callable[[str, tuple[TypeInfo, ...]], TypeInfo]:
    def make(name: str, args: tuple[TypeInfo, ...]) -> TypeInfo:
        refs = tuple(_object_ref(a) for a in args)
        types = tuple(a.stype for a in args)
        element = pair_of(types) if arity == 2 else types[0]  # dictionaries enumerate pairs
        stype = SType(_display(name, args), cls, element=element, args=types)

        def ctor(*values: object) -> object:
            return cls(*refs, *values)

        return TypeInfo(stype.name, stype, GenericRef(stype.name, (cls,), args=refs), ctor=ctor)

    return make


def _interface(dictionary: bool) -> Callable[[str, tuple[TypeInfo, ...]], TypeInfo]:
    def make(name: str, args: tuple[TypeInfo, ...]) -> TypeInfo:
        types = tuple(a.stype for a in args)
        element = pair_of(types) if dictionary else types[0]
        stype = SType(_display(name, args), None, element=element, args=types)
        short, refs = name.rsplit(".", 1)[-1], tuple(_object_ref(a) for a in args)

        def test(value: object) -> bool:
            return implements(value, short, refs)

        created = _CREATED.get(short)
        concrete = None
        if created is not None:
            concrete_name = _display(_GENERIC_NS + created.__name__.removeprefix("Cs"), args)
            concrete = GenericRef(concrete_name, (created,), args=refs)
        ref = InterfaceRef(stype.name, (), test=test, concrete=concrete)
        return TypeInfo(stype.name, stype, ref)

    return make


def _pair(name: str, args: tuple[TypeInfo, ...]) -> TypeInfo:
    stype = SType(_display(name, args), KeyValuePair, args=tuple(a.stype for a in args))
    ref = CsTypeRef(stype.name, (KeyValuePair,), is_value_type=False)
    key, value = (_object_ref(a).default for a in args)

    def ctor(*values: object) -> KeyValuePair:
        """`new KeyValuePair<K, V>(k, v)`; `new KeyValuePair<K, V>()` is the default struct."""
        return KeyValuePair(*values) if values else KeyValuePair(key, value)

    return TypeInfo(stype.name, stype, ref, ctor=ctor)


def _nullable(name: str, args: tuple[TypeInfo, ...]) -> TypeInfo:
    inner = args[0]
    base = _object_ref(inner)
    ref = CsTypeRef(base.name, base.classes, None, is_value_type=False)
    return TypeInfo(inner.full_name, inner.stype.as_nullable(), ref)


def _tuple(name: str, args: tuple[TypeInfo, ...]) -> TypeInfo:
    return generic_tuple(_display("Tuple", args), args)


# the class Json.NET's serializer creates for an interface type
_CREATED: dict[str, type] = {
    **dict.fromkeys(("IEnumerable", "ICollection", "IList", "IReadOnlyCollection"), CsList),
    "ISet": CsHashSet,
    **dict.fromkeys(("IDictionary", "IReadOnlyDictionary"), CsDictionary),
}
# full name -> (number of type arguments, or a range of them for Tuple; factory)
GENERICS: dict[str, tuple[int | range, Callable[[str, tuple[TypeInfo, ...]], TypeInfo]]] = {
    _GENERIC_NS + "List": (1, _concrete(CsList, 1)),
    _GENERIC_NS + "Dictionary": (2, _concrete(CsDictionary, 2)),
    _GENERIC_NS + "HashSet": (1, _concrete(CsHashSet, 1)),
    _GENERIC_NS + "Queue": (1, _concrete(CsQueue, 1)),
    _GENERIC_NS + "Stack": (1, _concrete(CsStack, 1)),
    _GENERIC_NS + "KeyValuePair": (2, _pair),
    _GENERIC_NS + "IEnumerable": (1, _interface(False)),
    _GENERIC_NS + "ICollection": (1, _interface(False)),
    _GENERIC_NS + "IList": (1, _interface(False)),
    _GENERIC_NS + "IReadOnlyCollection": (1, _interface(False)),
    _GENERIC_NS + "IReadOnlyList": (1, _interface(False)),
    _GENERIC_NS + "ISet": (1, _interface(False)),
    _GENERIC_NS + "IEnumerator": (1, _interface(False)),
    _GENERIC_NS + "IDictionary": (2, _interface(True)),
    _GENERIC_NS + "IReadOnlyDictionary": (2, _interface(True)),
    "System.Nullable": (1, _nullable),
    "System.Tuple": (range(1, 9), _tuple),
}


def generic_type(full: str, args: tuple[TypeInfo, ...]) -> TypeInfo | None:
    """The instantiation `full<args>`, or None when `full` is not a generic we implement.
    Raises TypeError(message) for a wrong number of type arguments."""
    entry = GENERICS.get(full)
    if entry is None:
        return None
    arity, make = entry
    if isinstance(arity, range):  # Tuple: the bare name is the static class `Tuple`
        if not args:
            return None
        if len(args) not in arity:
            raise TypeError(f"There is no type '{full}' with {len(args)} type arguments")
        return make(full, args)
    if len(args) != arity:
        short = full.rsplit(".", 1)[-1]
        params = "T" if arity == 1 else "TKey, TValue"
        raise TypeError(
            f"Using the generic type '{short}<{params}>' requires {arity} type arguments"
        )
    return make(full, args)


# --- non-generic types ------------------------------------------------------------------------


def _integral(name: str) -> TypeInfo:
    low, high = RANGES[name]
    stype = SType(name, int)

    def parse(text: object) -> int:
        value = _parse_int(64)(text) if high <= 2**63 - 1 else _parse_unsigned(text)
        if not low <= value <= high:
            raise exc.ExpressionRuntimeError(
                "OverflowException",
                f"Value was either too large or too small for {_article(name)}.",
            )
        return value

    def try_parse(text: object) -> tuple[bool, int]:
        try:
            return True, parse(text)
        except exc.ExpressionRuntimeError:
            return False, 0

    statics = {
        "MaxValue": StaticMember(high, stype, is_method=False),
        "MinValue": StaticMember(low, stype, is_method=False),
        "Parse": StaticMember(parse, stype),
        "TryParse": StaticMember(try_parse, BOOL, outs=1),
    }
    return TypeInfo(name, stype, CsTypeRef(name, (int,), 0, is_value_type=True), statics)


def _parse_unsigned(text: object) -> int:
    """ulong.Parse's digits (its range is checked by the caller)."""
    from .numbers import parse_integer  # noqa: PLC0415 - import cycle

    return parse_integer(text, -(2**63), 2**64 - 1, "a UInt64")


_ARTICLES = {
    "System.SByte": "a signed byte",
    "System.Byte": "an unsigned byte",
    "System.Int16": "an Int16",
    "System.UInt16": "a UInt16",
    "System.UInt32": "a UInt32",
    "System.UInt64": "a UInt64",
}


def _article(name: str) -> str:
    return _ARTICLES.get(name, name)


def _register_builtins() -> None:
    exception = SType("System.Exception", CsException)
    comparer = SType("System.StringComparer", StringComparer)
    infos = [
        TypeInfo(
            "System.Exception",
            exception,
            CsTypeRef("System.Exception", (CsException,)),
            ctor=CsException.create,
        ),
        TypeInfo(
            "System.StringComparer",
            comparer,
            CsTypeRef("System.StringComparer", (StringComparer,)),
            {
                k: StaticMember(STRING_COMPARERS.reader(k), comparer, is_method=False, dynamic=True)
                for k in STRING_COMPARERS
            }
            | {"FromComparison": StaticMember(comparer_from_comparison, comparer)},
        ),
    ]
    for name in ("System.SByte", "System.Byte", "System.Int16", "System.UInt16"):
        infos.append(_integral(name))
    infos += [_integral("System.UInt32"), _integral("System.UInt64")]
    register(*(info for info in infos if info.full_name not in IMPLEMENTED))


_register_builtins()
from . import arrayreg  # noqa: E402, F401  (System.Array's statics beyond bcl's)
