"""Statements and the generated function (translator, part 3).

`@(E)` becomes `def _expr(ctx): return E`. `@{ ... }` becomes a function whose body is the
translated statements; C# requires every path to return, so a body that can fall off its end is
refused at load ("Not all code paths return a value"), as csc does.
"""

from __future__ import annotations

from . import syntax as s
from .operators import OperatorTranslator
from .scope import Scope
from .static import DOUBLE, NULL, UNKNOWN, SType
from .translate import Code

_INDENT = "    "


class Translator(OperatorTranslator):
    def function(self, body: s.Expr | s.Block) -> str:
        """Python source of `def _expr(ctx)` for an expression or a block body."""
        if isinstance(body, s.Block):
            lines = self.block(body, 1)
            if self.completes(body):
                raise self.error("Not all code paths return a value", body.pos)
        else:
            lines = [f"{_INDENT}return {self.expr(body).text}"]
        return "def _expr(ctx):\n" + "\n".join(lines) + "\n"

    # --- statements -----------------------------------------------------------------------------

    def block(self, node: s.Block, depth: int) -> list[str]:
        outer = self.scope
        self.scope = Scope(outer)
        try:
            lines = [line for stmt in node.body for line in self.stmt(stmt, depth)]
        finally:
            self.scope = outer
        return lines or [_INDENT * depth + "pass"]

    def stmt(self, node: s.Stmt, depth: int) -> list[str]:
        pad = _INDENT * depth
        if isinstance(node, s.Block):
            return self.block(node, depth)
        if isinstance(node, s.Return):
            if node.value is None:
                raise self.error(
                    "An object of a type convertible to 'object' is required", node.pos
                )
            return [f"{pad}return {self.expr(node.value).text}"]
        if isinstance(node, s.If):
            lines = [f"{pad}if {self.cond(node.cond)}:", *self.nested(node.then, depth + 1)]
            if node.other is not None:
                lines += [f"{pad}else:", *self.nested(node.other, depth + 1)]
            return lines
        if isinstance(node, s.LocalDecl):
            return [line for d in node.declarators for line in self.declarator(node, d, pad)]
        if isinstance(node, s.Assign):
            return [f"{pad}{self.assignment(node)}"]
        return [f"{pad}{self.expr(node.expr).text}"]

    def nested(self, node: s.Stmt, depth: int) -> list[str]:
        """An embedded statement gets its own scope, as a block would."""
        if isinstance(node, s.LocalDecl):
            raise self.error(
                "Embedded statement cannot be a declaration or labeled statement", node.pos
            )
        return self.block(s.Block(node.pos, (node,)), depth)

    def declarator(self, decl: s.LocalDecl, node: s.Declarator, pad: str) -> list[str]:
        if decl.type is None:
            if node.init is None:
                raise self.error("Implicitly-typed variables must be initialized", node.pos)
            value = self.expr(node.init)
            if value.type is NULL:
                raise self.error("Cannot assign <null> to an implicitly-typed variable", node.pos)
            declared = value.type
        else:
            declared = self.resolve_type(decl.type).stype
            if decl.type.nullable:
                declared = declared.as_nullable()
            value = (
                self.convert(self.expr(node.init), declared, node.pos)
                if node.init
                else Code("", declared)
            )
        local = self.declare(node.name, declared, node.pos)
        return [f"{pad}{local.py_name} = {value.text}"] if node.init is not None else []

    def assignment(self, node: s.Assign) -> str:
        local = self.scope.lookup(node.name)
        if local is None:
            if node.name == "context":
                raise self.error("Cannot assign to 'context'", node.pos)
            raise self.name_error(node.name, node.pos)
        value = self.convert(self.expr(node.value), local.type, node.pos)
        return f"{local.py_name} = {value.text}"

    def convert(self, value: Code, target: SType, pos: int) -> Code:
        """Implicit conversion for an assignment; refuse what C# refuses when types are known."""
        if target is UNKNOWN or not value.type.known or value.type == target:
            return value
        if value.type is NULL:
            if target.py in (int, float, bool) and not target.nullable:
                raise self.error(
                    f"Cannot convert null to '{target.name}' because it is a non-nullable "
                    "value type",
                    pos,
                )
            return value
        if target is DOUBLE and value.type.numeric:
            return Code(f"_float({value.text})", DOUBLE)
        if target.numeric and value.type.numeric and target.name == "System.Int64":
            return value
        if value.type.py is target.py and value.type.name == target.name:
            return value
        raise self.error(
            f"Cannot implicitly convert type '{value.type.name}' to '{target.name}'", pos
        )

    @staticmethod
    def completes(node: s.Stmt) -> bool:
        """Can control reach the end of `node`? (C#'s reachability, for return/if/blocks)."""
        if isinstance(node, s.Return):
            return False
        if isinstance(node, s.Block):
            return all(Translator.completes(stmt) for stmt in node.body)
        if isinstance(node, s.If):
            return (
                node.other is None
                or Translator.completes(node.then)
                or Translator.completes(node.other)
            )
        return True
