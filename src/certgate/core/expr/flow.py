"""C#'s reachability rules, enough for "Not all code paths return a value" and for switch
sections that "fall through" (C# spec, "End points and reachability").

`completes(stmt)` answers "is the end point of `stmt` reachable?". Like csc, it treats only the
literal `true` as a constant condition and counts every `break` that targets a loop or switch,
without asking whether the break itself is reachable.
"""

from __future__ import annotations

from . import syntax as s


def _is_true(node: s.Expr | None) -> bool:
    while isinstance(node, s.Paren):
        node = node.inner
    return node is None or (isinstance(node, s.Literal) and node.value is True)


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


def completes(node: s.Stmt) -> bool:
    if isinstance(node, (s.Return, s.ThrowStmt, s.Jump)):
        return False
    if isinstance(node, s.Block):
        return all(completes(stmt) for stmt in node.body)
    if isinstance(node, s.If):
        return node.other is None or completes(node.then) or completes(node.other)
    if isinstance(node, s.While):
        if node.do:
            body_ends = completes(node.body) or jumps(node.body, "continue")
            return jumps(node.body, "break") or (body_ends and not _is_true(node.cond))
        return jumps(node.body, "break") or not _is_true(node.cond)
    if isinstance(node, s.For):
        return jumps(node.body, "break") or not _is_true(node.cond)
    if isinstance(node, s.Switch):
        has_default = any(None in section.labels for section in node.sections)
        breaks = any(jumps_switch(stmt) for section in node.sections for stmt in section.body)
        return breaks or not has_default
    if isinstance(node, s.Try):
        if node.final is not None and not completes(node.final):
            return False
        return completes(node.body) or any(completes(c.body) for c in node.catches)
    if isinstance(node, (s.Using, s.CheckedBlock)):
        return completes(node.body)
    return True


def jumps_switch(node: s.Stmt) -> bool:
    """A `break` that leaves the enclosing switch (not one inside a nested loop/switch)."""
    return jumps(node, "break")
