"""The C# syntax tree the translator works on (built from tree-sitter's CST by `lower`).

Only constructs the compiler understands get a node; anything else is refused while lowering, so
the translator never meets an unknown shape. `pos` is the byte offset in the wrapped source
(`SourceMap.error` turns it into document line/column).

Null-conditional chains are explicit: `a?.b.c` is `NullCond(a, Member(Member(Hole, b), c))`, so
the whole chain short-circuits when `a` is null, as C# specifies.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class TypeName:
    """A type as written: `string`, `System.IO.File`, `List<int>`, `int[]`, `int?`."""

    pos: int
    name: str  # dotted name without type arguments
    args: tuple[TypeName, ...] = ()
    array_rank: int = 0
    nullable: bool = False

    def display(self) -> str:
        text = self.name
        if self.args:
            text += "<" + ", ".join(arg.display() for arg in self.args) + ">"
        return text + "?" * self.nullable + "[]" * self.array_rank


# --- expressions --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    pos: int
    value: object  # str, bool, int, float, CsChar or None
    kind: str  # "string", "bool", "int", "uint", "long", "ulong", "double", "char", "null", ...


@dataclass(frozen=True, slots=True)
class Interpolated:
    pos: int
    parts: tuple[str | Expr, ...]


@dataclass(frozen=True, slots=True)
class Name:
    """A simple name: a local, a lambda parameter, `context`, or the start of a type name."""

    pos: int
    name: str


@dataclass(frozen=True, slots=True)
class PredefinedType:
    """`string`, `int`, ... used as the receiver of a static member (`string.IsNullOrEmpty`)."""

    pos: int
    name: str


@dataclass(frozen=True, slots=True)
class Member:
    pos: int  # position of the member name (where csc reports member errors)
    target: Expr
    name: str
    type_args: tuple[TypeName, ...] | None = None  # `M<int>`; None when not generic


@dataclass(frozen=True, slots=True)
class Arg:
    pos: int
    value: Expr | None  # None for `out var x` / `out T x` (a declaration)
    out: str | None = None  # name assigned by an `out` argument
    out_type: TypeName | None = None  # declared type of `out T x`; None for `out var`/`out x`
    declares: bool = False  # `out var x` / `out T x` declare a new local
    name: str | None = None  # named argument `preserveContent: true`


@dataclass(frozen=True, slots=True)
class Invoke:
    pos: int
    target: Expr
    args: tuple[Arg, ...]


@dataclass(frozen=True, slots=True)
class Index:
    pos: int
    target: Expr
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Hole:
    """The non-null receiver inside a `NullCond` body."""

    pos: int


@dataclass(frozen=True, slots=True)
class NullCond:
    pos: int
    receiver: Expr
    body: Expr


@dataclass(frozen=True, slots=True)
class Unary:
    pos: int
    op: str  # "!", "-", "+", "~"
    operand: Expr


@dataclass(frozen=True, slots=True)
class Binary:
    pos: int  # position of the operator
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Conditional:
    pos: int
    cond: Expr
    then: Expr
    other: Expr


@dataclass(frozen=True, slots=True)
class Param:
    pos: int
    name: str
    type: TypeName | None


@dataclass(frozen=True, slots=True)
class Lambda:
    pos: int
    params: tuple[Param, ...]
    body: Expr | Block


@dataclass(frozen=True, slots=True)
class Cast:
    pos: int
    type: TypeName
    operand: Expr


@dataclass(frozen=True, slots=True)
class Paren:
    pos: int
    inner: Expr


@dataclass(frozen=True, slots=True)
class ArrayNew:
    """`new[] { ... }`, `new T[] { ... }`, `new T[n]` (`size`; then `items` is None)."""

    pos: int
    element: TypeName | None
    items: tuple[Expr, ...] | None
    size: Expr | None = None


@dataclass(frozen=True, slots=True)
class MemberInit:
    """One entry of an object initializer: `Name = value` or `[index] = value`."""

    pos: int
    name: str | None
    index: tuple[Expr, ...]
    value: Expr


@dataclass(frozen=True, slots=True)
class ObjectNew:
    """`new T(args) { ... }`: `adds` are collection-initializer `Add` calls (`{ k, v }` or `v`),
    `members` object-initializer assignments; a C# initializer has one kind or the other."""

    pos: int
    type: TypeName
    args: tuple[Arg, ...]
    adds: tuple[tuple[Expr, ...], ...] = ()
    members: tuple[MemberInit, ...] = ()


