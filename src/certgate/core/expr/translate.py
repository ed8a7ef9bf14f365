"""C# syntax tree -> Python expression source, with just enough static typing to be exact.

Every `expr` method returns `Code(text, type)`: Python source for the value and what we know of
its C# type. The output is restricted by construction:

* values are touched only through runtime helpers (`_get(x, 'Name')`, `_call(...)`, `_idx(...)`),
  never with Python attribute access, subscripts or operators whose meaning differs from C#;
* names are helpers (`_x`), constants (`kN`), temporaries (`tN`) and mangled locals (`vN_x`);
* string literals are emitted with `repr()` of the decoded value.

Static types choose between a direct Python operator (when both languages agree, e.g. `==` on two
strings is ordinal in both) and a checking helper (when only the run time can tell). Where the
type is statically known, unknown members are refused at load time with APIM's message; where it
is not, the runtime refuses them (same message, as a NotSupportedException).
"""

from __future__ import annotations

import functools
import inspect
import keyword
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from ...errors import CertgateError
from . import jsonext, lambdatypes
from . import syntax as s
from .arity import (
    ambiguous,
    chosen,
    mismatch,
    number_kind,
    refuses,
    static_only,
    zero_enums,
)
from .arrays import CsArray
from .budget import UNBOUNDED_CALLS
from .collections import KeyValuePair, LinqSeq
from .interfaces import implementation
from .jobject import JObject, pairs_of
from .jtoken import JEnumerable
from .lambdatypes import LambdaTyper
from .linq import LINQ_METHODS, any_value_equals
from .linq_more import NULLABLE_AGGREGATES
from .literals import constant_value
from .members import JSON_TOKENS, MemberTable, linq_result, parameter_types, static_table
from .numbers import SIZED_BITS, format_sized
from .parse import SourceMap
from .regexp import Regex, unsupported_pattern
from .scalars import comparison
from .scope import Local, Names, Scope
from .static import (
    BOOL,
    BYTE,
    CHAR,
    DECIMAL,
    DOUBLE,
    INT,
    LONG,
    NULL,
    REFS,
    SBYTE,
    SHORT,
    SINGLE,
    STRING,
    UINT,
    ULONG,
    UNKNOWN,
    USHORT,
    SType,
    array_of,
    cs_name,
    non_nullable,
    sequence_of,
)
from .strings import CsEnum
from .typenames import (
    IMPLEMENTED,
    OverloadRefused,
    TypeInfo,
    TypeLookupError,
    full_name,
    is_namespace,
    json_lacks,
    member_allowed,
    resolve,
)
from .types import CsChar, CsTypeRef, CsValue, nullable_value
from .variables import VariableDictionary

_INTEGRAL_LITERALS = {"int": INT, "uint": UINT, "long": LONG, "ulong": ULONG}
_PLAIN_NAME = re.compile(r"[a-z][A-Za-z0-9]*\Z")  # C# parameter names are camelCase
_RESERVED_KEYWORDS = frozenset({"type_args", "self", *keyword.kwlist, *keyword.softkwlist})
# Members no allowed type may expose: they lead to reflection (System.Type) or object identity.
_DENIED_MEMBERS = frozenset({"GetType", "MemberwiseClone", "ReferenceEquals", "Finalize"})
# Types APIM allows with "All" members: a member we lack is ours to add, not the user's error.
# (string, int, long, double and bool: `typenames` lists their .NET members, so a typo is refused)
_ALL_MEMBERS_ALLOWED = frozenset({"System.Char"})


@dataclass(frozen=True, slots=True)
class Code:
    text: str
    type: SType
    # A pure property chain that does not depend on the enclosing lambda's parameters
    # (`context.Request.Certificate.Thumbprint` inside `c => ...`); see `hoist`.
    invariant: bool = False


def _by_position(
    kinds: list[str | None], args: tuple[s.Arg, ...], method: object
) -> list[str | None] | None:
    """The argument kinds in parameter order for a call with named arguments, which C# binds
    by the parameters' names (the names certgate's instance methods take, after the receiver);
    None where `method` cannot tell."""
    try:
        params = inspect.signature(method).parameters.values()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    placed: dict[int, str | None] = {}
    for i, (kind, arg) in enumerate(zip(kinds, args, strict=True)):
        if arg.name is not None and arg.name not in names[1:]:
            return None
        placed[i if arg.name is None else names.index(arg.name) - 1] = kind
    return [placed.get(i) for i in range(max(placed) + 1)]


def _argument_kind(stype: SType, node: s.Expr | None) -> str | None:
    """An argument's kind for `arity.mismatch`, or None where certgate does not judge it."""
    if stype is NULL:
        return "null"
    if stype.is_object:  # `Guid.Parse(context.Variables["id"])`: an object converts to none
        return "obj"
    if stype.name == "<lambda>":  # (or a method group) goes to a delegate only
        return "lambda"
    if stype.nullable or not stype.known:
        return None
    number = _NUMBER_KINDS.get(stype.name)
    if number is not None:  # a constant may convert to narrower types, a 0 to any enum
        return number_kind(number, constant_value(node))
    if stype.py is str:
        return "S"
    if stype.py is bool:
        return "B"
    if stype.py is CsChar:
        return "C"
    if isinstance(stype.py, type) and issubclass(stype.py, CsEnum):
        return "E"
    if isinstance(stype.py, type) and issubclass(stype.py, CsArray):
        element = stype.element
        return "R" if element is STRING else "H" if element is CHAR else "A"
    return None


# the numbers by their kind letters in `netoverloads`
_KIND_TYPES = dict(
    zip(
        "GYTWIULKFDM",
        (SBYTE, BYTE, SHORT, USHORT, INT, UINT, LONG, ULONG, SINGLE, DOUBLE, DECIMAL),
        strict=True,
    )
)
_NUMBER_KINDS = {stype.name: kind for kind, stype in _KIND_TYPES.items()}


# generic methods with no other overload whose type argument C# cannot infer: by the types
# that have them
_EXPLICIT_TYPE_ARGUMENTS = {"Value": JSON_TOKENS, "As": frozenset({"IMessageBody"})}


# the members that give default(T) when nothing matches (List/Array `Find`, LINQ's *OrDefault)
_OR_DEFAULT = frozenset(
    {"FirstOrDefault", "LastOrDefault", "SingleOrDefault", "ElementAtOrDefault", "Find", "FindLast"}
)


# the members of Nullable<T> a null value answers: their results
_ON_NULL = {"ToString": STRING, "Equals": BOOL}
# Nullable<T>'s members: T's others need `.Value` first
_NULLABLE_MEMBERS = frozenset(
    {"HasValue", "Value", "GetValueOrDefault", "Equals", "GetHashCode", "ToString", "GetType"}
)
# static classes of extension methods -> the sequence type their first argument is taken as,
# and the methods
_EXTENSION_SOURCES: dict[str, tuple[type[LinqSeq], frozenset[str]]] = {
    "System.Linq.Enumerable": (LinqSeq, frozenset(LINQ_METHODS)),
    "Newtonsoft.Json.Linq.Extensions": (JEnumerable, jsonext.EXTENSIONS),
}


