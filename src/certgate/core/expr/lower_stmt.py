"""Statements of the `@{ ... }` form: CST -> `syntax` statements.

Implemented: blocks, `var`/typed local declarations (also `const`), `if`/`else`, `return`, and
expression statements that are calls or (compound) assignments to locals. Everything else names
itself in a NotSupportedError ("C# statement 'foreach'").
"""

from __future__ import annotations

from tree_sitter import Node

from . import syntax as s
from .lower import Lowerer

_COMPOUND = {"+=": "+", "-=": "-", "*=": "*", "/=": "/", "%=": "%"}


class BlockLowerer(Lowerer):
    def block(self, node: Node) -> s.Block:
        body = tuple(
            self.stmt(child) for child in node.named_children if child.type != "empty_statement"
        )
        return s.Block(node.start_byte, body)

    def stmt(self, node: Node) -> s.Stmt:
        kind = node.type
        if kind == "block":
            return self.block(node)
        if kind == "local_declaration_statement":
            return self.local_declaration(node)
        if kind == "return_statement":
            value = node.named_children[0] if node.named_child_count else None
            return s.Return(node.start_byte, None if value is None else self.expr(value))
        if kind == "if_statement":
            other = node.child_by_field_name("alternative")
            return s.If(
                node.start_byte,
                self.expr(self.field(node, "condition")),
                self.stmt(self.field(node, "consequence")),
                None if other is None else self.stmt(other),
            )
        if kind == "expression_statement":
            return self.expression_statement(node.named_children[0])
        keyword = self.text(node.children[0]) if node.child_count else kind
        if not keyword.isidentifier():
            keyword = kind.removesuffix("_statement").replace("_", " ")
        raise self.unsupported(f"C# statement '{keyword}'", node)

    def local_declaration(self, node: Node) -> s.Stmt:
        for child in node.children:
            if child.type == "modifier" and self.text(child) != "const":
                raise self.unsupported(f"'{self.text(child)}' locals", child)
            if child.type in ("using", "await"):
                raise self.unsupported(f"C# statement '{child.type}'", child)
        declaration = next(c for c in node.named_children if c.type == "variable_declaration")
        type_node = self.field(declaration, "type")
        declared = None if type_node.type == "implicit_type" else self.type(type_node)
        declarators = []
        for declarator in declaration.named_children:
            if declarator.type != "variable_declarator":
                continue
            name = self.field(declarator, "name")
            values = [c for c in declarator.named_children if c != name]
            if values and values[0].type == "bracketed_argument_list":
                raise self.unsupported("fixed-size buffers", values[0])
            init = self.expr(values[-1]) if values else None
            declarators.append(s.Declarator(name.start_byte, self.text(name), init))
        return s.LocalDecl(node.start_byte, declared, tuple(declarators))

    def expression_statement(self, node: Node) -> s.Stmt:
        if node.type == "assignment_expression":
            target = self.field(node, "left")
            op = self.text(self.field(node, "operator"))
            if target.type != "identifier":
                raise self.unsupported("assignment to anything but a local", target)
            value = self.expr(self.field(node, "right"))
            name = self.text(target)
            if op in _COMPOUND:
                value = s.Binary(
                    node.start_byte, _COMPOUND[op], s.Name(target.start_byte, name), value
                )
            elif op != "=":
                raise self.unsupported(f"operator '{op}'", node)
            return s.Assign(target.start_byte, name, value)
        if node.type in ("invocation_expression", "conditional_access_expression"):
            return s.ExprStmt(node.start_byte, self.expr(node))
        if node.type in ("postfix_unary_expression", "prefix_unary_expression"):
            raise self.unsupported("increment and decrement operators", node)
        raise self.error(
            "Only assignment, call, increment, decrement, await, and new object expressions "
            "can be used as a statement",
            node,
        )