@dataclass(frozen=True, slots=True)
class AnonNew:
    """`new { a, b.C, D = 1 }`: members in declaration order."""

    pos: int
    members: tuple[tuple[str, Expr], ...]


@dataclass(frozen=True, slots=True)
class IsType:
    """`x is T`, `x is T name` (declares `name`), or a constant pattern `x is null` / `x is 5`."""

    pos: int
    value: Expr
    type: TypeName | None
    name: str | None = None
    constant: Expr | None = None


@dataclass(frozen=True, slots=True)
class AsType:
    pos: int
    value: Expr
    type: TypeName


@dataclass(frozen=True, slots=True)
class Assign:
    """`target = value`, or compound `target op= value` (`op` is the binary operator, e.g. '+',
    or '??'); `target` is a local (`Name`), an indexer (`Index`) or a property (`Member`)."""

    pos: int
    target: Expr
    op: str | None
    value: Expr


@dataclass(frozen=True, slots=True)
class IncDec:
    pos: int
    target: Expr
    op: str  # "++" or "--"
    prefix: bool


@dataclass(frozen=True, slots=True)
class Throw:
    """`throw e` as an expression (`x ?? throw ...`) or statement; `value` None is `throw;`."""

    pos: int
    value: Expr | None


@dataclass(frozen=True, slots=True)
class Checked:
    pos: int
    inner: Expr
    checked: bool


@dataclass(frozen=True, slots=True)
class Formatted:
    """An interpolation hole with alignment and/or format: `{x,-5:D4}`."""

    pos: int
    value: Expr
    align: Expr | None
    format: str | None


@dataclass(frozen=True, slots=True)
class TypeOf:
    pos: int
    type: TypeName


@dataclass(frozen=True, slots=True)
class Default:
    pos: int
    type: TypeName | None  # None for the `default` literal


Expr = (
    Literal
    | Interpolated
    | Name
    | PredefinedType
    | Member
    | Invoke
    | Index
    | Hole
    | NullCond
    | Unary
    | Binary
    | Conditional
    | Lambda
    | Cast
    | Paren
    | ArrayNew
    | ObjectNew
    | TypeOf
    | Default
    | AnonNew
    | IsType
    | AsType
    | Assign
    | IncDec
    | Throw
    | Checked
    | Formatted
)


def walk(node: object) -> list[object]:
    """Every syntax node under `node` (inclusive), lambdas included."""
    out: list[object] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, tuple):
            stack.extend(current)
            continue
        if not hasattr(current, "__dataclass_fields__"):
            continue
        out.append(current)
        stack.extend(getattr(current, f.name) for f in fields(current))  # type: ignore[arg-type]
    return out


# statements (the `@{ ... }` form and block lambdas) live in `syntax_stmt`
from .syntax_stmt import (  # noqa: E402 - they refer to Expr, defined above
    Block,
    Catch,
    CheckedBlock,
    Declarator,
    ExprStmt,
    For,
    Foreach,
    If,
    Jump,
    LocalDecl,
    LocalFunction,
    Return,
    Stmt,
    Switch,
    SwitchSection,
    ThrowStmt,
    Try,
    Using,
    While,
)

__all__ = [
    "AnonNew",
    "Arg",
    "ArrayNew",
    "AsType",
    "Assign",
    "Binary",
    "Block",
    "Cast",
    "Catch",
    "Checked",
    "CheckedBlock",
    "Conditional",
    "Declarator",
    "Default",
    "Expr",
    "ExprStmt",
    "For",
    "Foreach",
    "Formatted",
    "Hole",
    "If",
    "IncDec",
    "Index",
    "Interpolated",
    "Invoke",
    "IsType",
    "Jump",
    "Lambda",
    "Literal",
    "LocalDecl",
    "LocalFunction",
    "Member",
    "MemberInit",
    "Name",
    "NullCond",
    "ObjectNew",
    "Param",
    "Paren",
    "PredefinedType",
    "Return",
    "Stmt",
    "Switch",
    "SwitchSection",
    "Throw",
    "ThrowStmt",
    "Try",
    "TypeName",
    "TypeOf",
    "Unary",
    "Using",
    "While",
]