@functools.lru_cache(maxsize=2048)
def accepts_keyword(fn: object, name: str) -> bool:
    """Whether `fn` takes a keyword argument `name` (a parameter so named, or **kwargs)."""
    try:
        params = inspect.signature(fn).parameters  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True  # not introspectable: judged when it runs
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


_OBJECT_METHODS = {"ToString": 0, "Equals": 1, "GetHashCode": 0, "GetType": 0}  # arguments


def _shown(stype: SType) -> str:
    return cs_name(stype) + ("?" if stype.nullable else "")


def _group_lambda(group: s.Member, count: int) -> s.Lambda:
    """`int.Parse` as `(g0) => int.Parse(g0)`: C#'s method group conversion to a delegate."""
    names = tuple(f"group_{i}" for i in range(count))
    params = tuple(s.Param(group.pos, name, None) for name in names)
    args = tuple(s.Arg(group.pos, s.Name(group.pos, name)) for name in names)
    return s.Lambda(group.pos, params, s.Invoke(group.pos, group, args))


def _value_default(stype: SType) -> object:
    """default(T) of a value type known by name (0, false, '\\0', DateTime.MinValue, ...), or
    a KeyValuePair of its arguments' defaults; None for a reference or unknown type."""
    if stype.py is KeyValuePair and len(stype.args) == 2:
        return KeyValuePair(*(_value_default(arg) for arg in stype.args))
    info = IMPLEMENTED.get(stype.name)
    ref = info.ref if info is not None else None
    return ref.default if ref is not None and ref.is_value_type else None


def _nullable_value_type(stype: SType) -> bool:
    """A `T?` of a value type: a CsValue (DateTime, decimal, ...) or a nullable primitive."""
    cls = stype.py
    if isinstance(cls, type) and issubclass(cls, CsValue):
        return True
    return stype.nullable and cls in (int, float, bool, CsChar)


