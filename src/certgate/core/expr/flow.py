"""C#'s reachability rules, enough for "Not all code paths return a value" and for switch
sections that "fall through" (C# spec, "End points and reachability").

`completes(stmt)` answers "is the end point of `stmt` reachable?". Like csc, it takes a
condition's constant value into account (`true`, `1 == 1`, `!false`, a `const bool` local), and
counts every `break` that targets a loop or switch, without asking whether the break itself is
reachable.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping

from . import syntax as s
from .literals import constant_value

Constants = Mapping[str, s.Expr]  # `const bool` locals: name -> initializer

_BOOL_OPS: dict[str, Callable[[bool, bool], bool]] = {
    "&&": operator.and_,
    "||": operator.or_,
    "&": operator.and_,
    "|": operator.or_,
    "^": operator.xor,
    "==": operator.eq,
    "!=": operator.ne,
}
_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,  # type: ignore[dict-item]
    "<=": operator.le,  # type: ignore[dict-item]
    ">": operator.gt,  # type: ignore[dict-item]
    ">=": operator.ge,  # type: ignore[dict-item]
}


def bool_constants(body: object) -> dict[str, s.Expr]:
    """The const locals declared anywhere in `body` (their names are unique: CS0136)."""
    found: dict[str, s.Expr] = {}
    for node in s.walk(body):
        if isinstance(node, s.LocalDecl) and node.const:
            for declarator in node.declarators:
                if declarator.init is not None:
                    found[declarator.name] = declarator.init
    return found


def constant_bool(node: s.Expr | None, consts: Constants) -> bool | None:
    """The value of a constant boolean expression, or None when it is not one (a missing
    condition, as in `for (;;)`, is true)."""
    while isinstance(node, s.Paren):
        node = node.inner
    if node is None:
        return True
    if isinstance(node, s.Literal):
        return node.value if node.kind == "bool" else None  # type: ignore[return-value]
    if isinstance(node, s.Name) and node.name in consts:
        return constant_bool(consts[node.name], {})  # (no const refers to itself)
    if isinstance(node, s.Unary) and node.op == "!":
        inner = constant_bool(node.operand, consts)
        return None if inner is None else not inner
    if not isinstance(node, s.Binary):
        return None
    if node.op in _BOOL_OPS:
        a, b = constant_bool(node.left, consts), constant_bool(node.right, consts)
        if a is not None and b is not None:
            return _BOOL_OPS[node.op](a, b)
    if node.op in _COMPARE:
        x, y = scalar_constant(node.left), scalar_constant(node.right)
        ordered = isinstance(x, int) or node.op in ("==", "!=")  # strings: equality only
        if x is not None and y is not None and type(x) is type(y) and ordered:
            return _COMPARE[node.op](x, y)
    return None


def scalar_constant(node: s.Expr) -> int | str | None:
    while isinstance(node, s.Paren):
        node = node.inner
    if isinstance(node, s.Literal) and node.kind == "string":
        return node.value  # type: ignore[return-value]
    return constant_value(node)


def _is_true(node: s.Expr | None, consts: Constants) -> bool:
    return constant_bool(node, consts) is True


def jumps(node: s.Stmt, kind: str) -> bool:
    """Does `node` contain a `break`/`continue` that targets the statement around it?"""
    if isinstance(node, s.Jump):
        return node.kind == kind
    if isinstance(node, s.Block):
        return any(jumps(stmt, kind) for stmt in node.body)
    if isinstance(node, s.If):
        return jumps(node.then, kind) or (node.other is not None and jumps(node.other, kind))
    if isinstance(node, s.Switch):  # its own breaks target it; continues go further out
        return kind == "continue" and any(
            jumps(stmt, kind) for section in node.sections for stmt in section.body
        )
    if isinstance(node, s.Try):
        parts = [node.body, *(c.body for c in node.catches)]
        if node.final is not None:
            parts.append(node.final)
        return any(jumps(part, kind) for part in parts)
    if isinstance(node, (s.Using, s.CheckedBlock)):
        return jumps(node.body, kind)
    return False  # loops own their break/continue


def completes(node: s.Stmt, consts: Constants | None = None) -> bool:
    consts = {} if consts is None else consts
    if isinstance(node, (s.Return, s.ThrowStmt, s.Jump)):
        return False
    if isinstance(node, s.Block):
        return all(completes(stmt, consts) for stmt in node.body)
    if isinstance(node, s.If):
        value = constant_bool(node.cond, consts)
        then_ends = value is not False and completes(node.then, consts)
        if node.other is None:
            return then_ends or value is not True
        return then_ends or (value is not True and completes(node.other, consts))
    if isinstance(node, s.While):
        if node.do:
            body_ends = completes(node.body, consts) or jumps(node.body, "continue")
            return jumps(node.body, "break") or (body_ends and not _is_true(node.cond, consts))
        return jumps(node.body, "break") or not _is_true(node.cond, consts)
    if isinstance(node, s.For):
        return jumps(node.body, "break") or not _is_true(node.cond, consts)
    if isinstance(node, s.Switch):
        return _switch_completes(node)
    if isinstance(node, s.Try):
        if node.final is not None and not completes(node.final, consts):
            return False
        return completes(node.body, consts) or any(completes(c.body, consts) for c in node.catches)
    if isinstance(node, (s.Using, s.CheckedBlock)):
        return completes(node.body, consts)
    return True


def _switch_completes(node: s.Switch) -> bool:
    """Reachable after the switch: a `break`; or a value no label takes."""
    if any(jumps_switch(stmt) for section in node.sections for stmt in section.body):
        return True
    return switch_may_miss(node)


def switch_may_miss(node: s.Switch) -> bool:
    """Whether the switch may take no section: it has no `default:`, and its value is not a
    constant that a label matches."""
    labels = [label for section in node.sections for label in section.labels]
    if None in labels:
        return False
    value = scalar_constant(node.value)
    return value is None or all(scalar_constant(label) != value for label in labels if label)


def jumps_switch(node: s.Stmt) -> bool:
    """A `break` that leaves the enclosing switch (not one inside a nested loop/switch)."""
    return jumps(node, "break")
