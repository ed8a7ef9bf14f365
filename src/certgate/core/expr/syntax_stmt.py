"""The statements of the syntax tree (`@{ ... }` bodies and block lambdas); see `syntax`.
`syntax` re-exports everything here, so users write `s.Foreach` as for expressions."""

from __future__ import annotations

from dataclasses import dataclass

from .syntax import Expr, Param, TypeName


@dataclass(frozen=True, slots=True)
class Declarator:
    pos: int
    name: str
    init: Expr | None


@dataclass(frozen=True, slots=True)
class LocalDecl:
    pos: int
    type: TypeName | None  # None for `var`
    declarators: tuple[Declarator, ...]
    const: bool = False


@dataclass(frozen=True, slots=True)
class ExprStmt:
    pos: int
    expr: Expr


@dataclass(frozen=True, slots=True)
class Return:
    pos: int
    value: Expr | None


@dataclass(frozen=True, slots=True)
class If:
    pos: int
    cond: Expr
    then: Stmt
    other: Stmt | None


@dataclass(frozen=True, slots=True)
class Block:
    pos: int
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class Foreach:
    pos: int
    type: TypeName | None  # None for `var`
    name: str
    source: Expr
    body: Stmt


@dataclass(frozen=True, slots=True)
class For:
    pos: int
    init: tuple[Stmt, ...]  # a LocalDecl or expression statements
    cond: Expr | None
    update: tuple[Expr, ...]
    body: Stmt


@dataclass(frozen=True, slots=True)
class While:
    pos: int
    cond: Expr
    body: Stmt
    do: bool = False  # `do body while (cond);`


@dataclass(frozen=True, slots=True)
class Jump:
    pos: int
    kind: str  # "break" or "continue"


@dataclass(frozen=True, slots=True)
class SwitchSection:
    pos: int
    labels: tuple[Expr | None, ...]  # constant expressions; None is `default:`
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class Switch:
    pos: int
    value: Expr
    sections: tuple[SwitchSection, ...]


@dataclass(frozen=True, slots=True)
class Catch:
    pos: int
    type: TypeName | None  # None: `catch { }` (everything)
    name: str | None
    filter: Expr | None  # `when (...)`
    body: Block


@dataclass(frozen=True, slots=True)
class Try:
    pos: int
    body: Block
    catches: tuple[Catch, ...]
    final: Block | None


@dataclass(frozen=True, slots=True)
class ThrowStmt:
    pos: int
    value: Expr | None  # None: `throw;` (rethrow, inside catch only)


@dataclass(frozen=True, slots=True)
class Using:
    """`using (var x = ...) body` / `using (expr) body`: Dispose() on the way out."""

    pos: int
    resource: LocalDecl | Expr
    body: Stmt


@dataclass(frozen=True, slots=True)
class CheckedBlock:
    pos: int
    checked: bool
    body: Block


@dataclass(frozen=True, slots=True)
class LocalFunction:
    """`int F(int x, string y = "a") { ... }` / `=> expr` (C# 7), callable from its whole block."""

    pos: int
    name: str
    returns: TypeName | None  # None: void
    params: tuple[Param, ...]
    defaults: tuple[Expr | None, ...]
    body: Block | Expr


Stmt = (
    LocalDecl
    | ExprStmt
    | Return
    | If
    | Block
    | Foreach
    | For
    | While
    | Jump
    | Switch
    | Try
    | ThrowStmt
    | Using
    | CheckedBlock
    | LocalFunction
)