class ExprTranslator:
    value_node: s.Expr | None = None  # the expression whose value the policy gets (`returned`)
    argument_node: s.Expr | None = None  # the argument being translated (it may be a delegate)
    # a LINQ call whose type arguments typeops took off, and the call as written
    explicit_linq: tuple[s.Member, s.Member] | None = None
    qualified_extension: s.Member | None = None  # `Extensions.M(x)` rewritten as `x.M()`

    def __init__(self, smap: SourceMap, context_type: SType, names: Names) -> None:
        self.smap = smap
        self.names = names
        self.scope = Scope(None)
        self.context_type = context_type
        self.holes: list[Code] = []  # receivers of the enclosing `?.` bodies, innermost last
        self.lambda_depth = 0
        self.hoists: list[list[tuple[str, str]]] = []  # per enclosing lambda: (name, source)
        self.last_arg_types: tuple[SType, ...] = ()  # of the latest `call_args`
        self.last_arg_texts: tuple[str, ...] = ()
        self.reassigned: frozenset[str] = frozenset()  # C# locals assigned after declaration
        self.constants: dict[str, s.Expr] = {}  # const locals (`flow.bool_constants`)

    # --- errors ---------------------------------------------------------------------------------

    def error(self, message: str, pos: int) -> Exception:
        return self.smap.error(message, pos)

    def unsupported(self, what: str, pos: int) -> Exception:
        return self.smap.not_supported(what, pos)

    def type_error(self, exc: TypeLookupError, pos: int) -> Exception:
        if exc.supported_later:
            return self.unsupported(exc.message, pos)
        return self.error(exc.message, pos)

    def json_sequence(self, receiver: Code, target: s.Member, args: tuple[s.Arg, ...]) -> Code:
        """A sequence of tokens (`SelectTokens(p)`, `Properties()`, a `List<JToken>`) takes
        Json.NET's extension methods (`Values<T>()`, `Children()`) as a JEnumerable does; a
        JObject typed as an `IDictionary<string, JToken>` gives LINQ its KeyValuePairs, and
        typed as itself no element type LINQ could infer (csc: CS0411)."""
        name, pos = target.name, target.pos
        explicit = target.type_args
        if self.explicit_linq is not None and target is self.explicit_linq[0]:
            explicit = self.explicit_linq[1].type_args
        error = None if explicit else jsonext.linq_error(receiver.type, name, args)
        if error is not None:
            raise self.error(error, pos)
        source = self.type_arg_stype(explicit[0]) if explicit else None
        if source is not None and receiver.type.py is JObject and name in LINQ_METHODS:
            # `o.Select<JToken, string>(...)`: the sequence of that TSource it also is
            receiver = Code(receiver.text, sequence_of(source))
        if jsonext.linq_pairs(receiver.type, name, source):
            pairs = self.names.constant(pairs_of)
            return Code(f"{pairs}({receiver.text})", receiver.type, receiver.invariant)
        if not jsonext.is_sequence(receiver.type):
            return receiver
        qualified = target is self.qualified_extension
        error = jsonext.sequence_error(receiver.type, name, qualified)
        if error is not None:
            raise self.error(error, pos)
        if name not in jsonext.EXTENSIONS or receiver.type.py is JEnumerable:
            return receiver
        sequence = SType(JEnumerable.CS_TYPE, JEnumerable, element=receiver.type.element)
        of = self.names.constant(JEnumerable.of)
        return Code(f"{of}({receiver.text})", sequence, receiver.invariant)

    def check_object_call(self, target: s.Member, count: int) -> None:
        """A method of an `object`: only System.Object's, with their argument counts
        (`o.ToString("N")` is csc's CS1501: cast to the number first)."""
        if target.name not in _OBJECT_METHODS:
            raise self.object_member_error(target.name, target.pos)
        if count != _OBJECT_METHODS[target.name]:
            raise self.arity_error(target.name, count, target.pos)

    def object_member_error(self, name: str, pos: int) -> Exception:
        """csc's CS1061 for a member `object` does not have (cast the value first)."""
        return self.error(
            f"'object' does not contain a definition for '{name}' and no accessible extension "
            f"method '{name}' accepting a first argument of type 'object' could be found",
            pos,
        )

    def member_error(
        self,
        name: str,
        table: MemberTable | None,
        type_name: str,
        pos: int,
        instance: SType | None = None,
    ) -> Exception:
        """APIM's message for a member outside the allow-list; 'not supported yet' for members
        of allowed primitive types that we simply have not implemented; csc's CS0176 for a
        static method called on an `instance` (`s.IsNullOrEmpty()`)."""
        if instance is not None and static_only(type_name, name):
            return self.error(
                f"Member '{cs_name(instance)}.{name}' cannot be accessed with an instance "
                "reference; qualify it with a type name instead",
                pos,
            )
        allowed_type = table is not None and (
            type_name in _ALL_MEMBERS_ALLOWED or member_allowed(type_name, name)
        )
        # .NET's public members are PascalCase: `nodes`, `_parent`, `cs_explicit` are ours
        if allowed_type and name not in _DENIED_MEMBERS and name[:1].isupper():
            return self.unsupported(f"member '{name}' of type '{type_name}'", pos)
        return self.error(
            f"Usage of member '{name}' of type '{type_name}' is not supported within expressions",
            pos,
        )

    # --- dispatch -------------------------------------------------------------------------------

    def expr(self, node: s.Expr) -> Code:
        method = getattr(self, "x_" + type(node).__name__)
        code: Code = method(node)
        return code

    def operand(self, node: s.Expr) -> Code:
        """`expr` for a value that is consumed (not extended by a further `.Member`)."""
        return self.hoist(self.expr(node))

    def hoist(self, code: Code) -> Code:
        """Loop-invariant code motion for lambdas: a property chain that does not depend on the
        lambda's parameters is computed once when the lambda is created (a default argument)
        instead of once per element: `Any(c => c.Value.Thumbprint == context...Thumbprint)` over
        N certificates reads the request's thumbprint once. Sound because CsObject properties
        are pure (types.py); an exception is deferred (`_pre`) and raised at the first use
        (`_val`), i.e. where C# would raise it, and not at all if the lambda never runs."""
        if not (self.hoists and code.invariant) or code.text.isidentifier():
            return code
        name = f"h{self.names.counter + 1}"
        self.names.counter += 1
        self.hoists[-1].append((name, code.text))
        return Code(f"_val({name})", code.type)

    def cond(self, node: s.Expr) -> str:
        """Python source for `node` used as a C# bool."""
        code = self.operand(node)
        if code.type is BOOL:
            return code.text
        if (code.type.known and code.type.py is not bool) or code.type.is_object:
            raise self.error(
                f"Cannot implicitly convert type '{code.type.name}' to 'bool'", node.pos
            )
        if code.type.nullable:  # `if ((bool?)j["f"])`: csc's CS0266
            raise self.error(
                "Cannot implicitly convert type 'bool?' to 'bool'. An explicit conversion "
                "exists (are you missing a cast?)",
                node.pos,
            )
        return f"_truth({code.text})"

    def constant(self, value: object, stype: SType) -> Code:
        return Code(self.names.constant(value), stype)

    # --- literals and names ---------------------------------------------------------------------

    def x_Literal(self, node: s.Literal) -> Code:
        kinds = {"string": STRING, "bool": BOOL, "double": DOUBLE, **_INTEGRAL_LITERALS}
        if node.kind == "null":
            return Code("None", NULL)
        if node.kind == "char":
            return self.constant(node.value, CHAR)
        if node.kind == "decimal":
            return self.constant(node.value, DECIMAL)
        if node.kind == "single":
            return self.constant(node.value, SINGLE)
        value = node.value
        if isinstance(value, float) and not math.isfinite(value):
            return self.constant(value, DOUBLE)
        return Code(repr(value), kinds[node.kind])

    def x_Interpolated(self, node: s.Interpolated) -> Code:
        parts = [repr(p) if isinstance(p, str) else self.operand(p).text for p in node.parts]
        return Code(f"_cat({', '.join(parts)})" if parts else "''", STRING)

    def x_Name(self, node: s.Name) -> Code:
        local = self.scope.lookup(node.name)
        if local is not None:
            self.check_assigned(local, node.name, node.pos)
            invariant = local.in_lambda < self.lambda_depth and not local.mutable
            return Code(local.py_name, local.type, invariant=invariant)
        if node.name == "context":
            return Code("ctx", self.context_type, invariant=True)
        raise self.name_error(node.name, node.pos)

    def check_assigned(self, local: Local, name: str, pos: int) -> None:
        """csc's CS0165 where certain: no assignment precedes this read in the source, so none
        precedes it on any path (a lambda or a local function may run later: not judged)."""
        if local.unassigned and local.in_lambda == self.lambda_depth:
            raise self.error(f"Use of unassigned local variable '{name}'", pos)

    def name_error(self, name: str, pos: int) -> Exception:
        """A name that is not a value: a type or namespace used as one, or nothing at all."""
        if full_name(name) is None and not is_namespace(name):
            return self.error(f"The name '{name}' does not exist in the current context", pos)
        try:
            info = resolve(name)
        except TypeLookupError as exc:
            return self.type_error(exc, pos)
        return self.error(
            f"'{info.full_name}' is a type, which is not valid in the given context", pos
        )

    def x_PredefinedType(self, node: s.PredefinedType) -> Code:
        raise self.name_error(node.name, node.pos)

    def x_Hole(self, node: s.Hole) -> Code:
        return self.holes[-1]

    # --- members --------------------------------------------------------------------------------

    def dotted(self, node: s.Expr) -> str | None:
        """`System.IO.File` for a chain of plain names that is not a value, else None."""
        if isinstance(node, s.PredefinedType):
            return node.name
        if isinstance(node, s.Name):
            if self.scope.lookup(node.name) is not None or node.name == "context":
                return None
            return node.name
        if isinstance(node, s.Member) and node.type_args is None:
            head = self.dotted(node.target)
            return None if head is None else f"{head}.{node.name}"
        return None

    def static_target(self, node: s.Member) -> TypeInfo | None:
        """The type whose static member `node` names, or None when the target is a value."""
        head = self.dotted(node.target)
        if head is None:
            return None
        parts = head.split(".")
        type_end = next(
            (i for i in range(1, len(parts) + 1) if not is_namespace(".".join(parts[:i]))),
            len(parts),
        )
        if type_end < len(parts):  # `Type.StaticMember.Member`: the target is a value
            return None
        start = _leftmost(node).pos
        if is_namespace(head):  # `System.IO.File` used as a value
            raise self.name_error(f"{head}.{node.name}", start)
        if "." not in head and full_name(head) is None:
            raise self.error(f"The name '{head}' does not exist in the current context", start)
        try:
            return resolve(head)
        except TypeLookupError as exc:
            raise self.type_error(exc, start) from None

    def static_member(self, info: TypeInfo, node: s.Member, invoked: bool) -> Code | None:
        member = info.statics.get(node.name)
        if member is None:
            raise self.member_error(
                node.name,
                None if node.name in _DENIED_MEMBERS else MemberTable(info.full_name),
                info.full_name,
                node.pos,
            )
        if member.is_method != invoked:
            kind = "method" if member.is_method else "property"
            raise self.error(
                f"'{info.full_name}.{node.name}' is a {kind}, not valid here", node.pos
            )
        if invoked:
            return None
        value = member.value
        if member.dynamic:  # read per evaluation (DateTime.UtcNow, Guid.Empty is constant)
            return Code(f"{self.constant(value, member.result).text}()", member.result)
        if isinstance(value, (str, int, bool)):
            return Code(repr(value), member.result)
        return self.constant(value, member.result)

    def x_Member(self, node: s.Member) -> Code:
        info = self.static_target(node)
        if info is not None:
            code = self.static_member(info, node, invoked=False)
            assert code is not None
            return code
        target = self.expr(node.target)
        if target.type.is_object:  # `context.Variables["s"].Length`: object has no properties
            raise self.object_member_error(node.name, node.pos)
        table = self.member_table(target, node.name, node.pos)
        nullable = self.nullable_member(target, node.name, table)
        if nullable is not None:
            return nullable
        if table is not None:
            if node.name in table.methods and node.name not in table.props:
                if node is self.argument_node:  # a delegate argument: `Where(s.Contains)`
                    raise self.unsupported(f"method group '{node.name}' used as a value", node.pos)
                raise self.error(  # csc: CS0428 (or CS0019 as an operand; APIM allows no Func)
                    f"Cannot convert method group '{node.name}' to non-delegate type 'object'. "
                    "Did you intend to invoke the method?",
                    node.pos,
                )
            if node.name not in table.props:
                raise self.member_error(node.name, table, table.cs_type, node.pos)
            result = table.result_type(node.name, target.type)
            if (
                target.text == "ctx"
                or target.type.py is KeyValuePair
                or implementation(table.cs_type, node.name) is not None
            ):
                # never null (the context; a struct), or a collection interface's member
                # (which throws for null itself): call the getter directly
                getter = self.names.constant(table.props[node.name])
                return Code(f"{getter}({target.text})", result, target.invariant)
            return Code(f"_get({target.text}, {node.name!r})", result, target.invariant)
        return Code(f"_get({target.text}, {node.name!r})", UNKNOWN, target.invariant)

    def nullable_member(self, target: Code, name: str, table: MemberTable | None) -> Code | None:
        """`x.HasValue` / `x.Value` of a `Nullable<T>` (`int?`, `DateTime?`, ...): the value is
        the T or null, so these are a null test and a checked unwrap."""
        if name not in ("HasValue", "Value") or not _nullable_value_type(target.type):
            return None
        if table is not None and name in table.props:
            return None
        if name == "HasValue":
            return Code(f"({target.text} is not None)", BOOL)
        unwrap = self.names.constant(nullable_value)
        return Code(f"{unwrap}({target.text})", non_nullable(target.type))

    def type_arg_stype(self, node: s.TypeName) -> SType:
        """The static type a type argument names (`GetValueOrDefault<int?>` is a nullable int)."""
        stype = self.resolve_type(node).stype
        return stype.as_nullable() if node.nullable else stype

    def check_argument_kinds(
        self,
        type_name: str,
        member: str,
        node: s.Invoke | s.ObjectNew,
        pos: int,
        args: str,
        method: object = None,
    ) -> str:
        """csc's CS1502/CS1503 when no overload takes the strings, bools, chars or numbers the
        call passes (checked after `call_args`, on the in-arguments' static types; named
        arguments where the instance `method` that implements it tells their places). Returns
        `args` (`call_args`' text) with a constant 0 that can only be an enum made that enum's
        zero, as C# converts it."""
        outs = sum(a.out is not None for a in node.args)
        if len(self.last_arg_types) != len(node.args) - outs:
            return args
        ins = iter(self.last_arg_types)  # (an out argument is not judged)
        kinds = [
            None if a.out is not None else _argument_kind(next(ins), a.value) for a in node.args
        ]
        named = any(a.name for a in node.args)
        if named:
            placed = _by_position(kinds, node.args, method)
            if placed is None:
                return args
            kinds = placed
        shown = type_name.rsplit(".", 1)[-1] if member == ".ctor" else member
        shown = shown.removeprefix("static ")
        if mismatch(type_name, member, kinds):
            raise self.error(
                f"The best overloaded method match for '{type_name}.{shown}' has some invalid "
                "arguments",
                pos,
            )
        if pair := ambiguous(type_name, member, kinds):
            first, second = (f"{type_name}.{shown}({params})" for params in pair)
            raise self.error(
                "The call is ambiguous between the following methods or properties: "
                f"'{first}' and '{second}'",
                pos,
            )
        if named or outs:
            return args  # (the conversions below follow the in-arguments' order)
        texts, types = list(self.last_arg_texts), list(self.last_arg_types)
        for i, kind in enumerate(chosen(type_name, member, kinds) or ()):
            value = node.args[i].value  # `Substring('\u0002')`: the char is a number
            if kinds[i] in ("C", "F") and kind in _KIND_TYPES and kind != kinds[i] and value:
                converted = self.implicit_to(Code(texts[i], types[i]), _KIND_TYPES[kind], value)
                texts[i], types[i] = converted.text, converted.type
        for i, enum in zero_enums(type_name, member, kinds).items():
            info = IMPLEMENTED.get(enum or "")
            if info is not None and info.ref is not None:  # else the 0 stays (OidGroup ...)
                texts[i], types[i] = self.constant(info.ref.default, info.stype).text, info.stype
        self.last_arg_types, self.last_arg_texts = tuple(types), tuple(texts)
        return "".join(", " + t for t in texts)

    def check_call_arguments(
        self, receiver: SType, member: str, node: s.Invoke, pos: int, args: str, method: object
    ) -> str:
        """`check_argument_kinds`, and `List<int>.Add("a")`, `Dictionary<string, int>.Add(1, 1)`:
        csc's CS1502/CS1503 when an element, key or value argument does not convert to the
        collection's type. Returns `args` as `check_argument_kinds` does."""
        args = self.check_argument_kinds(receiver.name, member, node, pos, args, method)
        if len(self.last_arg_types) != len(node.args) or any(a.name for a in node.args):
            return args
        params = parameter_types(member, receiver)
        texts = list(self.last_arg_texts)
        for i, (param, stype, arg) in enumerate(
            zip(params, self.last_arg_types, node.args, strict=False)
        ):
            if param is None or arg.value is None:
                continue
            if lambdatypes.array_default(member, receiver, self.last_arg_types):
                continue
            if not self.argument_fits(stype, param, arg.value):
                raise self.error(
                    f"The best overloaded method match for '{receiver.name}.{member}' has some "
                    "invalid arguments",
                    pos,
                )
            if stype != param:  # `tokens.Add("b")`: the string becomes a JValue
                texts[i] = self.implicit_to(Code(texts[i], stype), param, arg.value).text
        return "".join(", " + t for t in texts)

    def check_bound_call(
        self, receiver: SType, table: MemberTable, target: s.Member, node: s.Invoke
    ) -> None:
        """The arity and the named arguments of an instance method the receiver's table has."""
        implementation = table.methods[target.name]
        if refuses(receiver.name, target.name, len(node.args), implementation, bound=True):
            raise self.arity_error(target.name, len(node.args), target.pos)
        self.check_named_arguments(implementation, node.args, table.cs_type, target.name)
        self.check_type_arguments(receiver, table, target, node)

    def check_type_arguments(
        self, receiver: SType, table: MemberTable, target: s.Member, node: s.Invoke
    ) -> None:
        """csc's CS0411 for a generic method whose type argument cannot be inferred, CS0305 for
        too many type arguments (`As<string, string>()`: the methods certgate's types make
        generic take one; LINQ's and Json.NET's `Value<T, U>` extensions aside), and CS1503 for
        a `GetValueOrDefault<T>` default that is no T."""
        count = 0 if target.type_args is None else len(target.type_args)
        if jsonext.binds_type_arguments(receiver, target.name, count):
            assert target.type_args is not None
            wanted = self.type_arg_stype(target.type_args[0])
            error = jsonext.type_argument_error(receiver, target.name, wanted, len(node.args))
            if error is not None:
                raise self.error(error, target.pos)
        elif count > 1 and target.name not in LINQ_METHODS:
            raise self.error(
                f"Using the generic method '{target.name}<T>' requires 1 type arguments",
                target.pos,
            )
        if target.type_args is None and table.cs_type in _EXPLICIT_TYPE_ARGUMENTS.get(
            target.name, ()
        ):  # `token.Value()`: its type parameter is only in its result (csc: CS0411)
            raise self.error(
                f"The type arguments for method '{target.name}<T>' cannot be inferred from the "
                "usage. Try specifying the type arguments explicitly",
                target.pos,
            )
        if (  # `Variables.GetValueOrDefault<int>("n", "")`: the default must be a T
            receiver.py is VariableDictionary
            and target.type_args
            and len(node.args) == len(self.last_arg_types) == 2
            and node.args[1].value is not None
        ):
            wanted = self.type_arg_stype(target.type_args[0])
            if not self.argument_fits(self.last_arg_types[1], wanted, node.args[1].value):
                raise self.error(
                    f"The best overloaded method match for '{table.cs_type}.GetValueOrDefault"
                    f"<{cs_name(wanted)}>' has some invalid arguments",
                    target.pos,
                )

    def check_predicate(self, name: str, args: tuple[s.Arg, ...]) -> None:
        """A predicate lambda whose body is not a bool (`Any(x => "a")`): csc's CS0029."""
        wrong = lambdatypes.non_bool_predicate(name, self.last_arg_types)
        if wrong is not None:
            at = next((a.value.body.pos for a in args if isinstance(a.value, s.Lambda)), None)
            raise self.error(  # (a method group, `Where(int.Parse)`: at the argument)
                f"Cannot implicitly convert type '{wrong.name}' to 'bool'", at or args[0].pos
            )

    def check_named_arguments(
        self, fn: object, args: tuple[s.Arg, ...], owner: str, member: str
    ) -> None:
        """A named argument the implementation does not take under that name is refused at
        load ("not supported yet"), not left to fail as an InvalidCastException at run time."""
        for arg in args:
            if arg.name is not None and not accepts_keyword(fn, arg.name):
                raise self.unsupported(
                    f"the named argument '{arg.name}' of '{owner}.{member}'", arg.pos
                )

    def check_constant_pattern(self, args: tuple[s.Arg, ...], index: int) -> None:
        """A literal pattern certgate cannot run (`regexp.unsupported_pattern`) is refused at
        load, not on the first request; the others are compiled now, once."""
        if index < len(args) and args[index].name is None:
            value = args[index].value
            if isinstance(value, s.Literal) and isinstance(value.value, str):
                problem = unsupported_pattern(value.value)
                if problem is not None:
                    raise self.unsupported(problem, value.pos)

    def argument_fits(self, value: SType, target: SType, node: s.Expr) -> bool:
        """Whether C# converts `value` to `target` implicitly (the effects layer knows)."""
        return True

    def implicit_to(self, item: Code, target: SType, node: s.Expr) -> Code:
        """`item` converted implicitly to `target` (the effects layer does it)."""
        return item

    def arity_error(self, name: str, count: int, pos: int) -> Exception:
        return self.error(f"No overload for method '{name}' takes {count} arguments", pos)

    def on_nullable(self, receiver: Code, name: str, args: str, count: int, pos: int) -> Code:
        """`x.ToString()` / `x.Equals(o)` of a `T?`: Nullable<T>'s own, which a null value
        answers ("" and `o == null`) instead of throwing."""
        if count != (name == "Equals"):
            raise self.arity_error(name, count, pos)
        temp = self.names.temp()
        empty = '""' if name == "ToString" else f"_eq({args.removeprefix(', ')}, None)"
        call = f"_call({temp}, {name!r}{args})"
        return Code(f"({empty} if ({temp} := {receiver.text}) is None else {call})", _ON_NULL[name])

    def value_or_default(self, receiver: Code, args: str, count: int, pos: int) -> Code:
        """`Nullable<T>.GetValueOrDefault([fallback])`: the value, else the fallback or T's
        default (`default(int)` is 0)."""
        stype = non_nullable(receiver.type)
        if count > 1:
            raise self.arity_error("GetValueOrDefault", count, pos)
        fallback = args.removeprefix(", ")
        if not fallback:
            info = IMPLEMENTED.get(stype.name)
            default = info.ref.default if info is not None and info.ref is not None else None
            fallback = self.constant(default, stype).text
        temp = self.names.temp()
        return Code(f"({temp} if ({temp} := {receiver.text}) is not None else {fallback})", stype)

    def member_table(self, target: Code, name: str, pos: int) -> MemberTable | None:
        if target.type is NULL:
            raise self.error("Operator '.' cannot be applied to operand of type '<null>'", pos)
        if name.startswith("_") or name in _DENIED_MEMBERS:
            raise self.member_error(name, None, target.type.name, pos)
        table = static_table(target.type)
        if json_lacks(target.type.name, name):
            raise self.member_error(name, table, target.type.name, pos)
        nullable = target.type.nullable and _nullable_value_type(target.type)
        if nullable and name not in _NULLABLE_MEMBERS:
            raise self.error(  # `d.Year` of a DateTime? needs `d.Value.Year` (csc: CS1061)
                f"'{cs_name(target.type)}?' does not contain a definition for '{name}' and no "
                f"accessible extension method '{name}' accepting a first argument of type "
                f"'{cs_name(target.type)}?' could be found",
                pos,
            )
        return table

    # --- calls ----------------------------------------------------------------------------------

    def x_Invoke(self, node: s.Invoke) -> Code:
        target = node.target
        if isinstance(target, s.Name) and target.name == "nameof" and len(node.args) == 1:
            return self.name_of(node.args[0])
        if not isinstance(target, s.Member):
            if isinstance(target, s.Name) and self.scope.lookup(target.name) is None:
                raise self.name_error(target.name, target.pos)
            raise self.unsupported("invoking a delegate", node.pos)
        if target.name in UNBOUNDED_CALLS:
            self.names.budgeted = True
        info = self.static_target(target)
        if info is not None:
            return self.extension_call(info, target, node) or self.static_call(info, target, node)
        return self.instance_call(target, node)

    def extension_call(self, info: TypeInfo, target: s.Member, node: s.Invoke) -> Code | None:
        """An extension method called as a static one (`Enumerable.Where(xs, f)`,
        `Extensions.Values<int>(tokens)`): the call on its first argument, taken as the
        sequence the method extends (so `Enumerable.Reverse(list)` is LINQ's, not List's)."""
        wrap, names = _EXTENSION_SOURCES.get(info.full_name, (None, frozenset()))
        if wrap is None or target.name in info.statics or target.name not in names:
            return None
        first = node.args[0] if node.args else None
        if first is None or first.value is None:
            raise self.arity_error(target.name, 0, target.pos)
        if first.name not in (None, "source", "value") or first.out is not None:
            raise self.unsupported(f"'{info.full_name}.{target.name}' with this argument", node.pos)
        source = self.operand(first.value)
        element = CHAR if source.type is STRING else source.type.element
        take: Callable[[object], object] = wrap.of
        if wrap is LinqSeq and not target.type_args:  # `Enumerable.Count(obj)`: CS0411 too
            error = jsonext.linq_error(source.type, target.name, node.args[1:])
            if error is not None:
                raise self.error(error, target.pos)
        if target.type_args:  # `Enumerable.Where<JToken>(obj, f)`: TSource given
            element = self.type_arg_stype(target.type_args[0])
            if source.type.py is JObject and element.py is KeyValuePair:
                take = pairs_of  # a JObject's own enumeration
        sequence = SType(wrap.CS_TYPE, wrap, element=element)
        taken = Code(f"{self.names.constant(take)}({source.text})", sequence)
        if target.name == "Value" and source.type.name in JSON_TOKENS:
            taken = source  # `Extensions.Value<T>(token)` converts the token itself
        self.holes.append(taken)
        member = s.Member(target.pos, s.Hole(first.value.pos), target.name, target.type_args)
        outer, self.qualified_extension = self.qualified_extension, member
        try:
            return self.expr(s.Invoke(node.pos, member, node.args[1:]))
        finally:
            self.holes.pop()
            self.qualified_extension = outer

    def name_of(self, arg: s.Arg) -> Code:
        """`nameof(x)`, `nameof(DateTime.Now)`: the last name, as a constant string (the name
        must resolve: a local, a type, or a member of either)."""
        value = arg.value
        if isinstance(value, s.Member):
            if self.static_target(value) is None:
                self.operand(value.target)  # `nameof(x.Length)`: x must exist
            return Code(repr(value.name), STRING)
        if isinstance(value, s.Name):
            if self.scope.lookup(value.name) is None and full_name(value.name) is None:
                raise self.name_error(value.name, value.pos)
            return Code(repr(value.name), STRING)
        raise self.error("Expression does not have a name", arg.pos)

    def instance_call(self, target: s.Member, node: s.Invoke) -> Code:
        """`x.M(args)`: a member of the receiver's table, or LINQ's over an interface."""
        receiver = self.json_sequence(self.operand(target.target), target, node.args)
        if receiver.type.is_object:
            self.check_object_call(target, len(node.args))
        table = self.member_table(receiver, target.name, target.pos)
        out_types = () if table is None else table.out_result_types(target.name, receiver.type)
        lambdas = lambdatypes.instance(receiver.type, target.name)
        args, outs = self.call_args(node.args, lambdas, out_types, target.name)
        if target.name == "GetValueOrDefault" and _nullable_value_type(receiver.type):
            return self.value_or_default(receiver, args, len(node.args), target.pos)
        if (
            target.name in _ON_NULL
            and receiver.type.nullable
            and _nullable_value_type(receiver.type)
        ):
            return self.on_nullable(receiver, target.name, args, len(node.args), target.pos)
        name = repr(target.name)
        if table is not None:
            if target.name not in table.methods:
                if target.name in table.props:
                    raise self.error(
                        f"Non-invocable member '{target.name}' cannot be used like a method",
                        target.pos,
                    )
                raise self.member_error(
                    target.name, table, table.cs_type, target.pos, receiver.type
                )
            if target.type_args is not None and target.name not in table.generic:
                raise self.error(
                    f"The non-generic method '{target.name}' cannot be used with type arguments",
                    target.pos,
                )
            if outs and table.out_methods.get(target.name) != len(outs):
                raise self.error(
                    f"No overload for method '{target.name}' takes out arguments here", target.pos
                )
            self.check_bound_call(receiver.type, table, target, node)
            args = self.check_call_arguments(
                receiver.type, target.name, node, target.pos, args, table.methods[target.name]
            )
        if table is not None:
            result = table.result_type(target.name, receiver.type)
        else:  # an interface such as IEnumerable<T>: LINQ's results still follow from T
            result = linq_result(target.name, receiver.type)
        result = lambdatypes.refined(target.name, result, receiver.type, self.last_arg_types)
        implied = self.implied_type_argument(target.name, receiver.type, node.args)
        if target.type_args is not None:
            refs = tuple(self.type_ref(t) for t in target.type_args)
            result = self.type_arg_stype(target.type_args[-1])  # `Value<T, U>()` gives a U
            call = f"_callg({receiver.text}, {name}, {self.names.constant(refs)}{args})"
        elif implied is not None:
            result = implied
            refs = (REFS[implied.name],)
            call = f"_callg({receiver.text}, {name}, {self.names.constant(refs)}{args})"
        elif outs:
            call = f"_callout({receiver.text}, {name}, {len(outs)}{args})"
        else:
            if target.name == "DefaultIfEmpty" and not node.args and receiver.type.element:
                default = _value_default(receiver.type.element)  # default(T) of a struct T
                args = (
                    ""
                    if default is None
                    else ", " + self.constant(default, receiver.type.element).text
                )
            call = self.interface_call(table, target, receiver, args, len(node.args))
            indexed = self.indexed_any(target.name, node.args, receiver, args)
            call = indexed or self.sized_to_string(target.name, receiver, args) or call
            call = self.typed_comparison(target.name, receiver, node.args, args) or call
            call = self.value_default(target.name, call, result)
            if target.name == "Sum" and result.name == "System.Int32":  # checked, in C#
                call = f"_chk({call})"
            call = self.nullable_aggregate(target.name, table, receiver.text, args, result) or call
        return Code(self.with_outs(call, outs), result)

    def interface_call(
        self, table: MemberTable | None, target: s.Member, receiver: Code, args: str, count: int
    ) -> str:
        """`receiver.name(args)`, dispatched on the value's class, but through a collection
        interface to the interface's member (an array's `ICollection<T>.Contains`), and
        `Reverse()` of a sequence (or `Reverse<T>()`) to LINQ's, where a List<T> has its own
        in-place one."""
        name = target.name
        method = None if table is None else implementation(table.cs_type, name, count)
        linq = receiver.type.py in (None, LinqSeq) or (
            self.explicit_linq is not None and target is self.explicit_linq[0]
        )
        if method is None and name == "Reverse" and linq:
            method = LINQ_METHODS["Reverse"]
        if method is None:
            return f"_call({receiver.text}, {name!r}{args})"
        return f"{self.names.constant(method)}({receiver.text}{args})"

    def nullable_aggregate(
        self, name: str, table: MemberTable | None, receiver: str, args: str, result: SType
    ) -> str | None:
        """LINQ's Max/Min/Average typed `T?` or a class (`new int?[0].Max()`, a string's Min):
        null for no non-null value, where the value-type overloads throw."""
        if name not in ("Max", "Min", "Average") or table is None:
            return None
        if table.methods.get(name) is not LINQ_METHODS.get(name):
            return None  # the type's own member, not LINQ's
        if not result.known or not (result.nullable or result is STRING or result.is_object):
            return None
        helper = self.names.constant(NULLABLE_AGGREGATES[name])
        return f"{helper}({receiver}{args})"

    def value_default(self, name: str, call: str, result: SType) -> str:
        """`FirstOrDefault` & co. of a value type's elements: default(T) where nothing matched
        (`new[] {1}.FirstOrDefault(x => x > 5)` is 0); the runtime knows T only for typed
        collections and gives null otherwise. A value type's element is never null itself."""
        if name not in _OR_DEFAULT or result.nullable:
            return call
        default = _value_default(result)
        if default is None:
            return call
        temp = self.names.temp()
        value = self.constant(default, result).text
        return f"({temp} if ({temp} := {call}) is not None else {value})"

    def implied_type_argument(
        self, name: str, receiver: SType, args: tuple[s.Arg, ...]
    ) -> SType | None:
        """`context.Variables.GetValueOrDefault("n", "")` is APIM's `GetValueOrDefault<T>` with
        T inferred from the default (a string here), so a stored value of another type throws,
        as in APIM; None where C# infers no T certgate can test."""
        if name != "GetValueOrDefault" or receiver.py is not VariableDictionary or len(args) != 2:
            return None
        if any(arg.name is not None or arg.out is not None for arg in args):
            return None
        default = self.last_arg_types[1] if len(self.last_arg_types) == 2 else UNKNOWN
        return default if default.name in REFS and default.known and not default.nullable else None

    def typed_comparison(
        self, name: str, receiver: Code, args: tuple[s.Arg, ...], compiled: str
    ) -> str | None:
        """`n.CompareTo(x)` / `n.Equals(x)` on a number: the overload C# picks, and so the
        result, depends on both static types (`scalars.comparison`)."""
        if len(args) != 1 or len(self.last_arg_types) != 1 or args[0].name is not None:
            return None
        helper = comparison(name, receiver.type, self.last_arg_types[0], args[0].value)
        if helper is None:
            return None
        return f"{self.names.constant(helper)}({receiver.text}{compiled})"

    def sized_to_string(self, name: str, receiver: Code, compiled: str) -> str | None:
        """`x.ToString("X")` on a long/short/sbyte: the hex of a negative value depends on the
        width, which only the static type knows (both are Python ints at run time)."""
        bits = SIZED_BITS.get(receiver.type.name) if receiver.type.py is int else None
        if name != "ToString" or bits is None or not compiled:
            return None
        return f"{self.names.constant(format_sized)}({receiver.text}, {bits}{compiled})"

    def indexed_any(
        self, name: str, args: tuple[s.Arg, ...], receiver: Code, compiled: str
    ) -> str | None:
        """`source.Any(c => c.Value.M == e)` where `e` does not use `c` (the uploaded-certificate
        check): a set lookup when `source` is a snapshot dictionary (`linq.any_value_equals`);
        the compiled lambda stays as the fallback."""
        if name != "Any" or len(args) != 1 or not isinstance(args[0].value, s.Lambda):
            return None
        lam = args[0].value
        if len(lam.params) != 1 or not isinstance(lam.body, s.Binary) or lam.body.op != "==":
            return None
        param = lam.params[0].name
        for probe, other in ((lam.body.left, lam.body.right), (lam.body.right, lam.body.left)):
            if (
                isinstance(probe, s.Member)
                and isinstance(probe.target, s.Member)
                and probe.target.name == "Value"
                and isinstance(probe.target.target, s.Name)
                and probe.target.target.name == param
                and not any(isinstance(n, s.Name) and n.name == param for n in s.walk(other))
            ):
                value = self.operand(other)
                helper = self.names.constant(any_value_equals)
                return f"{helper}({receiver.text}, {probe.name!r}, lambda: {value.text}{compiled})"
        return None

    def static_call(self, info: TypeInfo, target: s.Member, node: s.Invoke) -> Code:
        self.static_member(info, target, invoked=True)
        member = info.statics[target.name]
        if target.type_args is not None and not member.generic:
            raise self.unsupported(
                f"type arguments on '{info.full_name}.{target.name}'", target.pos
            )
        if info.full_name == "Newtonsoft.Json.JsonConvert" and len(target.type_args or ()) > 1:
            raise self.error(  # `DeserializeObject<T>` takes one (csc: CS0305)
                f"Using the generic method '{target.name}<T>' requires 1 type arguments",
                target.pos,
            )
        # `T.TryParse(s, out var v)`: v is a T
        parses = target.name.startswith("TryParse") or target.name == "TryCreate"
        args, outs = self.call_args(
            node.args,
            lambdatypes.static(info.full_name, target.name),
            (info.stype,) if parses and member.outs == 1 else (),
            target.name,
        )
        key = "static " + target.name
        if refuses(info.full_name, key, len(node.args), member.value, bound=False):
            raise self.arity_error(target.name, len(node.args), target.pos)
        args = self.check_argument_kinds(info.full_name, key, node, target.pos, args)
        if info.full_name == Regex.CS_TYPE and target.name != "Unescape":
            self.check_constant_pattern(node.args, 1)  # (input, pattern, ...)
        if len(outs) != member.outs:
            raise self.error(
                f"No overload for method '{target.name}' takes {len(node.args)} arguments",
                target.pos,
            )
        self.check_named_arguments(member.value, node.args, info.full_name, target.name)
        function = self.names.constant(member.value)
        try:
            result = member.result
            if member.typer is not None and target.type_args is None:  # else: the type args'
                result = member.typer(self.last_arg_types)
        except OverloadRefused as refused:
            raise self.error(refused.message, target.pos) from None
        if member.arg_types:
            # (a type certgate does not know is not `object`: nothing is chosen by it)
            names = tuple("<unknown>" if t is UNKNOWN else t.name for t in self.last_arg_types)
            args += f", arg_types={self.names.constant(names)}"
        if target.type_args is not None:  # `JsonConvert.DeserializeObject<T>(s)`
            refs = tuple(self.type_ref(t) for t in target.type_args)
            args += f", type_args={self.names.constant(refs)}"
            result = self.type_arg_stype(target.type_args[0])
            if member.of_type_arg is not None:
                result = member.of_type_arg(result)
        return Code(self.with_outs(f"{function}({args.removeprefix(', ')})", outs), result)

    def call_args(
        self,
        args: tuple[s.Arg, ...],
        lambdas: LambdaTyper | None,
        out_types: tuple[SType, ...] = (),
        method: str = "",
    ) -> tuple[str, list[str]]:
        """(", a, b" for the in-arguments, [python names of out targets]); `lambdas` types the
        parameters of lambda arguments, `out_types` the `out var` locals. A method group
        argument (`Select(int.Parse)`, `Where(allowed.Contains)`) is the lambda that calls it,
        with as many parameters as `method`'s delegate takes there."""
        texts: list[str] = []
        outs: list[str] = []
        types: list[SType] = []  # of the in-arguments, for overloads (`StaticMember.typer`)
        named = False
        for index, given in enumerate(args):
            arg = given
            if isinstance(given.value, s.Member) and self.is_method_group(given.value):
                count = lambdatypes.group_arity(method, index, len(args))
                arg = s.Arg(given.pos, _group_lambda(given.value, count), name=given.name)
            if arg.out is not None:
                known = out_types[len(outs)] if len(outs) < len(out_types) else UNKNOWN
                outs.append(self.out_target(arg, known))
            elif outs:
                raise self.unsupported("arguments after an out argument", arg.pos)
            elif isinstance(arg.value, s.Lambda):
                count = len(arg.value.params)
                params = () if lambdas is None else lambdas(len(types), count, tuple(types))
                code = self.lambda_(arg.value, params)
                texts.append(code.text)
                types.append(code.type)  # a `lambda_result` marker
            elif arg.value is not None:
                outer, self.argument_node = self.argument_node, arg.value
                try:
                    code = self.operand(arg.value)
                finally:
                    self.argument_node = outer
                texts.append(code.text)
                types.append(code.type)
            if arg.name is not None:  # a Python keyword argument named like the C# parameter
                if not _PLAIN_NAME.match(arg.name) or arg.name in _RESERVED_KEYWORDS:
                    raise self.unsupported(f"named argument '{arg.name}'", arg.pos)
                texts[-1] = f"{arg.name}={texts[-1]}"
                named = True
            elif named:
                raise self.unsupported("positional arguments after named arguments", arg.pos)
        self.last_arg_types = tuple(types)
        self.last_arg_texts = tuple(texts)
        self.check_predicate(method, args)
        return "".join(", " + t for t in texts), outs

    def is_method_group(self, node: s.Member) -> bool:
        """`int.Parse` (a static method of an allowed type) or `allowed.Contains` (a method of
        a local's type) written without a call."""
        if node.type_args is not None:
            return False
        if isinstance(node.target, s.Name) and self.scope.lookup(node.target.name) is not None:
            local = self.scope.lookup(node.target.name)
            table = static_table(local.type) if local is not None else None
            if table is None or node.name in table.props:  # `list.Count`: the property
                return False
            return node.name in table.methods
        if self.dotted(node.target) is None:
            return False
        try:
            info = self.static_target(node)
        except CertgateError:
            return False
        member = info.statics.get(node.name) if info is not None else None
        return member is not None and member.is_method

    def out_target(self, arg: s.Arg, known: SType = UNKNOWN) -> str:
        """The local an out argument assigns; `known`: the parameter's type, for `out var`."""
        assert arg.out is not None
        if arg.out == "_" and (arg.declares or self.scope.lookup("_") is None):
            return self.names.temp()  # a discard: `out _`, `out var _`
        if arg.declares:
            stype = known if arg.out_type is None else self.resolve_type(arg.out_type).stype
            self.check_out_type(stype, known, arg)
            return self.declare(arg.out, stype, arg.pos).py_name
        local = self.scope.lookup(arg.out)
        if local is None:
            raise self.error(f"The name '{arg.out}' does not exist in the current context", arg.pos)
        self.check_out_type(local.type, known, arg)
        return local.py_name

    def check_out_type(self, variable: SType, parameter: SType, arg: s.Arg) -> None:
        """An out argument's variable has exactly the parameter's type (csc: CS1502/CS1503):
        `out v` of a string for the headers' string[] is refused."""
        both = (variable.known or variable.is_object) and parameter.known
        if both and (variable.name != parameter.name or variable.nullable != parameter.nullable):
            raise self.error(
                f"Argument: cannot convert from 'out {_shown(variable)}' to "
                f"'out {_shown(parameter)}'",
                arg.pos,
            )

    def with_outs(self, call: str, outs: list[str]) -> str:
        """Bind out values to their locals: `((t := call), (v := t[1]))[0][0]`."""
        if not outs:
            return call
        temp = self.names.temp()
        binds = "".join(f", ({name} := {temp}[{i}])" for i, name in enumerate(outs, start=1))
        return f"(({temp} := {call}){binds})[0][0]"

    def declare(self, name: str, stype: SType, pos: int) -> Local:
        clash = self.scope.lookup(name) is not None or name in self.scope.nested
        if name == "context" or clash:
            raise self.error(
                f"A local or parameter named '{name}' cannot be declared in this scope because "
                "that name is used in an enclosing local scope to define a local or parameter",
                pos,
            )
        local = Local(self.names.local(name), stype, self.lambda_depth)
        local.mutable = name in self.reassigned
        self.scope.declare(name, local)
        return local

    # --- types ----------------------------------------------------------------------------------

    def resolve_type(self, node: s.TypeName) -> TypeInfo:
        if node.args or node.array_rank > 1:
            raise self.unsupported(f"type '{node.display()}'", node.pos)
        try:
            info = resolve(node.name)
        except TypeLookupError as exc:
            raise self.type_error(exc, node.pos) from None
        if node.array_rank:  # T[]: element types are not checked at run time (yet)
            name = f"{info.full_name}[]"
            if node.nullable:  # `int?[]`: T? elements (the CLR's name for the array type)
                name = f"System.Nullable`1[{info.full_name}][]"
            element = info.stype.as_nullable() if node.nullable else info.stype
            return TypeInfo(name, array_of(element), CsTypeRef(name, (CsArray,)))
        return info

    def type_ref(self, node: s.TypeName) -> CsTypeRef:
        info = self.resolve_type(node)
        if info.ref is None:
            raise self.unsupported(f"type '{info.full_name}' here", node.pos)
        if node.nullable:
            return CsTypeRef(info.ref.name, info.ref.classes, None, is_value_type=False)
        return info.ref

    # --- lambdas --------------------------------------------------------------------------------

    def x_Lambda(self, node: s.Lambda) -> Code:
        return Code(self.lambda_(node, ()).text, UNKNOWN)

    def lambda_(self, node: s.Lambda, param_types: tuple[SType, ...]) -> Code:
        """`x => ...` with the parameter types known from the call; see `effects`."""
        raise self.unsupported("lambdas", node.pos)


def _leftmost(node: s.Expr) -> s.Expr:
    """First node of a dotted name (where csc reports errors about the whole name)."""
    while isinstance(node, s.Member):
        node = node.target
    return node
